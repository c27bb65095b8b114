import { describe, expect, it } from 'vitest';
import { parseLayout, renderLayout } from '../../src/planner/layout.ts';
import { MemoryInventory } from '../../src/planner/inventory.ts';
import { makePlan } from '../../src/planner/plan.ts';
import type { PlanRemote } from '../../src/planner/types.ts';
import type { SourceFile } from '../../src/sources/types.ts';
import { sha256 } from '../helpers/hash.ts';

function file(relPath: string, content: string, extra: Partial<SourceFile> = {}): SourceFile {
  return {
    source: 'phone',
    relPath,
    origin: `/phone/${relPath}`,
    size: content.length,
    mtimeMs: 0,
    sha256: sha256(content),
    kind: 'photo',
    capture: { local: '2024-03-09T10:11:12', offset: '+01:00', source: 'exif' },
    ...extra,
  };
}

const remote = (layout = '{year}/{month}/{name}', more: Partial<PlanRemote> = {}): PlanRemote => ({
  name: 'nas',
  layout,
  include: null,
  exclude: [],
  ...more,
});

function plan(files: SourceFile[], r: PlanRemote = remote(), inventory = new MemoryInventory()) {
  return makePlan({ remotes: [r], files, inventories: new Map([[r.name, inventory]]) });
}

describe('planner: plan', () => {
  it('places files by capture date and adds a readable hash suffix on a name clash', () => {
    const a = file('DCIM/100APPLE/IMG_0001.JPG', 'first');
    const b = file('DCIM/101APPLE/IMG_0001.JPG', 'second');
    const result = plan([a, b]);
    expect(result.actions.map((x) => [x.from, x.to, x.renamed])).toEqual([
      ['DCIM/100APPLE/IMG_0001.JPG', '2024/03/IMG_0001.JPG', false],
      ['DCIM/101APPLE/IMG_0001.JPG', `2024/03/IMG_0001~${b.sha256.slice(0, 8)}.JPG`, true],
    ]);
    expect(result.summary.remotes['nas']).toMatchObject({ uploads: 2, renamed: 1, deletions: 0 });
  });

  it('never re-uploads content the remote holds under any name, nor a duplicate across sources', () => {
    const a = file('a/IMG_1.JPG', 'same');
    const b = { ...file('b/other-name.jpg', 'same'), source: 'camera' };
    const inventory = new MemoryInventory([{ path: 'old/place/x.jpg', sha256: sha256('same') }]);
    expect(plan([a, b], remote(), inventory).actions).toEqual([]);
    const fresh = plan([a, b]);
    expect(fresh.actions).toHaveLength(1);
    expect(fresh.summary).toMatchObject({ items: 1, duplicateFiles: 1 });
  });

  it('treats names that differ only in case or Unicode form as taken', () => {
    const nfd = 'Cafe\u0301.jpg';
    const inventory = new MemoryInventory([
      { path: '2024/03/img_0001.jpg', sha256: sha256('other') },
      { path: '2024/03/Caf\u00e9.jpg', sha256: sha256('other2') },
    ]);
    const result = plan([file('IMG_0001.JPG', 'x'), file(nfd, 'y')], remote(), inventory);
    expect(result.actions.every((a) => a.renamed)).toBe(true);
  });

  it('keeps a Live Photo together: one stem, and both renamed when the stem is taken', () => {
    const still = file('IMG_1234.HEIC', 'still', { group: 'g1', groupPrimary: true });
    const video = file('IMG_1234_HEVC.MOV', 'video', { group: 'g1', kind: 'video', stemSuffix: '.MOV' });
    expect(plan([video, still]).actions.map((a) => a.to)).toEqual(['2024/03/IMG_1234.MOV', '2024/03/IMG_1234.HEIC']);

    const taken = new MemoryInventory([{ path: '2024/03/IMG_1234.MOV', sha256: sha256('someone else') }]);
    const suffix = still.sha256.slice(0, 8);
    expect(plan([still, video], remote(), taken).actions.map((a) => a.to)).toEqual([
      `2024/03/IMG_1234~${suffix}.HEIC`,
      `2024/03/IMG_1234~${suffix}.MOV`,
    ]);
  });

  it('puts a companion that arrives later beside the half already backed up', () => {
    const still = file('IMG_1234.HEIC', 'still', { group: 'g1', groupPrimary: true });
    const video = file('IMG_1234.MOV', 'video', { group: 'g1', kind: 'video' });
    const inventory = new MemoryInventory([{ path: '2023/12/IMG_1234~abcdef12.HEIC', sha256: still.sha256 }]);
    expect(plan([still, video], remote(), inventory).actions.map((a) => a.to)).toEqual(['2023/12/IMG_1234~abcdef12.MOV']);
  });

  it('applies a remote’s include and exclude rules to source paths', () => {
    const files = [file('DCIM/a.JPG', '1'), file('DCIM/b.MOV', '2', { kind: 'video' }), file('Screenshots/c.png', '3')];
    const result = plan(files, remote('{name}', { include: ['DCIM/**'], exclude: ['*.mov'] }));
    expect(result.actions.map((a) => a.from)).toEqual(['DCIM/a.JPG']);
    expect(result.summary.remotes['nas']?.filteredOut).toBe(2);
  });

  it('sends a photo whose first copy a rule leaves out, from a copy the rules want', () => {
    const files = [file('Screenshots/a.JPG', 'same'), file('DCIM/a.JPG', 'same'), file('Screenshots/b.png', 'other')];
    const result = plan(files, remote('{name}', { include: ['DCIM/**'], exclude: [] }));
    expect(result.actions.map((a) => a.from)).toEqual(['DCIM/a.JPG']);
    expect(result.summary.remotes['nas']).toMatchObject({ uploads: 1, filteredOut: 1, alreadyThere: 0 });
  });
});

describe('planner: layout', () => {
  const render = (layout: string, name: string) => {
    const parsed = parseLayout(layout);
    if (!parsed.ok) throw new Error(parsed.message);
    return renderLayout(parsed.segments, { date: '2019-10-20T18:34:30', name, source: 'phone', sha256: 'a1b2c3d4e5f6'.padEnd(64, '0') });
  };

  it('renders every token', () => {
    expect(render('{year}/{month}/{day}/{source}/{stem}-{hash8}.{ext}', 'IMG_1.JPG')).toBe('2019/10/20/phone/IMG_1-a1b2c3d4.JPG');
    expect(render('{album}/{name}', 'x.jpg')).toBe('no-album/x.jpg');
  });

  it('drops ".{ext}" for a file without an extension instead of leaving a dot', () => {
    expect(render('{stem}.{ext}', 'README')).toBe('README');
  });

  it('rejects unsafe or lossy layouts', () => {
    expect(parseLayout('../{name}').ok).toBe(false);
    expect(parseLayout('/abs/{name}').ok).toBe(false);
    expect(parseLayout('{year}//{name}').ok).toBe(false);
    expect(parseLayout('{year}/{stem}').ok).toBe(false);
  });
});
