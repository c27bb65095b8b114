/**
 * What every scenario gets: the sizes, a work folder, the servers, and the libraries shared by
 * several scenarios (generated once per run; a library that is also backed up by both tools is
 * kept backed up by both, so later scenarios can rely on it).
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writePhotos } from './library.ts';
import { runOnce } from './measure.ts';
import type { Sizes } from './profiles.ts';
import type { Row } from './results.ts';
import type { Servers } from './servers.ts';
import { checkApplied, photosync, photosyncSetup, rclone, rcloneSetup, TRANSFERS, type PhotosyncSetup, type RcloneSetup } from './tools.ts';

export interface BenchContext {
  readonly sizes: Sizes;
  readonly work: string;
  readonly logDir: string;
  readonly servers: Servers;
  readonly libraries: Libraries;
  log(message: string): void;
}

export interface Scenario {
  readonly id: string;
  /** What --scenario also accepts for this one (the ids of the rows it produces). */
  readonly rows: readonly string[];
  run(ctx: BenchContext): Promise<Row[]>;
}

/** A local library backed up to a local folder by photosync and, separately, by rclone. */
export interface BackedUpLibrary {
  readonly lib: string;
  readonly files: number;
  readonly photosync: PhotosyncSetup;
  readonly photosyncDst: string;
  readonly rclone: RcloneSetup;
  readonly rcloneDst: string;
  /** Number of the next photo to add (new photos continue the numbering, with their own content). */
  next: number;
}

export class Libraries {
  private readonly pristine = new Map<string, string>();
  private readonly backedUp = new Map<number, BackedUpLibrary>();

  private readonly work: string;
  private readonly sizes: Sizes;
  private readonly logDir: string;
  private readonly log: (m: string) => void;

  constructor(work: string, sizes: Sizes, logDir: string, log: (m: string) => void) {
    this.work = work;
    this.sizes = sizes;
    this.logDir = logDir;
    this.log = log;
  }

  /** `count` small photos, never changed once written. */
  small(count: number): string {
    return this.once(`small-${count}`, (dir) => writePhotos(dir, { folder: '', first: 0, count, meanBytes: this.sizes.smallKib * 1024, tag: 'small' }));
  }

  /** `count` photos of exactly bigMib MiB, never changed once written. */
  big(count: number): string {
    return this.once(`big-${count}`, (dir) => writePhotos(dir, { folder: '', first: 0, count, exactBytes: this.sizes.bigMib * 1024 * 1024, tag: 'big' }));
  }

  /** `count` small photos backed up once (untimed) to a local folder by each tool; later scenarios may add photos. */
  async backedUpLocal(count: number): Promise<BackedUpLibrary> {
    const known = this.backedUp.get(count);
    if (known) return known;
    const root = path.join(this.work, `backed-up-${count}`);
    const lib = path.join(root, 'library');
    this.log(`generating ${count} photos in ${lib}`);
    writePhotos(lib, { folder: '', first: 0, count, meanBytes: this.sizes.smallKib * 1024, tag: `backed-up-${count}` });
    const photosyncDst = path.join(root, 'photosync-backup');
    const rcloneDst = path.join(root, 'rclone-backup');
    const ps = photosyncSetup(path.join(root, 'photosync'), { type: 'local', path: lib }, ['type: local', `path: ${JSON.stringify(photosyncDst)}`, `transfers: ${TRANSFERS.local}`]);
    const rc = rcloneSetup(path.join(root, 'rclone'));
    this.log(`backing up ${count} photos once with each tool (setup, untimed)`);
    checkApplied(await runOnce(photosync(ps, ['apply']), this.logDir), { uploaded: count });
    await runOnce(rclone(rc, ['copy', lib, rcloneDst, '--transfers', String(TRANSFERS.local)]), this.logDir);
    const library: BackedUpLibrary = { lib, files: count, photosync: ps, photosyncDst, rclone: rc, rcloneDst, next: count };
    this.backedUp.set(count, library);
    return library;
  }

  private once(name: string, make: (dir: string) => void): string {
    const known = this.pristine.get(name);
    if (known) return known;
    const dir = path.join(this.work, name);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    this.log(`generating library ${name}`);
    make(dir);
    this.pristine.set(name, dir);
    return dir;
  }
}
