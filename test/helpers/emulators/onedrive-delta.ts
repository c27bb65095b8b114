/**
 * The emulator's delta feed (cloud-apis.md §3.1): a first call enumerates the scope (the folder
 * itself first, parents before children), later calls with the deltaLink's token return each
 * changed item once in its latest state, deletions as `deleted` facets without size (and, on
 * Business, without name), never parentReference.path. `token=latest` gives only a deltaLink.
 * An expired token gets 410 with a Location to start over. Business drives serve delta on the
 * drive root only.
 */
import { randomBytes } from 'node:crypto';
import { DriveError, type EmuItem } from './onedrive-drive.ts';
import type { OneDriveEmulator } from './onedrive.ts';

interface PageRun {
  readonly items: EmuItem[];
  readonly upto: number;
  readonly scope: string;
}

const runs = new WeakMap<OneDriveEmulator, Map<string, PageRun>>();

export function serveDelta(
  emu: OneDriveEmulator,
  url: URL,
  scope: EmuItem,
  reply: (status: number, payload: object, headers?: Record<string, string>) => void,
): void {
  const drive = emu.drive;
  if (!scope.folder) throw new DriveError(400, 'invalidRequest', 'delta of a file', true);
  if (drive.driveType === 'business' && scope.id !== drive.rootId) {
    throw new DriveError(400, 'invalidRequest', 'OneDrive for Business offers delta on the drive root only', true);
  }
  const base = scope.id === drive.rootId ? `${emu.apiUrl}/me/drive/root/delta` : `${emu.apiUrl}/me/drive/items/${encodeURIComponent(scope.id)}/delta`;
  const tokenFor = (seq: number): string => {
    const token = randomBytes(9).toString('base64url');
    emu.deltaTokens.set(token, { seq, scope: scope.id, expired: false });
    return `${base}?token=${token}`;
  };
  const token = url.searchParams.get('token');
  if (token === 'latest') return reply(200, { value: [], '@odata.deltaLink': tokenFor(drive.sequence) });

  let pages = runs.get(emu);
  if (!pages) runs.set(emu, (pages = new Map()));
  const skip = url.searchParams.get('$skiptoken');
  let run: PageRun;
  let offset = 0;
  if (skip !== null) {
    const [key, at] = skip.split('.');
    const found = pages.get(key ?? '');
    if (!found || found.scope !== scope.id) throw new DriveError(400, 'invalidRequest', 'unknown delta $skiptoken', true);
    run = found;
    offset = Number(at);
  } else {
    let since: number | null = null;
    if (token !== null) {
      const known = emu.deltaTokens.get(token);
      if (!known || known.scope !== scope.id) throw new DriveError(400, 'invalidRequest', 'unknown delta token', true);
      if (known.expired) {
        return reply(
          410,
          { error: { code: 'resyncRequired', message: 'Resync required. Replace any local items with the server version (including deletes).', innererror: { code: 'resyncChangesApplyDifferences' } } },
          { location: base },
        );
      }
      since = known.seq;
    }
    run = { items: drive.changesSince(scope.id, since), upto: drive.sequence, scope: scope.id };
  }
  const page = run.items.slice(offset, offset + emu.pageSize);
  const more = offset + emu.pageSize < run.items.length;
  let link: Record<string, string>;
  if (more) {
    const key = randomBytes(6).toString('base64url');
    pages.set(key, run);
    link = { '@odata.nextLink': `${base}?$skiptoken=${key}.${offset + emu.pageSize}` };
  } else link = { '@odata.deltaLink': tokenFor(run.upto) };
  reply(200, { value: page.map((i) => drive.json(i, true)), ...link });
}
