/**
 * A single PUT to a store that does not verify SHA-256 checksums (older S3-compatible stores):
 * the only hash it vouches for is the ETag, the MD5 of what it stored, which photosync compares
 * with the MD5 of the bytes it sent. Stores that bend bytes cannot be made of s3rver, so the
 * answers are nock's, to the real SDK.
 */
import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/remotes/errors.ts';
import { bodyFrom } from '../contract/remote-contract.ts';
import { sha256 } from '../helpers/hash.ts';
import { s3Remote, s3Config } from '../helpers/s3.ts';
import type { S3rverHandle } from '../helpers/servers/s3rver.ts';

const ENDPOINT = 'http://127.0.0.1:9';
const STORE = { endpoint: ENDPOINT, bucket: 'photos' } as S3rverHandle;
const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

describe('s3: what a store without checksum checks vouches for', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  const putAnswering = (etagOf: Buffer) => {
    const sent: { payloadHash?: string } = {};
    nock(ENDPOINT).head(/\/photos\/.*IMG_1\.JPG$/).query(true).reply(404);
    nock(ENDPOINT)
      .put(/\/photos\/.*IMG_1\.JPG$/)
      .query(true)
      .reply(function () {
        sent.payloadHash = String(this.req.headers['x-amz-content-sha256']);
        return [200, '', { ETag: `"${md5(etagOf)}"` }];
      });
    return sent;
  };

  it('accepts an ETag that is the MD5 of the bytes sent, and signs the SHA-256 it knows', async () => {
    const photo = Buffer.from('the photo as it is on the phone');
    const sent = putAnswering(photo);
    const remote = s3Remote(s3Config(STORE, { conditionalWrites: false }));
    const entry = await remote.create('IMG_1.JPG', bodyFrom(photo, remote).body);
    expect(entry.hashes).toEqual({ md5: md5(photo) });
    expect(sent.payloadHash).toBe(sha256(photo));
  });

  it('refuses an ETag that is the MD5 of other bytes', async () => {
    const photo = Buffer.from('the photo as it is on the phone');
    putAnswering(Buffer.from('the photo, one bit flipped on the way'));
    const remote = s3Remote(s3Config(STORE, { conditionalWrites: false }));
    const failure = await remote.create('IMG_1.JPG', bodyFrom(photo, remote).body).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(IntegrityError);
    expect(String(failure)).toMatch(/MD5/);
  });
});
