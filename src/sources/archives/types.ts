/** A file inside a Takeout archive part, as its directory (zip) or headers (tar) describe it. */
export interface ArchiveMember {
  /** The entry's name as stored (decoded, not normalised): with the archive path, it finds the bytes again. */
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}
