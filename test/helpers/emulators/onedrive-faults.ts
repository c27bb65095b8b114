/** Faults the OneDrive emulator injects on request, to test how the remote copes. */

export type Fault =
  | { readonly status: 429 | 503; readonly retryAfter?: string }
  | { readonly status: 500 | 502 | 504 }
  /** On an upload URL: the fragment is refused as if it overlapped or left a gap (the client must ask the session where it is). */
  | { readonly status: 416 }
  /**
   * The connection is cut: after the first bytes of the request body ("request"; a request
   * without a body is not processed at all), or half way through the response after the request
   * was processed ("response").
   */
  | { readonly drop: 'request' | 'response' }
  /** Every access token issued so far stops working (the next API call gets 401 InvalidAuthenticationToken). */
  | { readonly expireTokens: true };

/** Where a request went: the Graph API, an upload URL, a download URL, the token endpoint. */
export type Place = 'api' | 'upload' | 'download' | 'token';

export interface FaultOptions {
  readonly place?: Place;
  /** How many matching requests get the fault (1). */
  readonly times?: number;
  /** How many matching requests to let through first (0). */
  readonly after?: number;
  /** Only requests whose "METHOD /path" matches. */
  readonly match?: RegExp;
}

export class FaultQueue {
  private readonly pending: { fault: Fault; place: Place; match: RegExp | null; skip: number; remaining: number }[] = [];

  add(fault: Fault, options: FaultOptions): void {
    this.pending.push({ fault, place: options.place ?? 'api', match: options.match ?? null, skip: options.after ?? 0, remaining: options.times ?? 1 });
  }

  /** The fault this request gets, if any. */
  take(place: Place, request: string): Fault | null {
    const i = this.pending.findIndex((f) => f.place === place && (f.match === null || f.match.test(request)));
    if (i < 0) return null;
    const entry = this.pending[i]!;
    if (entry.skip > 0) {
      entry.skip--;
      return null;
    }
    if (--entry.remaining <= 0) this.pending.splice(i, 1);
    return entry.fault;
  }
}
