/**
 * npm run bench [-- --profile default|small|tiny] [--scenario ID …] [--set name=value …]
 *                  [--out DIR] [--work DIR] [--keep]
 *
 * Runs the scenarios (all by default, with the sizes) and writes the results. The full
 * default run writes bench/results/latest.json and docs/benchmarks.md, the files the repository
 * keeps; any other run writes bench/results/last-run.{json,md} (not kept), or into --out DIR.
 * BENCH_PHOTOSYNC_NODE_ARGS passes node options to photosync (to profile it; see tools.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Libraries, type BenchContext } from './context.ts';
import { machine, versions } from './machine.ts';
import { crashes } from './measure.ts';
import { isProfile, resolveSizes } from './profiles.ts';
import { METHOD, writeResults, type Results } from './report.ts';
import type { Row } from './results.ts';
import { SCENARIOS } from './scenarios/index.ts';
import { Servers } from './servers.ts';
import { FLAGS, PHOTOSYNC_CLI, PHOTOSYNC_NODE_ARGS, REPO } from './tools.ts';

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      profile: { type: 'string', default: 'default' },
      size: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
      out: { type: 'string' },
      work: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const profile = values.size ?? values.profile ?? 'default';
  if (!isProfile(profile)) throw new Error(`unknown profile "${profile}" (default, small, tiny)`);
  const overrides = Object.fromEntries(
    (values.set ?? []).map((kv) => {
      const at = kv.indexOf('=');
      if (at < 1) throw new Error(`--set wants name=value, got "${kv}"`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
  const sizes = resolveSizes(profile, overrides, process.env);
  const wanted = values.scenario ?? [];
  for (const w of wanted) if (!SCENARIOS.some((s) => s.id === w || s.rows.includes(w))) throw new Error(`unknown scenario "${w}"; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  const scenarios = wanted.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => wanted.some((w) => s.id === w || s.rows.includes(w)));
  if (!existsSync(PHOTOSYNC_CLI)) throw new Error(`${PHOTOSYNC_CLI} is missing: run "npm run build" first (npm run bench does)`);

  const canonical =
    profile === 'default' && wanted.length === 0 && Object.keys(overrides).length === 0 && values.out === undefined && PHOTOSYNC_NODE_ARGS.length === 0;
  const outDir = values.out ? path.resolve(values.out) : path.join(REPO, 'bench', 'results');
  const jsonFile = canonical ? path.join(outDir, 'latest.json') : path.join(outDir, values.out ? 'results.json' : 'last-run.json');
  const mdFile = canonical ? path.join(REPO, 'docs', 'benchmarks.md') : path.join(outDir, values.out ? 'results.md' : 'last-run.md');

  const work = values.work ? path.resolve(values.work) : mkdtempSync(path.join(tmpdir(), 'photosync-bench-'));
  mkdirSync(work, { recursive: true });
  const started = new Date();
  const host = machine(work);
  const log = (m: string) => process.stderr.write(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(5)} s] ${m}\n`);
  const logDir = path.join(work, 'logs');
  const servers = new Servers();
  const ctx: BenchContext = { sizes, work, logDir, servers, libraries: new Libraries(work, sizes, logDir, log), log };
  const rows: Row[] = [];
  const failures: { scenario: string; error: string }[] = [];
  log(`profile ${profile}, work folder ${work}`);
  try {
    for (const scenario of scenarios) {
      log(`scenario ${scenario.id}`);
      try {
        const produced = await scenario.run(ctx);
        rows.push(...produced);
        for (const r of produced) log(`  ${r.id}: ${r.met === null ? 'not judged' : r.met ? 'met' : 'missed'} (ratio ${r.ratioText ?? r.ratio?.toFixed(3)})`);
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`  ${scenario.id} failed: ${error}`);
        failures.push({ scenario: scenario.id, error });
      }
    }
  } finally {
    await servers.stop();
  }
  const results: Results = {
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
    profile,
    sizes,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: host,
    versions: versions(),
    method: METHOD,
    flags: FLAGS,
    rows,
    failures,
    crashes: [...crashes],
  };
  writeResults(results, jsonFile, mdFile);
  log(`wrote ${jsonFile} and ${mdFile}`);
  if (!values.keep && !values.work) rmSync(work, { recursive: true, force: true });
  return failures.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(64);
  },
);
