/**
 * Keras writes configs in snake_case (`kernel_size`, `"channels_last"`, `"hard_sigmoid"`), tfjs
 * reads them in camelCase. We normalize once at the edge with tfjs's own rule, so every layer
 * converter sees one spelling: keys and string values camelCased, names left untouched.
 */
export function toCamelCase(identifier: string): string {
  if (identifier.length <= 1 || !identifier.includes('_')) return identifier;
  return identifier.replace(/_+(\w|$)/g, (_match, next: string) => next.toUpperCase());
}

/** Deep copy of a layer config with camelCased keys and string values; `name` values are kept as written. */
export function camelCaseConfig(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key === 'name' ? value : toCamelCase(value);
  if (Array.isArray(value)) return value.map((item) => camelCaseConfig(item, key));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [rawKey, item] of Object.entries(value)) {
      const camelKey = toCamelCase(rawKey);
      result[camelKey] = camelCaseConfig(item, camelKey);
    }
    return result;
  }
  return value;
}
