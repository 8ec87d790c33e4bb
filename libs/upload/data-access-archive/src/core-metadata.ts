/** Core metadata (METADATA / PKG-INFO): RFC 822-style headers, then the description as the body. */
export interface CoreMetadata {
  readonly metadataVersion?: string;
  readonly name?: string;
  readonly version?: string;
  readonly summary?: string;
  readonly requiresPython?: string;
  readonly requiresDist: readonly string[];
  readonly licenseFiles: readonly string[];
  readonly dynamic: readonly string[];
  /** Every header, keyed by lower-case field name, values in order. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
}

export function parseCoreMetadata(bytes: Uint8Array): CoreMetadata {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/\r\n?/g, '\n');
  const fields = new Map<string, string[]>();
  let last: { key: string; index: number } | undefined;
  for (const line of text.split('\n')) {
    if (line === '') {
      break; // the body (description) starts after the first empty line
    }
    if (/^[ \t]/.test(line) && last) {
      const values = fields.get(last.key) ?? [];
      values[last.index] = `${values[last.index] ?? ''}\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = fields.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(key, values);
    last = { key, index: values.length - 1 };
  }
  const one = (key: string): string | undefined => fields.get(key)?.[0];
  const optional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
    (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
  return {
    ...optional('metadataVersion', one('metadata-version')),
    ...optional('name', one('name')),
    ...optional('version', one('version')),
    ...optional('summary', one('summary')),
    ...optional('requiresPython', one('requires-python')),
    requiresDist: fields.get('requires-dist') ?? [],
    licenseFiles: fields.get('license-file') ?? [],
    dynamic: fields.get('dynamic') ?? [],
    fields,
  };
}

/** License-File became a standard field, whose files must be shipped, with metadata 2.4. */
export function declaresLicenseFiles(metadataVersion: string | undefined): boolean {
  const [major = 0, minor = 0] = (metadataVersion ?? '').split('.').map(Number);
  return major > 2 || (major === 2 && minor >= 4);
}
