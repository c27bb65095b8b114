/**
 * The bytes of one plan action, as remotes consume them. Every stream it opens hashes the whole
 * content, even when a resumed upload only sends a tail, and holds back its last chunk until the
 * hash matches the plan: a source file that changed since it was scanned makes the upload fail
 * before the remote ever sees a complete file.
 */
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { MultiHasher } from '../hashes/multi-hasher.ts';
import { SourceChangedError } from '../errors.ts';
import type { HashName, Hashes, UploadBody } from '../remotes/types.ts';

export interface BodySpec {
  /** A fresh stream of the whole content, from its first byte. */
  readonly open: () => Readable;
  readonly size: number;
  readonly sha256: string;
  /** Shown in errors: the source path as the user knows it. */
  readonly label: string;
  /** Waits until this many more bytes may be sent (--bwlimit). */
  readonly throttle?: ((bytes: number) => Promise<void>) | undefined;
  /** The whole content in one read, where that is cheaper than a stream (a plain file). */
  readonly read?: (() => Promise<Buffer>) | undefined;
  /** The plain file the content is, when a remote may read it directly (see UploadBody.localFile). */
  readonly localFile?: string | undefined;
}

export function uploadBody(spec: BodySpec, remoteHashes: readonly HashName[]): UploadBody {
  let digests: Hashes = {};
  return {
    size: spec.size,
    sha256: spec.sha256,
    label: spec.label,
    localFile: spec.throttle ? undefined : spec.localFile,
    digests: () => digests,
    async readAll() {
      const data = spec.read ? await spec.read() : Buffer.concat(await collect(this.open()));
      if (spec.read) {
        if (data.length !== spec.size) throw new SourceChangedError(spec.label, `it has ${data.length} bytes, not ${spec.size}`);
        const hasher = new MultiHasher(['sha256', ...remoteHashes]);
        hasher.update(data);
        const d = hasher.digest();
        if (d.sha256 !== spec.sha256) throw new SourceChangedError(spec.label, 'its content hash differs');
        digests = d;
        await spec.throttle?.(data.length);
      }
      return data;
    },
    open(start = 0) {
      const hasher = new MultiHasher(['sha256', ...remoteHashes]);
      const verifier = new VerifyingTransform(spec, start, hasher, (d) => {
        digests = d;
      });
      // Read from the beginning even when resuming: the hash must cover every byte.
      return pipeline(spec.open(), verifier, () => {});
    },
  };
}

async function collect(stream: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
}

class VerifyingTransform extends Transform {
  private position = 0;
  private held: Buffer | null = null;
  private readonly spec: BodySpec;
  private readonly start: number;
  private readonly hasher: MultiHasher;
  private readonly done: (d: Hashes) => void;

  constructor(spec: BodySpec, start: number, hasher: MultiHasher, done: (d: Hashes) => void) {
    super();
    this.spec = spec;
    this.start = start;
    this.hasher = hasher;
    this.done = done;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const from = this.position;
    this.position += chunk.length;
    if (this.position > this.spec.size) {
      callback(new SourceChangedError(this.spec.label, `it grew past ${this.spec.size} bytes`));
      return;
    }
    this.hasher.update(chunk);
    // Bytes before `start` were already sent in an earlier attempt: hashed, not emitted.
    const visible = this.position <= this.start ? null : chunk.subarray(Math.max(0, this.start - from));
    if (!visible || visible.length === 0) return callback();
    const emit = (): void => {
      if (this.held) this.push(this.held);
      this.held = visible;
      callback();
    };
    if (this.spec.throttle) this.spec.throttle(visible.length).then(emit, callback);
    else emit();
  }

  override _flush(callback: TransformCallback): void {
    if (this.position !== this.spec.size) {
      callback(new SourceChangedError(this.spec.label, `it has ${this.position} bytes, not ${this.spec.size}`));
      return;
    }
    const digests = this.hasher.digest();
    if (digests.sha256 !== this.spec.sha256) {
      callback(new SourceChangedError(this.spec.label, 'its content hash differs'));
      return;
    }
    this.done(digests);
    if (this.held) this.push(this.held);
    callback();
  }
}

