/** What every scheduler kind runs: the command line, the log, and the environment a job needs. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { scheduledJobs, variablesReadBy } from '../../src/schedule/jobs.ts';
import { when } from './fixtures.ts';

const YAML = 'version: 1\nsources:\n  phone: { type: local, path: ./DCIM }\nremotes:\n  usb: { type: local, path: /mnt/usb }\n';
const invocation = { node: '/usr/bin/node', entry: '/opt/photosync/dist/cli/bin.js' };

describe('schedule: jobs', () => {
  it('runs apply quietly with the absolute config and a log beside the state, and verify only when configured', () => {
    const config = parseConfig('/home/ann/photosync.yaml', `${YAML}state: ./state/ps.db\n`, {});
    const [apply, ...rest] = scheduledJobs({ config, apply: when('6h'), invocation, env: {} });
    expect(rest).toEqual([]);
    expect(apply).toMatchObject({
      name: 'apply',
      argv: ['/usr/bin/node', '/opt/photosync/dist/cli/bin.js', 'apply', '--config', '/home/ann/photosync.yaml', '--quiet', '--log-file', '/home/ann/state/logs/apply.log'],
      env: {},
      logFile: '/home/ann/state/logs/apply.log',
    });
    const withVerify = parseConfig('/home/ann/photosync.yaml', `${YAML}verify: { every: 1d, at: "05:00" }\n`, {});
    const verify = scheduledJobs({ config: withVerify, apply: when(undefined), invocation, env: {} })[1];
    expect(verify?.argv.slice(2, 4)).toEqual(['verify', '--config']);
    expect(verify?.argv).not.toContain('--sample');
    expect(verify?.when).toEqual({ everyMinutes: 1440, atMinutes: 300 });
  });

  it('hands the job a state directory that came from the environment, and only then', () => {
    const env = { PHOTOSYNC_STATE_DIR: '/srv/photosync state' };
    const fromEnv = scheduledJobs({ config: parseConfig('/c/p.yaml', YAML, env), apply: when(undefined), invocation, env })[0]!;
    expect(fromEnv.env).toEqual({ PHOTOSYNC_STATE_DIR: '/srv/photosync state' });
    expect(fromEnv.logFile).toBe(path.join('/srv/photosync state', 'logs', 'apply.log'));
    const xdg = { XDG_STATE_HOME: '/var/state' };
    expect(scheduledJobs({ config: parseConfig('/c/p.yaml', YAML, xdg), apply: when(undefined), invocation, env: xdg })[0]!.env).toEqual({ PHOTOSYNC_STATE_DIR: '/var/state/photosync' });
    expect(scheduledJobs({ config: parseConfig('/c/p.yaml', YAML, {}), apply: when(undefined), invocation, env: {} })[0]!.env).toEqual({});
    const pinned = parseConfig('/c/p.yaml', `${YAML}state: /data/ps.db\n`, env);
    expect(scheduledJobs({ config: pinned, apply: when(undefined), invocation, env })[0]!.env).toEqual({});
  });

  it('lists the variables the config reads, but not those in comments', () => {
    const text = `${YAML.replace('/mnt/usb', '"${USB:-/mnt/usb}"')}  nas: { type: webdav, url: "\${NAS_URL}", password_env: NAS_PW }\n  # s3: { type: s3, bucket: "\${BUCKET}" }\n  # password_env: OTHER\n  x: { type: local, path: "$\${LITERAL}" }\n`;
    expect(variablesReadBy(text)).toEqual(['NAS_PW', 'NAS_URL', 'USB']);
  });
});
