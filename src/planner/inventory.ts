/** An in-memory RemoteInventory built from inventory rows: two hash lookups per question. */
import { pathKey } from './path-key.ts';
import type { RemoteInventory } from './types.ts';

export interface InventoryItem {
  readonly path: string;
  readonly sha256: string | null;
}

export class MemoryInventory implements RemoteInventory {
  private readonly byContent = new Map<string, string>();
  private readonly keys = new Set<string>();

  constructor(items: Iterable<InventoryItem> = []) {
    for (const item of items) this.add(item);
  }

  add(item: InventoryItem): void {
    this.keys.add(pathKey(item.path));
    if (item.sha256 !== null && !this.byContent.has(item.sha256)) this.byContent.set(item.sha256, item.path);
  }

  pathOf(sha256: string): string | undefined {
    return this.byContent.get(sha256);
  }

  isTaken(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Every content this remote holds. */
  contents(): IterableIterator<string> {
    return this.byContent.keys();
  }
}
