/**
 * --log-file on the built CLI: what a cron job's log holds after an apply that worked and one
 * that did not, and that nothing secret-looking gets there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

const CANARIES = { NAS_PASSWORD: 'canary-nas-password', AWS_SECRET_ACCESS_KEY: 'canary-aws-secret', PHOTOSYNC_TOKEN: 'canary-token' };

type LogLine = Record<string, unknown> & { level: string; event: string; command: string; time: string };

function readLog(dir: string): { text: string; lines: LogLine[] } {
  const files = readdirSync(dir).filter((f) => /^apply\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(f));
  expect(files.length).toBeGreaterThan(0);
  const text = files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('');
  return { text, lines: text.trimEnd().split('\n').map((l) => JSON.parse(l) as LogLine) };
}

describe('--log-file', { tags: ['slow'] }, () => {
  it('records the command, the plan, the result counts and the exit code of an apply as JSON lines', async () => {
    const dir = testdir({
      'photos/DCIM/IMG_0001.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 10 }),
      'photos/DCIM/IMG_0002.JPG': jpeg({ exif: { dateTimeOriginal: '2022:05:02 10:00:00' }, grey: 20 }),
      'photosync.yaml': 'version: 1\nstate: ./state/photosync.db\nsources:\n  phone: { type: local, path: ./photos }\nremotes:\n  usb: { type: local, path: ./backup }\n',
    });
    const run = await runCli(['apply', '--quiet', '--log-file', 'logs/apply.log'], { cwd: dir, env: CANARIES });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const again = await runCli(['apply', '--quiet', '--log-file', 'logs/apply.log'], { cwd: dir, env: CANARIES });
    expect(again.code).toBe(0);

    const { text, lines } = readLog(path.join(dir, 'logs'));
    expect(lines.map((l) => l.event)).toEqual([
      'command.start',
      'apply.plan',
      'apply.result',
      'command.end',
      'command.start',
      'apply.plan',
      'apply.result',
      'command.end',
    ]);
    for (const l of lines) expect(l).toMatchObject({ command: 'apply', level: 'info' });
    expect(lines[0]).toMatchObject({ argv: ['apply', '--quiet', '--log-file', 'logs/apply.log'], config: path.join(dir, 'photosync.yaml') });
    expect(lines[1]).toMatchObject({ uploads: 2, remotes: { usb: { uploads: 2 } } });
    expect(lines[2]).toMatchObject({ uploaded: 2, failed: [], deletions: 0 });
    expect(lines[3]).toMatchObject({ exitCode: 0 });
    expect(lines[6]).toMatchObject({ uploaded: 0, failed: [] });
    expect(new Set(lines.map((l) => l['pid'])).size).toBe(2);
    for (const secret of Object.values(CANARIES)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/:\/\/[^\s/@"]+:[^\s/@"]+@|Bearer [A-Za-z0-9]/);
  });

  it('records the error and the exit code of a run that fails, and exits promptly', async () => {
    const dir = testdir({ 'photosync.yaml': 'version: 1\nsources:\n  phone: { type: local, path: ./photos }\nremotes:\n  usb: { type: lokal, path: ./backup }\n' });
    const started = Date.now();
    const run = await runCli(['apply', '--log-file', path.join(dir, 'logs', 'apply.log')], { cwd: dir, env: CANARIES });
    const exited = Date.now();
    expect(run.code).toBe(1);
    const { lines } = readLog(path.join(dir, 'logs'));
    expect(lines.map((l) => [l.level, l.event])).toEqual([
      ['info', 'command.start'],
      ['error', 'command.error'],
      ['warn', 'command.end'],
    ]);
    expect(lines[1]).toMatchObject({ code: 'E_CONFIG', exitCode: 1, issues: [{ path: 'remotes.usb.type', line: 5 }] });
    expect(lines[2]).toMatchObject({ exitCode: 1 });
    // Nothing (a rotation timer, an open file) keeps the process alive after the last line.
    const end = Date.parse(lines[2]!.time);
    expect(end).toBeGreaterThanOrEqual(started - 1000);
    expect(exited - end).toBeLessThan(3000);
  });

  it('is taken by every command, and a folder it cannot write is an error before anything runs', async () => {
    const dir = tmpdir();
    const blocked = testdir({ 'not-a-dir': '' }, dir);
    const run = await runCli(['validate', '--log-file', path.join(blocked, 'not-a-dir', 'x.log')], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot write the log file');
  });
});
