/** Test-only builders for distributions and a temporary directory that is removed afterwards. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDistributionFilename, type DistributionFilename } from '@quiver/upload-domain';
import type { ZipEntrySpec } from './zip-writer.js';

export const metadataText = (fields: Readonly<Record<string, string | readonly string[]>> = {}, body = ''): string => {
  const all: Record<string, string | readonly string[]> = { 'Metadata-Version': '2.1', Name: 'demo', Version: '1.0', ...fields };
  const lines = Object.entries(all).flatMap(([key, value]) => (typeof value === 'string' ? [value] : value).map((item) => `${key}: ${item}`));
  return `${lines.join('\n')}\n\n${body}`;
};

export const WHEEL_TEXT = 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n';

/** Members of a valid wheel; `omit` drops dist-info files by base name, `extra` adds members. */
export function wheelEntries(options: { metadata?: string; omit?: readonly string[]; extra?: readonly ZipEntrySpec[]; distInfo?: string } = {}): ZipEntrySpec[] {
  const distInfo = options.distInfo ?? 'demo-1.0.dist-info';
  const files: Record<string, string> = {
    WHEEL: WHEEL_TEXT,
    METADATA: options.metadata ?? metadataText(),
    RECORD: `demo/__init__.py,,\n${distInfo}/WHEEL,,\n${distInfo}/METADATA,,\n${distInfo}/RECORD,,\n`,
  };
  return [
    { name: 'demo/__init__.py', data: 'VALUE = 1\n' },
    ...Object.entries(files)
      .filter(([base]) => !(options.omit ?? []).includes(base))
      .map(([base, data]) => ({ name: `${distInfo}/${base}`, data })),
    ...(options.extra ?? []),
  ];
}

export const parsed = (filename: string): DistributionFilename => {
  const result = parseDistributionFilename(filename, filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist');
  if (!result.ok) {
    throw new Error(result.message);
  }
  return result.value;
};

/** A temporary directory for one spec file; `dispose` removes it and everything in it. */
export async function tempDirectory(): Promise<{ readonly path: string; write(name: string, bytes: Uint8Array): Promise<string>; dispose(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'quiver-archive-'));
  let counter = 0;
  return {
    path: directory,
    write: async (name, bytes) => {
      counter += 1;
      const path = join(directory, `${counter}-${name}`);
      await writeFile(path, bytes);
      return path;
    },
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}
