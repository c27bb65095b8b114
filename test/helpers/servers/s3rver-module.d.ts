/** The parts of s3rver 3.7 (a Koa application, shipped without types) that the test helpers use. */
declare module 's3rver' {
  import type { IncomingHttpHeaders } from 'node:http';
  import type { Readable } from 'node:stream';

  export interface KoaContext {
    readonly method: string;
    /** The request path as sent (percent-encoded). */
    readonly path: string;
    /** Assigning a new object rewrites the request's query string. */
    query: Readonly<Record<string, string | string[] | undefined>>;
    readonly headers: IncomingHttpHeaders;
    /** s3rver reads request bodies from here; a middleware may put a buffered copy in its place. */
    req: Readable;
    status: number;
    body: unknown;
    type: string;
    set(name: string, value: string): void;
  }
  export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

  export interface FilesystemStore {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    existsObject(bucket: string, key: string): Promise<boolean>;
  }

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string }[];
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** Koa's middleware list, composed when the server starts listening. */
    readonly middleware: KoaMiddleware[];
    readonly store: FilesystemStore;
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
