/** `photosync auth login` end to end: the built CLI, a loopback OAuth provider, the 0600 file store. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli, runCli } from '../helpers/cli.ts';
import { startOAuthEmulator, type OAuthEmulator } from '../helpers/emulators/oauth.ts';
import { testdir } from '../helpers/tmp.ts';

describe('cli: auth', { tags: ['slow'] }, () => {
  let emu: OAuthEmulator;
  beforeEach(async () => {
    emu = await startOAuthEmulator({ clientId: 'my-client.apps.example' });
  });
  afterEach(() => emu.close());

  it('signs a Drive remote in through the browser redirect and keeps the tokens in a 0600 file', async () => {
    const dir = testdir({
      'photos/a.jpg': 'x',
      'photosync.yaml': `version: 1
state: ./state/ps.db
sources:
  phone: {type: local, path: ./photos}
remotes:
  drive:
    type: gdrive
    folder: Backups/Photos
    client_id: my-client.apps.example
    token_store: file
    auth_url: ${emu.authorizeUrl}
    token_url: ${emu.tokenUrl}
`,
    });
    const child = startCli(['auth', 'login', 'drive', '--no-browser'], { cwd: dir });
    let stderr = '';
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    const url = await new Promise<string>((resolve) => {
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
    });
    // The "browser": approve, then follow the redirect back to photosync's loopback listener.
    const approve = await fetch(url, { redirect: 'manual' });
    const done = await fetch(approve.headers.get('location')!);
    expect(await done.text()).toContain('photosync is signed in');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('Signed in "drive"');
    const file = path.join(dir, 'state', 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    const grant = JSON.parse(stored['drive']!) as { refreshToken: string };
    expect(emu.validRefreshTokens.has(grant.refreshToken)).toBe(true);

    const status = await runCli(['auth', 'status', '--json'], { cwd: dir });
    const [row] = JSON.parse(status.stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({ remote: 'drive', type: 'gdrive', signedIn: true });
    expect(status.stdout).not.toContain(grant.refreshToken);
  });

  it('refuses to sign in a remote that does not use OAuth, saying what to do instead', async () => {
    const dir = testdir({
      'photos/a.jpg': 'x',
      'photosync.yaml': 'version: 1\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n  nas: {type: webdav, url: "http://127.0.0.1:9/dav"}\n',
    });
    const result = await runCli(['auth', 'login', 'nas'], { cwd: dir });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('photosync auth set nas');
  });
});
