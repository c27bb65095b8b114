/**
 * The systemd user units: systemd-analyze itself checks the files and computes the timers'
 * runs. Where it cannot run the test says why: it fails under CI, where it must run, and is
 * skipped elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir as osTmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { writeScheduleFiles } from '../../src/schedule/jobs.ts';
import { onCalendar, systemd, systemdWord } from '../../src/schedule/systemd.ts';
import { tmpdir } from '../helpers/tmp.ts';
import { AWKWARD_DIR, expectedRuns, fakeHost, jobsFor, SCHEDULES, when } from './fixtures.ts';

/**
 * `systemd-analyze --user` needs a runtime directory even to read unit files; a root shell in a
 * container has none, so each run gets a private one (mode 0700, as systemd insists).
 */
type Analyzer = { ok: true; run: (args: string[]) => { code: number; out: string } } | { ok: false; reason: string };
let probed: Analyzer | undefined;
const runtime = mkdtempSync(path.join(osTmpdir(), 'photosync-xdg-runtime-'));
afterAll(() => rmSync(runtime, { recursive: true, force: true }));

function analyzer(): Analyzer {
  probed ??= probe();
  return probed;
}

function probe(): Analyzer {
  chmodSync(runtime, 0o700);
  const env = { ...process.env, XDG_RUNTIME_DIR: runtime, TZ: 'UTC', SYSTEMD_COLORS: '0', SYSTEMD_PAGER: '' };
  const run = (args: string[]) => {
    const r = spawnSync('systemd-analyze', args, { env, encoding: 'utf8' });
    if (r.error) throw r.error;
    return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
  };
  try {
    const probe = path.join(runtime, 'probe.service');
    writeFileSync(probe, `[Service]\nType=oneshot\nExecStart=${process.execPath} --version\n`);
    const r = run(['--user', 'verify', probe]);
    if (r.code !== 0) return { ok: false, reason: `systemd-analyze --user verify does not work here: ${r.out.trim()}` };
  } catch (err) {
    return { ok: false, reason: `systemd-analyze cannot run (${(err as Error).message}); install systemd (apt-get install systemd)` };
  }
  return { ok: true, run };
}

function requireAnalyzer(ctx: TestContext): Extract<Analyzer, { ok: true }>['run'] {
  const a = analyzer();
  if (a.ok) return a.run;
  if (process.env['CI']) throw new Error(a.reason);
  return ctx.skip(a.reason);
}

describe('schedule: systemd', () => {
  it('writes a service and a timer per job that systemd-analyze verify accepts without a warning', async (ctx) => {
    const run = requireAnalyzer(ctx);
    const home = tmpdir();
    const { jobs } = jobsFor(home, { configDir: AWKWARD_DIR, apply: when('6h', '01:15') });
    const installation = systemd.render(jobs, fakeHost(home));
    expect(installation.files.map((f) => path.relative(home, f.path))).toEqual([
      '.config/systemd/user/photosync-apply.service',
      '.config/systemd/user/photosync-apply.timer',
      '.config/systemd/user/photosync-verify.service',
      '.config/systemd/user/photosync-verify.timer',
    ]);
    await writeScheduleFiles(installation.files);
    const verified = run(['--user', 'verify', ...installation.files.map((f) => f.path)]);
    expect(verified.out).toBe('');
    expect(verified.code).toBe(0);

    // The same check catches a broken unit, so its silence above means something.
    const broken = path.join(path.dirname(installation.files[0]!.path), 'photosync-broken.service');
    writeFileSync(broken, readFileSync(installation.files[0]!.path, 'utf8').replace('ExecStart=', 'ExecStart="'));
    expect(run(['--user', 'verify', broken]).code).not.toBe(0);
  });

  it.for(SCHEDULES)('--every %s --at %s: systemd computes the runs we meant', ([every, at], ctx) => {
    const run = requireAnalyzer(ctx);
    const w = when(every, at);
    const from = new Date();
    const r = run(['calendar', '--iterations=6', onCalendar(w)]);
    expect(r.code).toBe(0);
    const runs = [...r.out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)].map((m) => new Date(`${m[1]}T${m[2]}Z`).toISOString());
    const expected = expectedRuns(w, from, 7);
    // A run time may pass between taking `from` and systemd taking its own "now".
    expect([expected.slice(0, 6), expected.slice(1, 7)]).toContainEqual(runs);
  });

  it('quotes ExecStart words as systemd splits them, escaping specifiers and variables', () => {
    expect(systemdWord('/usr/bin/node', true)).toBe('/usr/bin/node');
    expect(systemdWord('5%', true)).toBe('5%%');
    expect(systemdWord('/a b/c', true)).toBe('"/a b/c"');
    expect(systemdWord(`it's "x" $HOME \\ 100%`, true)).toBe(`"it's \\"x\\" $$HOME \\\\ 100%%"`);
    expect(systemdWord('A=$b c', false)).toBe('"A=$b c"');
    expect(() => systemdWord('a\nb', true)).toThrow(/line break/);
  });

  it('puts the state directory the user chose through the environment into the service', () => {
    const home = tmpdir();
    const { jobs } = jobsFor(home);
    const service = systemd.render(jobs, fakeHost(home)).files[0]!.contents;
    expect(service).toContain(`Environment="PHOTOSYNC_STATE_DIR=${path.join(home, 'state dir')}"`);
    expect(service).toMatch(/^ExecStart=\S+ "?[^\n]*dump args\.mjs"? apply --config /m);
  });

  it('honours XDG_CONFIG_HOME', () => {
    const home = tmpdir();
    const files = systemd.render(jobsFor(home).jobs, fakeHost(home, { XDG_CONFIG_HOME: '/cfg' })).files;
    expect(files[0]!.path).toBe('/cfg/systemd/user/photosync-apply.service');
  });
});
