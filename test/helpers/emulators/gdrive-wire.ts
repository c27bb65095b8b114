/**
 * Drive's wire formats as the emulator needs them, kept apart from its state: the documented
 * error bodies (shared/docs/cloud-apis.md §1.6), multipart/related bodies as googleapis sends
 * them (§1.2), and the Content-Range forms of the resumable protocol.
 */

export class WireError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly headers: Record<string, string>;
  readonly domain: string;
  readonly location: { location: string; locationType: string } | undefined;

  constructor(
    status: number,
    reason: string,
    message: string,
    headers: Record<string, string> = {},
    domain = 'global',
    location?: { location: string; locationType: string },
  ) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.headers = headers;
    this.domain = domain;
    this.location = location;
  }

  body(): unknown {
    const error: Record<string, unknown> = {
      code: this.status,
      message: this.message,
      errors: [{ message: this.message, domain: this.domain, reason: this.reason, ...(this.location ?? {}) }],
    };
    if (this.status === 401) error['status'] = 'UNAUTHENTICATED';
    return { error };
  }
}

/** The canned errors Drive documents, by the reason tests ask for. */
export const DRIVE_ERRORS = {
  authError: () =>
    new WireError(
      401,
      'authError',
      'Invalid Credentials',
      { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      'global',
      { location: 'Authorization', locationType: 'header' },
    ),
  userRateLimitExceeded: () => new WireError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', {}, 'usageLimits'),
  rateLimitExceeded403: () => new WireError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', {}, 'usageLimits'),
  rateLimitExceeded429: () => new WireError(429, 'rateLimitExceeded', 'Too many requests', {}, 'usageLimits'),
  storageQuotaExceeded: () =>
    new WireError(403, 'storageQuotaExceeded', "The user's Drive storage quota has been exceeded.", {}, 'usageLimits'),
  backendError: (status = 500) => new WireError(status, 'backendError', 'Backend Error'),
  notFound: (id: string) => new WireError(404, 'notFound', `File not found: ${id}.`, {}, 'global', { location: 'fileId', locationType: 'parameter' }),
  invalid: (what: string, message: string) =>
    new WireError(400, 'invalid', message, {}, 'global', { location: what, locationType: 'parameter' }),
  badRequest: (message: string) => new WireError(400, 'badRequest', message),
  fileNotFound: () => new WireError(404, 'notFound', 'File not found: (injected).', {}, 'global', { location: 'fileId', locationType: 'parameter' }),
  idInUse: () => new WireError(409, 'fileIdInUse', 'A file already exists with the provided ID.'),
} as const;

/** The errors a test can inject as they are (the others need arguments). */
export type DriveErrorName = 'authError' | 'userRateLimitExceeded' | 'rateLimitExceeded403' | 'rateLimitExceeded429' | 'storageQuotaExceeded' | 'backendError' | 'fileNotFound';

export interface MultipartUpload {
  readonly metadata: Record<string, unknown>;
  readonly mediaType: string;
  readonly media: Buffer;
}

/**
 * Parses a multipart/related upload body exactly: two parts (JSON metadata, then the media), part
 * headers in any case, CRLF line ends and the closing delimiter. Anything else is a protocol error.
 */
export function parseMultipart(contentType: string, body: Buffer): MultipartUpload {
  const m = /^multipart\/related;\s*boundary=("?)([^";]+)\1\s*$/i.exec(contentType);
  if (!m) throw DRIVE_ERRORS.badRequest(`multipart upload needs Content-Type multipart/related with a boundary, got ${contentType}`);
  const delimiter = Buffer.from(`--${m[2]}`);
  const parts: { headers: Map<string, string>; content: Buffer }[] = [];
  if (!body.subarray(0, delimiter.length).equals(delimiter)) throw DRIVE_ERRORS.badRequest('multipart body does not start with its boundary');
  let pos = delimiter.length;
  for (;;) {
    const after = body.subarray(pos, pos + 2).toString('latin1');
    if (after === '--') {
      const rest = body.subarray(pos + 2).toString('latin1');
      if (rest !== '' && rest !== '\r\n') throw DRIVE_ERRORS.badRequest('bytes after the closing multipart boundary');
      break;
    }
    if (after !== '\r\n') throw DRIVE_ERRORS.badRequest('multipart boundary not followed by CRLF');
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw DRIVE_ERRORS.badRequest('multipart part without a header block');
    const headers = new Map<string, string>();
    for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw DRIVE_ERRORS.badRequest(`malformed multipart part header ${JSON.stringify(line)}`);
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const contentStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), contentStart);
    if (next < 0) throw DRIVE_ERRORS.badRequest('multipart body ends without its closing boundary (truncated upload?)');
    parts.push({ headers, content: body.subarray(contentStart, next) });
    pos = next + 2 + delimiter.length;
  }
  if (parts.length !== 2) throw DRIVE_ERRORS.badRequest(`a multipart upload has 2 parts (metadata, media), this one has ${parts.length}`);
  const [meta, media] = parts as [(typeof parts)[0], (typeof parts)[0]];
  if (!/^application\/json/i.test(meta.headers.get('content-type') ?? '')) {
    throw DRIVE_ERRORS.badRequest('the first multipart part must be application/json metadata');
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(meta.content.toString('utf8'));
  } catch {
    throw DRIVE_ERRORS.badRequest('multipart metadata is not JSON');
  }
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw DRIVE_ERRORS.badRequest('multipart metadata is not an object');
  return { metadata: metadata as Record<string, unknown>, mediaType: media.headers.get('content-type') ?? 'application/octet-stream', media: media.content };
}

export type ContentRange =
  | { readonly kind: 'status'; readonly total: number | null }
  | { readonly kind: 'bytes'; readonly first: number; readonly last: number; readonly total: number | null };

export function parseContentRange(header: string | undefined): ContentRange {
  if (header === undefined) throw DRIVE_ERRORS.badRequest('a resumable upload request needs a Content-Range header');
  const status = /^bytes \*\/(\d+|\*)$/.exec(header);
  if (status) return { kind: 'status', total: status[1] === '*' ? null : Number(status[1]) };
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header);
  if (!range) throw DRIVE_ERRORS.badRequest(`malformed Content-Range ${JSON.stringify(header)}`);
  const first = Number(range[1]);
  const last = Number(range[2]);
  if (last < first) throw DRIVE_ERRORS.badRequest(`Content-Range ${header} ends before it starts`);
  return { kind: 'bytes', first, last, total: range[3] === '*' ? null : Number(range[3]) };
}

/** Drive's own ids look like this: 33 characters of [A-Za-z0-9_-]. */
export function driveId(random: () => number = Math.random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  let id = '1';
  for (let i = 0; i < 32; i++) id += alphabet[Math.floor(random() * alphabet.length)];
  return id;
}
