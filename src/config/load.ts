/**
 * Finds, reads and checks the config: YAML syntax → inline secrets → ${ENV} → schema → semantic
 * checks. Every problem is reported together, each as file:line:col; only a YAML syntax error
 * stops the checks early, as there is no document to check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, InputError, type ConfigIssue } from '../errors.ts';
import { parseConfigDocument, type ConfigDocument, type DocPath } from './document.ts';
import { interpolate, type InterpolationProblem } from './interpolate.ts';
import { normalizeConfig } from './normalize.ts';
import { checkSchema } from './schema.ts';
import { findInlineSecrets, withoutSecretKeys } from './secrets.ts';
import type { Config } from './types.ts';

export const DEFAULT_CONFIG_FILE = 'photosync.yaml';

/** --config, else $PHOTOSYNC_CONFIG, else ./photosync.yaml. */
export function configFileFrom(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const chosen = flag ?? env['PHOTOSYNC_CONFIG'] ?? DEFAULT_CONFIG_FILE;
  return path.resolve(cwd, chosen);
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? `config file ${file} does not exist` : `cannot read config file ${file} (${code ?? 'error'})`,
      {
        hint:
          code === 'ENOENT'
            ? 'pass --config FILE, set PHOTOSYNC_CONFIG, or create photosync.yaml (see examples/)'
            : 'check the file permissions',
        cause: err,
      },
    );
  }
  return parseConfig(file, text, env);
}

export function parseConfig(file: string, text: string, env: NodeJS.ProcessEnv): Config {
  const doc = parseConfigDocument(file, text);
  if (doc.syntaxIssues.length > 0) throw new ConfigError(doc.syntaxIssues);

  const issue = (p: DocPath, at: 'key' | 'value', message: string, hint?: string): ConfigIssue => {
    const { line, col } = doc.locate(p, at);
    return { file, line, col, path: p.join('.'), message, hint };
  };

  const envProblems: InterpolationProblem[] = [];
  const value = interpolate(withoutSecretKeys(doc.value), env, envProblems);
  // Checked before and after ${ENV} is filled in: a URL from the environment may carry a password.
  const written = findInlineSecrets(doc.value);
  const seen = new Set(written.map((s) => s.path.join('.')));
  const fromEnv = findInlineSecrets(value)
    .filter((s) => !seen.has(s.path.join('.')))
    .map((s) => ({ ...s, message: `${s.message} once \${…} is filled in from the environment` }));
  const secretIssues = [...written, ...fromEnv].map((s) => issue(s.path, s.at, s.message, s.hint));
  const schemaIssues = checkSchema(value).map((s) => issue(s.path, s.at, s.message, s.hint));
  const early = [...secretIssues, ...envProblems.map((p) => issue(p.path, 'value', p.message, p.hint)), ...schemaIssues];

  // The checks the schema cannot express (layouts, overlapping folders, schedules) run on what
  // passed it, so one `validate` lists every problem, not one stage's at a time.
  const checkable = early.length === 0 ? value : withoutFaultyParts(value, early);
  const later = checkable === null ? [] : semanticProblems(checkable, file, env);
  const issues = [...early, ...later.map((p) => issue(p.path, p.at, p.message, p.hint))];
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  return normalizeConfig(value, { file, env }).config;
}

function semanticProblems(value: unknown, file: string, env: NodeJS.ProcessEnv): ReturnType<typeof normalizeConfig>['problems'] {
  try {
    return normalizeConfig(value, { file, env }).problems;
  } catch {
    // A document too broken to normalise: its schema problems are the ones worth reading first.
    return [];
  }
}

/**
 * The document without each source, remote or top-level setting that has a problem already (so
 * the later checks see only well-formed parts); null when `sources` or `remotes` itself is faulty.
 */
function withoutFaultyParts(value: unknown, issues: readonly ConfigIssue[]): Record<string, unknown> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const doc: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of ['sources', 'remotes']) {
    const entries = doc[key];
    if (typeof entries === 'object' && entries !== null && !Array.isArray(entries)) doc[key] = { ...(entries as Record<string, unknown>) };
  }
  for (const { path: at } of issues) {
    const [top, name] = at.split('.');
    if (top === undefined || top === '') return null;
    if ((top === 'sources' || top === 'remotes') && name !== undefined) {
      delete (doc[top] as Record<string, unknown> | undefined)?.[name];
    } else if (top === 'sources' || top === 'remotes') {
      return null;
    } else {
      delete doc[top];
    }
  }
  return doc;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}

export type { ConfigDocument };
