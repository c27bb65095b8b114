/**
 * Validates a config value against config.schema.json (the same file editors use) and turns ajv's
 * errors into one plain-language problem each, with a hint: "unknown key", "did you mean",
 * "must be one of". ajv is told to collect every error, so the user fixes them all in one pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, AnySchemaObject, Options, ValidateFunction } from 'ajv/dist/2020.js';
import { loadAjv2020 } from '../ajv.ts';
import type { DocPath } from './document.ts';
import { closest } from './did-you-mean.ts';

export interface SchemaProblem {
  readonly path: DocPath;
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly hint?: string | undefined;
  /** For an unknown key: the known key it is probably a typo of. */
  readonly guess?: string | undefined;
  /** For a missing required key: its name. */
  readonly missing?: string | undefined;
}

export const SCHEMA_URL = new URL('../../config.schema.json', import.meta.url);

/**
 * The build (scripts/build-config-validator.ts) compiles the schema ahead of time into this file,
 * with the same options: compiling it at run time costs every command about 120 ms, most of a
 * no-op run's budget. Run from the sources (tests, tsx), there is no such file and ajv compiles.
 */
export const PRECOMPILED_VALIDATOR = new URL('./config-validator.cjs', import.meta.url);

export const AJV_OPTIONS: Options = { allErrors: true, strict: true, verbose: true };

export function readSchema(): AnySchemaObject {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as AnySchemaObject;
}

let compiled: ValidateFunction | undefined;
let rootSchema: AnySchemaObject | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    rootSchema = readSchema();
    compiled = existsSync(PRECOMPILED_VALIDATOR)
      ? (createRequire(import.meta.url)(fileURLToPath(PRECOMPILED_VALIDATOR)) as { default: ValidateFunction }).default
      : new (loadAjv2020())(AJV_OPTIONS).compile(rootSchema);
  }
  return compiled;
}

export function checkSchema(value: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(value)) return [];
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error);
    if (!problem) continue;
    const key = `${problem.path.join('/')}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return withoutExplainedMissing(problems);
}

/** "missing key path" next to "unknown key paht (did you mean path?)" is one mistake: keep the typo. */
function withoutExplainedMissing(problems: SchemaProblem[]): SchemaProblem[] {
  const explained = new Set(
    problems
      .filter((p) => p.guess !== undefined)
      .map((p) => `${p.path.slice(0, -1).join('/')}|${p.guess}`),
  );
  return problems.filter((p) => p.missing === undefined || !explained.has(`${p.path.join('/')}|${p.missing}`));
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(error: ErrorObject): SchemaProblem | undefined {
  const path = pointerToPath(error.instancePath);
  const where = path.length === 0 ? 'the config' : `"${String(path[path.length - 1])}"`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    // The if/then wiring that picks a remote's schema by its type adds a summary error per branch;
    // the branch's own errors say what is wrong.
    case 'if':
      return undefined;
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params['additionalProperty'] ?? params['unevaluatedProperty']);
      const allowed = allowedKeys(error.parentSchema);
      const guess = closest(key, allowed);
      return {
        path: [...path, key],
        at: 'key',
        message: `unknown key "${key}"`,
        guess,
        hint: guess
          ? `did you mean "${guess}"? Allowed here: ${allowed.join(', ')}`
          : `allowed here: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const key = String(params['missingProperty']);
      const description = propertyDescription(error.parentSchema, key);
      return {
        path,
        at: 'value',
        message: `missing required key "${key}"`,
        missing: key,
        hint: description ? `add ${key}: ${description}` : `add ${key}`,
      };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const guess = closest(String(error.data), allowed);
      return {
        path,
        at: 'value',
        message: `${where} must be one of: ${allowed.join(', ')}`,
        hint: guess ? `did you mean "${guess}"?` : undefined,
      };
    }
    case 'const':
      return { path, at: 'value', message: `${where} must be ${JSON.stringify(params['allowedValue'])}` };
    case 'type':
      return { path, at: 'value', message: `${where} must be ${article(String(params['type']))}` };
    case 'minProperties':
      return {
        path,
        at: 'value',
        message: `${where} needs at least ${String(params['limit'])} entry`,
        hint: `add one, e.g. ${String(path[0] ?? 'entry')}: { myname: { type: local, path: ... } }`,
      };
    case 'propertyNames':
      return undefined; // reported by the nested pattern error, which names the bad key
    case 'pattern':
      if (params['propertyName'] !== undefined || isNameSchema(error)) {
        const name = String(params['propertyName'] ?? error.data);
        return {
          path: params['propertyName'] !== undefined ? [...path, name] : path,
          at: 'key',
          message: `"${name}" is not a valid name`,
          hint: 'names start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 64)',
        };
      }
      return {
        path,
        at: 'value',
        message: `${where} has the wrong form`,
        hint: patternHint(String(params['pattern'])),
      };
    case 'minLength':
      return { path, at: 'value', message: `${where} must not be empty` };
    case 'maxLength':
      return { path, at: 'value', message: `${where} is longer than ${String(params['limit'])} characters` };
    case 'minimum':
    case 'maximum':
      return {
        path,
        at: 'value',
        message: `${where} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params['limit'])}`,
      };
    case 'uniqueItems':
      return { path, at: 'value', message: `${where} lists the same entry twice` };
    default:
      return { path, at: 'value', message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

function isNameSchema(error: ErrorObject): boolean {
  return error.schemaPath.includes('/$defs/name/');
}

function patternHint(pattern: string): string {
  if (pattern === '^https?://') return 'write a URL starting with http:// or https://';
  if (pattern === '^/') return 'write an absolute path starting with /';
  if (pattern.includes('KMGTP')) return 'write a size such as 500G, 1.5T or 800MiB';
  if (pattern.includes('[A-Za-z_]')) return 'write the name of an environment variable, e.g. NAS_PASSWORD';
  if (pattern.includes('(ms|s|m|h|d)')) return 'write a duration such as 7d, 1d or 6h';
  if (pattern.includes('[0-5][0-9]$')) return 'write a time of day as HH:MM, e.g. 04:30';
  if (pattern.endsWith('%$')) return 'write a percentage such as 5%';
  return `must match ${pattern}`;
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    object: 'a map of keys to values',
    array: 'a list',
  };
  return names[type] ?? type;
}

function resolveRef(schema: AnySchemaObject): AnySchemaObject | undefined {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/') || !rootSchema) return undefined;
  const defs = rootSchema['$defs'] as Record<string, AnySchemaObject>;
  return defs[ref.slice('#/$defs/'.length)];
}

function allowedKeys(schema: unknown): string[] {
  const keys = new Set<string>();
  let current = schema as AnySchemaObject | undefined;
  // A remote's schema extends remoteCommon through $ref; walk the chain to list every key.
  for (let depth = 0; current && depth < 5; depth++) {
    const props = current['properties'] as Record<string, unknown> | undefined;
    for (const k of Object.keys(props ?? {})) keys.add(k);
    current = resolveRef(current);
  }
  return [...keys];
}

function propertyDescription(schema: unknown, key: string): string | undefined {
  let current = schema as AnySchemaObject | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    const props = current['properties'] as Record<string, AnySchemaObject> | undefined;
    const prop = props?.[key];
    if (prop) {
      const described = typeof prop['description'] === 'string' ? prop : resolveRef(prop);
      return typeof described?.['description'] === 'string' ? described['description'] : undefined;
    }
    current = resolveRef(current);
  }
  return undefined;
}
