/**
 * What a source scan produces: one SourceFile per file worth backing up, identified by the
 * SHA-256 of its bytes, with the capture date the layout template uses.
 */

export type MediaClass = 'photo' | 'video' | 'sidecar' | 'other';

/** Where a capture date came from, best first. */
export type CaptureSource = 'takeout-json' | 'exif' | 'quicktime' | 'filename' | 'mtime';

export interface CaptureDate {
  /** Local wall-clock time at the place of capture, "YYYY-MM-DDTHH:MM:SS". */
  readonly local: string;
  /** UTC offset at capture ("+02:00"), when known. */
  readonly offset: string | null;
  readonly source: CaptureSource;
}

export interface SourceFile {
  /** Name of the source in the config. */
  readonly source: string;
  /** Path inside the source, "/"-separated; shown to users and matched by include/exclude. */
  readonly relPath: string;
  /**
   * How to open the bytes again: an absolute file path, or for files inside an archive
   * "<archive path>#<entry name>". Only sources/ interprets it.
   */
  readonly origin: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
  readonly kind: MediaClass;
  readonly capture: CaptureDate;
  /**
   * Companion group: files that belong to one photo (a Live Photo's still and video, a photo and
   * its .AAE/.xmp sidecar) share a key and travel together. Absent for a lone file.
   */
  readonly group?: string | undefined;
  /** The file the group is named after (the still of a Live Photo). */
  readonly groupPrimary?: boolean | undefined;
  /**
   * For a companion: what follows the group's stem in its destination name (".MOV" for
   * IMG_1234_HEVC.MOV beside IMG_1234.HEIC, ".HEIC.xmp" for IMG_1234.HEIC.xmp). Default: "." + extension.
   */
  readonly stemSuffix?: string | undefined;
  /**
   * For a companion whose own stem must survive (IMG_O1234.AAE beside IMG_1234.HEIC): its stem at
   * the source. Its destination name is the group's stem with the photo's stem replaced by this.
   */
  readonly companionStem?: string | undefined;
  /** For an edited render (IMG_E1234.JPG): the path of the original it was made from. */
  readonly editOf?: string | undefined;
  readonly albums?: readonly string[] | undefined;
  /** Things the user should know about this file (an extension that lies about the content…). */
  readonly notes?: readonly string[] | undefined;
}

export interface SourceProblem {
  readonly source: string;
  readonly relPath: string;
  readonly message: string;
}

export interface SourceSnapshot {
  readonly files: readonly SourceFile[];
  /** Files that could not be read or matched; reported, never silently dropped. */
  readonly problems: readonly SourceProblem[];
  /** Files skipped by the include/exclude rules or as OS junk, counted for the summary. */
  readonly skipped: number;
}
