/**
 * A self-signed certificate for loopback HTTPS servers, made with openssl at test time, and a
 * fetch that trusts it. The trust is scoped to that fetch (an undici Agent with the certificate
 * as its only CA), not the process: NODE_EXTRA_CA_CERTS is read once at startup and
 * NODE_TLS_REJECT_UNAUTHORIZED=0 would switch verification off for everything. The Agent also
 * resolves every hostname to 127.0.0.1, so a server can hand out URLs on a second name
 * ("localhost", as OneDrive hands out upload URLs on another host) without DNS or IPv6 in play.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';

export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
}

export function selfSignedCertificate(names: readonly string[]): TestCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'photosync-tls-'));
  try {
    const san = names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${names[0] ?? 'localhost'}`,
        '-addext', `subjectAltName=${san}`, '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loopbackOnly: LookupFunction = (_host, options, callback) => {
  if (typeof options === 'object' && options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

export interface TrustingFetch {
  readonly fetch: typeof fetch;
  close(): Promise<void>;
}

export function trustingFetch(ca: string): TrustingFetch {
  const agent = new Agent({ connect: { ca, lookup: loopbackOnly } });
  // undici's fetch and the global one differ only in their type declarations.
  const fetchImpl = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as never, { ...(init as object), dispatcher: agent } as never)) as unknown as typeof fetch;
  return { fetch: fetchImpl, close: () => agent.close() };
}
