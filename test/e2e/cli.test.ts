/**
 * The built CLI, run as a user runs it, against temp folders. Assertions are on exit codes, on
 * what was printed, and on the bytes that landed in the backup folders.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.ts';
import { cliFixture } from '../helpers/cli-fixture.ts';
import { sha256, treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

function setup(extraYaml = ''): { dir: string; run: (...args: string[]) => ReturnType<typeof runCli> } {
  const dir = cliFixture(`  usb:
    type: local
    path: ./backup
${extraYaml}`);
  return { dir, run: (...args: string[]) => runCli(args, { cwd: dir }) };
}

function sourceHashes(dir: string): Set<string> {
  return new Set(treeHashes(path.join(dir, 'photos')).values());
}

describe('cli: end to end', { tags: ['slow'] }, () => {
  it('runs the quickstart: every sample photo lands on both backups, byte for byte, and meets 3-2-1', async () => {
    const dir = tmpdir();
    cpSync(path.join(EXAMPLES, 'quickstart.yaml'), path.join(dir, 'quickstart.yaml'));
    cpSync(path.join(EXAMPLES, 'sample-library'), path.join(dir, 'sample-library'), { recursive: true });
    const apply = await runCli(['apply', '--config', 'quickstart.yaml'], { cwd: dir });
    expect(apply.stderr).not.toMatch(/error/i);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('0 deletions');
    const sources = new Set([...treeHashes(path.join(dir, 'sample-library')).values()]);
    for (const remote of ['usb-disk', 'grandmas-house']) {
      const landed = [...treeHashes(path.join(dir, 'quickstart-backup', remote)).values()];
      expect(new Set(landed)).toEqual(sources);
      expect(landed).toHaveLength(sources.size); // the photo found in both sources is stored once
    }
    expect(existsSync(path.join(dir, 'quickstart-backup/usb-disk/2024/04/IMG_0002.JPG'))).toBe(true);
    expect(existsSync(path.join(dir, 'quickstart-backup/usb-disk/2023/10/PXL_20231006_063000139.jpg'))).toBe(true);

    const report = await runCli(['report', '--config', 'quickstart.yaml', '--json'], { cwd: dir });
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout) as { now: { items: number; meeting: number } };
    expect(json.now).toMatchObject({ items: sources.size, meeting: sources.size });
  });

  it('leaves the backup alone when a source file is deleted, and adds an edited file beside the old one', async () => {
    const { dir, run } = setup();
    expect((await run('apply')).code).toBe(0);
    const before = treeHashes(path.join(dir, 'backup'));
    expect(before.size).toBe(3);

    rmSync(path.join(dir, 'photos/DCIM/100APPLE/IMG_0002.JPG'));
    const afterDelete = await run('plan', '--detailed-exitcode');
    expect(afterDelete.code).toBe(0);
    expect(afterDelete.stdout).toContain('No changes');

    const edited = jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 99, comment: 'edited' });
    writeFileSync(path.join(dir, 'photos/DCIM/100APPLE/IMG_0001.JPG'), edited);
    const plan = await run('plan', '--detailed-exitcode', '--json');
    expect(plan.code).toBe(2);
    const actions = (JSON.parse(plan.stdout) as { actions: { to: string }[] }).actions;
    expect(actions.map((a) => a.to)).toEqual([`2022/05/IMG_0001~${sha256(edited).slice(0, 8)}.JPG`]);
    expect((await run('apply')).code).toBe(0);

    const after = treeHashes(path.join(dir, 'backup'));
    for (const [p, h] of before) expect(after.get(p)).toBe(h); // nothing removed or changed
    expect(after.size).toBe(4);
    expect([...after.values()]).toContain(sha256(edited));
  });

  it('meets a name taken by a file the state never recorded: never overwrites, plans again in one go', async () => {
    const { dir, run } = setup();
    expect((await run('apply')).code).toBe(0);
    const foreign = Buffer.from('not a photo of ours');
    const photo = path.join(dir, 'photos/DCIM/100APPLE/IMG_0001.JPG');

    // As if a killed run had landed a file there without journalling it.
    const edited = jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 50, comment: 'edit 1' });
    writeFileSync(photo, edited);
    const planned = `backup/2022/05/IMG_0001~${sha256(edited).slice(0, 8)}.JPG`;
    writeFileSync(path.join(dir, planned), foreign);
    const oneGo = await run('apply');
    expect(oneGo.stderr).toContain('1 name held other content the state did not know of; planning again');
    expect(oneGo.code).toBe(0);
    expect(readFileSync(path.join(dir, planned))).toEqual(foreign);
    expect([...treeHashes(path.join(dir, 'backup')).values()]).toContain(sha256(edited));

    // A saved plan is carried out as reviewed: that item fails, and the next plan avoids the name.
    const again = jpeg({ exif: { dateTimeOriginal: '2022:05:01 10:00:00' }, grey: 60, comment: 'edit 2' });
    writeFileSync(photo, again);
    const second = `backup/2022/05/IMG_0001~${sha256(again).slice(0, 8)}.JPG`;
    expect((await run('plan', '--out', 'plan.json')).code).toBe(0);
    writeFileSync(path.join(dir, second), foreign);
    const saved = await run('apply', 'plan.json');
    expect(saved.code).toBe(1);
    expect(saved.stderr).toContain('already holds other content; nothing was overwritten');
    expect(readFileSync(path.join(dir, second))).toEqual(foreign);
    expect((await run('apply')).code).toBe(0);
    expect([...treeHashes(path.join(dir, 'backup')).values()]).toContain(sha256(again));
  });

  it('saves a reviewable plan, applies exactly it, and refuses it once stale', async () => {
    const { dir, run } = setup();
    const plan = await run('plan', '--out', 'plan.json');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('usb  +3 to upload');
    const saved = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ format: 'photosync-plan', formatVersion: 1, state: { serial: 0 } });
    expect((saved['summary'] as { remotes: { usb: { deletions: number } } }).remotes.usb.deletions).toBe(0);

    const applied = await run('apply', 'plan.json');
    expect(applied.code).toBe(0);
    expect(treeHashes(path.join(dir, 'backup')).size).toBe(3);

    const again = await run('apply', 'plan.json');
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('plan is stale');
    expect(again.stderr).toContain('run "photosync plan" again');

    const other = await run('plan', '--out', 'p2.json');
    expect(other.code).toBe(0);
    writeFileSync(path.join(dir, 'photosync.yaml'), readFileSync(path.join(dir, 'photosync.yaml'), 'utf8').replace('path: ./backup', 'path: ./backup\n    transfers: 2'));
    const changedConfig = await run('apply', 'p2.json');
    expect(changedConfig.code).toBe(3);
    expect(changedConfig.stderr).toContain('another config');

    // A remote renamed after the plan was made: stale too, not "edited by hand".
    expect((await run('plan', '--out', 'p3.json')).code).toBe(0);
    writeFileSync(path.join(dir, 'photosync.yaml'), readFileSync(path.join(dir, 'photosync.yaml'), 'utf8').replace('  usb:', '  disk:'));
    const renamed = await run('apply', 'p3.json');
    expect(renamed.code).toBe(3);
    expect(renamed.stderr).toContain('another config');
  });

  it('rejects an invalid config with file:line:col, exit 1 and no stack trace', async () => {
    const { dir, run } = setup('    layuot: "{name}"\n');
    for (const command of ['validate', 'plan', 'apply']) {
      const result = await run(command);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${path.join(dir, "photosync.yaml")}:11:5: remotes.usb.layuot: unknown key "layuot"`);
      expect(result.stderr).toContain('did you mean "layout"?');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    const json = await run('validate', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'E_CONFIG', issues: [{ line: 11, col: 5 }] } });
  });

  it('documents its exit codes for usage errors, a missing config and a bad plan file', async () => {
    const { dir, run } = setup();
    expect((await run('plan', '--no-such-flag')).code).toBe(64);
    expect((await run('apply', '--max-transfer', 'lots')).code).toBe(64);
    expect((await run('restore', '--from', 'usb', '--to', 'back', '--since', '2024-06-01', '--until', '2024-01-01')).code).toBe(64);
    expect((await run('auth', 'logout', 'usb')).code).toBe(64); // a local disk has no credentials to forget
    const missing = await runCli(['validate'], { cwd: tmpdir() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('photosync.yaml does not exist');
    writeFileSync(path.join(dir, 'bad.json'), '{"format":"photosync-plan","formatVersion":1}');
    const bad = await run('apply', 'bad.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not a valid photosync plan');
    const viaEnv = await runCli(['validate'], { cwd: tmpdir(), env: { PHOTOSYNC_CONFIG: path.join(dir, 'photosync.yaml') } });
    expect(viaEnv.code).toBe(0);
  });

  it('finishes after a kill -9 in the middle of an apply: every photo once, nothing partial', async () => {
    const { dir, run } = setup();
    const tree: Record<string, Buffer> = {};
    for (let i = 0; i < 120; i++) {
      tree[`photos/bulk/IMG_${String(i).padStart(4, '0')}.JPG`] = Buffer.concat([
        jpeg({ exif: { dateTimeOriginal: `2021:0${1 + (i % 9)}:1${i % 10} 12:00:00` }, comment: `photo ${i}` }),
        Buffer.alloc(400_000, i),
      ]);
    }
    testdir(tree, dir);
    const expected = sourceHashes(dir);

    const child = startCli(['apply', '--transfers', '1'], { cwd: dir });
    await new Promise<void>((resolve, reject) => {
      const countLanded = (): number => {
        try {
          return existsSync(path.join(dir, 'backup')) ? treeHashes(path.join(dir, 'backup')).size : 0;
        } catch (err) {
          // A temporary file linked into place and removed while we walk: count again next tick.
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
          throw err;
        }
      };
      const timer = setInterval(() => {
        const landed = countLanded();
        if (landed >= 20) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('apply finished before it could be killed'));
      });
    });
    await new Promise((resolve) => child.on('close', resolve));

    const db = new Database(path.join(dir, 'state/photosync.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const resumed = await run('apply');
    expect(resumed.stderr).not.toMatch(/error/i);
    expect(resumed.code).toBe(0);
    const landed = treeHashes(path.join(dir, 'backup'));
    expect([...landed.keys()].filter((p) => p.includes('.photosync-'))).toEqual([]);
    expect(new Set(landed.values())).toEqual(expected);
    expect(landed.size).toBe(expected.size); // no duplicates
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);
    expect(readdirSync(path.join(dir, 'backup')).length).toBeGreaterThan(0);
  });
});

describe('cli: the no-op shortcut', { tags: ['slow'] }, () => {
  it('plans only the folders that changed, and says how many it left out', async () => {
    const { dir, run } = setup();
    expect((await run('apply')).code).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0); // finds both folders backed up

    const added = jpeg({ exif: { dateTimeOriginal: '2022:06:01 10:00:00' }, grey: 55, comment: 'new folder' });
    writeFileSync(path.join(dir, 'photos/DCIM/100APPLE/IMG_0003.JPG'), added);
    const plan = await run('plan', '--detailed-exitcode', '--json');
    expect(plan.code).toBe(2);
    const json = JSON.parse(plan.stdout) as { actions: { from: string }[]; summary: { items: number; leftOut?: { folders: number; files: number } } };
    expect(json.actions.map((a) => a.from)).toEqual(['DCIM/100APPLE/IMG_0003.JPG']);
    expect(json.summary.items).toBe(3); // the folder that changed: its two old photos and the new one
    expect(json.summary.leftOut).toEqual({ folders: 1, files: 1 }); // 101APPLE
    expect((await run('plan')).stdout).toContain('left out: 1 file in 1 folder unchanged since a plan found them backed up everywhere');

    expect((await run('apply')).code).toBe(0);
    expect(new Set(treeHashes(path.join(dir, 'backup')).values())).toEqual(sourceHashes(dir));
  });

  it('never hides a change: a new remote, a refreshed remote missing a file, a touched source file', async () => {
    const { dir, run } = setup();
    expect((await run('apply')).code).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0); // remembered as nothing to do
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0); // and answered from the memo

    // Someone deleted a file on the backup: a refresh notices, and the plan repairs it.
    rmSync(path.join(dir, 'backup/2022/05/IMG_0002.JPG'));
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0); // photosync trusts its records…
    const refreshed = await run('plan', '--refresh', '--detailed-exitcode');
    expect(refreshed.code).toBe(2); // …until asked to look
    expect((await run('apply')).code).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);

    // A new remote in the config.
    const config = path.join(dir, 'photosync.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}  usb2:\n    type: local\n    path: ./backup2\n`);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(2);
    expect((await run('apply')).code).toBe(0);
    expect((await run('plan', '--detailed-exitcode')).code).toBe(0);

    // A new photo.
    writeFileSync(path.join(dir, 'photos/DCIM/100APPLE/IMG_0009.JPG'), jpeg({ grey: 77, comment: 'new' }));
    expect((await run('plan', '--detailed-exitcode')).code).toBe(2);
  });
});
