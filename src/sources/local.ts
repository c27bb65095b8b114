/**
 * `type: local`: any folder, a phone's or camera's DCIM folder included. DCF folders recycle
 * names (IMG_0001.JPG in 100APPLE and in 101APPLE); photos are told apart by content, so that is
 * never a clash. Files of one photo (Live Photo still and video, RAW + JPEG, .AAE/.xmp sidecars)
 * are grouped so they travel together.
 */
import path from 'node:path';
import type { SourceConfig } from '../config/types.ts';
import { captureFromMtime, filenameCaptureDate } from '../media/capture-date.ts';
import { mediaClassOf } from '../media/kinds.ts';
import { sniffMismatch } from '../media/sniff.ts';
import { groupCompanions } from './companions.ts';
import type { Listing, ScannedFile, SourceKind } from './source-kind.ts';
import type { SourceFile } from './types.ts';
import { walkSource } from './walk.ts';

export async function listFolder(source: SourceConfig): Promise<Listing> {
  return walkSource(source.path, source);
}

/** A scanned file as a SourceFile, dated by what it carries: embedded date, else its name, else its mtime. */
export function toSourceFile(source: SourceConfig, file: ScannedFile): SourceFile {
  const name = path.posix.basename(file.relPath);
  const mismatch = file.scan.magic ? sniffMismatch(name, file.scan.magic) : null;
  return {
    source: source.name,
    relPath: file.relPath,
    origin: file.origin,
    size: file.size,
    mtimeMs: file.mtimeMs,
    sha256: file.scan.sha256,
    kind: mediaClassOf(name),
    capture: file.scan.capture ?? filenameCaptureDate(name) ?? captureFromMtime(file.mtimeMs),
    ...(mismatch ? { notes: [mismatch] } : {}),
  };
}

export const localKind: SourceKind = {
  list: listFolder,
  // Companions are grouped within a folder (groupCompanions); nothing else crosses folders.
  assemblesByFolder: true,
  assemble: (source, files) => ({ files: groupCompanions(files.map((f) => toSourceFile(source, f))), problems: [] }),
};
