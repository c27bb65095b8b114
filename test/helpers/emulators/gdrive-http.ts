/**
 * The Drive emulator's HTTP plumbing: injectable faults and what they match, the request log,
 * and reading bodies (cut off where a fault says, or where the client gave up).
 */
import type http from 'node:http';
import { DRIVE_ERRORS, type DriveErrorName } from './gdrive-wire.ts';

export type Fault =
  | { readonly kind: 'error'; readonly error: DriveErrorName; readonly retryAfter?: string }
  /** The connection is cut after this many bytes of the request body (0: before any). */
  | { readonly kind: 'drop-request'; readonly afterBodyBytes: number }
  /** The request is carried out, then the connection is cut instead of answering. */
  | { readonly kind: 'drop-response' }
  /** A resumable chunk arrives whole but Drive keeps only this many of its bytes (whole 256 KiB units): 308 with a shorter Range. */
  | { readonly kind: 'short-persist'; readonly keepBytes: number };

export interface FaultMatch {
  readonly method?: string;
  readonly path?: string | RegExp;
  /** Matches the uploadType query parameter (resumable chunks carry uploadType=resumable too). */
  readonly uploadType?: string;
  /** Only requests that carry an upload_id (resumable chunks and status queries). */
  readonly chunk?: boolean;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly contentRange: string | undefined;
  bodyBytes: number;
  status: number;
}

export function matches(match: FaultMatch, method: string, url: URL): boolean {
  if (match.method && match.method !== method) return false;
  if (typeof match.path === 'string' && match.path !== url.pathname) return false;
  if (match.path instanceof RegExp && !match.path.test(url.pathname)) return false;
  if (match.uploadType && url.searchParams.get('uploadType') !== match.uploadType) return false;
  if (match.chunk !== undefined && url.searchParams.has('upload_id') !== match.chunk) return false;
  return true;
}

/**
 * Reads a request body. With a drop fault the connection is cut after that many bytes; a
 * client that gives up mid-body also ends here. Returns what arrived and whether that was all.
 */
export function receive(req: http.IncomingMessage, record: RequestRecord, fault: Fault | null): Promise<{ data: Buffer; complete: boolean }> {
  const dropAt = fault?.kind === 'drop-request' ? fault.afterBodyBytes : Infinity;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      record.bodyBytes = length;
      resolve({ data: Buffer.concat(chunks), complete });
    };
    if (dropAt === 0) {
      req.socket.destroy();
      finish(false);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      const take = Math.min(chunk.length, dropAt - length);
      chunks.push(chunk.subarray(0, take));
      length += take;
      if (length >= dropAt) {
        req.socket.destroy();
        finish(false);
      }
    });
    req.on('end', () => finish(true));
    req.on('close', () => finish(false));
    req.on('error', () => finish(false));
  });
}

/** The whole body, or null when the connection was cut before its end. */
export async function readBody(req: http.IncomingMessage, record: RequestRecord, fault: Fault | null): Promise<Buffer | null> {
  const { data, complete } = await receive(req, record, fault);
  return complete ? data : null;
}

/** A JSON metadata body, as Drive takes it (application/json, an object). */
export function jsonBody(req: http.IncomingMessage, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) throw DRIVE_ERRORS.badRequest('metadata must be sent as application/json');
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* answered below */
  }
  throw DRIVE_ERRORS.badRequest('metadata is not a JSON object');
}
