/**
 * Scenario sizes. `default` is the issue's sizes; `small` is for a developer's loop; `tiny` is
 * what CI runs to check the harness works (well under two minutes). Every size can be overridden
 * with `--set name=value` or an environment variable `BENCH_<NAME>` (`BENCH_NOOP_FILES=20000`).
 */

export interface Sizes {
  /** Repetitions of each timed command (the median is reported). */
  readonly reps: number;
  /** Repetitions of no-op runs, which are short and noisier. */
  readonly noopReps: number;
  /** Mean size of a "small" photo in KiB (each is a real JPEG with EXIF, padded to 0.5–1.5× this). */
  readonly smallKib: number;
  /** Size of a "large" photo in MiB. */
  readonly bigMib: number;
  readonly localSmallFiles: number;
  readonly localBigFiles: number;
  readonly noopFiles: number;
  readonly s3NoopFiles: number;
  readonly webdavNoopFiles: number;
  /** The two library sizes of the 1%-new scenario. */
  readonly incrementalSmall: number;
  readonly incrementalLarge: number;
  readonly newPercent: number;
  /** Large files hashed by the first-scan scenario. */
  readonly hashFiles: number;
  readonly webdavSmallFiles: number;
  readonly remoteBigFiles: number;
  readonly planFiles: number;
  /** Photos (each with its JSON sidecar) in the two Takeout exports. */
  readonly takeoutSmall: number;
  readonly takeoutLarge: number;
}

export type ProfileName = 'default' | 'small' | 'tiny';

export const PROFILES: Record<ProfileName, Sizes> = {
  default: {
    // Five, not three: on this VM one run in a scenario is often far off the others (a cold page
    // cache after the host reclaimed it, a noisy neighbour), and the median of three follows it.
    reps: 5,
    noopReps: 5,
    smallKib: 32,
    bigMib: 3,
    localSmallFiles: 20_000,
    localBigFiles: 1_000,
    noopFiles: 100_000,
    s3NoopFiles: 5_000,
    webdavNoopFiles: 1_000,
    incrementalSmall: 50_000,
    incrementalLarge: 100_000,
    newPercent: 1,
    hashFiles: 1_000,
    webdavSmallFiles: 300,
    remoteBigFiles: 200,
    planFiles: 1_000_000,
    takeoutSmall: 5_000,
    takeoutLarge: 20_000,
  },
  small: {
    reps: 3,
    noopReps: 3,
    smallKib: 32,
    bigMib: 3,
    localSmallFiles: 2_000,
    localBigFiles: 100,
    noopFiles: 10_000,
    s3NoopFiles: 500,
    webdavNoopFiles: 500,
    incrementalSmall: 5_000,
    incrementalLarge: 10_000,
    newPercent: 1,
    hashFiles: 100,
    webdavSmallFiles: 100,
    remoteBigFiles: 20,
    planFiles: 100_000,
    takeoutSmall: 500,
    takeoutLarge: 2_000,
  },
  tiny: {
    reps: 2,
    noopReps: 2,
    smallKib: 8,
    bigMib: 1,
    localSmallFiles: 100,
    localBigFiles: 10,
    noopFiles: 300,
    s3NoopFiles: 30,
    webdavNoopFiles: 30,
    incrementalSmall: 200,
    incrementalLarge: 400,
    newPercent: 5,
    hashFiles: 10,
    webdavSmallFiles: 20,
    remoteBigFiles: 3,
    planFiles: 5_000,
    takeoutSmall: 50,
    takeoutLarge: 200,
  },
};

export function isProfile(name: string): name is ProfileName {
  return Object.hasOwn(PROFILES, name);
}

/** The profile's sizes with the overrides applied; an unknown name or a non-number is an error. */
export function resolveSizes(profile: ProfileName, overrides: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): Sizes {
  const sizes: Record<string, number> = { ...PROFILES[profile] };
  const fromEnv = Object.keys(sizes).flatMap((key) => {
    const value = env[`BENCH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
    return value === undefined ? [] : [[key, value] as const];
  });
  for (const [key, value] of [...fromEnv, ...Object.entries(overrides)]) {
    if (!(key in sizes)) throw new Error(`unknown size "${key}"; known: ${Object.keys(sizes).join(', ')}`);
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`size ${key}=${value} is not a positive number`);
    sizes[key] = n;
  }
  return sizes as unknown as Sizes;
}
