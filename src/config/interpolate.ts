/**
 * `${NAME}` and `${NAME:-default}` in string values, from the environment, so one config in git
 * can serve several machines. `$${` writes a literal `${`. Secrets never go through here: keys
 * that hold secrets are rejected before interpolation (see secrets.ts).
 */
import type { DocPath } from './document.ts';

export interface InterpolationProblem {
  readonly path: DocPath;
  readonly message: string;
  readonly hint: string;
}

const PATTERN = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: InterpolationProblem[],
  path: DocPath = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, problems, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, problems, [...path, k]);
    return out;
  }
  return value;
}

function interpolateString(
  text: string,
  env: NodeJS.ProcessEnv,
  problems: InterpolationProblem[],
  path: DocPath,
): string {
  return text.replace(PATTERN, (match, expr: string | undefined) => {
    if (match === '$${') return '${';
    const body = expr ?? '';
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    const fallback = sep === -1 ? undefined : body.slice(sep + 2);
    if (!NAME.test(name)) {
      problems.push({
        path,
        message: `"\${${body}}" is not a valid environment reference`,
        hint: 'write ${NAME} or ${NAME:-default}; write $${ for a literal ${',
      });
      return match;
    }
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({
      path,
      message: `environment variable ${name} is not set`,
      hint: `set ${name}, or give a default with \${${name}:-value}`,
    });
    return match;
  });
}
