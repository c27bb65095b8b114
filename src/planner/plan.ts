/**
 * The planner: a pure function from (remotes, source files, remote inventories) to a plan.
 * No I/O, no clock, deterministic for a given input.
 *
 * - Content identity is the SHA-256: content a remote holds is never sent to it again, whatever
 *   its name there, and the same content in two sources is one item.
 * - Destinations come from the remote's layout; a name taken by other content gets a hash suffix
 *   (IMG_0001~a1b2c3d4.JPG) instead, so nothing is ever aimed at an existing file.
 * - Companions (a Live Photo's still and video, a photo and its sidecar) are planned as one unit
 *   and land under one stem. Units are formed from every file, copies included, so what a unit is
 *   never depends on which copy of a content happens to represent it: a plan that leaves settled
 *   folders out (their copies are all backed up) names things as a plan over every file does.
 */
import { pushAll } from '../arrays.ts';
import type { SourceFile } from '../sources/types.ts';
import { remoteWants } from './backed-up.ts';
import { parseLayout, renderLayout, splitName, withHashSuffix } from './layout.ts';
import { pathKey } from './path-key.ts';
import type { PlanBody, PlanRemote, RemoteInventory, RemotePlanSummary, UploadAction } from './types.ts';

export interface PlanInput {
  readonly remotes: readonly PlanRemote[];
  /** The source snapshot, in source order (the first file holding some content represents it). */
  readonly files: readonly SourceFile[];
  readonly inventories: ReadonlyMap<string, RemoteInventory>;
}

/** Files that travel together: a companion group, or a lone file (its own unit). */
type Unit = SourceFile | Group;

/**
 * A companion group. A lone file gets no object of its own: over a million files, a unit object
 * and a one-element array per file held about 100 MB for the whole plan.
 */
interface Group {
  readonly primary: SourceFile;
  readonly members: readonly SourceFile[];
}

const isGroup = (unit: Unit): unit is Group => 'members' in unit;

const SUFFIX_LENGTHS = [8, 16, 64] as const;

export function makePlan(input: PlanInput): PlanBody {
  const items = new Map<string, SourceFile>();
  let duplicateFiles = 0;
  for (const file of input.files) {
    if (items.has(file.sha256)) duplicateFiles++;
    else items.set(file.sha256, file);
  }
  const units = groupUnits(input.files);

  const actions: UploadAction[] = [];
  const summaries: Record<string, RemotePlanSummary> = {};
  for (const remote of input.remotes) {
    const inventory = input.inventories.get(remote.name);
    if (!inventory) throw new Error(`no inventory for remote ${remote.name}`);
    const planned = planRemote(remote, units, items, inventory, actions.length);
    pushAll(actions, planned.actions);
    summaries[remote.name] = planned.summary;
  }
  return { actions, summary: { items: items.size, duplicateFiles, remotes: summaries } };
}

function groupUnits(files: readonly SourceFile[]): Unit[] {
  const units: Unit[] = [];
  const groups = new Map<string, SourceFile[]>();
  for (const file of files) {
    if (file.group === undefined) {
      units.push(file);
      continue;
    }
    let members = groups.get(file.group);
    if (!members) {
      members = [];
      groups.set(file.group, members);
      // The unit sits where its first member appears; its members are filled in below.
      units.push({ primary: file, members });
    }
    members.push(file);
  }
  for (const [i, unit] of units.entries()) {
    if (!isGroup(unit)) continue;
    if (unit.members.length === 1) units[i] = unit.primary;
    else units[i] = { primary: unit.members.find((m) => m.groupPrimary) ?? unit.members[0]!, members: unit.members };
  }
  return units;
}

function planRemote(
  remote: PlanRemote,
  units: readonly Unit[],
  items: ReadonlyMap<string, SourceFile>,
  inventory: RemoteInventory,
  firstId: number,
): { actions: UploadAction[]; summary: RemotePlanSummary } {
  const layout = parseLayout(remote.layout);
  if (!layout.ok) throw new Error(`layout of remote ${remote.name} was not validated: ${layout.message}`);
  const wants = remoteWants(remote);
  const plannedKeys = new Set<string>();
  // Content this plan already sends to the remote: a second copy of it is never sent again.
  const plannedContent = new Set<string>();
  const taken = (p: string): boolean => {
    const key = pathKey(p);
    return plannedKeys.has(key) || inventory.isTaken(key);
  };

  const actions: UploadAction[] = [];
  let bytes = 0;
  let renamed = 0;
  // Counted per content, by the file that represents it (the first copy).
  let alreadyThere = 0;
  let filteredOut = 0;

  for (const unit of units) {
    // A lone file's group of one lives only for this turn of the loop.
    const group: Group = isGroup(unit) ? unit : { primary: unit, members: [unit] };
    const missing: SourceFile[] = [];
    for (const m of group.members) {
      const wanted = wants(m.relPath);
      const held = wanted && inventory.pathOf(m.sha256) !== undefined;
      if (items.get(m.sha256) === m) {
        if (!wanted) filteredOut++;
        else if (held) alreadyThere++;
      }
      if (!wanted || held || plannedContent.has(m.sha256)) continue;
      plannedContent.add(m.sha256);
      missing.push(m);
    }
    if (missing.length === 0) continue;

    const { dir, stem, primaryTail } = unitStem(group, layout.segments, inventory);
    const primaryStem = splitName(baseName(group.primary.relPath)).stem;
    const nameOf = (m: SourceFile, s: string): string =>
      m === group.primary
        ? `${dir}${s}${primaryTail}`
        : `${dir}${m.companionStem ? s.replace(primaryStem, m.companionStem) : s}${companionSuffix(m)}`;

    // The whole unit moves to a suffixed stem if any member's name is taken, so it stays together.
    let unitStemChoice = stem;
    let suffixed = false;
    if (missing.some((m) => taken(nameOf(m, stem)))) {
      suffixed = true;
      for (const length of SUFFIX_LENGTHS) {
        unitStemChoice = `${stem}~${group.primary.sha256.slice(0, length)}`;
        if (!missing.some((m) => taken(nameOf(m, unitStemChoice)))) break;
      }
    }
    for (const member of missing) {
      let to = nameOf(member, unitStemChoice);
      let memberRenamed = suffixed;
      // Two members can still meet on one name (IMG_1.MOV and IMG_1_HEVC.MOV): the later one yields.
      for (let i = 0; taken(to) && i < SUFFIX_LENGTHS.length; i++) {
        to = withHashSuffix(nameOf(member, unitStemChoice), member.sha256, SUFFIX_LENGTHS[i]);
        memberRenamed = true;
      }
      if (taken(to)) throw new Error(`no free name for ${member.relPath} on ${remote.name}`);
      plannedKeys.add(pathKey(to));
      if (memberRenamed) renamed++;
      bytes += member.size;
      actions.push({
        op: 'upload',
        id: firstId + actions.length + 1,
        remote: remote.name,
        sha256: member.sha256,
        size: member.size,
        source: member.source,
        from: member.relPath,
        origin: member.origin,
        to,
        renamed: memberRenamed,
        ...(group.members.length > 1 ? { group: member.group } : {}),
        captured: member.capture.local,
      });
    }
  }
  // A content whose first copy the rules leave out is sent all the same when another copy is wanted.
  for (const action of actions) if (!wants(items.get(action.sha256)!.relPath)) filteredOut--;
  return {
    actions,
    summary: { uploads: actions.length, bytes, alreadyThere, filteredOut, renamed, deletions: 0 },
  };
}

/**
 * Folder and stem the unit's files are named from, and what follows the stem in the primary's
 * name. A unit part of which is already on the remote follows that part, so a Live Photo's video
 * added later lands beside its still.
 */
function unitStem(
  unit: Group,
  segments: readonly string[],
  inventory: RemoteInventory,
): { dir: string; stem: string; primaryTail: string } {
  if (unit.members.length > 1) {
    for (const member of unit.members) {
      const existing = inventory.pathOf(member.sha256);
      if (existing === undefined || member.companionStem) continue;
      const tail = member === unit.primary ? primarySuffix(member) : companionSuffix(member);
      const { dir, stem } = splitTail(existing, tail);
      return { dir, stem, primaryTail: primarySuffix(unit.primary) };
    }
  }
  const primary = unit.primary;
  const rendered = renderLayout(segments, {
    date: primary.capture.local,
    name: baseName(primary.relPath),
    source: primary.source,
    sha256: primary.sha256,
    album: primary.albums?.[0],
  });
  const { dir, stem, tail } = splitTail(rendered, primarySuffix(primary));
  return { dir, stem, primaryTail: tail };
}

/** "2024/01/IMG_1.JPG" with tail ".JPG" → dir "2024/01/", stem "IMG_1"; a name not ending in the tail keeps it all. */
function splitTail(destPath: string, tail: string): { dir: string; stem: string; tail: string } {
  const slash = destPath.lastIndexOf('/');
  const dir = destPath.slice(0, slash + 1);
  const name = destPath.slice(slash + 1);
  if (tail !== '' && name.length > tail.length && name.toLowerCase().endsWith(tail.toLowerCase())) {
    return { dir, stem: name.slice(0, name.length - tail.length), tail: name.slice(name.length - tail.length) };
  }
  return { dir, stem: name, tail: '' };
}

function baseName(relPath: string): string {
  return relPath.slice(relPath.lastIndexOf('/') + 1);
}

function primarySuffix(file: SourceFile): string {
  const { ext } = splitName(baseName(file.relPath));
  return ext === '' ? '' : `.${ext}`;
}

function companionSuffix(file: SourceFile): string {
  return file.stemSuffix ?? primarySuffix(file);
}
