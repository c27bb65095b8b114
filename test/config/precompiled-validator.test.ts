/**
 * The build compiles config.schema.json ahead of time (scripts/build-config-validator.ts) and the
 * CLI uses that file. It must judge every config exactly as ajv compiling the schema at run time
 * does (the path the other config tests take): same verdict, same errors, same schema excerpts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AJV_OPTIONS, readSchema } from '../../src/config/schema.ts';

const BUILT = fileURLToPath(new URL('../../dist/config/config-validator.cjs', import.meta.url));

const CONFIGS: unknown[] = [
  parse(readFileSync(new URL('../../examples/quickstart.yaml', import.meta.url), 'utf8')),
  {},
  { version: 2, sources: [], remotes: { a: { type: 'ftp' } } },
  { version: 1, sources: { phone: { type: 'local', path: './DCIM', exclud: ['*.tmp'] } }, remotes: { nas: { type: 'webdav', url: 'ftp://x', passwrd: 'x' } } },
  { version: 1, sources: { 'bad name!': { type: 'google-takeout', path: 3 } }, remotes: { s3: { type: 's3', bucket: '', quota: '5 parsecs' } } },
];

describe('config: the validator compiled at build time', { tags: ['slow'] }, () => {
  it('reports what the schema compiled at run time reports', () => {
    expect(existsSync(BUILT), `${BUILT} is missing: run "npm run build"`).toBe(true);
    const built = (createRequire(import.meta.url)(BUILT) as { default: ValidateFunction }).default;
    const runtime = new Ajv2020(AJV_OPTIONS).compile(readSchema());
    const verdict = (validate: ValidateFunction, value: unknown) => ({ valid: validate(value), errors: validate.errors ?? null });
    const values = [...CONFIGS, ...fc.sample(fc.jsonValue(), { numRuns: 200, seed: 7 })];
    let invalid = 0;
    for (const value of values) {
      const expected = verdict(runtime, value);
      expect(verdict(built, value)).toEqual(expected);
      if (!expected.valid) invalid++;
    }
    expect(invalid).toBeGreaterThan(values.length / 2);
  });
});
