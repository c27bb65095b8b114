/** A saved plan file, read for apply or report: a missing, unreadable or foreign file is an input error with a hint. */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { parsePlanFile, planSha256, type PlanFile } from '../planner/plan-file.ts';

export async function readPlan(file: string): Promise<{ plan: PlanFile; sha: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read plan file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'make one with "photosync plan --out FILE"',
    });
  }
  const { plan, problems } = parsePlanFile(text);
  if (!plan) {
    throw new InputError(`${file} is not a valid photosync plan: ${problems.join('; ')}`, {
      hint: 'make it again with "photosync plan --out FILE"; do not edit plan files by hand',
    });
  }
  return { plan, sha: planSha256(text) };
}
