/** Every example config validates, and the bundled sample library is what its generator makes. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleLibrary } from '../scripts/sample-library.ts';
import { loadConfig } from '../src/config/load.ts';
import { treeHashes, sha256 } from './helpers/hash.ts';

const EXAMPLES = fileURLToPath(new URL('../examples', import.meta.url));

describe('examples', () => {
  const configs = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

  it.each(configs)('%s validates', (file) => {
    const text = readFileSync(path.join(EXAMPLES, file), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\.\.\/config\.schema\.json$/m);
    expect(() => loadConfig(path.join(EXAMPLES, file), { HOME: '/home/example', NAS_URL: 'https://nas.local/dav' })).not.toThrow();
  });

  it('ships the sample library its generator produces', () => {
    const expected = new Map(Object.entries(sampleLibrary()).map(([p, data]) => [p, sha256(data)]));
    expect(treeHashes(path.join(EXAMPLES, 'sample-library'))).toEqual(expected);
  });
});
