/**
 * The Graph drive routes of the OneDrive emulator (cloud-apis.md §3): items by path
 * ("/root:/a/b:") or id, children with https nextLinks, /content as a 302 to a download URL on
 * the other host, folder creation and simple PUT with conflictBehavior (documented defaults:
 * replace for PUT, replace as observed for upload sessions), upload-session creation, delta,
 * and /me/drive with its quota. Every call needs a bearer token the token endpoint issued.
 */
import { randomBytes } from 'node:crypto';
import { serveDelta } from './onedrive-delta.ts';
import { DriveError, type ConflictBehavior, type EmuItem } from './onedrive-drive.ts';
import type { OneDriveEmulator } from './onedrive.ts';

export interface GraphRequest {
  readonly method: string;
  readonly url: URL;
  readonly authorization: string | undefined;
  readonly body: Buffer;
}

export interface Reply {
  json(status: number, payload: object, headers?: Record<string, string>): void;
  error(status: number, code: string, message: string, headers?: Record<string, string>): void;
  send(status: number, body: Buffer, headers?: Record<string, string>): void;
}

export function serveGraph(emu: OneDriveEmulator, request: GraphRequest, reply: Reply): void {
  const { method, url, body } = request;
  const auth = /^Bearer (.+)$/.exec(request.authorization ?? '');
  if (!auth || !emu.identity.isValidAccessToken(auth[1]!)) {
    if (!auth) emu.violations.push(`${method} ${url.pathname}: API call without a bearer token`);
    return reply.error(401, 'InvalidAuthenticationToken', auth ? 'Access token has expired or is not yet valid.' : 'Access token is empty.', {
      'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
    });
  }
  const rest = url.pathname.slice('/v1.0/me/drive'.length);
  if (!url.pathname.startsWith('/v1.0/me/drive')) throw new DriveError(400, 'invalidRequest', 'the emulator serves /me/drive only', true);
  if (rest === '' && method === 'GET') return reply.json(200, driveResource(emu));
  const { target, segments, action } = address(emu, rest);
  if (method === 'GET' && action === null) return reply.json(200, emu.drive.json(need(target)));
  if (method === 'GET' && action === 'children') return children(emu, url, reply, need(target));
  if (method === 'GET' && action === 'content') return content(emu, reply, need(target));
  if (method === 'GET' && action === 'delta') return serveDelta(emu, url, need(target), (status, payload, headers) => reply.json(status, payload, headers));
  const behavior = (given: unknown, fallback: ConflictBehavior): ConflictBehavior => {
    if (given === undefined || given === null) {
      emu.violations.push(`${method} ${url.pathname}: no @microsoft.graph.conflictBehavior (the service then uses ${fallback})`);
      return fallback;
    }
    if (given !== 'fail' && given !== 'replace' && given !== 'rename') throw new DriveError(400, 'invalidRequest', `conflictBehavior ${String(given)}`, true);
    return given;
  };
  if (method === 'POST' && action === 'children') {
    const spec = parseJson(body) as { name?: string; folder?: object; '@microsoft.graph.conflictBehavior'?: string };
    if (!spec.folder || typeof spec.name !== 'string') throw new DriveError(400, 'invalidRequest', 'the emulator creates folders only', true);
    const placed = emu.drive.place(need(target).id, spec.name, true, Buffer.alloc(0), behavior(spec['@microsoft.graph.conflictBehavior'], 'fail'));
    return reply.json(201, emu.drive.json(placed.item));
  }
  if (segments === null || segments.length === 0) throw new DriveError(400, 'invalidRequest', `${method} ${action} is served for path addresses only`, true);
  const parent = emu.drive.resolve(segments.slice(0, -1));
  if (!parent?.folder) throw new DriveError(404, 'itemNotFound', 'the parent folder does not exist');
  const name = segments.at(-1)!;
  if (method === 'PUT' && action === 'content') {
    // "The default for PUT is replace."
    const placed = emu.drive.place(parent.id, name, false, body, behavior(url.searchParams.get('@microsoft.graph.conflictBehavior'), 'replace'));
    return reply.json(placed.status, emu.drive.json(placed.item));
  }
  if (method === 'POST' && action === 'createUploadSession') {
    const spec = parseJson(body) as { item?: { name?: string; fileSize?: number; '@microsoft.graph.conflictBehavior'?: string } };
    if (spec.item?.name !== undefined && spec.item.name !== name) throw new DriveError(400, 'invalidRequest', 'item.name differs from the name in the URL', true);
    const fileSize = spec.item?.fileSize;
    if (emu.drive.driveType === 'personal' && fileSize !== undefined && emu.drive.usedBytes + fileSize > emu.drive.quotaTotal) {
      // The quota pre-check fileSize allows (Personal only).
      throw new DriveError(507, 'quotaLimitReached', 'Insufficient Space Available');
    }
    // Users observe replace when it is omitted, whatever the docs say (§3.3).
    const session = emu.sessions.open(parent.id, name, behavior(spec.item?.['@microsoft.graph.conflictBehavior'], 'replace'), emu.conflictAt === 'session', fileSize ?? null);
    return reply.json(200, { uploadUrl: `${emu.contentOrigin}/upload/${session.id}`, ...emu.sessions.status(session) });
  }
  throw new DriveError(400, 'invalidRequest', `the emulator does not serve ${method} ${url.pathname}`, true);
}

/** "/root", "/root:/a/b:", "/root:/a/b:/content", "/items/{id}/children", ... */
function address(emu: OneDriveEmulator, rest: string): { target: EmuItem | null; segments: string[] | null; action: string | null } {
  const byPath = /^\/root(?::(\/[^:]*):?)?(?:\/(children|content|createUploadSession|delta))?$/.exec(rest);
  const byId = /^\/items\/([^/:]+)(?:\/(children|content|createUploadSession|delta))?$/.exec(rest);
  if (byPath) {
    let segments: string[];
    try {
      segments = (byPath[1] ?? '').split('/').filter((s) => s !== '').map(decodeURIComponent);
    } catch {
      throw new DriveError(400, 'invalidRequest', `malformed percent-encoding in ${rest}`, true);
    }
    for (const s of segments) emu.drive.checkName(s);
    return { target: emu.drive.resolve(segments), segments, action: byPath[2] ?? null };
  }
  if (byId) return { target: emu.drive.get(decodeURIComponent(byId[1]!)), segments: null, action: byId[2] ?? null };
  throw new DriveError(400, 'invalidRequest', `cannot parse the item address ${rest}`, true);
}

function need(item: EmuItem | null): EmuItem {
  if (!item) throw new DriveError(404, 'itemNotFound', 'The resource could not be found.');
  return item;
}

function driveResource(emu: OneDriveEmulator): object {
  const used = emu.drive.usedBytes;
  const total = emu.drive.quotaTotal;
  const state = used >= total ? 'exceeded' : used > total * 0.99 ? 'critical' : used > total * 0.9 ? 'nearing' : 'normal';
  return { id: emu.drive.driveId, driveType: emu.drive.driveType, quota: { total, used, remaining: Math.max(0, total - used), deleted: 0, state } };
}

function children(emu: OneDriveEmulator, url: URL, reply: Reply, folder: EmuItem): void {
  if (!folder.folder) throw new DriveError(400, 'invalidRequest', 'children of a file', true);
  const top = Number(url.searchParams.get('$top') ?? emu.pageSize);
  const offset = Number(url.searchParams.get('$skiptoken') ? Buffer.from(url.searchParams.get('$skiptoken')!, 'base64url').toString() : 0);
  const all = emu.drive.children(folder.id);
  const page = all.slice(offset, offset + top);
  const next = offset + top < all.length ? Buffer.from(String(offset + top)).toString('base64url') : null;
  reply.json(200, {
    value: page.map((i) => emu.drive.json(i)),
    ...(next ? { '@odata.nextLink': `${emu.apiUrl}/me/drive/items/${encodeURIComponent(folder.id)}/children?$top=${top}&$skiptoken=${next}` } : {}),
  });
}

function content(emu: OneDriveEmulator, reply: Reply, item: EmuItem): void {
  if (item.folder) throw new DriveError(400, 'invalidRequest', 'content of a folder', true);
  const key = randomBytes(12).toString('base64url');
  emu.downloads.set(key, item.id);
  reply.send(302, Buffer.alloc(0), { location: `${emu.contentOrigin}/download/${key}` });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new DriveError(400, 'invalidRequest', 'the body is not JSON', true);
  }
}
