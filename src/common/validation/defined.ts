/** The properties a partial update actually sent (an omitted one is `undefined`, a cleared one `null`). */
export function definedOnly<T extends object>(dto: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(dto).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
