/** The plan as markdown for a pull-request comment: a readable golden, the action limit, hostile names. */
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown } from '../../src/cli/render-plan-markdown.ts';
import type { PlanFile } from '../../src/planner/plan-file.ts';
import type { UploadAction } from '../../src/planner/types.ts';
import { codeSpanText, tableCells } from '../helpers/gfm.ts';

const HASH = 'ab'.repeat(32);

function action(id: number, remote: string, from: string, to: string, size: number, renamed = false): UploadAction {
  return { op: 'upload', id, remote, sha256: String(id).padStart(64, '0'), size, source: 'phone', from, origin: `/p/${from}`, to, renamed };
}

const PLAN: PlanFile = {
  format: 'photosync-plan',
  formatVersion: 1,
  photosyncVersion: '0.1.0',
  createdAt: '2024-06-01T12:00:00.000Z',
  config: { file: '/home/ann/photosync.yaml', hash: HASH },
  state: { lineage: '11111111-2222-3333-4444-555555555555', serial: 7 },
  summary: {
    items: 3,
    duplicateFiles: 1,
    remotes: {
      usb: { uploads: 2, bytes: 3072, alreadyThere: 1, filteredOut: 0, renamed: 1, deletions: 0 },
      nas: { uploads: 1, bytes: 1024, alreadyThere: 2, filteredOut: 0, renamed: 0, deletions: 0 },
      cloud: { uploads: 0, bytes: 0, alreadyThere: 2, filteredOut: 1, renamed: 0, deletions: 0 },
    },
  },
  problems: [],
  notes: [],
  actions: [
    action(1, 'usb', 'DCIM/IMG_1.JPG', '2024/05/IMG_1.JPG', 1024),
    action(2, 'usb', 'DCIM/a|b <c>.JPG', '2024/05/a|b <c>~12345678.JPG', 2048, true),
    action(3, 'nas', 'DCIM/IMG_1.JPG', 'IMG_1.JPG', 1024),
  ],
};

describe('renderPlanMarkdown', () => {
  it('summarises per remote with 0 deletions, lists the actions in <details>, and names the basis', () => {
    expect(renderPlanMarkdown(PLAN, { actionsShown: 20 })).toBe(`### photosync plan: 3 uploads (4.0 KiB), 0 deletions, 0 overwrites

Sources hold 3 photos (distinct content), plus 1 duplicate file.

| remote | uploads | bytes | already there | renamed | left out by filters | deletions |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| usb | +2 | 3.0 KiB | 1 | 1 | 0 | 0 |
| nas | +1 | 1.0 KiB | 2 | 0 | 0 | 0 |
| cloud | 0 | 0 B | 2 | 0 | 1 | 0 |

<details>
<summary>usb: 2 uploads</summary>

| new file | from | size | note |
| --- | --- | ---: | --- |
| \`2024/05/IMG_1.JPG\` | \`phone:DCIM/IMG_1.JPG\` | 1.0 KiB |  |
| \`2024/05/a\\|b <c>~12345678.JPG\` | \`phone:DCIM/a\\|b <c>.JPG\` | 2.0 KiB | renamed |

</details>

<details>
<summary>nas: 1 upload</summary>

| new file | from | size | note |
| --- | --- | ---: | --- |
| \`IMG_1.JPG\` | \`phone:DCIM/IMG_1.JPG\` | 1.0 KiB |  |

</details>

Made from state serial **7** (lineage \`11111111-2222-3333-4444-555555555555\`) and config hash \`${HASH}\` by photosync 0.1.0 at 2024-06-01T12:00:00.000Z; \`photosync apply\` refuses the saved plan once either has moved on.
`);
  });

  it('shows the first N actions per remote and counts the rest', () => {
    const md = renderPlanMarkdown(PLAN, { actionsShown: 1 });
    expect(md).toContain('<summary>usb: the first 1 of 2 uploads</summary>');
    expect(md).toContain('… and 1 more (`photosync plan --verbose` lists all).');
    expect(md).not.toContain('a\\|b <c>.JPG');
    const row = md.split('\n').find((l) => l.includes('IMG_1.JPG') && l.includes('2024/05'));
    expect(tableCells(row!).map((c, i) => (i < 2 ? codeSpanText(c) : c))).toEqual(['2024/05/IMG_1.JPG', 'phone:DCIM/IMG_1.JPG', '1.0 KiB', '']);
  });

  it('says "no changes" for an empty plan and still states 0 deletions', () => {
    const md = renderPlanMarkdown({ ...PLAN, actions: [], problems: [{ source: 'phone', relPath: 'x.jpg', message: 'unreadable' }] }, { actionsShown: 20 });
    expect(md.split('\n')[0]).toBe('### photosync plan: no changes, 0 deletions');
    expect(md).toContain('**1 source file could not be used**');
    expect(md).not.toContain('<details>');
  });
});
