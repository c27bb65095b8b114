/**
 * The HTML report in a real browser (Debian's chromium through playwright-core): made by the built
 * CLI from a real state, opened from file://, it must render without a console error and without
 * a single network request, show the same numbers as the JSON report of the same library, escape
 * the hostile file name, and open and close its at-risk folders on click. A screenshot goes to
 * test-results/ for a person to look at.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageReport } from '../../src/report/coverage.ts';
import { HOSTILE_NAME, reportLibrary } from '../helpers/report-library.ts';

const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
// As root Chromium needs --no-sandbox; the networking flags stop its own background requests,
// which this machine's closed network would refuse (and which would count as requests below).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser | undefined;
let unavailable = '';

beforeAll(async () => {
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  } catch (err) {
    unavailable = `cannot launch ${CHROMIUM}: ${(err as Error).message.split('\n')[0]}`;
  }
});
afterAll(async () => {
  await browser?.close();
});

describe('report --format html in a browser', { tags: ['slow'] }, () => {
  it('renders offline, shows the JSON report’s numbers, escapes names, and folds the at-risk folders', async (ctx) => {
    if (!browser) {
      if (process.env['CI']) throw new Error(unavailable);
      ctx.skip(unavailable);
      return;
    }
    const lib = await reportLibrary();
    const json = await lib.run('report', '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as CoverageReport;
    const html = await lib.run('report', '--format', 'html', '--out', 'report.html');
    expect(html.code, html.stderr).toBe(0);
    const file = path.join(lib.dir, 'report.html');
    const url = pathToFileURL(file).href;

    // Under the page's own Content-Security-Policy, as a user opens it: a stray fetch still shows,
    // as a request and as the console error the policy's refusal logs.
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      problems.push(`a dialog opened (script ran): ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });

    // Renders: one h1, the sections, charts with text alternatives, and nothing executable.
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('h2').allTextContents()).toEqual(['Coverage', 'Remotes', 'Sources', 'At risk']);
    const labels = await page.locator('svg[role="img"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(labels.length).toBeGreaterThan(3);
    for (const label of labels) expect(label.length).toBeGreaterThan(10);
    expect(await page.locator('script, img, iframe, object, embed, link').count()).toBe(0);
    expect(await page.locator('svg.chart').boundingBox()).toMatchObject({ width: expect.any(Number) as number });

    // The same numbers as the JSON report, both the raw value and the text a person reads.
    const figure = async (testid: string): Promise<number> => {
      const el = page.getByTestId(testid);
      const value = Number(await el.getAttribute('data-value'));
      expect((await el.textContent())?.startsWith(value.toLocaleString('en-US')), testid).toBe(true);
      return value;
    };
    const { now } = report;
    const after = report.afterPlan!;
    expect(await figure('items')).toBe(now.items);
    expect(await figure('meeting-now')).toBe(now.meeting);
    expect(await figure('meeting-after')).toBe(after.meeting);
    expect(await figure('at-risk-total')).toBe(report.atRiskTotal);
    expect(await figure('single-copy-now')).toBe(now.singleCopy);
    expect(await figure('single-copy-after')).toBe(after.singleCopy);
    expect(await figure('no-offsite-now')).toBe(now.noOffsite);
    expect(await figure('no-offsite-after')).toBe(after.noOffsite);
    for (const [key, s] of [['now', now], ['after', after]] as const) {
      expect(await figure(`segment-meeting-${key}`)).toBe(s.meeting);
      expect(await figure(`segment-singleCopy-${key}`)).toBe(s.shortfall.singleCopy);
      expect(await figure(`segment-tooFewOffsite-${key}`)).toBe(s.shortfall.tooFewOffsite);
      expect(await figure(`segment-other-${key}`)).toBe(s.shortfall.other);
    }
    // The library was built to have all of these, so the comparisons above are not 0 = 0.
    expect(now.meeting).toBeGreaterThan(0);
    expect(after.meeting).toBeGreaterThan(now.meeting);
    expect(now.shortfall.singleCopy).toBeGreaterThan(0);
    expect(after.shortfall.tooFewOffsite).toBeGreaterThan(0);

    expect(report.remotes.map((r) => r.name)).toEqual(['usb', 'nas', 'away']);
    for (const r of report.remotes) {
      const row = page.locator(`tr[data-testid="remote"][data-name="${r.name}"]`);
      const cell = async (testid: string): Promise<number | null> => {
        const v = await row.getByTestId(testid).getAttribute('data-value');
        return v === null ? null : Number(v);
      };
      expect(await cell('remote-files')).toBe(r.files);
      expect(await cell('remote-bytes')).toBe(r.bytes);
      expect(await cell('remote-planned-uploads')).toBe(r.plannedUploads);
      expect(r.quota).not.toBeNull();
      expect(await cell('remote-quota-used')).toBe(r.quota!.usedBytes);
      expect(await cell('remote-quota-total')).toBe(r.quota!.totalBytes);
      if (r.quota!.basis === 'config') {
        expect(await cell('remote-quota-free')).toBe(r.quota!.freeBytes);
      } else {
        // The disk's free space, measured twice (two CLI runs) while other tests write: close, not equal.
        expect(Math.abs((await cell('remote-quota-free'))! - r.quota!.freeBytes!)).toBeLessThan(2 * 1024 * 1024 * 1024);
      }
    }
    expect(report.remotes.find((r) => r.name === 'nas')?.quota).toMatchObject({ basis: 'config', totalBytes: 64 * 1024 });
    const groups = await page.getByTestId('at-risk-group').evaluateAll((els) =>
      els.map((e) => ({ folder: e.getAttribute('data-folder'), items: Number(e.querySelector('[data-testid="at-risk-group-count"]')?.getAttribute('data-value')) })),
    );
    expect(groups).toEqual(report.atRiskGroups.map((g) => ({ folder: g.folder, items: g.items })));
    expect(await page.getByTestId('at-risk-item').count()).toBe(report.atRiskTotal);

    // Folded at first; a click opens a folder and shows the hostile name as plain text; another closes it.
    const folder = page.locator('[data-testid="at-risk-group"][data-folder="phone:DCIM/102APPLE"]');
    const hostile = folder.locator('td.name', { hasText: 'onerror' });
    expect(await folder.evaluate((d) => d.hasAttribute('open'))).toBe(false);
    expect(await hostile.isVisible()).toBe(false);
    await folder.locator('summary').click();
    expect(await folder.evaluate((d) => d.hasAttribute('open'))).toBe(true);
    expect(await hostile.isVisible()).toBe(true);
    expect(await hostile.textContent()).toBe(HOSTILE_NAME);
    await page.locator('[data-testid="at-risk-group"][data-folder="usb:2021/03"] summary').click();
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'report.png'), fullPage: true });
    await folder.locator('summary').click();
    expect(await hostile.isVisible()).toBe(false);

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]); // the page itself, and nothing else
    expect(readFileSync(file, 'utf8')).not.toContain(HOSTILE_NAME); // only ever escaped
    await page.close();
  });
});
