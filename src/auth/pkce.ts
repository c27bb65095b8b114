/** PKCE (RFC 7636): a random verifier and its S256 challenge, plus the anti-forgery state. */
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function createPkce(): Pkce {
  // 64 random bytes → 86 base64url characters (the RFC allows 43 to 128).
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function randomState(): string {
  return randomBytes(24).toString('base64url');
}
