/**
 * Appends items to an array in place. `into.push(...items)` passes every item as an argument, on
 * the call stack: past about 125,000 items (Node 20) it throws "Maximum call stack size exceeded",
 * and a family library reaches that many photos.
 */
export function pushAll<T>(into: T[], items: Iterable<T>): void {
  for (const item of items) into.push(item);
}
