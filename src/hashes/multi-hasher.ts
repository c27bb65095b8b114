/** Computes several hashes of one byte stream in a single pass. */
import { createHash, type Hash } from 'node:crypto';
import type { HashName, Hashes } from '../remotes/types.ts';
import { DropboxContentHasher } from './dropbox.ts';
import { QuickXorHasher } from './quickxor.ts';

interface Hasher {
  update(data: Buffer): void;
  digest(): string;
}

function cryptoHasher(algorithm: string, encoding: 'hex' | 'base64'): Hasher {
  const h: Hash = createHash(algorithm);
  return { update: (d) => h.update(d), digest: () => h.digest(encoding) };
}

export function createHasher(name: HashName): Hasher {
  switch (name) {
    case 'sha256':
      return cryptoHasher('sha256', 'hex');
    case 'sha1':
      return cryptoHasher('sha1', 'hex');
    case 'md5':
      return cryptoHasher('md5', 'hex');
    case 'dropbox':
      return new DropboxContentHasher();
    case 'quickxor':
      return new QuickXorHasher();
  }
}

export class MultiHasher {
  private readonly hashers: [HashName, Hasher][];

  constructor(names: Iterable<HashName>) {
    this.hashers = [...new Set(names)].map((n) => [n, createHasher(n)]);
  }

  update(data: Buffer): void {
    for (const [, h] of this.hashers) h.update(data);
  }

  digest(): Hashes {
    return Object.fromEntries(this.hashers.map(([n, h]) => [n, h.digest()]));
  }
}
