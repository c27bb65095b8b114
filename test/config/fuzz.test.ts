/**
 * Config fuzzing: malformed YAML, wrong types, huge values, odd unicode. Whatever the input, the
 * result is a valid config or a ConfigError whose every problem has a place (line:col) — and
 * through the CLI, exit code 1 and no stack trace. Never an exception of another kind.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { tmpdir } from '../helpers/tmp.ts';

const FILE = '/tmp/fuzz/photosync.yaml';

const VALID = `version: 1
sources:
  phone:
    type: local
    path: ./DCIM
remotes:
  usb:
    type: local
    path: /mnt/usb
`;

const scalar = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant('9'.repeat(400)),
  fc.constant('\u0000\u0007\u202e'),
  fc.constant('${UNSET_VARIABLE}'),
  fc.constant('*alias'),
  fc.constant('&anchor x'),
  fc.constant('{unclosed'),
  fc.constant('- a\n- b'),
  fc.constant('"\\u00e9\\ud800"'),
);

/** Mutations of the valid config: replace a value, break a line, insert junk. */
const mutated = fc
  .tuple(fc.nat(VALID.length), fc.nat(40), scalar, fc.constantFrom('replace', 'insert', 'cut', 'indent'))
  .map(([at, length, value, how]) => {
    const text = String(value);
    switch (how) {
      case 'replace':
        return VALID.slice(0, at) + text + VALID.slice(at + length);
      case 'insert':
        return VALID.slice(0, at) + text + VALID.slice(at);
      case 'cut':
        return VALID.slice(0, at) + VALID.slice(at + length);
      default:
        return VALID.split('\n').map((l, i) => (i % 3 === at % 3 ? `\t${l}` : l)).join('\n');
    }
  });

/** Whole documents with the right keys and wrong-typed or extreme values. */
const structured = fc
  .record({
    version: scalar,
    sourcesType: scalar,
    path: scalar,
    transfers: fc.oneof(fc.integer(), fc.constant(1e300), fc.constant(-0), fc.string()),
    layout: fc.oneof(fc.string(), fc.constant('{year}/../{name}'), fc.constant('{nope}/{name}')),
    extraKey: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /^[a-z_]+$/.test(s)),
  })
  .map(
    (r) => `version: ${JSON.stringify(r.version)}
sources:
  phone:
    type: ${JSON.stringify(r.sourcesType)}
    path: ${JSON.stringify(r.path)}
remotes:
  usb:
    type: local
    path: /mnt/usb
    transfers: ${JSON.stringify(r.transfers)}
    layout: ${JSON.stringify(r.layout)}
    ${r.extraKey}: 1
`,
  );

function check(text: string): void {
  try {
    parseConfig(FILE, text, { HOME: '/home/fuzz' });
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(ConfigError);
    for (const issue of (err as ConfigError).issues) {
      expect(issue.file).toBe(FILE);
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.col).toBeGreaterThanOrEqual(1);
      expect(issue.message.length).toBeGreaterThan(0);
    }
  }
}

describe('config: fuzz', () => {
  it('turns any mutation of a valid config into a config or located problems', () => {
    fc.assert(fc.property(mutated, check), { numRuns: 500 });
  });

  it('turns wrong types and extreme values into located problems', () => {
    fc.assert(fc.property(structured, check), { numRuns: 300 });
  });

  it('survives arbitrary bytes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), check), { numRuns: 300 });
  });

  it('never shows a stack trace through the CLI', async () => {
    const dir = tmpdir();
    const samples = fc.sample(fc.oneof(mutated, structured), { numRuns: 40, seed: 42 });
    for (const text of samples) {
      const file = path.join(dir, 'photosync.yaml');
      writeFileSync(file, text);
      let stdout = '';
      let stderr = '';
      const code = await main(['validate', '--config', file], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        cwd: dir,
      });
      expect([0, 1]).toContain(code);
      if (code === 1) expect(stderr).toMatch(/photosync\.yaml:\d+:\d+: /);
      expect(stderr + stdout).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    }
  });
});
