/**
 * Every YAML example in the README and the config reference is a config photosync accepts: a
 * snippet showing only `sources:` or `remotes:` is completed with a minimal rest before it is
 * checked, so a renamed key or a changed default cannot leave the docs behind.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../src/config/load.ts';

const DOCS = ['README.md', 'docs/config.md'];
const BASE = { version: 1, sources: { phone: { type: 'local', path: '/home/ann/DCIM' } }, remotes: { usb: { type: 'local', path: '/mnt/usb/photos' } } };

function yamlBlocks(file: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

/** Variables the snippet reads without a default get a harmless value. */
function envFor(snippet: string): NodeJS.ProcessEnv {
  return Object.fromEntries([...snippet.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1], 'example']));
}

describe('docs', () => {
  const cases = DOCS.flatMap((file) => yamlBlocks(file).map((block, i) => [`${file} example ${i + 1}`, block] as const));

  it.each(cases)('%s is a valid config', (_, block) => {
    const snippet = (parse(block) ?? {}) as Record<string, unknown>;
    const full = { ...BASE, ...snippet };
    expect(() => parseConfig('/home/ann/photosync.yaml', stringify(full), envFor(block))).not.toThrow();
  });
});
