/**
 * Core metadata (a wheel's METADATA, an sdist's PKG-INFO): RFC 822-style header fields, repeated
 * fields kept in order, continuation lines starting with whitespace, and the description as the
 * body after the first blank line.
 * Spec: https://packaging.python.org/specifications/core-metadata/
 */
export interface CoreMetadata {
  /** `Metadata-Version`, or '' when absent. */
  readonly metadataVersion: string;
  /** `Name` as written, or '' when absent. */
  readonly name: string;
  /** `Version` as written, or '' when absent. */
  readonly version: string;
  readonly summary?: string;
  readonly requiresPython?: string;
  /** The `Description` field, or else the body. */
  readonly description?: string;
  readonly requiresDist: readonly string[];
  readonly licenseFiles: readonly string[];
  readonly dynamic: readonly string[];
  /** Every header field, keyed by lower-case field name, values in the order they appear. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
}

const FIELD = /^([!-9;-~]+):[ \t]*(.*)$/;

export function parseCoreMetadata(bytes: Uint8Array): CoreMetadata {
  const text = new TextDecoder('utf-8').decode(bytes).replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const fields = new Map<string, string[]>();
  let current: { readonly values: string[]; readonly index: number } | undefined;
  let bodyStart = lines.length;
  for (const [position, line] of lines.entries()) {
    if (line === '') {
      bodyStart = position + 1;
      break;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current) {
        current.values[current.index] = `${current.values[current.index] ?? ''}\n${line.replace(/^[ \t]+/, '')}`;
      }
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) {
      current = undefined; // not a header line: ignored, as email parsers record it as a defect
      continue;
    }
    const key = (match[1] ?? '').toLowerCase();
    const values = fields.get(key) ?? [];
    values.push((match[2] ?? '').trimEnd());
    fields.set(key, values);
    current = { values, index: values.length - 1 };
  }
  const first = (key: string): string | undefined => fields.get(key)?.[0];
  const body = lines.slice(bodyStart).join('\n');
  const description = first('description') ?? (body.trim() === '' ? undefined : body);
  const optional = (key: string, value: string | undefined): Record<string, string> => (value === undefined ? {} : { [key]: value });
  return {
    metadataVersion: first('metadata-version') ?? '',
    name: first('name') ?? '',
    version: first('version') ?? '',
    ...optional('summary', first('summary')),
    ...optional('requiresPython', first('requires-python')),
    ...optional('description', description),
    requiresDist: fields.get('requires-dist') ?? [],
    licenseFiles: fields.get('license-file') ?? [],
    dynamic: fields.get('dynamic') ?? [],
    fields,
  };
}

/** Whether `metadataVersion` is at least `major.minor` (e.g. 2.4, where License-File became binding). */
export function metadataVersionAtLeast(metadataVersion: string, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(metadataVersion.trim());
  if (!match) {
    return false;
  }
  const [actualMajor, actualMinor] = [Number(match[1]), Number(match[2])];
  return actualMajor > major || (actualMajor === major && actualMinor >= minor);
}
