/**
 * photosync schedule on the built CLI, against fake crontab, systemctl, launchctl and schtasks
 * put first on PATH (they record their arguments; the fake crontab keeps its table in a file).
 * The installed cron line is then run the way cron runs it, and must back the photos up.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir } from '../helpers/tmp.ts';

const USER_CRONTAB = 'MAILTO=ann@example.com\n# nightly mail backup (mine)\n15 4 * * * /usr/local/bin/mail-backup --all > /dev/null 2>&1\n';

const RECORDER = `#!/bin/sh
me=$(basename "$0")
{ printf '%s' "$me"; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'; } >> "$FAKE_CALLS"
[ "$me" = systemctl ] && [ "$2" = show-environment ] && exit "\${FAKE_USER_SYSTEMD_EXIT:-1}"
[ "$me" = schtasks ] && [ "$1" = /Query ] && exit "\${FAKE_TASK_EXISTS_EXIT:-1}"
exit 0
`;

const CRONTAB = `#!/bin/sh
case "$1" in
  -l) if [ -f "$FAKE_CRONTAB" ]; then cat "$FAKE_CRONTAB"; else echo "no crontab for $(id -un)" >&2; exit 1; fi ;;
  -) cat > "$FAKE_CRONTAB" ;;
  *) echo "fake crontab: unexpected $*" >&2; exit 2 ;;
esac
`;

function machine(verify = 'verify: { every: 7d, sample: "5%" }\n') {
  const dir = testdir({
    'photos/DCIM/IMG_0001.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 10 }),
    'photos/DCIM/IMG_0002.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:02 10:00:00' }, grey: 20 }),
    'photosync.yaml': `version: 1\nstate: ./state/photosync.db\nsources:\n  phone: { type: local, path: ./photos }\nremotes:\n  usb: { type: local, path: ./backup }\n${verify}`,
    'bin/crontab': CRONTAB,
    'bin/systemctl': RECORDER,
    'bin/launchctl': RECORDER,
    'bin/schtasks': RECORDER,
  });
  for (const tool of ['crontab', 'systemctl', 'launchctl', 'schtasks']) chmodSync(path.join(dir, 'bin', tool), 0o755);
  const files = { crontab: path.join(dir, 'crontab.txt'), calls: path.join(dir, 'calls.txt') };
  const env = { PATH: `${path.join(dir, 'bin')}:${process.env['PATH']}`, FAKE_CRONTAB: files.crontab, FAKE_CALLS: files.calls };
  const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extraEnv } });
  const calls = (): string[] => (existsSync(files.calls) ? readFileSync(files.calls, 'utf8').trimEnd().split('\n') : []);
  return { dir, files, run, calls };
}

describe('schedule', { tags: ['slow'] }, () => {
  it('cron: installs beside the user\'s own lines, replaces itself, runs a real backup, and uninstalls to exactly what was there', async () => {
    const m = machine();
    writeFileSync(m.files.crontab, USER_CRONTAB);

    const first = await m.run(['schedule', 'install', '--kind', 'cron', '--every', '6h']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Installed.');
    const again = await m.run(['schedule', 'install', '--kind', 'cron', '--at', '03:00']);
    expect(again.code).toBe(0);

    const table = readFileSync(m.files.crontab, 'utf8');
    expect(table.startsWith(USER_CRONTAB)).toBe(true);
    expect(table.match(/# BEGIN photosync/g)).toHaveLength(1);
    const entries = table.slice(USER_CRONTAB.length).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(entries).toHaveLength(2);
    const [apply, verify] = entries as [string, string];
    expect(apply.startsWith('0 3 * * * ')).toBe(true);
    expect(verify.startsWith('30 4 * * 0 ')).toBe(true);
    expect(verify).toContain(' verify --config ');
    expect(verify).toMatch(/--sample 5\\%$/);

    // What cron does: undo \%, run the rest with sh, almost no environment, from another folder.
    const command = apply.split(' ').slice(5).join(' ').replace(/\\%/g, '%');
    execFileSync('/bin/sh', ['-c', command], { cwd: '/', env: { HOME: m.dir, PATH: '/usr/bin:/bin', SHELL: '/bin/sh', LOGNAME: 'ann' }, stdio: 'pipe' });
    expect(treeHashes(path.join(m.dir, 'backup')).size).toBe(2);
    const logs = readdirSync(path.join(m.dir, 'state', 'logs'));
    expect(logs).toEqual([expect.stringMatching(/^apply\.\d{4}-\d{2}-\d{2}\.\d+\.log$/)]);
    const events = readFileSync(path.join(m.dir, 'state', 'logs', logs[0]!), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-2)).toMatchObject({ event: 'apply.result', uploaded: 2 });
    expect(events.at(-1)).toMatchObject({ event: 'command.end', exitCode: 0 });

    const removed = await m.run(['schedule', 'uninstall', '--kind', 'cron']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('removed (cron)');
    expect(readFileSync(m.files.crontab, 'utf8')).toBe(USER_CRONTAB);
    const nothing = await m.run(['schedule', 'uninstall', '--kind', 'cron']);
    expect(nothing.stdout).toContain('No photosync schedule found');
  });

  it('cron: starts a crontab for a user who had none, and leaves it empty on uninstall', async () => {
    const m = machine('');
    expect((await m.run(['schedule', 'install', '--kind', 'cron'])).code).toBe(0);
    expect(readFileSync(m.files.crontab, 'utf8')).toMatch(/^# BEGIN photosync[^\n]*\n# apply, daily at 02:30\n30 2 \* \* \* [^\n]+\n# END photosync\n$/);
    expect((await m.run(['schedule', 'uninstall'])).code).toBe(0);
    expect(readFileSync(m.files.crontab, 'utf8')).toBe('');
  });

  it('systemd: writes the user units under HOME, enables the timers, drops a verify job no longer configured, and uninstalls', async () => {
    const m = machine();
    const unitDir = path.join(m.dir, '.config', 'systemd', 'user');
    const install = await m.run(['schedule', 'install', '--kind', 'systemd', '--every', '12h']);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(readdirSync(unitDir).sort()).toEqual(['photosync-apply.service', 'photosync-apply.timer', 'photosync-verify.service', 'photosync-verify.timer']);
    expect(readFileSync(path.join(unitDir, 'photosync-apply.timer'), 'utf8')).toContain('OnCalendar=*-*-* 00/12:00:00\nPersistent=true');
    expect(readFileSync(path.join(unitDir, 'photosync-apply.service'), 'utf8')).toContain(`ExecStart=${process.execPath} `);
    expect(m.calls()).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now photosync-apply.timer photosync-verify.timer']);

    // print shows exactly what install wrote.
    const printed = JSON.parse((await m.run(['schedule', 'print', '--kind', 'systemd', '--every', '12h', '--json'])).stdout) as { files: { path: string; contents: string }[] };
    for (const f of printed.files) expect(readFileSync(f.path, 'utf8')).toBe(f.contents);

    writeFileSync(path.join(m.dir, 'photosync.yaml'), readFileSync(path.join(m.dir, 'photosync.yaml'), 'utf8').replace(/^verify:.*\n/m, ''));
    writeFileSync(m.files.calls, '');
    expect((await m.run(['schedule', 'install', '--kind', 'systemd'])).code).toBe(0);
    expect(readdirSync(unitDir).sort()).toEqual(['photosync-apply.service', 'photosync-apply.timer']);
    expect(m.calls()).toEqual([
      'systemctl --user disable --now photosync-apply.timer photosync-verify.timer',
      'systemctl --user daemon-reload',
      'systemctl --user daemon-reload',
      'systemctl --user enable --now photosync-apply.timer',
    ]);

    writeFileSync(m.files.calls, '');
    const removed = await m.run(['schedule', 'uninstall', '--kind', 'systemd', '--json']);
    expect(JSON.parse(removed.stdout)).toEqual({ removed: [{ kind: 'systemd', items: [path.join(unitDir, 'photosync-apply.timer'), path.join(unitDir, 'photosync-apply.service')] }] });
    expect(readdirSync(unitDir)).toEqual([]);
    expect(m.calls()).toEqual(['systemctl --user disable --now photosync-apply.timer', 'systemctl --user daemon-reload']);
  });

  it.runIf(process.platform === 'linux')('picks systemd on Linux when a user systemd answers, else cron', async () => {
    const m = machine();
    const kind = async (exit: string) => (JSON.parse((await m.run(['schedule', 'print', '--json'], { FAKE_USER_SYSTEMD_EXIT: exit })).stdout) as { kind: string }).kind;
    expect(await kind('0')).toBe('systemd');
    expect(await kind('1')).toBe('cron');
  });

  it('launchd and Task Scheduler: writes the files, loads or creates them, and uninstall reverses it', async () => {
    const m = machine();
    expect((await m.run(['schedule', 'install', '--kind', 'launchd'])).code).toBe(0);
    const agents = path.join(m.dir, 'Library', 'LaunchAgents');
    expect(readdirSync(agents).sort()).toEqual(['io.github.photosync.apply.plist', 'io.github.photosync.verify.plist']);
    expect((await m.run(['schedule', 'uninstall', '--kind', 'launchd'])).code).toBe(0);
    expect(readdirSync(agents)).toEqual([]);
    expect(m.calls()).toEqual([
      `launchctl load -w ${agents}/io.github.photosync.apply.plist`,
      `launchctl load -w ${agents}/io.github.photosync.verify.plist`,
      `launchctl unload -w ${agents}/io.github.photosync.apply.plist`,
      `launchctl unload -w ${agents}/io.github.photosync.verify.plist`,
    ]);

    writeFileSync(m.files.calls, '');
    const local = path.join(m.dir, 'AppData', 'Local');
    expect((await m.run(['schedule', 'install', '--kind', 'windows'], { LOCALAPPDATA: local })).code).toBe(0);
    const xmlDir = path.join(local, 'photosync', 'schedule');
    expect(readdirSync(xmlDir).sort()).toEqual(['photosync-verify.xml', 'photosync.xml']);
    expect((await m.run(['schedule', 'uninstall', '--kind', 'windows'], { LOCALAPPDATA: local, FAKE_TASK_EXISTS_EXIT: '0' })).code).toBe(0);
    expect(readdirSync(xmlDir)).toEqual([]);
    expect(m.calls()).toEqual([
      'schtasks /Query /TN photosync',
      'schtasks /Query /TN photosync-verify',
      `schtasks /Create /XML ${xmlDir}/photosync.xml /TN photosync /F`,
      `schtasks /Create /XML ${xmlDir}/photosync-verify.xml /TN photosync-verify /F`,
      'schtasks /Query /TN photosync',
      'schtasks /Delete /TN photosync /F',
      'schtasks /Query /TN photosync-verify',
      'schtasks /Delete /TN photosync-verify /F',
    ]);
  });

  it('refuses a period no scheduler can keep, a bad time or kind with usage errors, and warns about variables the job will not have', async () => {
    const m = machine();
    const every = await m.run(['schedule', 'print', '--every', '5h']);
    expect(every.code).toBe(64);
    expect(every.stderr).toContain('--every 5h: every 5h does not divide an hour or a day evenly');
    expect(every.stderr).toContain('hint: use a part of an hour (5m 10m 15m 20m 30m), of a day (1h 2h 3h 4h 6h 8h 12h), 1d, or 7d (Sundays)');
    const at = await m.run(['schedule', 'install', '--at', '25:00']);
    expect(at.code).toBe(64);
    expect(at.stderr).toContain('--at 25:00: "25:00" is not a time of day');
    const kind = await m.run(['schedule', 'install', '--kind', 'anacron']);
    expect(kind.code).toBe(64);
    expect(kind.stderr).toContain("Allowed choices are cron, systemd, launchd, windows");
    expect(existsSync(m.files.crontab)).toBe(false);

    writeFileSync(path.join(m.dir, 'photosync.yaml'), readFileSync(path.join(m.dir, 'photosync.yaml'), 'utf8').replace('path: ./backup', 'path: "${BACKUP_DIR:-./backup}"'));
    const warned = await m.run(['schedule', 'print', '--kind', 'cron']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain('warning: the config reads BACKUP_DIR from the environment');
  });
});
