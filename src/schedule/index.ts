/** The scheduler kinds, and which one a machine uses when the user does not say. */
import { cron } from './cron.ts';
import type { Exec } from './exec.ts';
import type { ScheduleKind, Scheduler } from './jobs.ts';
import { launchd } from './launchd.ts';
import { systemd } from './systemd.ts';
import { windows } from './windows.ts';

export const SCHEDULERS: Readonly<Record<ScheduleKind, Scheduler>> = { cron, systemd, launchd, windows };

/** linux: a user systemd when one answers, else cron; macOS: launchd; Windows: Task Scheduler. */
export async function defaultKind(platform: NodeJS.Platform, exec: Exec): Promise<ScheduleKind> {
  if (platform === 'darwin') return 'launchd';
  if (platform === 'win32') return 'windows';
  if (platform === 'linux' && (await userSystemdAnswers(exec))) return 'systemd';
  return 'cron';
}

/** What uninstall looks at without --kind: every kind install may have chosen on this platform. */
export function platformKinds(platform: NodeJS.Platform): ScheduleKind[] {
  if (platform === 'darwin') return ['launchd'];
  if (platform === 'win32') return ['windows'];
  if (platform === 'linux') return ['systemd', 'cron'];
  return ['cron'];
}

async function userSystemdAnswers(exec: Exec): Promise<boolean> {
  try {
    return (await exec(['systemctl', '--user', 'show-environment'])).code === 0;
  } catch {
    return false; // no systemctl at all
  }
}
