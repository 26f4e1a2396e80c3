/**
 * Appends every item of `items` to `target`. `target.push(...items)` passes each item as an argument, and past some
 * ten thousand items (a template with 14,000 DB instances, a plugin returning 200,000 results) that overflows the
 * stack: lists whose length the input decides are appended with this.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
