import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DropboxEmulator } from '../helpers/emulators/dropbox.ts';
import { runRemoteContract } from '../contract/remote-contract.ts';
import { dropboxRemote, MiB } from './dropbox-helpers.ts';

let emu: DropboxEmulator;
let folders = 0;

beforeAll(async () => {
  emu = await DropboxEmulator.start();
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  // Whatever a test did, photosync must never have sent Dropbox a request it rejects as malformed.
  expect(emu.violations).toEqual([]);
});

runRemoteContract({
  name: 'dropbox',
  tags: ['slow'],
  // 1 MiB chunks: start, three appends (the last one closing), then the commit.
  multiChunkBytes: 3.5 * MiB + 11,
  listingFiles: 30,
  create: async () => {
    emu.listPageSize = 7;
    return dropboxRemote(emu, { config: { path: `/Photos ${++folders}` } });
  },
});

describe('remote: dropbox', { tags: ['slow'] }, () => {
  it('placeholder', () => {});
});
