/**
 * Remote paths ↔ request targets and hrefs. Each segment is percent-encoded on its own (so "#",
 * "?", "%" and "/" inside a name can never change the URL's structure), and hrefs are decoded
 * segment by segment. Hrefs come back in many spellings: relative ("/dav/a%20b.jpg") or absolute
 * with the host ("http://nas:5005/dav/a%20b.jpg"), with "#" and "?" left raw (webdav-server
 * encodes with encodeURI), with a trailing slash on collections. So the share's own path is
 * compared decoded, and nothing after the authority is taken for a query or fragment.
 */

export class DavPaths {
  /** scheme://host:port */
  readonly origin: string;
  /** The share's path as sent, percent-encoded, without a trailing slash ("" for the server root). */
  private readonly basePath: string;
  private readonly baseSegments: readonly string[];

  constructor(url: string) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
    this.origin = parsed.origin;
    this.basePath = parsed.pathname.replace(/\/+$/, '');
    const segments = splitDecoded(this.basePath);
    if (!segments) throw new Error(`the path of ${url} is not valid percent-encoding`);
    this.baseSegments = segments;
  }

  /** The request target for a path under the share ("" is the share itself); collections end in "/". */
  target(relPath: string, collection = false): string {
    if (relPath === '') return `${this.basePath}/`;
    const encoded = relPath.split('/').map(encodeSegment).join('/');
    return `${this.basePath}/${encoded}${collection ? '/' : ''}`;
  }

  /** Absolute URL, for the Destination header of MOVE. */
  url(relPath: string): string {
    return `${this.origin}${this.target(relPath)}`;
  }

  /**
   * The path under the share that an href names ("" for the share itself), or null when it is
   * outside the share or cannot be decoded into plain names (which is then never used as a path).
   */
  relative(href: string): string | null {
    const withoutAuthority = href.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
    const segments = splitDecoded(withoutAuthority);
    if (!segments || segments.length < this.baseSegments.length) return null;
    for (const [i, s] of this.baseSegments.entries()) if (segments[i] !== s) return null;
    const rest = segments.slice(this.baseSegments.length);
    // A "/" or "\" inside one decoded name would turn into a folder boundary here.
    if (rest.some((s) => s.includes('/') || s.includes('\\'))) return null;
    return rest.join('/');
  }
}

/** RFC 3986 unreserved characters stay; everything else, including sub-delims, is escaped. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Non-empty segments of a path, each percent-decoded; null when the encoding is invalid. */
function splitDecoded(p: string): string[] | null {
  const out: string[] = [];
  for (const raw of p.split('/')) {
    if (raw === '') continue;
    try {
      out.push(decodeURIComponent(raw));
    } catch {
      return null;
    }
  }
  return out;
}
