/**
 * Incremental reader of WebDAV 207 Multi-Status bodies (RFC 4918 §14.16). A Depth-infinity
 * listing of a large library is one response of hundreds of megabytes, so text is fed in as it
 * arrives and each <response> comes out as soon as it is complete. Namespaces are resolved
 * (servers pick any prefix: Apache writes "lp1:resourcetype", webdav-server "a:getcontentlength
 * xmlns:a=..."); properties are kept only from propstats whose status is 2xx.
 *
 * Hand-written because the only XML parser in the dependency tree (fast-xml-parser, via the
 * `webdav` package) is not a direct dependency, and `webdav`'s own parseXML keeps only the first
 * propstat of a response, which loses the 200 one when a server lists the 404 one first.
 */

const DAV = 'DAV:';

export interface DavProperty {
  /** Text content, entities decoded, untrimmed. */
  readonly text: string;
  /** Child elements in Clark notation ("{DAV:}collection"). */
  readonly children: readonly string[];
}

export interface DavResponse {
  readonly hrefs: readonly string[];
  /** The response-level status (a response without propstats), else null. */
  readonly status: number | null;
  /** Properties from 2xx propstats, by Clark name ("{DAV:}getcontentlength"). */
  readonly props: ReadonlyMap<string, DavProperty>;
}

export function isCollection(response: DavResponse): boolean {
  return response.props.get(`{${DAV}}resourcetype`)?.children.includes(`{${DAV}}collection`) ?? false;
}

export function davProp(response: DavResponse, local: string): string | undefined {
  return response.props.get(`{${DAV}}${local}`)?.text.trim();
}

/** The size of a file as the server reports it (0 if it does not: every server tested does). */
export function contentLength(response: DavResponse): number {
  const text = davProp(response, 'getcontentlength');
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : 0;
}

/** "HTTP/1.1 404 Not Found" → 404 */
export function statusCode(line: string): number | null {
  const m = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/i.exec(line);
  return m ? Number(m[1]) : null;
}

interface Open {
  readonly name: string;
  readonly scope: ReadonlyMap<string, string>;
}

/**
 * The document stopped before its end: a connection cut mid-answer that still ended cleanly (a
 * chunked body closed early by a proxy). The server's answer was fine; asking again helps.
 */
export class MultistatusCutShort extends Error {
  constructor() {
    super('the multistatus response ended early');
    this.name = 'MultistatusCutShort';
  }
}

/** Feed it text with write(); it returns the responses completed so far. */
export class MultistatusParser {
  private buffer = '';
  private readonly stack: Open[] = [];
  private readonly done: DavResponse[] = [];
  private text = '';
  // The response being read, and the propstat and property inside it.
  private response: { hrefs: string[]; status: number | null; props: Map<string, DavProperty> } | null = null;
  private propstat: { status: number | null; props: Map<string, { text: string; children: string[] }> } | null = null;
  private property: { name: string; text: string; children: string[] } | null = null;
  private sawRoot = false;

  write(chunk: string): DavResponse[] {
    this.buffer += chunk;
    this.drain();
    return this.done.splice(0);
  }

  /** The rest; throws if the document was cut short or was not a multistatus. */
  end(): DavResponse[] {
    this.drain();
    if (this.buffer.trim() !== '' || this.stack.length > 0) throw new MultistatusCutShort();
    if (!this.sawRoot) throw new Error('the response is not a WebDAV multistatus');
    return this.done.splice(0);
  }

  private drain(): void {
    let pos = 0;
    const buf = this.buffer;
    for (;;) {
      const lt = buf.indexOf('<', pos);
      if (lt === -1) break;
      if (lt > pos) this.onText(decodeEntities(buf.slice(pos, lt)));
      pos = lt;
      let end: number;
      if (buf.startsWith('<!--', lt)) {
        end = buf.indexOf('-->', lt + 4);
        if (end === -1) break;
        end += 3;
      } else if (buf.startsWith('<![CDATA[', lt)) {
        end = buf.indexOf(']]>', lt + 9);
        if (end === -1) break;
        this.onText(buf.slice(lt + 9, end));
        end += 3;
      } else if (buf.startsWith('<?', lt)) {
        end = buf.indexOf('?>', lt + 2);
        if (end === -1) break;
        end += 2;
      } else {
        const close = tagEnd(buf, lt + 1);
        if (close === -1) break;
        end = close + 1;
        const tag = buf.slice(lt + 1, close);
        if (tag.startsWith('!')) {
          // A DOCTYPE: nothing in a multistatus needs one, and internal subsets are not supported.
        } else if (tag.startsWith('/')) this.onEnd();
        else this.onStart(tag);
      }
      pos = end;
    }
    this.buffer = buf.slice(pos);
  }

  private onStart(tag: string): void {
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameEnd = body.search(/[\s]/);
    const qname = nameEnd === -1 ? body : body.slice(0, nameEnd);
    const parent = this.stack[this.stack.length - 1];
    let scope: ReadonlyMap<string, string> = parent?.scope ?? new Map<string, string>();
    if (nameEnd !== -1) {
      let own: Map<string, string> | null = null;
      for (const m of body.slice(nameEnd).matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        const attr = m[1]!;
        if (attr !== 'xmlns' && !attr.startsWith('xmlns:')) continue;
        own ??= new Map(scope);
        own.set(attr === 'xmlns' ? '' : attr.slice(6), decodeEntities(m[2] ?? m[3] ?? ''));
      }
      if (own) scope = own;
    }
    const colon = qname.indexOf(':');
    const prefix = colon === -1 ? '' : qname.slice(0, colon);
    const local = colon === -1 ? qname : qname.slice(colon + 1);
    const name = `{${scope.get(prefix) ?? ''}}${local}`;
    this.stack.push({ name, scope });
    this.text = '';
    this.started(name);
    if (selfClosing) this.onEnd();
  }

  private started(name: string): void {
    const depth = this.stack.length;
    if (depth === 1) {
      if (name !== `{${DAV}}multistatus`) throw new Error(`the response is not a WebDAV multistatus (root element ${name})`);
      this.sawRoot = true;
    } else if (depth === 2 && name === `{${DAV}}response`) {
      this.response = { hrefs: [], status: null, props: new Map() };
    } else if (depth === 3 && name === `{${DAV}}propstat` && this.response) {
      this.propstat = { status: null, props: new Map() };
    } else if (depth === 5 && this.propstat && this.stack[3]?.name === `{${DAV}}prop`) {
      this.property = { name, text: '', children: [] };
    } else if (depth === 6 && this.property) {
      this.property.children.push(name);
    }
  }

  private onText(text: string): void {
    this.text += text;
    if (this.property && this.stack.length === 5) this.property.text += text;
  }

  private onEnd(): void {
    const open = this.stack.pop();
    if (!open) throw new Error('malformed multistatus: a closing tag without an opening one');
    const depth = this.stack.length + 1;
    const text = this.text;
    this.text = '';
    if (depth === 3 && this.response) {
      if (open.name === `{${DAV}}href`) this.response.hrefs.push(text.trim());
      else if (open.name === `{${DAV}}status`) this.response.status = statusCode(text);
      else if (open.name === `{${DAV}}propstat` && this.propstat) {
        const status = this.propstat.status;
        if (status !== null && status >= 200 && status < 300) {
          for (const [k, v] of this.propstat.props) this.response.props.set(k, v);
        }
        this.propstat = null;
      }
    } else if (depth === 4 && this.propstat && open.name === `{${DAV}}status`) {
      this.propstat.status = statusCode(text);
    } else if (depth === 5 && this.property && this.propstat) {
      this.propstat.props.set(this.property.name, this.property);
      this.property = null;
    } else if (depth === 2 && this.response && open.name === `{${DAV}}response`) {
      this.done.push(this.response);
      this.response = null;
    }
  }
}

/** Index of the ">" that ends a tag starting at `from`, skipping quoted attribute values; -1 if not there yet. */
function tagEnd(buf: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED[ref] ?? whole;
  });
}

function safeCodePoint(n: number): string | null {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : null;
}
