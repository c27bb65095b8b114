/**
 * The key two remote paths clash on. Many remotes fold case (Dropbox, OneDrive, Windows and macOS
 * disks) or Unicode normalisation (macOS): treating "IMG_1.JPG" and "img_1.jpg", or NFC and NFD
 * spellings, as one name everywhere means a plan can never aim two files at one place.
 */
export function pathKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}
