/**
 * A plan as GitHub-flavoured markdown for a pull-request comment: per remote what is added and
 * the explicit "0 deletions", the first actions per remote in collapsed blocks, and the state
 * serial and config hash the plan was made from (apply refuses it once either moves on).
 */
import type { PlanFile } from '../planner/plan-file.ts';
import { code, details, table, text } from '../markdown.ts';
import { count, plural } from '../report/format.ts';
import { formatBytes } from '../units.ts';
import { groupBy } from '../group-by.ts';
import { sourcesSentence } from './render-plan.ts';

export interface PlanMarkdownOptions {
  /** Actions listed per remote (the rest are counted). */
  readonly actionsShown: number;
}

export function renderPlanMarkdown(plan: PlanFile, options: PlanMarkdownOptions): string {
  const { summary } = plan;
  const totalBytes = plan.actions.reduce((n, a) => n + a.size, 0);
  const blocks: string[] = [];
  blocks.push(
    plan.actions.length === 0
      ? '### photosync plan: no changes, 0 deletions'
      : `### photosync plan: ${plural(plan.actions.length, 'upload')} (${formatBytes(totalBytes)}), 0 deletions, 0 overwrites`,
  );
  blocks.push(
    sourcesSentence(summary) +
      (plan.problems.length > 0 ? ` **${plural(plan.problems.length, 'source file')} could not be used** (\`photosync plan\` lists them).` : ''),
  );

  const names = Object.keys(summary.remotes);
  if (names.length > 0) {
    blocks.push(
      table(
        ['remote', ['uploads', 'right'], ['bytes', 'right'], ['already there', 'right'], ['renamed', 'right'], ['left out by filters', 'right'], ['deletions', 'right']],
        names.map((name) => {
          const r = summary.remotes[name]!;
          return [text(name), r.uploads > 0 ? `+${count(r.uploads)}` : '0', formatBytes(r.bytes), count(r.alreadyThere), count(r.renamed), count(r.filteredOut), String(r.deletions)];
        }),
      ),
    );
  }

  for (const [remote, actions] of groupBy(plan.actions, (a) => a.remote)) {
    const shown = actions.slice(0, options.actionsShown);
    const rows = shown.map((a) => [code(a.to), code(`${a.source}:${a.from}`), formatBytes(a.size), a.renamed ? 'renamed' : '']);
    const more = actions.length > shown.length ? `\n\n… and ${count(actions.length - shown.length)} more (\`photosync plan --verbose\` lists all).` : '';
    blocks.push(
      details(
        `${remote}: ${shown.length < actions.length ? `the first ${count(shown.length)} of ` : ''}${plural(actions.length, 'upload')}`,
        table(['new file', 'from', ['size', 'right'], 'note'], rows) + more,
      ),
    );
  }

  blocks.push(
    `Made from state serial **${plan.state.serial}** (lineage ${code(plan.state.lineage)}) and config hash ${code(plan.config.hash)} ` +
      `by photosync ${text(plan.photosyncVersion)} at ${text(plan.createdAt)}; \`photosync apply\` refuses the saved plan once either has moved on.`,
  );
  return `${blocks.join('\n\n')}\n`;
}
