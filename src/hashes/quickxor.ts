/**
 * OneDrive's quickXorHash: each input byte is XORed into a 160-bit accumulator at bit offset
 * (11 * i) mod 160; the accumulator is serialised little-endian into 20 bytes, the 64-bit
 * little-endian length is XORed into bytes 12..19, and the result is base64
 * (https://learn.microsoft.com/onedrive/developer/code-snippets/quickxorhash).
 */
const WIDTH_BITS = 160;
const SHIFT = 11;

export class QuickXorHasher {
  /** The accumulator as 20 bytes, bit k of the vector being bit (k % 8) of byte (k >> 3). */
  private readonly acc = new Uint8Array(WIDTH_BITS / 8);
  private length = 0n;
  private shift = 0;

  update(data: Buffer): void {
    const acc = this.acc;
    let shift = this.shift;
    for (let i = 0; i < data.length; i++) {
      const value = data[i]!;
      const byteIndex = shift >> 3;
      const bitOffset = shift & 7;
      // The byte's 8 bits land at [shift, shift + 8), wrapping around the 160-bit vector.
      const spread = value << bitOffset;
      acc[byteIndex] = acc[byteIndex]! ^ (spread & 0xff);
      const next = (byteIndex + 1) % acc.length;
      acc[next] = acc[next]! ^ (spread >> 8);
      shift = (shift + SHIFT) % WIDTH_BITS;
    }
    this.shift = shift;
    this.length += BigInt(data.length);
  }

  digest(): string {
    const out = Buffer.from(this.acc);
    let len = this.length;
    for (let i = 0; i < 8; i++) {
      out[12 + i] = out[12 + i]! ^ Number(len & 0xffn);
      len >>= 8n;
    }
    return out.toString('base64');
  }
}
