/** What a scenario reports: one or more rows of the results table, with every number kept for the JSON file. */
import { median, type Series } from './measure.ts';

export interface Measured {
  readonly label: string;
  /** Median of the repetitions, in `unit`. */
  readonly median: number;
  readonly unit: string;
  /** Every repetition, in `unit`. */
  readonly values: readonly number[];
  /** Wall seconds of every repetition (the same as `values` when the unit is seconds). */
  readonly seconds: readonly number[];
  /** Largest peak RSS over the repetitions, KiB (null for a figure derived from several runs). */
  readonly peakRssKib: number | null;
}

export interface Row {
  /** Stable id (`local-small`, `noop-s3`…), what --scenario selects and the CI test checks. */
  readonly id: string;
  readonly title: string;
  readonly target: string;
  readonly photosync: Measured;
  readonly baseline: Measured | null;
  /** The figure the target is about; its meaning is `ratioMeaning`. */
  readonly ratio: number | null;
  readonly ratioMeaning: string;
  /** How the table shows the ratio, where a bare number would not say it (request counts). */
  readonly ratioText?: string;
  /** null: could not be judged here (said in the notes). */
  readonly met: boolean | null;
  /** Further figures (request counts, throughput, per-file times…). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
}

/** A series of timed runs as a Measured figure in seconds. */
export function seconds(series: Series, label = series.label): Measured {
  return { label, median: median(series.seconds), unit: 's', values: series.seconds, seconds: series.seconds, peakRssKib: Math.max(...series.peakRssKib) };
}

/** The same runs expressed in another unit (files/s, MB/s…), one value per run. */
export function derived(series: Series, unit: string, f: (seconds: number) => number, label = series.label): Measured {
  const values = series.seconds.map(f);
  return { label, median: median(values), unit, values, seconds: series.seconds, peakRssKib: Math.max(...series.peakRssKib) };
}

export const MB = 1e6;
export const MiB = 1024 * 1024;
