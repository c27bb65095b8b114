import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DavPaths } from '../../../src/remotes/webdav/paths.ts';

describe('webdav: paths and hrefs', () => {
  const paths = new DavPaths('http://nas.local:5005/dav/My%20Photos');

  it('encodes every segment on its own', () => {
    expect(paths.target('')).toBe('/dav/My%20Photos/');
    expect(paths.target('2024/05', true)).toBe('/dav/My%20Photos/2024/05/');
    expect(paths.target('hash#and%25percent/a#b%c.jpg')).toBe('/dav/My%20Photos/hash%23and%2525percent/a%23b%25c.jpg');
    expect(paths.target(`question?/it's "q" (1)*!.jpg`)).toBe('/dav/My%20Photos/question%3F/it%27s%20%22q%22%20%281%29%2A%21.jpg');
    expect(paths.target('plus+and&amp/a+b&c=d.jpg')).toBe('/dav/My%20Photos/plus%2Band%26amp/a%2Bb%26c%3Dd.jpg');
    expect(paths.url('a b.jpg')).toBe('http://nas.local:5005/dav/My%20Photos/a%20b.jpg');
  });

  it('reads hrefs back whatever their spelling: relative, absolute, raw # and ?, other escapes', () => {
    expect(paths.relative('/dav/My%20Photos/')).toBe('');
    expect(paths.relative('/dav/My%20Photos')).toBe('');
    expect(paths.relative('/dav/My%20Photos/2024/05/')).toBe('2024/05');
    expect(paths.relative('http://127.0.0.1:5005/dav/My%20Photos/a%20b.jpg')).toBe('a b.jpg');
    // webdav-server encodes with encodeURI, which leaves "#" and "?" as they are.
    expect(paths.relative('http://nas.local:5005/dav/My%20Photos/hash#and%25percent/a#b%25c.jpg')).toBe('hash#and%percent/a#b%c.jpg');
    expect(paths.relative('/dav/My%20Photos/question?/what?.jpg')).toBe('question?/what?.jpg');
    // Another spelling of the share's own path (lower-case escapes, an escaped letter).
    expect(paths.relative('/d%61v/My%20Photos/caf%c3%a9.jpg')).toBe('café.jpg');
  });

  it('refuses hrefs outside the share and names that would change the path structure', () => {
    expect(paths.relative('/dav/Other/a.jpg')).toBeNull();
    expect(paths.relative('/dav/')).toBeNull();
    expect(paths.relative('/dav/My%20Photos/a%2Fb.jpg')).toBeNull();
    expect(paths.relative('/dav/My%20Photos/a%5Cb.jpg')).toBeNull();
    expect(paths.relative('/dav/My%20Photos/bad%zzescape.jpg')).toBeNull();
  });

  it('a share at the server root', () => {
    const root = new DavPaths('https://nas.local');
    expect(root.target('')).toBe('/');
    expect(root.target('a/b.jpg')).toBe('/a/b.jpg');
    expect(root.relative('https://nas.local/a/b.jpg')).toBe('a/b.jpg');
  });

  it('round-trips any name', () => {
    const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => !s.includes('/') && !s.includes('\\'));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
        const p = segments.join('/');
        expect(paths.relative(paths.target(p))).toBe(p);
        expect(paths.relative(`http://nas.local:5005${paths.target(p)}`)).toBe(p);
      }),
    );
  });
});
