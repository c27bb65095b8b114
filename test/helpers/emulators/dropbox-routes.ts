/**
 * The Dropbox routes the emulator serves: argument checks and the exact result and error bodies
 * of each (Stone serialisation: a union holding a struct is flattened, a union holding a union
 * nests; cloud-apis.md §2). State and commit rules are in dropbox-store.ts.
 */
import { contentHash, MAX_FILE_BYTES, type CommitInfo, type DropboxNamespace, type StoredFile, type Union, type UploadSession } from './dropbox-store.ts';

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

export interface RouteContext {
  readonly ns: DropboxNamespace;
  readonly route: string;
  readonly arg: Record<string, unknown> | null;
  readonly data: Buffer;
  readonly listPageSize: number;
  /** A write-contention fault is due: the route reports too_many_write_operations its own way. */
  readonly contention: boolean;
}

interface RouteSpec {
  readonly host: 'api' | 'content';
  readonly style: 'rpc' | 'upload' | 'download';
  readonly fields: readonly string[];
  handle(ctx: RouteContext): Reply;
}

const COMMIT_FIELDS = ['path', 'mode', 'autorename', 'client_modified', 'mute', 'property_groups', 'strict_conflict'];
const FOUR_MIB = 4 * 1024 * 1024;

class Violation extends Error {}

export function errorBody(error: Record<string, unknown>): Record<string, unknown> {
  const tags: string[] = [];
  for (let node: unknown = error; node && typeof node === 'object' && '.tag' in node; ) {
    const tag = String((node as Record<string, unknown>)['.tag']);
    tags.push(tag);
    const inner = node as Record<string, unknown>;
    node = inner[tag] ?? inner['reason'];
  }
  return { error_summary: `${tags.join('/')}/..`, error };
}

const ok = (body: unknown, headers?: Record<string, string>): Reply => ({ status: 200, body, ...(headers ? { headers } : {}) });
const conflict = (error: Union): Reply => ({ status: 409, body: errorBody(error) });
const notFound = (): Reply => conflict({ '.tag': 'path', path: { '.tag': 'not_found' } });

function field<T>(obj: Record<string, unknown>, name: string, type: 'string' | 'boolean' | 'number' | 'object', fallback?: T): T {
  const value = obj[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== type || value === null) throw new Violation(`${name}: expected ${type}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value as T;
}

/** Paths as Dropbox's PathROrId / WritePath patterns take them; "/" for the root is the classic mistake. */
function checkPath(path: string, kind: 'folder-or-root' | 'file'): Reply | null {
  if (path === '/' && kind === 'folder-or-root') throw new Violation('path: Specify the root folder as an empty string rather than as "/".');
  if (path === '' && kind === 'file') throw new Violation('path: The root folder is unsupported.');
  if (path === '') return null;
  if (path.startsWith('id:') || path.startsWith('ns:') || path.startsWith('rev:')) throw new Violation(`path: ${path.slice(0, 3)} paths are not emulated`);
  if (!path.startsWith('/')) throw new Violation(`path: '${path}' did not match pattern '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)'`);
  if (path.endsWith('/') || path.includes('//')) return conflict({ '.tag': 'path', path: { '.tag': 'malformed_path' } });
  return null;
}

function commitInfo(arg: Record<string, unknown>): CommitInfo {
  const unknown = Object.keys(arg).filter((k) => !COMMIT_FIELDS.includes(k) && k !== 'content_hash');
  if (unknown.length > 0) throw new Violation(`commit: unknown field "${unknown[0]}"`);
  const rawMode = arg['mode'] ?? 'add';
  const mode = typeof rawMode === 'string' ? { tag: rawMode } : { tag: String((rawMode as Union)['.tag']), rev: (rawMode as Record<string, string>)['update'] };
  if (!['add', 'overwrite', 'update'].includes(mode.tag)) throw new Violation(`mode: unknown tag "${mode.tag}"`);
  if (mode.tag === 'update' && !mode.rev) throw new Violation('mode: update needs a rev');
  return {
    path: field<string>(arg, 'path', 'string'),
    mode: mode as CommitInfo['mode'],
    autorename: field(arg, 'autorename', 'boolean', false),
    strictConflict: field(arg, 'strict_conflict', 'boolean', false),
  };
}

/** A content_hash given with a call must be the hash of the bytes of that call. */
function hashMismatch(ctx: RouteContext, arg: Record<string, unknown>): boolean {
  const claimed = arg['content_hash'];
  if (claimed === undefined) return false;
  if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/.test(claimed)) throw new Violation(`content_hash: '${String(claimed)}' is not 64 lowercase hex digits`);
  return claimed !== contentHash(ctx.data);
}

function lookupSession(ctx: RouteContext, cursor: Record<string, unknown>, appending: boolean): UploadSession | Union {
  const session = ctx.ns.sessions.get(field<string>(cursor, 'session_id', 'string'));
  const offset = field<number>(cursor, 'offset', 'number');
  if (!session) return { '.tag': 'not_found' };
  if (appending && session.closed) return { '.tag': 'closed' };
  if (offset !== session.offset) return { '.tag': 'incorrect_offset', correct_offset: session.offset };
  if (session.offset + ctx.data.length > MAX_FILE_BYTES) return { '.tag': 'too_large' };
  if (session.type === 'concurrent' && ctx.data.length > 0 && (offset % FOUR_MIB !== 0)) return { '.tag': 'concurrent_session_invalid_offset' };
  return session;
}

function isSession(value: UploadSession | Union): value is UploadSession {
  return !('.tag' in value);
}

function finishOne(ctx: RouteContext, entry: Record<string, unknown>, batch: boolean): { ok: true; file: StoredFile } | { ok: false; error: Union } {
  if (ctx.contention) return { ok: false, error: { '.tag': 'too_many_write_operations' } };
  const info = commitInfo(field<Record<string, unknown>>(entry, 'commit', 'object'));
  const found = lookupSession(ctx, field(entry, 'cursor', 'object'), false);
  if (!isSession(found)) return { ok: false, error: { '.tag': 'lookup_failed', lookup_failed: found } };
  if (batch && !found.closed) return { ok: false, error: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_closed' } } };
  if (found.type === 'concurrent' && ctx.data.length > 0) return { ok: false, error: { '.tag': 'concurrent_session_data_not_allowed' } };
  const bad = checkPath(info.path, 'file');
  if (bad) return { ok: false, error: { '.tag': 'path', path: { '.tag': 'malformed_path' } } };
  const result = ctx.ns.commit(info, Buffer.concat([...found.chunks, ctx.data]));
  if (!result.ok) return { ok: false, error: { '.tag': 'path', path: result.error } };
  ctx.ns.sessions.delete(found.id);
  return result;
}

function guarded(handle: (ctx: RouteContext) => Reply): (ctx: RouteContext) => Reply {
  return (ctx) => {
    try {
      return handle(ctx);
    } catch (err) {
      if (err instanceof Violation) return { status: 400, body: `Error in call to API function "${ctx.route}": request body: ${err.message}` };
      throw err;
    }
  };
}

function route(host: RouteSpec['host'], style: RouteSpec['style'], fields: readonly string[], handle: (ctx: RouteContext, arg: Record<string, unknown>) => Reply): RouteSpec {
  return { host, style, fields, handle: guarded((ctx) => handle(ctx, ctx.arg ?? {})) };
}

export const ROUTES: Readonly<Record<string, RouteSpec>> = {
  'files/upload': route('content', 'upload', [...COMMIT_FIELDS, 'content_hash'], (ctx, arg) => {
    const info = commitInfo(arg);
    const bad = checkPath(info.path, 'file');
    if (bad) return bad;
    // The session id in UploadWriteFailed lets a client retry the commit without resending.
    const failed = (reason: Union): Reply => conflict({ '.tag': 'path', reason, upload_session_id: ctx.ns.startSession('sequential').id });
    if (ctx.contention) return failed({ '.tag': 'too_many_write_operations' });
    if (hashMismatch(ctx, arg)) return conflict({ '.tag': 'content_hash_mismatch' });
    const result = ctx.ns.commit(info, ctx.data);
    return result.ok ? ok(ctx.ns.metadata(result.file, false)) : failed(result.error);
  }),

  'files/upload_session/start': route('content', 'upload', ['close', 'session_type', 'content_hash'], (ctx, arg) => {
    const type = arg['session_type'] === undefined ? 'sequential' : String((arg['session_type'] as Union)['.tag'] ?? arg['session_type']);
    if (type !== 'sequential' && type !== 'concurrent') throw new Violation(`session_type: unknown tag "${type}"`);
    const close = field(arg, 'close', 'boolean', false);
    if (type === 'concurrent' && ctx.data.length > 0) return conflict({ '.tag': 'concurrent_session_data_not_allowed' });
    if (type === 'concurrent' && close) return conflict({ '.tag': 'concurrent_session_close_not_allowed' });
    if (hashMismatch(ctx, arg)) return conflict({ '.tag': 'content_hash_mismatch' });
    const session = ctx.ns.startSession(type);
    session.chunks.push(ctx.data);
    session.offset = ctx.data.length;
    session.closed = close;
    return ok({ session_id: session.id });
  }),

  'files/upload_session/append_v2': route('content', 'upload', ['cursor', 'close', 'content_hash'], (ctx, arg) => {
    const found = lookupSession(ctx, field(arg, 'cursor', 'object'), true);
    if (!isSession(found)) return conflict(found);
    if (found.type === 'concurrent' && ctx.data.length % FOUR_MIB !== 0) return conflict({ '.tag': 'concurrent_session_invalid_data_size' });
    if (hashMismatch(ctx, arg)) return conflict({ '.tag': 'content_hash_mismatch' });
    found.chunks.push(ctx.data);
    found.offset += ctx.data.length;
    found.closed = field(arg, 'close', 'boolean', false);
    return ok(null);
  }),

  'files/upload_session/finish': route('content', 'upload', ['cursor', 'commit', 'content_hash'], (ctx, arg) => {
    if (arg['content_hash'] !== undefined) throw new Violation('content_hash on finish is not emulated (photosync sends hashes with the data calls)');
    const result = finishOne(ctx, arg, false);
    return result.ok ? ok(ctx.ns.metadata(result.file, false)) : conflict(result.error);
  }),

  'files/upload_session/finish_batch_v2': route('api', 'rpc', ['entries'], (ctx, arg) => {
    const entries = field<unknown[]>(arg, 'entries', 'object');
    if (!Array.isArray(entries) || entries.length > 1000) throw new Violation('entries: a list of at most 1000 UploadSessionFinishArg');
    const results = entries.map((entry) => {
      const e = entry as Record<string, unknown>;
      const unknown = Object.keys(e).filter((k) => !['cursor', 'commit', 'content_hash'].includes(k));
      if (unknown.length > 0 || e['content_hash'] !== undefined) throw new Violation(`entries: unexpected field "${unknown[0] ?? 'content_hash'}"`);
      const result = finishOne(ctx, e, true);
      return result.ok ? { '.tag': 'success', ...ctx.ns.metadata(result.file, false) } : { '.tag': 'failure', failure: result.error };
    });
    return ok({ entries: results });
  }),

  'files/list_folder': route('api', 'rpc', ['path', 'recursive', 'include_deleted', 'include_mounted_folders', 'include_non_downloadable_files', 'limit', 'include_media_info', 'include_has_explicit_shared_members'], (ctx, arg) => {
    const path = field<string>(arg, 'path', 'string');
    const bad = checkPath(path, 'folder-or-root');
    if (bad) return bad;
    if (arg['include_deleted'] === true) throw new Violation('include_deleted: not emulated');
    const limit = field<number>(arg, 'limit', 'number', 2000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 2000) throw new Violation(`limit: ${limit} is not between 1 and 2000`);
    const item = path === '' ? null : ctx.ns.lookup(path);
    if (path !== '' && !item) return notFound();
    if (item?.kind === 'file') return conflict({ '.tag': 'path', path: { '.tag': 'not_folder' } });
    const cursor = ctx.ns.openListing(path.toLowerCase(), field(arg, 'recursive', 'boolean', false));
    return listPage(ctx, cursor, Math.min(limit, ctx.listPageSize));
  }),

  'files/list_folder/continue': route('api', 'rpc', ['cursor'], (ctx, arg) => listPage(ctx, field<string>(arg, 'cursor', 'string'), ctx.listPageSize)),

  'files/get_metadata': route('api', 'rpc', ['path', 'include_media_info', 'include_deleted', 'include_has_explicit_shared_members'], (ctx, arg) => {
    const path = field<string>(arg, 'path', 'string');
    const bad = checkPath(path, 'file');
    if (bad) return bad;
    const item = ctx.ns.lookup(path);
    return item ? ok(ctx.ns.metadata(item, true)) : notFound();
  }),

  'files/download': route('content', 'download', ['path', 'rev'], (ctx, arg) => {
    const path = field<string>(arg, 'path', 'string');
    const bad = checkPath(path, 'file');
    if (bad) return bad;
    const item = ctx.ns.lookup(path);
    if (!item) return notFound();
    if (item.kind === 'folder') return conflict({ '.tag': 'path', path: { '.tag': 'not_file' } });
    const result = JSON.stringify(ctx.ns.metadata(item, false)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return ok(item.data, { 'content-type': 'application/octet-stream', 'dropbox-api-result': result });
  }),

  'users/get_space_usage': route('api', 'rpc', [], (ctx) => {
    if (ctx.arg !== null) throw new Violation('get_space_usage takes no arguments (send no body)');
    const team = ctx.ns.team;
    const allocation = team
      ? { '.tag': 'team', used: team.used, allocated: team.allocated, user_within_team_space_allocated: team.userLimit, user_within_team_space_limit_type: { '.tag': team.userLimit > 0 ? 'stop_sync' : 'off' }, user_within_team_space_used_cached: ctx.ns.used }
      : { '.tag': 'individual', allocated: ctx.ns.allocated };
    return ok({ used: ctx.ns.used, allocation });
  }),
};

function listPage(ctx: RouteContext, cursor: string, limit: number): Reply {
  const page = ctx.ns.continueListing(cursor, limit);
  if (page === 'reset') return conflict({ '.tag': 'reset' });
  if (page === 'unknown') throw new Violation(`cursor: invalid cursor ${JSON.stringify(cursor.slice(0, 20))}`);
  return ok({ entries: page.entries, cursor: page.cursor, has_more: page.hasMore });
}
