/** The state database under damage: a clear error, then "state rebuild" recovers from the truth. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

function setup() {
  const dir = tmpdir();
  testdir(
    {
      'photos/a.jpg': jpeg({ exif: { dateTimeOriginal: '2020:01:01 00:00:00' }, grey: 1 }),
      'photos/b.jpg': jpeg({ exif: { dateTimeOriginal: '2020:02:01 00:00:00' }, grey: 2 }),
      'photosync.yaml': 'version: 1\nstate: ./state/ps.db\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n  usb: {type: local, path: ./backup}\n',
    },
    dir,
  );
  return { dir, run: (...args: string[]) => runCli(args, { cwd: dir }) };
}

describe('cli: state', { tags: ['slow'] }, () => {
  it('says what to do about a damaged state, and rebuilds it from the remotes without uploading again', async () => {
    const { dir, run } = setup();
    expect((await run('apply')).code).toBe(0);
    const backup = treeHashes(path.join(dir, 'backup'));

    for (const f of readdirSync(path.join(dir, 'state'))) writeFileSync(path.join(dir, 'state', f), 'garbage '.repeat(512));
    const broken = await run('plan');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('error[E_STATE]');
    expect(broken.stderr).toContain('photosync state rebuild');
    expect(broken.stderr).not.toMatch(/\n\s+at /);

    const rebuilt = await run('state', 'rebuild');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain('usb: 2 files listed, 2 identified by content');
    expect(readdirSync(path.join(dir, 'state')).some((f) => f.includes('.broken-'))).toBe(true);

    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(0);
    expect(treeHashes(path.join(dir, 'backup'))).toEqual(backup);

    const show = await run('state', 'show', '--json');
    expect(JSON.parse(show.stdout)).toMatchObject({ serial: expect.any(Number), remotes: [{ name: 'usb', files: 2 }] });
  });

  it('will not move a state aside while an apply holds its lock', async () => {
    const { dir, run } = setup();
    // Before any apply, looking at the state does not create one.
    const none = await run('state', 'show', '--json');
    expect(JSON.parse(none.stdout)).toMatchObject({ exists: false });
    expect(existsSync(path.join(dir, 'state/ps.db'))).toBe(false);
    expect((await run('apply')).code).toBe(0);
    const { State } = await import('../../src/state/index.ts');
    const state = State.open(path.join(dir, 'state/ps.db'));
    const lock = state.lock(); // as a running apply would
    try {
      const refused = await run('state', 'rebuild');
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain('another photosync apply');
      expect(readdirSync(path.join(dir, 'state')).some((f) => f.includes('.broken-'))).toBe(false);
    } finally {
      lock.release();
      state.close();
    }
  });

  it('refuses another program’s database as state', async () => {
    const { dir, run } = setup();
    const Database = (await import('better-sqlite3')).default;
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'state'));
    const db = new Database(path.join(dir, 'state/ps.db'));
    db.exec('CREATE TABLE invoices (id INTEGER)');
    db.close();
    const result = await run('plan');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is an SQLite database, but not photosync's state");
    expect(existsSync(path.join(dir, 'backup'))).toBe(false);
  });
});
