/**
 * The Drive emulator's metadata endpoints (files.list/get/generateIds, about.get, the changes
 * feed) over its store, with `fields` applied the way Drive applies it: minimal defaults, unknown
 * names refused.
 */
import { applySelection, parseFields, parseQuery, QueryError, type Selection } from './gdrive-query.ts';
import { FILE_FIELDS, fileResource, type DriveStore, type StoredFile } from './gdrive-store.ts';
import { DRIVE_ERRORS, WireError } from './gdrive-wire.ts';

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | unknown;
}

const LIST_FIELDS: Record<string, readonly string[]> = {
  '': ['kind', 'nextPageToken', 'incompleteSearch', 'files'],
  files: FILE_FIELDS,
};
const CHANGE_FIELDS: Record<string, readonly string[]> = {
  '': ['kind', 'nextPageToken', 'newStartPageToken', 'changes'],
  changes: ['kind', 'changeType', 'time', 'removed', 'fileId', 'file'],
  file: FILE_FIELDS,
};
const ABOUT_FIELDS: Record<string, readonly string[]> = {
  '': ['kind', 'storageQuota'],
  storageQuota: ['limit', 'usage', 'usageInDrive', 'usageInDriveTrash'],
};
const DEFAULT_FILE: Selection = new Map(['kind', 'id', 'name', 'mimeType'].map((k) => [k, null]));

export class DriveRoutes {
  private readonly store: DriveStore;
  private readonly pageLimit: number;

  constructor(store: DriveStore, pageLimit: number) {
    this.store = store;
    this.pageLimit = pageLimit;
  }

  private select(q: URLSearchParams, value: unknown, known: Record<string, readonly string[]>, defaults: Selection): unknown {
    const fields = q.get('fields');
    try {
      return applySelection(value, fields === null ? defaults : parseFields(fields), (key) => known[key] ?? null);
    } catch (err) {
      if (err instanceof QueryError) throw DRIVE_ERRORS.invalid('fields', err.message);
      throw err;
    }
  }

  fileReply(file: StoredFile, q: URLSearchParams, fields = q.get('fields')): Reply {
    const params = new URLSearchParams(fields === null ? {} : { fields });
    return { status: 200, body: this.select(params, fileResource(file), { '': FILE_FIELDS }, DEFAULT_FILE) };
  }

  private pageSize(q: URLSearchParams, fallback: number): number {
    const raw = q.get('pageSize');
    const asked = raw === null ? fallback : Number(raw);
    if (!Number.isInteger(asked) || asked < 1) throw DRIVE_ERRORS.invalid('pageSize', `Invalid pageSize ${raw}`);
    return Math.min(asked, 1000, this.pageLimit);
  }

  list(q: URLSearchParams): Reply {
    const query = q.get('q') ?? '';
    const predicate = query === '' ? () => true : parseQuery(query, this.store.resolveId);
    const orderBy = q.get('orderBy') ?? '';
    if (!['', 'createdTime', 'name'].includes(orderBy)) throw DRIVE_ERRORS.invalid('orderBy', `emulator: unsupported orderBy ${orderBy}`);
    const size = this.pageSize(q, 100);
    const token = q.get('pageToken');
    let offset = 0;
    if (token !== null) {
      const parsed = decodeToken(token);
      if (!parsed || parsed.q !== query || parsed.orderBy !== orderBy) throw DRIVE_ERRORS.invalid('pageToken', 'Invalid Value: pageToken does not belong to this query');
      offset = parsed.offset;
    }
    const matches = [...this.store.files.values()].filter((f) => f.parents.length > 0 && predicate(f));
    if (orderBy === 'name') matches.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = matches.slice(offset, offset + size);
    const result: Record<string, unknown> = { kind: 'drive#fileList', incompleteSearch: false, files: page.map(fileResource) };
    if (offset + size < matches.length) result['nextPageToken'] = encodeToken({ q: query, orderBy, offset: offset + size });
    return { status: 200, body: this.select(q, result, LIST_FIELDS, new Map([['kind', null], ['nextPageToken', null], ['incompleteSearch', null], ['files', DEFAULT_FILE]])) };
  }

  getFile(id: string, q: URLSearchParams): Reply {
    const file = this.store.get(id);
    if (!file) throw DRIVE_ERRORS.notFound(id);
    const alt = q.get('alt');
    if (alt === 'media') {
      if (!file.content) throw new WireError(403, 'fileNotDownloadable', 'Only files with binary content can be downloaded.');
      return { status: 200, headers: { 'content-type': file.mimeType }, body: file.content };
    }
    if (alt !== null && alt !== 'json') throw DRIVE_ERRORS.invalid('alt', `Invalid alt ${alt}`);
    return this.fileReply(file, q);
  }

  generateIds(q: URLSearchParams): Reply {
    const count = Number(q.get('count') ?? '10');
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw DRIVE_ERRORS.invalid('count', `count must be 1..1000, got ${q.get('count')}`);
    const space = q.get('space') ?? 'drive';
    if (space !== 'drive') throw DRIVE_ERRORS.invalid('space', `emulator: only space=drive, got ${space}`);
    if ((q.get('type') ?? 'files') !== 'files') throw DRIVE_ERRORS.invalid('type', 'emulator: only type=files');
    return { status: 200, body: { kind: 'drive#generatedIds', space, ids: this.store.generateIds(count) } };
  }

  about(q: URLSearchParams): Reply {
    if (!q.has('fields')) throw DRIVE_ERRORS.badRequest("The 'fields' parameter is required for this method.");
    const usage = this.store.usage();
    const storageQuota: Record<string, string> = { usage: String(usage), usageInDrive: String(usage), usageInDriveTrash: String(this.store.trashUsage()) };
    if (this.store.quotaLimit !== null) storageQuota['limit'] = String(this.store.quotaLimit);
    return { status: 200, body: this.select(q, { kind: 'drive#about', storageQuota }, ABOUT_FIELDS, new Map()) };
  }

  changes(q: URLSearchParams): Reply {
    const raw = q.get('pageToken');
    if (raw === null) throw DRIVE_ERRORS.badRequest('Required parameter: pageToken');
    const token = Number(raw);
    if (!/^\d+$/.test(raw) || token < 1 || token > this.store.changeSeq + 1) throw DRIVE_ERRORS.invalid('pageToken', `Invalid Value: pageToken ${raw}`);
    const includeRemoved = q.get('includeRemoved') !== 'false';
    const size = this.pageSize(q, 100);
    const all = this.store.changesSince(token).filter((c) => includeRemoved || this.store.files.has(c.fileId));
    const page = all.slice(0, size);
    const changes = page.map((c) => {
      const file = this.store.files.get(c.fileId);
      return { kind: 'drive#change', changeType: 'file', fileId: c.fileId, time: c.time, removed: !file, ...(file ? { file: fileResource(file) } : {}) };
    });
    const result: Record<string, unknown> = { kind: 'drive#changeList', changes };
    if (all.length > size) result['nextPageToken'] = String(page[page.length - 1]!.seq + 1);
    else result['newStartPageToken'] = String(this.store.changeSeq + 1);
    const defaults: Selection = new Map<string, Selection | null>([
      ['kind', null], ['nextPageToken', null], ['newStartPageToken', null],
      ['changes', new Map<string, Selection | null>([['kind', null], ['changeType', null], ['time', null], ['removed', null], ['fileId', null], ['file', DEFAULT_FILE]])],
    ]);
    return { status: 200, body: this.select(q, result, CHANGE_FIELDS, defaults) };
  }
}

function encodeToken(t: { q: string; orderBy: string; offset: number }): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(token: string): { q: string; orderBy: string; offset: number } | null {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { q: string; orderBy: string; offset: number };
    return typeof t.q === 'string' && typeof t.offset === 'number' ? t : null;
  } catch {
    return null;
  }
}
