/** The markdown coverage report: a readable golden, and hostile names that must not break a table. */
import { describe, expect, it } from 'vitest';
import { code, text } from '../../src/markdown.ts';
import { computeCoverage, type CoverageInput } from '../../src/report/coverage.ts';
import { renderCoverageMarkdown } from '../../src/report/render-markdown.ts';
import type { SourceFile } from '../../src/sources/types.ts';
import { codeSpanText, tableCells } from '../helpers/gfm.ts';

const sha = (n: number): string => n.toString(16).padStart(64, '0');
const MiB = 1024 * 1024;

function photo(relPath: string, n: number, date: string): SourceFile {
  return { source: 'phone', relPath, origin: `/p/${n}`, size: 2 * MiB, mtimeMs: 0, sha256: sha(n), kind: 'photo', capture: { local: `${date}T10:00:00`, offset: null, source: 'exif' } };
}

// No "/" (no file name can hold one); everything else a file name can.
const HOSTILE = `<img src=x onerror=alert("x")> & 'q' |a|b| \`tick\`.JPG`;

const INPUT: CoverageInput = {
  policy: { copies: 3, media: 2, offsite: 1 },
  places: [
    { name: 'phone', kind: 'source', media: 'phone', offsite: false },
    { name: 'usb', kind: 'remote', media: 'external-disk', offsite: false },
    { name: 'cloud', kind: 'remote', media: 'cloud', offsite: true },
  ],
  files: [
    photo('DCIM/100APPLE/IMG_0001.JPG', 1, '2022-05-01'),
    photo('DCIM/100APPLE/IMG_0002.JPG', 2, '2022-05-03'),
    photo('DCIM/100APPLE/IMG_0003.JPG', 3, '2022-06-30'),
    photo(`DCIM/a|b/${HOSTILE}`, 4, '2023-01-01'),
  ],
  remotes: [
    { name: 'usb', contents: new Map([[sha(1), '2022/05/IMG_0001.JPG'], [sha(9), '2019/01/OLD.JPG']]), bytes: 4 * MiB, files: 2, unidentified: 0, reported: { usedBytes: null, freeBytes: 100 * MiB } },
    { name: 'cloud', contents: new Map([[sha(1), 'IMG_0001.JPG']]), bytes: 2 * MiB, files: 1, unidentified: 0, quotaBytes: 5 * MiB },
  ],
  plan: [
    { op: 'upload', id: 1, remote: 'usb', sha256: sha(2), size: 2 * MiB, source: 'phone', from: 'DCIM/100APPLE/IMG_0002.JPG', origin: '/p/2', to: '2022/05/IMG_0002.JPG', renamed: false },
    { op: 'upload', id: 2, remote: 'cloud', sha256: sha(2), size: 2 * MiB, source: 'phone', from: 'DCIM/100APPLE/IMG_0002.JPG', origin: '/p/2', to: 'IMG_0002.JPG', renamed: false },
    { op: 'upload', id: 3, remote: 'cloud', sha256: sha(3), size: 2 * MiB, source: 'phone', from: 'DCIM/100APPLE/IMG_0003.JPG', origin: '/p/3', to: 'IMG_0003.JPG', renamed: false },
  ],
};

describe('renderCoverageMarkdown', () => {
  it('renders the headline, the figures, a table of remotes and the at-risk folders in <details>', () => {
    expect(renderCoverageMarkdown(computeCoverage(INPUT))).toBe(`### Backup rule 3-2-1: 20.0% of photos meet it now → 40.0% after the plan

The rule: 3 copies, on 2 kinds of media, 1 offsite. Counted over 5 photos (distinct content) in the sources and on the remotes.

| photos | now | after the plan |
| --- | ---: | ---: |
| meet the rule | 1 (20.0%) | 2 (40.0%) |
| only one copy | 4 | 2 |
| no offsite copy | 4 | 2 |
| total | 5 | 5 |

| remote | media | offsite | files | stored | to upload | quota used | free | total |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
| usb | external-disk | no | 2 | 4.0 MiB | +1 (2.0 MiB) | — | 100 MiB | — |
| cloud | cloud | yes | 1 | 2.0 MiB | +2 (4.0 MiB) **does not fit** | 2.0 MiB | 3.0 MiB | 5.0 MiB |

<details>
<summary>4 photos at risk in 3 folders (only one copy, or no offsite copy)</summary>

| folder | photos | dates | only one copy | no offsite copy |
| --- | ---: | --- | ---: | ---: |
| \`phone:DCIM/100APPLE\` | 2 | 2022-05-03 – 2022-06-30 | 2 | 2 |
| \`phone:DCIM/a\\|b\` | 1 | 2023-01-01 | 1 | 1 |
| \`usb:2019/01\` | 1 | 1 undated | 1 | 1 |

</details>
`);
  });

  it('says so when nothing is at risk, and leaves out "after the plan" without a plan', () => {
    const safe = computeCoverage({ ...INPUT, files: [], remotes: [], plan: undefined });
    const md = renderCoverageMarkdown(safe);
    expect(md).toContain('### Backup rule 3-2-1: 100% of photos meet it\n');
    expect(md).toContain('| photos | now |\n');
    expect(md).toContain('No photo is at risk');
    expect(md).not.toContain('<details>');
  });

  it('lists at most maxGroups folders and says how many more there are', () => {
    const md = renderCoverageMarkdown(computeCoverage(INPUT), { maxGroups: 1 });
    expect(md).toContain('| `phone:DCIM/100APPLE` | 2 |');
    expect(md).not.toContain('usb:2019/01');
    expect(md).toContain('… and 2 more folders');
  });

  it('keeps every table row at its column count whatever the folder names hold', () => {
    const names = [HOSTILE, 'pipe|in|name', 'back\\|slash', '`', '``x``', ' spaced ', 'line\nbreak', '&amp; <b>bold</b> **x** _y_ [z](http://e)'];
    const input: CoverageInput = { ...INPUT, files: names.map((n, i) => photo(`${n}/IMG.JPG`, 100 + i, '2020-01-01')), remotes: [], plan: undefined };
    const md = renderCoverageMarkdown(computeCoverage(input));
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(names.length);
    const shown = rows.map((row) => {
      const cells = tableCells(row);
      expect(cells).toHaveLength(5);
      return codeSpanText(cells[0]!);
    });
    const expected = names.map((n) => `phone:${n.replace('\n', '\uFFFD')}`);
    // A pipe after an odd run of backslashes costs one extra backslash on screen (see code()).
    expect(shown.toSorted()).toEqual(expected.map((n) => n.replace('back\\|', 'back\\\\|')).toSorted());
  });
});

describe('markdown escaping', () => {
  it('code() survives backticks at either end and inside', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(codeSpanText(code('`x`'))).toBe('`x`');
  });
  it('text() escapes what markdown would read as markup', () => {
    expect(text('a_b *c* <d> [e] | & #')).toBe('a\\_b \\*c\\* \\<d\\> \\[e\\] \\| \\& \\#');
  });
});
