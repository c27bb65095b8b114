/** examples/github-workflow.yml: valid YAML, wired the way its comments say, with a script that parses. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';

const FILE = fileURLToPath(new URL('../examples/github-workflow.yml', import.meta.url));

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string | string[]; needs?: string; if?: string; env?: Record<string, string>; steps: Step[] }>;
}

describe('examples/github-workflow.yml', () => {
  const doc = parseDocument(readFileSync(FILE, 'utf8'), { strict: true, uniqueKeys: true });
  const workflow = doc.toJS() as Workflow;

  it('is valid YAML', () => {
    expect(doc.errors).toEqual([]);
    expect(doc.warnings).toEqual([]);
  });

  it('runs on pull requests that touch the config, may comment on them, and nothing more', () => {
    expect(workflow.on.pull_request.paths).toEqual(['photosync.yaml']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  it('validates on a hosted runner, then plans as markdown on the backup machine, for this repository\'s pull requests only', () => {
    const { validate, plan } = workflow.jobs;
    expect(validate!['runs-on']).toBe('ubuntu-latest');
    expect(validate!.steps.map((s) => s.run)).toContain('photosync validate --config photosync.yaml');
    expect(plan!.needs).toBe('validate');
    expect(plan!['runs-on']).toEqual(['self-hosted', 'photosync']);
    expect(plan!.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(plan!.env).toHaveProperty('PHOTOSYNC_STATE_DIR');
    expect(plan!.steps.map((s) => s.run)).toContain('photosync plan --config photosync.yaml --format markdown > plan.md');
  });

  it('posts (or updates) one comment with a script that is valid JavaScript', () => {
    const post = workflow.jobs['plan']!.steps.find((s) => s.uses?.startsWith('actions/github-script@'));
    const script = post?.with?.['script'] ?? '';
    expect(script).toContain('plan.md');
    expect(script).toContain('createComment');
    expect(script).toContain('updateComment');
    // github-script runs the script as the body of an async function with these in scope.
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => unknown;
    expect(() => new AsyncFunction('require', 'github', 'context', script)).not.toThrow();
  });
});
