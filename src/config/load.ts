/**
 * Finds, reads and checks the config: YAML syntax → inline secrets → ${ENV} → schema → semantic
 * checks. Every problem found at a stage is reported together, each as file:line:col.
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
  if (early.length > 0) throw new ConfigError(sortIssues(early));

  const { config, problems } = normalizeConfig(value, { file, env });
  if (problems.length > 0) throw new ConfigError(sortIssues(problems.map((p) => issue(p.path, p.at, p.message, p.hint))));
  return config;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}

export type { ConfigDocument };
