/**
 * report and plan in their new formats, through the built CLI on a real library: markdown for a
 * pull-request comment, HTML written with --out, and the flags that must not be combined.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanFile } from '../../src/planner/plan-file.ts';
import type { CoverageReport } from '../../src/report/coverage.ts';
import { codeSpanText, tableCells } from '../helpers/gfm.ts';
import { HOSTILE_NAME, reportLibrary, type ReportLibrary } from '../helpers/report-library.ts';

function tables(md: string): string[][][] {
  return md
    .split(/\n\n+/)
    .filter((block) => block.startsWith('| '))
    .map((block) => block.split('\n').map(tableCells));
}

describe('cli: report and plan formats', { tags: ['slow'] }, () => {
  // One library for all: the tests only read it (and write their outputs beside the sources).
  let lib: ReportLibrary;
  beforeAll(async () => {
    lib = await reportLibrary();
  });
  afterAll(() => rmSync(lib.dir, { recursive: true, force: true }));

  it('report --format markdown: the headline, the figures, the remotes and the at-risk folders of the JSON report', async () => {
    const json = JSON.parse((await lib.run('report', '--json')).stdout) as CoverageReport;
    const result = await lib.run('report', '--format', 'markdown');
    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    expect(md.split('\n')[0]).toBe('### Backup rule 3-2-1: 33.3% of photos meet it now → 66.7% after the plan');
    expect(`${json.now.meeting}/${json.now.items} → ${json.afterPlan?.meeting}`).toBe('4/12 → 8');

    const [figures, remotes, atRisk] = tables(md);
    for (const t of [figures, remotes, atRisk]) for (const row of t!) expect(row).toHaveLength(t![0]!.length);
    expect(figures?.[2]).toEqual(['meet the rule', '4 (33.3%)', '8 (66.7%)']);
    expect(remotes?.slice(2).map((r) => r[0])).toEqual(['usb', 'nas', 'away']);
    expect(remotes?.[3]).toEqual(['nas', 'nas', 'no', '7', '1.6 KiB', '+4 (912 B)', '1.6 KiB', '62.4 KiB', '64.0 KiB']);
    expect(md).toContain('<summary>8 photos at risk in 3 folders (only one copy, or no offsite copy)</summary>');
    expect(atRisk?.slice(2).map((r) => [codeSpanText(r[0]!), r[1], r[2]])).toEqual(
      json.atRiskGroups.map((g) => [g.folder, String(g.items), g.firstDate === g.lastDate ? (g.firstDate ?? '1 undated') : `${g.firstDate} – ${g.lastDate}`]),
    );
    // Folders only: no file name (hostile or not) reaches a PR comment.
    expect(md).not.toContain('onerror');
  });

  it('report --format html --out writes one file, whole, and says so; --out r.md picks markdown from the extension', async () => {
    const result = await lib.run('report', '--format', 'html', '--out', 'r.html');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Wrote the html report to r.html.\n');
    const page = readFileSync(path.join(lib.dir, 'r.html'), 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('data-testid="meeting-now" data-value="4"');
    expect(page).not.toContain(HOSTILE_NAME);
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(readdirSync(lib.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    expect((await lib.run('report', '--out', 'r.md')).code).toBe(0);
    expect(readFileSync(path.join(lib.dir, 'r.md'), 'utf8').startsWith('### Backup rule 3-2-1')).toBe(true);
    const quiet = await lib.run('report', '--format', 'json', '--out', 'r.json');
    expect(quiet.stdout).toBe('');
    expect((JSON.parse(readFileSync(path.join(lib.dir, 'r.json'), 'utf8')) as CoverageReport).reportVersion).toBe(1);

    const missing = await lib.run('report', '--format', 'html', '--out', 'no/such/dir/r.html');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot write');
    expect(existsSync(path.join(lib.dir, 'no'))).toBe(false);
  });

  it('rejects --json with another --format, and an unknown format, as usage errors', async () => {
    const both = await lib.run('report', '--json', '--format', 'html');
    expect(both.code).toBe(64);
    expect(JSON.parse(both.stdout)).toMatchObject({ error: { code: 'E_USAGE' } });
    expect((await lib.run('report', '--format', 'pdf')).code).toBe(64);
    expect((await lib.run('plan', '--format', 'html')).code).toBe(64);
    expect((await lib.run('plan', '--format', 'markdown', '--json')).code).toBe(64);
  });

  it('plan --format markdown: per remote with 0 deletions, the actions in <details>, the serial and config hash', async () => {
    // A report looks at every file and finds 100APPLE and 101APPLE backed up: the plan leaves them out.
    expect((await lib.run('report')).code).toBe(0);
    const result = await lib.run('plan', '--format', 'markdown', '--out', 'plan.json', '--detailed-exitcode');
    expect(result.code, result.stderr).toBe(2);
    const md = result.stdout;
    const saved = JSON.parse(readFileSync(path.join(lib.dir, 'plan.json'), 'utf8')) as PlanFile;
    expect(md.split('\n')[0]).toBe(`### photosync plan: 12 uploads (2.7 KiB), 0 deletions, 0 overwrites`);
    expect(md).toContain('Sources hold 4 photos (distinct content) in the folders planned; left out: 7 files in 2 folders unchanged since a plan found them backed up everywhere.');
    const [summary, ...actionTables] = tables(md);
    expect(summary?.slice(2)).toEqual([
      ['usb', '+4', '912 B', '0', '0', '0', '0'],
      ['nas', '+4', '912 B', '0', '0', '0', '0'],
      ['away', '+4', '912 B', '0', '0', '0', '0'],
    ]);
    expect(md.match(/<details>/g)).toHaveLength(3);
    expect(actionTables.flatMap((t) => t.slice(2).map((r) => codeSpanText(r[1]!))).toSorted()).toEqual(saved.actions.map((a) => `${a.source}:${a.from}`).toSorted());
    expect(actionTables.flatMap((t) => t.slice(2).map((r) => r.length))).toEqual(Array(12).fill(4));
    expect(md).toContain(`state serial **${saved.state.serial}** (lineage \`${saved.state.lineage}\`) and config hash \`${saved.config.hash}\``);
    expect(result.stderr).toContain('Saved the plan to plan.json.');

    const withPlan = await lib.run('report', '--plan', 'plan.json', '--json');
    expect(withPlan.code, withPlan.stderr).toBe(0);
    expect(withPlan.stderr).not.toContain('another state or config');
    expect((JSON.parse(withPlan.stdout) as CoverageReport).afterPlan?.meeting).toBe(8);

    const missing = await lib.run('report', '--plan', 'no-such-plan.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read plan file');
    expect(missing.stderr).toContain('photosync plan --out FILE');
  });
});
