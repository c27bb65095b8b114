/**
 * The npm `webdav-server` (v2) on 127.0.0.1 as a second, differently-behaved WebDAV server:
 * files on disk in a temp dir (so tests can look at what landed), Basic auth, and a per-user
 * quota so it reports RFC 4331 quota properties. Unlike Apache it ignores If-None-Match on PUT
 * and writes a PUT straight into the target file.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { v2 as webdav } from 'webdav-server';

export interface WebdavServerOptions {
  /** Deepest PROPFIND it answers; -1 for infinity. The package's own default is 1 (it refuses infinity with 403). */
  readonly maxRequestDepth?: number;
  /** Answer Depth: infinity with 412, as ownCloud and Nextcloud do, instead of serving it. */
  readonly refuseInfinityWith412?: boolean;
  /** Bytes the user may store; reported as quota-available-bytes. */
  readonly quotaBytes?: number;
}

export interface WebdavServer {
  /** Base URL of the share, e.g. http://127.0.0.1:40123/dav */
  readonly url: string;
  /** Where the share's files are on disk. */
  readonly root: string;
  readonly username: string;
  readonly password: string;
  /** Requests received so far (method, decoded path, Depth header, status once answered), oldest first. */
  readonly requests: { readonly method: string; readonly path: string; readonly depth: string; readonly status: number }[];
  stop(): Promise<void>;
}

export async function startWebdavServer(options: WebdavServerOptions = {}): Promise<WebdavServer> {
  const username = 'photo';
  const password = 'secret pass';
  const base = mkdtempSync(path.join(tmpdir(), 'photosync-webdav-server-'));
  const root = path.join(base, 'dav');
  mkdirSync(root);

  const users = new webdav.SimpleUserManager();
  const user = users.addUser(username, password, false);
  const privileges = new webdav.SimplePathPrivilegeManager();
  privileges.setRights(user, '/', ['all']);
  const server = new webdav.WebDAVServer({
    hostname: '127.0.0.1',
    port: 0,
    httpAuthentication: new webdav.HTTPBasicAuthentication(users, 'photosync test'),
    privilegeManager: privileges,
    requireAuthentification: true,
    maxRequestDepth: options.maxRequestDepth === -1 ? Infinity : (options.maxRequestDepth ?? 1),
    storageManager: new webdav.PerUserStorageManager(options.quotaBytes ?? 1024 ** 4),
  });
  const requests: WebdavServer['requests'] = [];
  server.beforeRequest((ctx, next) => {
    const depth = ctx.headers.find('Depth') ?? '';
    const response = ctx.response;
    // The status is read when asked for: by then the client has its answer, so the status is final.
    requests.push({
      method: ctx.request.method ?? '',
      path: ctx.requested.path.toString(),
      depth,
      get status() {
        return response.statusCode;
      },
    });
    if (options.refuseInfinityWith412 && ctx.request.method === 'PROPFIND' && (depth === '' || depth.toLowerCase() === 'infinity')) {
      ctx.setCode(412);
      ctx.exit();
      return;
    }
    next();
  });
  await new Promise<void>((resolve, reject) => {
    server.setFileSystem('/dav', new webdav.PhysicalFileSystem(root), (ok) => (ok ? resolve() : reject(new Error('cannot mount /dav'))));
  });
  const httpServer = await server.startAsync(0);
  const address = httpServer.address();
  if (typeof address !== 'object' || address === null) throw new Error('webdav-server has no address');

  return {
    url: `http://127.0.0.1:${address.port}/dav`,
    root,
    username,
    password,
    requests,
    stop: async () => {
      await server.stopAsync();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
