/** Every scenario, in the order a full run takes them: libraries generated for one are reused by the next. */
import type { Scenario } from '../context.ts';
import { firstBackupLocal } from './first-backup-local.ts';
import { hashing } from './hashing.ts';
import { incremental } from './incremental.ts';
import { noopLocal, noopS3, noopWebdav } from './noop.ts';
import { planSynthetic } from './plan-synthetic.ts';
import { remoteUpload } from './remote-upload.ts';
import { takeout } from './takeout.ts';

export const SCENARIOS: readonly Scenario[] = [firstBackupLocal, hashing, noopLocal, incremental, noopS3, noopWebdav, remoteUpload, takeout, planSynthetic];

/** Every row id a full run produces (what the CI test expects in the results file). */
export const ROW_IDS: readonly string[] = SCENARIOS.flatMap((s) => s.rows);
