/**
 * OneDrive refuses the characters " * : < > ? \ | in names (Personal and Business alike), which
 * photo names and the contract's hostile names do contain. Like rclone, photosync stores each as
 * its full-width look-alike (？ for ?), and reads those back as the ASCII character. A name that
 * already holds a full-width look-alike (or the quote mark used for escaping) gets "‛" before it,
 * so every name survives the round trip exactly.
 */
const FORBIDDEN = '"*:<>?\\|';
const FULL_WIDTH = '＂＊：＜＞？＼｜';
const ESCAPE = '\u201b';

/** A photosync path segment as OneDrive can store it. */
export function toDriveName(name: string): string {
  let out = '';
  for (const ch of name) {
    const forbidden = FORBIDDEN.indexOf(ch);
    if (forbidden >= 0) out += FULL_WIDTH[forbidden];
    else if (ch === ESCAPE || FULL_WIDTH.includes(ch)) out += ESCAPE + ch;
    else out += ch;
  }
  return out;
}

/** A name as OneDrive lists it, back in photosync's terms. */
export function fromDriveName(name: string): string {
  let out = '';
  let escaped = false;
  for (const ch of name) {
    if (escaped) {
      out += ch;
      escaped = false;
    } else if (ch === ESCAPE) {
      escaped = true;
    } else {
      const wide = FULL_WIDTH.indexOf(ch);
      out += wide >= 0 ? FORBIDDEN[wide] : ch;
    }
  }
  return escaped ? out + ESCAPE : out;
}

/**
 * The Graph address of a drive path ("/Photos/2024/a.jpg", or "" for the drive root). Every
 * segment is percent-encoded: the Graph client sends a raw "#" or "?" on as the start of a
 * fragment or query, silently cutting the path there.
 */
export function driveAddress(drivePath: string): string {
  if (drivePath === '') return '/me/drive/root';
  return `/me/drive/root:${drivePath.split('/').map(encodeURIComponent).join('/')}:`;
}
