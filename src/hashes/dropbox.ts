/**
 * Dropbox's content_hash: SHA-256 of each 4 MiB block, the raw digests concatenated, SHA-256 of
 * that, lowercase hex (https://www.dropbox.com/developers/reference/content-hash).
 */
import { createHash, type Hash } from 'node:crypto';

const BLOCK = 4 * 1024 * 1024;

export class DropboxContentHasher {
  private readonly overall: Hash = createHash('sha256');
  private block: Hash = createHash('sha256');
  private inBlock = 0;

  update(data: Buffer): void {
    let offset = 0;
    while (offset < data.length) {
      const take = Math.min(BLOCK - this.inBlock, data.length - offset);
      this.block.update(data.subarray(offset, offset + take));
      this.inBlock += take;
      offset += take;
      if (this.inBlock === BLOCK) {
        this.overall.update(this.block.digest());
        this.block = createHash('sha256');
        this.inBlock = 0;
      }
    }
  }

  digest(): string {
    if (this.inBlock > 0) this.overall.update(this.block.digest());
    return this.overall.digest('hex');
  }
}
