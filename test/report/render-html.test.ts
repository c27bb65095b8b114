/**
 * The HTML report as a string: only the markup photosync writes, every library string escaped,
 * nothing that would fetch. (test/e2e/report-html.test.ts opens it in a real browser.)
 */
import { describe, expect, it } from 'vitest';
import { computeCoverage, type CoverageInput } from '../../src/report/coverage.ts';
import { renderCoverageHtml } from '../../src/report/render-html.ts';
import type { SourceFile } from '../../src/sources/types.ts';

const sha = (n: number): string => n.toString(16).padStart(64, '0');
const HOSTILE = `<img src=x onerror=alert(1)><script>alert(2)<\\script> "q" & 'a' |p|.JPG`;

function photo(relPath: string, n: number): SourceFile {
  return { source: 'phone', relPath, origin: `/p/${n}`, size: 100, mtimeMs: 0, sha256: sha(n), kind: 'photo', capture: { local: `2022-0${1 + (n % 9)}-01T10:00:00`, offset: null, source: 'exif' } };
}

const INPUT: CoverageInput = {
  policy: { copies: 3, media: 2, offsite: 1 },
  places: [
    { name: 'phone', kind: 'source', media: 'phone', offsite: false },
    { name: 'usb', kind: 'remote', media: 'external-disk', offsite: false },
  ],
  files: [photo(`DCIM/${HOSTILE}`, 1), photo(`${HOSTILE}/IMG_2.JPG`, 2), ...Array.from({ length: 5 }, (_, i) => photo(`DCIM/IMG_${i}.JPG`, 10 + i))],
  remotes: [{ name: 'usb', contents: new Map([[sha(10), 'a.jpg']]), bytes: 100, files: 1, unidentified: 0, quotaBytes: 1000 }],
  plan: [],
  atRiskLimit: Infinity,
};

const ALLOWED_TAGS = new Set(
  'html head meta title style body svg defs pattern rect circle path text header h1 h2 p strong time main section dl div dt dd small figure figcaption table thead tbody tr th td br span details summary code footer'.split(' '),
);

describe('renderCoverageHtml', () => {
  const page = renderCoverageHtml(computeCoverage(INPUT), { generatedAt: '2024-06-01T12:00:00.000Z', photosyncVersion: '0.1.0' });

  it('contains only the markup it writes itself: no script, no handler, nothing to fetch', () => {
    // Escaped text holds no "<", so every "<" opens a tag photosync wrote.
    const tags = [...page.matchAll(/<\/?([a-zA-Z][\w-]*)[^>]*>/g)];
    expect(tags.length).toBeGreaterThan(100);
    expect([...new Set(tags.map((m) => m[1]!.toLowerCase()))].filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
    // Attribute values are quoted and escaped (no '"' inside), so a name= outside quotes is an attribute.
    const attributes = tags.flatMap((m) => [...m[0].matchAll(/\s([\w:-]+)(?:="[^"]*")?/g)].map((a) => a[1]!.toLowerCase()));
    expect(attributes.filter((a) => a.startsWith('on') || ['src', 'href', 'xlink:href', 'srcset', 'action'].includes(a))).toEqual([]);
    expect(page).not.toMatch(/url\((?!#)/);
    expect(page).not.toMatch(/@import|https?:\/\//);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  });

  it('escapes hostile names in text and in attributes', () => {
    const escaped = '&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;\\script&gt; &quot;q&quot; &amp; &#39;a&#39; |p|';
    expect(page).toContain(`<td class="name">${escaped}.JPG</td>`);
    expect(page).toContain(`data-folder="phone:${escaped}.JPG"`);
    expect(page).toContain(`<span class="name">phone:${escaped}.JPG</span>`);
  });

  it('puts the key numbers in data-testid elements with their raw value', () => {
    expect(page).toContain('<dd data-testid="items" data-value="7">7</dd>');
    expect(page).toContain('data-testid="meeting-now" data-value="0"');
    expect(page).toContain('data-testid="at-risk-total" data-value="7"');
    expect(page).toContain('<td class="n" data-testid="remote-quota-total" data-value="1000">1000 B</td>');
    expect(page).toContain('<td class="n" data-testid="remote-quota-free" data-value="900">900 B</td>');
  });

  it('says there is no plan rather than showing "after the plan" figures', () => {
    const noPlan = renderCoverageHtml(computeCoverage({ ...INPUT, plan: undefined }));
    expect(noPlan).toContain('<div><dt>After the plan</dt><dd>no plan</dd></div>');
    expect(noPlan).not.toContain('meeting-after');
    expect(noPlan).not.toContain('After the plan:');
  });

  it('lists at most maxItemsPerGroup items of a folder and counts the rest', () => {
    const capped = renderCoverageHtml(computeCoverage(INPUT), { maxItemsPerGroup: 2 });
    const dcim = capped.slice(capped.indexOf('data-folder="phone:DCIM"'));
    expect(dcim.slice(0, dcim.indexOf('</details>')).match(/data-testid="at-risk-item"/g)).toHaveLength(2);
    expect(dcim).toContain('… and 4 more;');
  });
});
