/**
 * `type: google-takeout`: a Google Photos export from Google Takeout, extracted or as its
 * takeout-*.zip / .tgz parts read in place (list.ts), hashed in one pass per archive (hash.ts),
 * its JSON sidecars paired with their media by Google's naming rules (match.ts) and assembled
 * into dated, grouped photos with their albums (assemble.ts).
 */
import type { SourceKind } from '../source-kind.ts';
import { assembleTakeout } from './assemble.ts';
import { hashTakeout } from './hash.ts';
import { listTakeout } from './list.ts';
import { readTakeoutJson } from './sidecar-json.ts';

export const takeoutKind: SourceKind = {
  list: listTakeout,
  hash: hashTakeout,
  sidecarMeta: (_relPath, text) => readTakeoutJson(text),
  assemble: assembleTakeout,
};
