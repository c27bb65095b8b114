/**
 * Completeness: every remote type the config schema accepts has an implementation that loads and
 * a test file running the shared contract; every source type has a reader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REMOTE_KINDS } from '../../src/remotes/registry.ts';
import { SOURCE_TYPES } from '../../src/sources/kinds.ts';

const schema = JSON.parse(readFileSync(new URL('../../config.schema.json', import.meta.url), 'utf8')) as {
  $defs: { remote: { properties: { type: { enum: string[] } } }; source: { properties: { type: { enum: string[] } } } };
};

describe('registry', () => {
  const remoteTypes = schema.$defs.remote.properties.type.enum;

  it('has an implementation for every remote type in the schema, and nothing else', async () => {
    expect(Object.keys(REMOTE_KINDS).sort()).toEqual([...remoteTypes].sort());
    for (const type of remoteTypes) {
      const module = await REMOTE_KINDS[type as keyof typeof REMOTE_KINDS]!();
      expect(typeof module.definition.create, type).toBe('function');
    }
  });

  it('runs the shared contract suite against every remote type', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts'));
    for (const type of remoteTypes) {
      const contract = files.filter((f) => f.startsWith(type) && readFileSync(`${dir}/${f}`, 'utf8').includes('runRemoteContract('));
      expect(contract, `a test/remotes/${type}*.test.ts calling runRemoteContract`).not.toEqual([]);
    }
  });

  it('has a reader for every source type in the schema', () => {
    expect([...SOURCE_TYPES].sort()).toEqual([...schema.$defs.source.properties.type.enum].sort());
  });
});
