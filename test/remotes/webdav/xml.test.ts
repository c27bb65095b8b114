import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { davProp, isCollection, MultistatusParser, statusCode, type DavResponse } from '../../../src/remotes/webdav/xml.ts';

function parseAll(xml: string, chunkSizes: number[] = [xml.length]): DavResponse[] {
  const parser = new MultistatusParser();
  const out: DavResponse[] = [];
  let pos = 0;
  for (let i = 0; pos < xml.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length]!);
    out.push(...parser.write(xml.slice(pos, pos + size)));
    pos += size;
  }
  out.push(...parser.end());
  return out;
}

// As Apache 2.4 mod_dav_fs answers a PROPFIND Depth 1 for resourcetype and getcontentlength.
const APACHE = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
<D:response xmlns:lp1="DAV:" xmlns:g0="DAV:">
<D:href>/dav/photos/</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
<D:propstat>
<D:prop>
<g0:getcontentlength/>
</D:prop>
<D:status>HTTP/1.1 404 Not Found</D:status>
</D:propstat>
</D:response>
<D:response xmlns:lp1="DAV:">
<D:href>/dav/photos/a%20b%23%3f%25.jpg</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:getcontentlength>5</lp1:getcontentlength>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
</D:multistatus>
`;

// As webdav-server (npm) answers: absolute hrefs, the 404 propstat after the 200 one, inline xmlns.
const WEBDAV_SERVER =
  '<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>http://127.0.0.1:35255/dav/t1/</D:href>' +
  '<D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop></D:propstat>' +
  '<D:propstat><D:prop><a:getcontentlength xmlns:a="DAV:"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>' +
  '<D:response><D:href>http://127.0.0.1:35255/dav/t1/top.jpg</D:href><D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop>' +
  '<D:resourcetype></D:resourcetype><a:getcontentlength xmlns:a="DAV:">3</a:getcontentlength></D:prop></D:propstat></D:response></D:multistatus>';

// As Nextcloud (sabre/dav) answers a quota PROPFIND: default namespace prefixes d:, s:, oc:, nc:.
const SABRE_QUOTA = `<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" xmlns:oc="http://owncloud.org/ns" xmlns:nc="http://nextcloud.org/ns">
 <d:response>
  <d:href>/remote.php/dav/files/ann/</d:href>
  <d:propstat>
   <d:prop>
    <d:quota-used-bytes>1572864</d:quota-used-bytes>
    <d:quota-available-bytes>-3</d:quota-available-bytes>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
</d:multistatus>`;

describe('webdav: multistatus reader', () => {
  it('reads Apache answers: hrefs, collections, sizes; 404 propstats are ignored', () => {
    const [root, file] = parseAll(APACHE);
    expect(root?.hrefs).toEqual(['/dav/photos/']);
    expect(isCollection(root!)).toBe(true);
    expect(davProp(root!, 'getcontentlength')).toBeUndefined();
    expect(file?.hrefs).toEqual(['/dav/photos/a%20b%23%3f%25.jpg']);
    expect(isCollection(file!)).toBe(false);
    expect(davProp(file!, 'getcontentlength')).toBe('5');
  });

  it('reads webdav-server answers, whatever order the propstats come in', () => {
    const [root, file] = parseAll(WEBDAV_SERVER);
    expect(isCollection(root!)).toBe(true);
    expect(file?.hrefs).toEqual(['http://127.0.0.1:35255/dav/t1/top.jpg']);
    expect(davProp(file!, 'getcontentlength')).toBe('3');
  });

  it('reads sabre/dav quota answers', () => {
    const [root] = parseAll(SABRE_QUOTA);
    expect(davProp(root!, 'quota-used-bytes')).toBe('1572864');
    expect(davProp(root!, 'quota-available-bytes')).toBe('-3');
  });

  it('resolves namespaces rather than trusting prefixes', () => {
    const xml =
      '<multistatus xmlns="DAV:"><response><href>/a.jpg</href><propstat><prop>' +
      '<getcontentlength>1</getcontentlength><x:getcontentlength xmlns:x="urn:not-dav">999</x:getcontentlength>' +
      '</prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>';
    const [r] = parseAll(xml);
    expect(davProp(r!, 'getcontentlength')).toBe('1');
    expect(() => parseAll('<D:multistatus xmlns:D="urn:other"></D:multistatus>')).toThrow(/not a WebDAV multistatus/);
  });

  it('decodes entities, CDATA and character references in hrefs, and skips comments', () => {
    const xml =
      '<?xml version="1.0"?><!-- generated --><D:multistatus xmlns:D="DAV:"><D:response>' +
      '<D:href>/dav/plus+and&amp;amp/a+b&amp;c=d&#x20;&#39;q&apos;.jpg</D:href>' +
      '<D:propstat><D:prop><D:getcontentlength><![CDATA[12]]></D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>' +
      '</D:response></D:multistatus>';
    const [r] = parseAll(xml);
    expect(r?.hrefs).toEqual(["/dav/plus+and&amp/a+b&c=d 'q'.jpg"]);
    expect(davProp(r!, 'getcontentlength')).toBe('12');
  });

  it('keeps a status-only response (e.g. 404 for one href) without properties', () => {
    const xml = '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/gone.jpg</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response></D:multistatus>';
    const [r] = parseAll(xml);
    expect(r?.status).toBe(404);
    expect(r?.props.size).toBe(0);
  });

  it('gives the same result however the body is cut into chunks', () => {
    const whole = parseAll(APACHE + '').map(simplify);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }), (sizes) => {
        expect(parseAll(APACHE, sizes).map(simplify)).toEqual(whole);
        expect(parseAll(WEBDAV_SERVER, sizes).map(simplify)).toEqual(parseAll(WEBDAV_SERVER).map(simplify));
      }),
    );
  });

  it('hands out responses as soon as they are complete', () => {
    const parser = new MultistatusParser();
    const cut = APACHE.indexOf('<D:response xmlns:lp1="DAV:">');
    expect(parser.write(APACHE.slice(0, cut)).length).toBe(1);
    expect(parser.write(APACHE.slice(cut)).length).toBe(1);
    expect(parser.end()).toEqual([]);
  });

  it('refuses a body that was cut short', () => {
    const parser = new MultistatusParser();
    parser.write(APACHE.slice(0, APACHE.length - 30));
    expect(() => parser.end()).toThrow(/ended early/);
  });

  it('reads status lines', () => {
    expect(statusCode('HTTP/1.1 200 OK')).toBe(200);
    expect(statusCode(' HTTP/1.0 404 Not Found ')).toBe(404);
    expect(statusCode('HTTP/2 507')).toBe(507);
    expect(statusCode('garbage')).toBeNull();
  });
});

function simplify(r: DavResponse): unknown {
  return { hrefs: r.hrefs, status: r.status, props: [...r.props.entries()] };
}
