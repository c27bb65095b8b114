/**
 * `type: icloud-export`: what Photos.app "Export Unmodified Originals", an icloud.com download
 * (unzipped) or icloudpd leaves in a folder. Live Photos pair up (IMG_1234.HEIC + IMG_1234.MOV,
 * or icloudpd's IMG_1234_HEVC.MOV), .AAE and .xmp sidecars go with their photo, and edited
 * renders (IMG_E1234) stay their own photo, linked to the original. Files of icloudpd's smaller
 * sizes (-medium, -thumb) are copies of a photo, not photos, and are noted as such.
 */
import { groupCompanions } from './companions.ts';
import { listFolder, toSourceFile } from './local.ts';
import type { SourceKind } from './source-kind.ts';

const DOWNSIZED = /-(medium|thumb)\.[^./]+$/i;

export const icloudExportKind: SourceKind = {
  list: listFolder,
  // Companions are grouped within a folder (groupCompanions); nothing else crosses folders.
  assemblesByFolder: true,
  assemble(source, files) {
    const out = files.map((f) => {
      const file = toSourceFile(source, f);
      return DOWNSIZED.test(file.relPath)
        ? { ...file, notes: [...(file.notes ?? []), 'an icloudpd reduced-size copy (-medium/-thumb), backed up as its own file'] }
        : file;
    });
    return { files: groupCompanions(out), problems: [] };
  },
};
