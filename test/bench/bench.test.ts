/**
 * The benchmark harness runs end to end: its tiny profile, every scenario against the real tools
 * and servers, and a results file with numbers for every row. It checks the harness, not the
 * targets: a tiny library says nothing about speed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../bench/report.ts';
import { ROW_IDS } from '../../bench/scenarios/index.ts';
import { tmpdir } from '../helpers/tmp.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function runBench(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench', 'main.ts'), ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('bench: the tiny profile', { tags: ['slow'] }, () => {
  it('runs every scenario and writes a number for each row', { timeout: 300_000 }, async () => {
    const out = tmpdir('photosync-bench-out-');
    const result = await runBench(['--profile', 'tiny', '--out', out]);
    expect(result.stderr).not.toMatch(/ failed: /);
    expect(result.code).toBe(0);

    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;
    expect(results.failures).toEqual([]);
    expect(results.rows.map((r) => r.id).sort()).toEqual([...ROW_IDS].sort());
    for (const row of results.rows) {
      expect(Number.isFinite(row.photosync.median), `${row.id} photosync`).toBe(true);
      expect(row.photosync.values.length, `${row.id} repetitions`).toBeGreaterThanOrEqual(2);
      if (row.baseline) expect(Number.isFinite(row.baseline.median), `${row.id} baseline`).toBe(true);
      expect(typeof row.met === 'boolean' || row.met === null, `${row.id} verdict`).toBe(true);
      expect(row.photosync.peakRssKib ?? 1, `${row.id} peak RSS`).toBeGreaterThan(0);
    }
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.versions.rclone).toMatch(/rclone v/);
    expect(readFileSync(path.join(out, 'results.md'), 'utf8')).toContain('| scenario |');
    // The committed results are the full run's; a tiny run never overwrites them.
    expect(existsSync(path.join(out, 'latest.json'))).toBe(false);
  });
});
