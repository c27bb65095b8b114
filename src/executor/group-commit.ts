/**
 * Group commit for remotes that make writes durable in batches (see Remote.durable): finished
 * uploads wait here, a few thousand at most or a second, then one durability
 * barrier covers them all and they are journalled together. Until then they are not journalled:
 * after a crash the next run finds them on the remote by their content.
 */
const MAX_PENDING = 4096;
const MAX_DELAY_MS = 1000;

export class GroupCommit<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly durable: () => Promise<void>;
  private readonly commit: (items: T[]) => void;
  private readonly fail: (items: T[], error: unknown) => void;

  constructor(durable: () => Promise<void>, commit: (items: T[]) => void, fail: (items: T[], error: unknown) => void) {
    this.durable = durable;
    this.commit = commit;
    this.fail = fail;
  }

  add(item: T): void {
    this.pending.push(item);
    if (this.pending.length >= MAX_PENDING) this.commitPending();
    else this.timer ??= setTimeout(() => this.commitPending(), MAX_DELAY_MS);
  }

  /**
   * Commits what is pending; resolves once everything added so far is committed or failed, and
   * rejects if journalling a batch failed (the state database could not be written).
   */
  async flush(): Promise<void> {
    this.commitPending();
    await this.chain;
    if (this.journalError !== undefined) throw this.journalError;
  }

  private journalError: unknown;

  /** Queues the pending items' barrier and commit. The chain never rejects, so a batch whose
   * journalling failed neither skips the later ones nor becomes an unhandled rejection. */
  private commitPending(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const items = this.pending;
    this.pending = [];
    if (items.length === 0) return;
    this.chain = this.chain.then(async () => {
      let durable = true;
      try {
        await this.durable();
      } catch (err) {
        durable = false;
        this.record(() => this.fail(items, err));
      }
      if (durable) this.record(() => this.commit(items));
    });
  }

  private record(journal: () => void): void {
    try {
      journal();
    } catch (err) {
      this.journalError ??= err;
    }
  }
}
