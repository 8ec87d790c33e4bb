/**
 * Reads an address the test harness exported for a real service. A test that needs a service it
 * cannot reach fails loudly here; it is never skipped.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: integration and end-to-end suites run through 'npm test' (or after 'npm run infra:up'), which start the real services and export their addresses.`,
    );
  }
  return value;
}

/** A scratch directory name unique to one test, for isolating keys, topics, schemas and buckets. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
