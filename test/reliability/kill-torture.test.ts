/**
 * kill -9 torture: apply is killed at a random moment, again and again, while the library changes
 * between runs; then it runs to the end. Afterwards every source photo is on every remote exactly
 * once, byte for byte, nothing a remote ever held was removed or changed, no temporary file is
 * left, and the state database is intact. N is small in CI; PHOTOSYNC_TORTURE_RUNS=200 runs it
 * at length, and the figures go to test-results/reliability-kill.json (see docs/reliability.md).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.ts';
import { treeHashes } from '../helpers/hash.ts';
import { jpeg } from '../helpers/media.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

const RUNS = Number(process.env['PHOTOSYNC_TORTURE_RUNS'] ?? 8);
const REMOTES = ['usb', 'nas'];

/** Deterministic randomness, so a failing run can be replayed with the same seed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function photo(i: number, size: number): Buffer {
  return Buffer.concat([jpeg({ exif: { dateTimeOriginal: `20${10 + (i % 12)}:0${1 + (i % 9)}:1${i % 10} 12:00:00` }, comment: `photo ${i}` }), Buffer.alloc(size, i % 251)]);
}

describe('reliability: kill -9 at random points', { tags: ['slow'] }, () => {
  it(`completes after ${RUNS} runs killed at random moments, with every photo on every remote exactly once`, { timeout: 60_000 + RUNS * 20_000 }, async () => {
    const seed = Number(process.env['PHOTOSYNC_TORTURE_SEED'] ?? 20261122);
    const random = rng(seed);
    const dir = tmpdir();
    testdir(
      {
        'photosync.yaml': `version: 1\nstate: ./state/ps.db\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n${REMOTES.map(
          (r) => `  ${r}: {type: local, path: ./${r}, layout: "{year}/{month}/{name}"}`,
        ).join('\n')}\n`,
      },
      dir,
    );
    let next = 0;
    const add = (count: number): void => {
      for (let i = 0; i < count; i++, next++) {
        const size = Math.floor(random() < 0.1 ? 500_000 + random() * 1_500_000 : random() * 60_000);
        const file = path.join(dir, 'photos', `DCIM/${100 + (next % 3)}APPLE/IMG_${String(next % 40).padStart(4, '0')}-${next}.JPG`);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, photo(next, size));
      }
    };
    add(60);

    // Everything any remote ever held, path → bytes hash: none of it may change or vanish.
    const ever = new Map(REMOTES.map((r) => [r, new Map<string, string>()]));
    const observe = (): void => {
      for (const r of REMOTES) {
        const root = path.join(dir, r);
        if (!existsSync(root)) continue;
        const seen = ever.get(r)!;
        for (const [p, h] of treeHashes(root)) {
          if (p.includes('.photosync-')) continue; // our own unfinished temporary file
          const before = seen.get(p);
          if (before !== undefined) expect(h, `${r}:${p} changed`).toBe(before);
          seen.set(p, h);
        }
        for (const p of seen.keys()) expect(existsSync(path.join(root, ...p.split('/'))), `${r}:${p} vanished`).toBe(true);
      }
    };

    const figures = { runs: RUNS, seed, killed: 0, killedWhileUploading: 0, finishedBeforeKill: 0, mutations: 0, itemsLost: 0 };
    /** Files on the backups now, temporary ones included. */
    const held = (): number =>
      REMOTES.reduce((n, r) => n + (existsSync(path.join(dir, r)) ? readdirSync(path.join(dir, r), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0), 0);
    for (let run = 0; run < RUNS; run++) {
      const child = startCli(['apply', '--transfers', String(1 + Math.floor(random() * 4))], { cwd: dir });
      // One kill in five lands anywhere in start-up, scanning and planning; the others 0–100 ms
      // after the first new file (a temporary one included) appears on a backup: mid-upload.
      const early = random() < 0.2;
      const delay = early ? 20 + random() * 1500 : random() * 100;
      const heldBefore = held();
      let over = false;
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))).finally(() => (over = true));
      const uploading = async (): Promise<void> => {
        while (!over && held() === heldBefore) await new Promise((r) => setTimeout(r, 5));
      };
      const killer = (early ? Promise.resolve() : uploading()).then(() => new Promise<'kill'>((r) => setTimeout(() => r('kill'), delay)));
      const outcome = await Promise.race([exited.then(() => 'exited' as const), killer]);
      if (outcome === 'kill') {
        child.kill('SIGKILL');
        figures.killed++;
      } else figures.finishedBeforeKill++;
      await exited;
      if (outcome === 'kill' && held() > heldBefore) figures.killedWhileUploading++;
      observe();
      // The library keeps living between runs: new photos every time, and now and then an edit
      // in place or a deletion.
      add(1 + Math.floor(random() * 12));
      if (random() < 0.3) {
        const files = [...treeHashes(path.join(dir, 'photos')).keys()];
        const victim = files[Math.floor(random() * files.length)];
        if (victim) {
          const file = path.join(dir, 'photos', ...victim.split('/'));
          if (random() < 0.5) rmSync(file);
          else writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from(`edit ${run}`)]));
          figures.mutations++;
        }
      }
    }

    const final = await runCli(['apply'], { cwd: dir });
    expect(final.stderr).not.toMatch(/error/i);
    expect(final.code).toBe(0);
    observe();

    const sources = new Set(treeHashes(path.join(dir, 'photos')).values());
    for (const r of REMOTES) {
      const landed = treeHashes(path.join(dir, r));
      expect([...landed.keys()].filter((p) => p.includes('.photosync-')), `${r}: temporary files left`).toEqual([]);
      const contents = [...landed.values()];
      // No content twice on one remote, and every source photo there.
      expect(new Set(contents).size, `${r}: duplicates`).toBe(contents.length);
      const missing = [...sources].filter((h) => !contents.includes(h));
      figures.itemsLost += missing.length;
      expect(missing, `${r}: missing photos`).toEqual([]);
    }
    const db = new Database(path.join(dir, 'state/ps.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect((await runCli(['plan', '--detailed-exitcode'], { cwd: dir })).code).toBe(0);

    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/reliability-kill.json', `${JSON.stringify({ ...figures, photos: sources.size, remotes: REMOTES.length }, null, 2)}\n`);
  });
});
