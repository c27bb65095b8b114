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
    if (this.pending.length >= MAX_PENDING) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), MAX_DELAY_MS);
  }

  /** Commits what is pending; resolves once everything added so far is committed or failed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const items = this.pending;
    this.pending = [];
    if (items.length > 0) {
      this.chain = this.chain.then(async () => {
        try {
          await this.durable();
        } catch (err) {
          this.fail(items, err);
          return;
        }
        this.commit(items);
      });
    }
    return this.chain;
  }
}
