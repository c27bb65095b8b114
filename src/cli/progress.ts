/**
 * Progress while scanning and uploading: bars per remote (files, bytes, rate, ETA) on a terminal,
 * and a plain status line every so often when not on one (cron, CI, a log file).
 */
import cliProgress from 'cli-progress';
import type { ApplyEvent } from '../executor/execute.ts';
import type { UploadAction } from '../planner/types.ts';
import type { ScanProgress } from '../sources/scan.ts';
import { formatBytes, formatDuration } from '../units.ts';
import type { Output } from './output.ts';

const PLAIN_EVERY_MS = 10_000;

interface RemoteTally {
  label: string;
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
  inFlight: Map<number, number>;
  bar?: cliProgress.SingleBar | undefined;
}

export class ApplyProgress {
  private readonly out: Output;
  private readonly tallies = new Map<string, RemoteTally>();
  private readonly started = Date.now();
  private readonly multibar: cliProgress.MultiBar | undefined;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(out: Output, actions: readonly UploadAction[]) {
    this.out = out;
    for (const a of actions) {
      const t = this.tallies.get(a.remote) ?? { label: a.remote, files: 0, totalFiles: 0, bytes: 0, totalBytes: 0, inFlight: new Map() };
      t.totalFiles++;
      t.totalBytes += a.size;
      this.tallies.set(a.remote, t);
    }
    if (out.interactive) {
      this.multibar = new cliProgress.MultiBar(
        {
          stream: out.io.stderr as NodeJS.WritableStream,
          format: ' {remote} {bar} {percentage}% | {files} | {size} | {rate} | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      const width = Math.max(...[...this.tallies.keys()].map((n) => n.length));
      for (const t of this.tallies.values()) {
        t.label = t.label.padEnd(width);
        t.bar = this.multibar.create(Math.max(1, t.totalBytes), 0, this.payload(t));
      }
    } else if (!out.quiet && !out.json) {
      this.timer = setInterval(() => this.plainLine(), PLAIN_EVERY_MS);
      this.timer.unref();
    }
  }

  handle(event: ApplyEvent): void {
    const t = this.tallies.get(event.action.remote);
    if (!t) return;
    switch (event.type) {
      case 'progress':
        t.inFlight.set(event.action.id, event.bytes);
        break;
      case 'done':
        t.inFlight.delete(event.action.id);
        t.files++;
        t.bytes += event.action.size;
        break;
      case 'failed':
        t.inFlight.delete(event.action.id);
        // On a terminal it shows as it happens, above the bars; plain output lists failures once, at the end.
        this.multibar?.log(`${this.out.errColor.red('failed')} ${event.action.remote}: ${event.action.to}: ${event.error}\n`);
        break;
      case 'retry':
        this.out.detail(`retry ${event.attempt} of ${event.action.to} on ${event.action.remote} in ${event.delayMs} ms: ${event.error}`);
        break;
      case 'start':
        break;
    }
    t.bar?.update(this.sent(t), this.payload(t));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.multibar?.stop();
  }

  private sent(t: RemoteTally): number {
    let inFlight = 0;
    for (const b of t.inFlight.values()) inFlight += b;
    return t.bytes + inFlight;
  }

  private payload(t: RemoteTally): Record<string, string> {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    return {
      remote: t.label,
      files: `${t.files}/${t.totalFiles} files`,
      size: `${formatBytes(this.sent(t))}/${formatBytes(t.totalBytes)}`,
      rate: `${formatBytes(Math.round(this.sent(t) / seconds))}/s`,
    };
  }

  private plainLine(): void {
    const elapsed = Date.now() - this.started;
    for (const [name, t] of this.tallies) {
      const sent = this.sent(t);
      const rate = sent / Math.max(0.001, elapsed / 1000);
      const eta = rate > 0 ? formatDuration(((t.totalBytes - sent) / rate) * 1000) : '?';
      this.out.note(
        `photosync: ${name}: ${t.files}/${t.totalFiles} files, ${formatBytes(sent)}/${formatBytes(t.totalBytes)}, ${formatBytes(
          Math.round(rate),
        )}/s, ETA ${eta}`,
      );
    }
  }
}

/** Scan progress: a counter on a terminal, nothing in a log unless the scan is long. */
export function scanProgressReporter(out: Output): { update(p: ScanProgress): void; stop(): void } {
  let last = out.interactive ? 0 : Date.now();
  let shown = false;
  return {
    update(p) {
      if (p.phase !== 'hashing' || out.quiet || out.json) return;
      const now = Date.now();
      if (out.interactive) {
        if (now - last < 100 && p.files < p.totalFiles) return;
        last = now;
        shown = true;
        out.io.stderr.write(`\rhashing ${p.files}/${p.totalFiles} new or changed files (${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)})`);
      } else if (now - last >= PLAIN_EVERY_MS) {
        last = now;
        out.note(`photosync: hashed ${p.files}/${p.totalFiles} files (${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)})`);
      }
    },
    stop() {
      if (shown) out.io.stderr.write('\n');
    },
  };
}
