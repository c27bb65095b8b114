/**
 * Secrets in a real Secret Service (gnome-keyring on a private D-Bus session), through the library
 * photosync uses and through the CLI; and the clear refusal where no keychain exists.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keychainStore } from '../../src/auth/secret-store.ts';
import { runCli } from '../helpers/cli.ts';
import { trySecretService, type SecretService } from '../helpers/servers/secret-service.ts';
import { testdir, tmpdir } from '../helpers/tmp.ts';

let service: SecretService | null = null;
let reason = '';
beforeAll(async () => {
  ({ service, reason } = await trySecretService());
});
afterAll(async () => service?.stop());

describe('auth: OS keychain', { tags: ['slow'] }, () => {
  it('stores, reads and deletes a secret in the Secret Service', async (ctx) => {
    if (!service) return ctx.skip(reason);
    const saved = process.env['DBUS_SESSION_BUS_ADDRESS'];
    process.env['DBUS_SESSION_BUS_ADDRESS'] = service.address;
    try {
      const store = keychainStore('photosync-test');
      await store.set('nas', 'correct horse battery staple');
      expect(await store.get('nas')).toBe('correct horse battery staple');
      // It is really in the Secret Service, under service "photosync-test" and the remote's name.
      const found = execFileSync('secret-tool', ['lookup', 'service', 'photosync-test', 'username', 'nas'], {
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: service.address },
      }).toString();
      expect(found).toBe('correct horse battery staple');
      expect(await store.delete('nas')).toBe(true);
      expect(await store.get('nas')).toBeNull();
      expect(await store.delete('nas')).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
      else process.env['DBUS_SESSION_BUS_ADDRESS'] = saved;
    }
  });

  it('keeps a WebDAV password set through the CLI and reports where it is, never the value', async (ctx) => {
    if (!service) return ctx.skip(reason);
    const dir = testdir({
      'photosync.yaml':
        'version: 1\nstate: ./state/ps.db\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n  nas: {type: webdav, url: "http://127.0.0.1:9/dav", username: ann, password_env: NAS_PASSWORD}\n',
      'photos/a.jpg': 'x',
    });
    const env = { DBUS_SESSION_BUS_ADDRESS: service.address };
    const set = await runCli(['auth', 'set', 'nas', '--password-stdin'], { cwd: dir, env, input: 'hunter2\n' });
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const status = await runCli(['auth', 'status', '--json'], { cwd: dir, env });
    // NAS_PASSWORD is not set, so the keychain is where the password comes from.
    expect(JSON.parse(status.stdout)).toEqual([{ remote: 'nas', type: 'webdav', password: 'from the OS keychain' }]);
    expect(status.stdout).not.toContain('hunter2');
    const withEnv = await runCli(['auth', 'status', '--json'], { cwd: dir, env: { ...env, NAS_PASSWORD: 'other' } });
    expect(JSON.parse(withEnv.stdout)).toEqual([{ remote: 'nas', type: 'webdav', password: 'from the environment variable NAS_PASSWORD' }]);
    const stored = execFileSync('secret-tool', ['lookup', 'service', 'photosync', 'username', 'nas'], { env: { ...process.env, ...env } }).toString();
    expect(stored).toBe('hunter2');
    expect((await runCli(['auth', 'logout', 'nas'], { cwd: dir, env })).stdout).toContain('Forgot the credentials of "nas"');
  });

  it('says there is no keychain, and names the alternatives, where none exists', async () => {
    const dir = testdir({
      'photosync.yaml': 'version: 1\nsources:\n  phone: {type: local, path: ./photos}\nremotes:\n  nas: {type: webdav, url: "http://127.0.0.1:9/dav"}\n',
      'photos/a.jpg': 'x',
    });
    const result = await runCli(['auth', 'set', 'nas', '--password-stdin'], {
      cwd: dir,
      env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(tmpdir(), 'no-bus')}` },
      input: 'hunter2\n',
    });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('error[E_AUTH]: no OS keychain is available here');
    expect(result.stderr).toMatch(/hint: .*environment variable.*token_store: file/);
  });
});

