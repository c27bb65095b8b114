import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { FRAGMENT_UNIT } from '../../src/remotes/onedrive/upload.ts';
import { runRemoteContract } from '../contract/remote-contract.ts';
import { OneDriveEmulator } from '../helpers/emulators/onedrive.ts';
import { onedriveRemote } from '../helpers/onedrive-remote.ts';

for (const driveType of ['personal', 'business'] as const) {
  describe(`remote: onedrive (${driveType})`, { tags: ['slow'] }, () => {
    let emu: OneDriveEmulator;
    beforeAll(async () => {
      emu = await OneDriveEmulator.start({ driveType, pageSize: 7 });
    });
    afterAll(() => emu.close());
    afterEach(() => {
      expect(emu.violations.splice(0)).toEqual([]);
      expect(emu.log.filter((r) => (r.place === 'upload' || r.place === 'download') && r.authorization)).toEqual([]);
    });

    runRemoteContract({ name: `onedrive ${driveType}`, create: async () => onedriveRemote(emu), multiChunkBytes: 3 * FRAGMENT_UNIT + 12_345 });
  });
}
