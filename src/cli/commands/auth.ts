/**
 * photosync auth login | status | logout | set: sign a cloud remote in (OAuth with PKCE through a
 * loopback redirect, or a device code), show where each remote's credentials stand, forget them,
 * or store a WebDAV password in the keychain. Secrets are never printed.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { deviceLogin } from '../../auth/device-flow.ts';
import { loopbackLogin } from '../../auth/loopback-flow.ts';
import { providerFor, type OAuthRemoteConfig } from '../../auth/providers.ts';
import { secretStoreFor } from '../../auth/secret-store.ts';
import { clientSecretEnvVar, readGrant, refreshTokenEnvVar, saveGrant } from '../../auth/tokens.ts';
import type { RemoteConfig, WebdavRemoteConfig } from '../../config/types.ts';
import { UsageError } from '../../errors.ts';
import { resolveCredentials } from '../../remotes/webdav/credentials.ts';
import { ExitCode } from '../../exit-codes.ts';
import type { CommandContext } from '../context.ts';

/** Dropbox matches redirect URIs exactly, port included: register http://127.0.0.1:53682/ in the app. */
const DROPBOX_PORT = 53682;

export interface LoginOptions {
  readonly noBrowser?: boolean | undefined;
  readonly device?: boolean | undefined;
  readonly port?: string | undefined;
  readonly clientSecretStdin?: boolean | undefined;
}

function remoteNamed(ctx: CommandContext, name: string): RemoteConfig {
  const remote = ctx.loadConfig().remotes.find((r) => r.name === name);
  if (!remote) {
    throw new UsageError(`no remote named "${name}" in ${ctx.configFile}`, {
      hint: `remotes: ${ctx.loadConfig().remotes.map((r) => r.name).join(', ')}`,
    });
  }
  return remote;
}

function oauthRemote(ctx: CommandContext, name: string): OAuthRemoteConfig {
  const remote = remoteNamed(ctx, name);
  if (remote.type !== 'gdrive' && remote.type !== 'dropbox' && remote.type !== 'onedrive') {
    throw new UsageError(`remote "${name}" is ${remote.type}, which does not sign in with OAuth`, {
      hint: remote.type === 'webdav' ? `store its password with "photosync auth set ${name}"` : undefined,
    });
  }
  return remote;
}

export async function authLoginCommand(ctx: CommandContext, name: string, options: LoginOptions): Promise<ExitCode> {
  const config = ctx.loadConfig();
  const remote = oauthRemote(ctx, name);
  const provider = providerFor(remote);
  // Usage mistakes are told before anything is asked of the user or the provider.
  if (options.device && !provider.deviceCodeUrl) {
    throw new UsageError(`${provider.name} does not offer sign-in with a device code`, { hint: `sign in through the browser: photosync auth login ${name} (add --no-browser on a machine without one)` });
  }
  const port = options.port !== undefined ? Number(options.port) : remote.type === 'dropbox' ? DROPBOX_PORT : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${options.port} is not a port number`, { hint: 'e.g. --port 53682' });
  const clientSecret = options.clientSecretStdin
    ? await firstLine(ctx)
    : ctx.io.env[clientSecretEnvVar(name)];
  const out = ctx.out;
  // With --no-browser the user may paste the address the browser ended on; stop reading once signed in.
  const typed = options.noBrowser && ctx.io.stdin ? createInterface({ input: ctx.io.stdin, crlfDelay: Infinity }) : null;
  const grant = await (options.device
    ? deviceLogin({
        provider,
        clientId: remote.clientId,
        clientSecret,
        onUserCode: ({ verificationUri, userCode, expiresInSeconds }) =>
          out.note(`To sign in "${name}", open ${verificationUri} on any device and enter the code ${userCode} (valid ${Math.round(expiresInSeconds / 60)} minutes).`),
      })
    : loopbackLogin({
        provider,
        clientId: remote.clientId,
        clientSecret,
        port,
        onAuthorizeUrl: (url) => {
          out.note(`Open this URL to sign in "${name}" with ${provider.name}:\n\n  ${url}\n`);
          if (options.noBrowser) out.note('If your browser is on another machine, paste here the address it ends on after you approve.');
          else openBrowser(url);
        },
        pasted: typed ?? undefined,
      })
  ).finally(() => typed?.close());
  const store = secretStoreFor(remote.tokenStore, config.statePath);
  await saveGrant(store, name, grant);
  if (out.json) out.result({ remote: name, signedIn: true, store: store.kind, expiresAt: grant.expiresAt });
  else out.line(`Signed in "${name}"; its tokens are in ${store.description}.`);
  return ExitCode.Ok;
}

export async function authStatusCommand(ctx: CommandContext): Promise<ExitCode> {
  const config = ctx.loadConfig();
  const rows: Record<string, unknown>[] = [];
  for (const remote of config.remotes) {
    if (remote.type === 'gdrive' || remote.type === 'dropbox' || remote.type === 'onedrive') {
      const store = secretStoreFor(remote.tokenStore, config.statePath);
      // As the token source reads it: an empty variable is no token.
      const fromEnv = Boolean(ctx.io.env[refreshTokenEnvVar(remote.name)]);
      let state: Record<string, unknown>;
      try {
        const grant = fromEnv ? null : await readGrant(store, remote.name);
        state = fromEnv
          ? { signedIn: true, source: refreshTokenEnvVar(remote.name) }
          : grant
            ? {
                signedIn: grant.clientId === remote.clientId,
                source: store.description,
                signedInAt: new Date(grant.obtainedAt).toISOString(),
                accessTokenExpires: grant.expiresAt ? new Date(grant.expiresAt).toISOString() : null,
                ...(grant.clientId !== remote.clientId ? { problem: 'signed in with another client_id' } : {}),
              }
            : { signedIn: false, source: store.description };
      } catch (err) {
        state = { signedIn: false, problem: (err as Error).message };
      }
      rows.push({ remote: remote.name, type: remote.type, ...state });
    } else if (remote.type === 'webdav') {
      rows.push({ remote: remote.name, type: remote.type, ...(await webdavPasswordState(ctx, remote)) });
    } else {
      rows.push({ remote: remote.name, type: remote.type, needs: remote.type === 's3' ? 'the AWS credential chain' : 'nothing' });
    }
  }
  if (ctx.out.json) ctx.out.result(rows);
  else {
    for (const row of rows) {
      const detail = Object.entries(row)
        .filter(([k]) => k !== 'remote' && k !== 'type')
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ');
      ctx.out.line(`${String(row['remote'])} (${String(row['type'])}): ${detail}`);
    }
  }
  return ExitCode.Ok;
}

/** The password as the remote itself will look for it (password_env, then the keychain). */
async function webdavPasswordState(ctx: CommandContext, remote: WebdavRemoteConfig): Promise<Record<string, unknown>> {
  if (remote.username === null) return { password: 'none (no username is set: the share is used without logging in)' };
  const statePath = ctx.loadConfig().statePath;
  const found = await resolveCredentials(remote, { firstUse: false, env: ctx.io.env, secrets: (kind) => secretStoreFor(kind, statePath) });
  return found.source ? { password: `from ${found.source}` } : { password: 'none found', problem: found.authHint };
}

export async function authLogoutCommand(ctx: CommandContext, name: string): Promise<ExitCode> {
  const config = ctx.loadConfig();
  const remote = remoteNamed(ctx, name);
  if (remote.type === 'local' || remote.type === 's3') {
    throw new UsageError(`remote "${name}" is ${remote.type}; photosync stores no credentials for it`, {
      hint: remote.type === 's3' ? 'S3 keys come from the AWS credential chain (environment, ~/.aws): remove them there' : undefined,
    });
  }
  const kind = remote.type === 'webdav' ? 'keychain' : remote.tokenStore;
  const removed = await secretStoreFor(kind, config.statePath).delete(name);
  if (ctx.out.json) ctx.out.result({ remote: name, removed });
  else ctx.out.line(removed ? `Forgot the credentials of "${name}".` : `Nothing was stored for "${name}".`);
  return ExitCode.Ok;
}

export async function authSetCommand(ctx: CommandContext, name: string, options: { passwordStdin?: boolean | undefined }): Promise<ExitCode> {
  const config = ctx.loadConfig();
  const remote = remoteNamed(ctx, name);
  if (remote.type !== 'webdav') {
    throw new UsageError(`"photosync auth set" stores WebDAV passwords; remote "${name}" is ${remote.type}`, {
      hint: remote.type === 's3' ? 'S3 keys come from the AWS credential chain (environment, ~/.aws)' : `use "photosync auth login ${name}"`,
    });
  }
  if (!options.passwordStdin && !ctx.io.stdin?.isTTY) {
    throw new UsageError('no terminal to ask for the password', { hint: 'pipe it in with --password-stdin' });
  }
  if (!options.passwordStdin) ctx.io.stderr.write(`Password for "${name}" (${remote.url}, not shown): `);
  const password = options.passwordStdin ? await firstLine(ctx) : await hiddenLine(ctx);
  if (!password) throw new UsageError('the password is empty');
  await secretStoreFor('keychain', config.statePath).set(name, password);
  ctx.out.line(`Stored the password of "${name}" in the OS keychain.`);
  return ExitCode.Ok;
}

async function firstLine(ctx: CommandContext): Promise<string | undefined> {
  if (!ctx.io.stdin) return undefined;
  const reader = createInterface({ input: ctx.io.stdin, crlfDelay: Infinity });
  try {
    for await (const line of reader) return line;
    return undefined;
  } finally {
    reader.close();
  }
}

/** Reads a line from the terminal without echoing it. */
function hiddenLine(ctx: CommandContext): Promise<string> {
  const stdin = ctx.io.stdin as NodeJS.ReadStream;
  return new Promise((resolve) => {
    let text = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.off('data', onData);
          stdin.setRawMode?.(false);
          stdin.pause();
          ctx.io.stderr.write('\n');
          resolve(text);
          return;
        }
        if (ch === '\u0003') process.kill(process.pid, 'SIGINT');
        else if (ch === '\u007f') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    spawn(command, args, { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
  } catch {
    // No browser to open: the URL is printed above.
  }
}
