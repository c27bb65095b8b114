import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError, formatConfigIssue } from '../../src/errors.ts';

const FILE = '/home/ann/photos/photosync.yaml';

function problems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(FILE, yaml, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatConfigIssue);
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

const VALID = `version: 1
sources:
  phone:
    type: local
    path: ./DCIM
remotes:
  usb:
    type: local
    path: /mnt/usb/photos
    media: external-disk
  nas:
    type: local
    path: /mnt/nas/photos
    media: nas
    layout: "{year}/{month}/{day}/{name}"
`;

describe('config: load', () => {
  it('normalises a valid config: absolute paths, defaults, a stable hash', () => {
    const config = parseConfig(FILE, VALID, { PHOTOSYNC_STATE_DIR: '/var/lib/ps' });
    expect(config.sources[0]).toMatchObject({ name: 'phone', path: '/home/ann/photos/DCIM', media: 'internal-disk', offsite: false });
    expect(config.remotes.map((r) => [r.name, r.layout, r.transfers])).toEqual([
      ['usb', '{year}/{month}/{name}', 16],
      ['nas', '{year}/{month}/{day}/{name}', 16],
    ]);
    expect(config.statePath).toBe('/var/lib/ps/photosync.db');
    expect(config.policy).toEqual({ copies: 3, media: 2, offsite: 1 });
    const reordered = VALID.replace('    media: external-disk\n', '').replace('    path: /mnt/usb/photos\n', '    media: external-disk\n    path: /mnt/usb/photos\n');
    expect(parseConfig(FILE, reordered, { PHOTOSYNC_STATE_DIR: '/var/lib/ps' }).hash).toBe(config.hash);
  });

  it('takes an S3 region from the config, else from AWS_REGION or AWS_DEFAULT_REGION, as the AWS tools do', () => {
    const yaml = (region: string) => `version: 1
sources:
  phone: {type: local, path: ./DCIM}
remotes:
  offsite: {type: s3, bucket: photos${region}}
`;
    const regionOf = (extra: string, env: NodeJS.ProcessEnv) => {
      const [remote] = parseConfig(FILE, yaml(extra), env).remotes;
      return remote?.type === 's3' ? remote.region : undefined;
    };
    expect(regionOf('', {})).toBe('us-east-1');
    expect(regionOf('', { AWS_DEFAULT_REGION: 'eu-west-3' })).toBe('eu-west-3');
    expect(regionOf('', { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-west-3' })).toBe('eu-central-1');
    expect(regionOf(', region: ap-south-1', { AWS_REGION: 'eu-central-1' })).toBe('ap-south-1');
  });

  it('reads a quota in any case of unit, as the command line does (500G, 500gb, 1.5 TiB)', () => {
    const quotaOf = (quota: string) =>
      parseConfig(FILE, `version: 1\nsources:\n  phone: {type: local, path: ./DCIM}\nremotes:\n  usb: {type: local, path: /mnt/usb, quota: ${quota}}\n`, {}).remotes[0]?.quotaBytes;
    expect(quotaOf('500G')).toBe(500 * 1024 ** 3);
    expect(quotaOf('500gb')).toBe(500 * 1024 ** 3);
    expect(quotaOf('1.5 TiB')).toBe(1.5 * 1024 ** 4);
    expect(problems(`version: 1\nsources:\n  phone: {type: local, path: ./DCIM}\nremotes:\n  usb: {type: local, path: /mnt/usb, quota: lots}\n`).join('\n')).toContain('remotes.usb.quota');
  });

  it('takes a network timeout for WebDAV and S3 (default 5m, as rclone), and refuses one that gives up at once', () => {
    const yaml = (timeout: string) =>
      `version: 1\nsources:\n  phone: {type: local, path: ./DCIM}\nremotes:\n  nas: {type: webdav, url: "https://nas.local/dav"${timeout}}\n  offsite: {type: s3, bucket: photos${timeout}}\n`;
    const timeouts = (timeout: string) => parseConfig(FILE, yaml(timeout), {}).remotes.map((r) => (r.type === 'webdav' || r.type === 's3' ? r.timeoutMs : null));
    expect(timeouts('')).toEqual([300_000, 300_000]);
    expect(timeouts(', timeout: 45s')).toEqual([45_000, 45_000]);
    expect(problems(yaml(', timeout: 0s')).join('\n')).toContain('remotes.nas.timeout');
    expect(problems(yaml(', timeout: soon')).join('\n')).toContain('remotes.offsite.timeout');
  });

  it('reports an unknown key at its line and column, with the likely intended key', () => {
    const found = problems(VALID.replace('    path: ./DCIM', '    paht: ./DCIM'));
    // The typo explains the missing "path": one problem, not two.
    expect(found).toHaveLength(1);
    const [issue] = found;
    expect(issue).toContain(`${FILE}:5:5: sources.phone.paht: unknown key "paht"`);
    expect(issue).toContain('did you mean "path"?');
  });

  it('reports every problem at once, each with file:line:col', () => {
    const yaml = `version: 2
sources:
  phone:
    type: locl
    path: ./DCIM
remotes:
  usb:
    type: local
    path: /mnt/usb
    transfers: 0
    media: floppy
`;
    const found = problems(yaml);
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/^\/home\/ann\/photos\/photosync\.yaml:1:10: version: "version" must be 1/);
    expect(found[1]).toMatch(/:4:11: sources\.phone\.type: "type" must be one of: local/);
    expect(found[1]).toContain('did you mean "local"?');
    expect(found[2]).toMatch(/:10:16: remotes\.usb\.transfers: "transfers" must be at least 1/);
    expect(found[3]).toMatch(/:11:12: remotes\.usb\.media: "media" must be one of: internal-disk/);
  });

  it('reports the problems the schema cannot see together with those it can', () => {
    const yaml = `version: 2
sources:
  phone: {type: local, path: ./DCIM}
remotes:
  usb: {type: local, path: /mnt/usb, layout: "{year}/{nmae}"}
  nas: {type: local, path: ./DCIM/backup}
  cloud: {type: s3, bucket: photos, storageClass: COLD}
`;
    const found = problems(yaml);
    expect(found.map((f) => f.split(': ')[1])).toEqual(['version', 'remotes.usb.layout', 'remotes.nas.path', 'remotes.cloud.storageClass']);
  });

  it('rejects a secret written inline and says where secrets go', () => {
    const found = problems(VALID.replace('    media: nas\n', '    media: nas\n    password: hunter2\n'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/:15:5: remotes\.nas\.password: "password" looks like a secret/);
    expect(found[0]).toContain('photosync auth set nas');
    expect(problems(VALID.replace('/mnt/nas/photos', 'https://ann:pw@nas.local/photos'))[0]).toContain('this URL contains a password');
    const fromEnv = problems(VALID.replace('/mnt/nas/photos', '${NAS_URL}'), { NAS_URL: 'https://ann:pw@nas.local/photos' });
    expect(fromEnv[0]).toMatch(/remotes\.nas\.path: this URL contains a password once \$\{…\} is filled in from the environment/);
  });

  it('interpolates ${ENV} and ${ENV:-default}, and reports unset variables', () => {
    const yaml = VALID.replace('/mnt/usb/photos', '${USB_ROOT}/photos').replace('./DCIM', '${PHONE_DIR:-./DCIM}');
    const config = parseConfig(FILE, yaml, { USB_ROOT: '/media/ann/usb' });
    expect(config.remotes[0]).toMatchObject({ path: '/media/ann/usb/photos' });
    expect(config.sources[0]?.path).toBe('/home/ann/photos/DCIM');
    const [issue] = problems(yaml);
    expect(issue).toMatch(/:9:11: remotes\.usb\.path: environment variable USB_ROOT is not set/);
    const literal = VALID.replace('./DCIM', () => './$${literal}');
    expect(parseConfig(FILE, literal, {}).sources[0]?.path).toBe(path.join('/home/ann/photos', '${literal}'));
  });

  it('reports YAML syntax errors with their position', () => {
    const [issue] = problems('version: 1\nsources:\n  phone: {type: local\nremotes: {}\n');
    expect(issue).toMatch(/^\/home\/ann\/photos\/photosync\.yaml:\d+:\d+: /);
    const dup = problems('version: 1\nversion: 1\n');
    expect(dup[0]).toMatch(/:2:1: .*[Mm]ap keys must be unique/);
  });

  it('checks layouts and refuses a remote inside a source', () => {
    const found = problems(
      VALID.replace('"{year}/{month}/{day}/{name}"', '"{yaer}/{name}"').replace('/mnt/usb/photos', './DCIM/backup'),
    );
    expect(found.join('\n')).toMatch(/remotes\.usb\.path: remote "usb" .* overlaps source "phone"/);
    expect(found.join('\n')).toMatch(/:\d+:\d+: remotes\.nas\.layout: unknown layout token \{yaer\}/);
    expect(found.join('\n')).toContain('did you mean {year}?');
  });

  it('refuses a layout that would drop the file extension', () => {
    expect(problems(VALID.replace('"{year}/{month}/{day}/{name}"', '"{year}/{stem}"'))[0]).toContain('drops the extension');
  });
});
