import type { ArchiveLimits } from './archive-limits.js';
import { declaresLicenseFiles, parseCoreMetadata } from './core-metadata.js';
import { ArchiveRefusal, type InspectedDistribution } from './inspected-distribution.js';
import { listZip } from './zip-reader.js';

const ENTRY_POINT_GROUP = /^\[\s*[\w.-]+\s*\]$/;
const ENTRY_POINT = /^[^=\s][^=]*=\s*[\w.]+(\s*:\s*[\w.]+)?(\s*\[[\w\s,.-]*\])?$/;

function validEntryPoints(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  let inGroup = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) {
      continue;
    }
    if (ENTRY_POINT_GROUP.test(line)) {
      inGroup = true;
    } else if (!inGroup || !ENTRY_POINT.test(line)) {
      return false;
    }
  }
  return true;
}

/** A wheel: a safe zip with `<name>-<version>.dist-info/{WHEEL,METADATA,RECORD}`. */
export async function inspectWheel(path: string, filename: string, limits: ArchiveLimits): Promise<InspectedDistribution> {
  const [name = '', version = ''] = filename.split('-');
  const distInfo = `${name}-${version}.dist-info`;
  const zip = await listZip(path, limits);
  try {
    if (!zip.names.has(`${distInfo}/WHEEL`)) {
      throw new ArchiveRefusal(`Invalid distribution file. WHEEL not found at ${distInfo}/WHEEL`);
    }
    const metadataBytes = await zip.read(`${distInfo}/METADATA`);
    if (!metadataBytes) {
      throw new ArchiveRefusal(`Wheel '${filename}' does not contain the required METADATA file: ${distInfo}/METADATA`);
    }
    if (!zip.names.has(`${distInfo}/RECORD`)) {
      throw new ArchiveRefusal(`Wheel '${filename}' does not contain the required RECORD file: ${distInfo}/RECORD`);
    }
    const entryPoints = await zip.read(`${distInfo}/entry_points.txt`);
    if (entryPoints && !validEntryPoints(entryPoints)) {
      throw new ArchiveRefusal(`Wheel '${filename}' has invalid entry points defined in the entry_points.txt file`);
    }
    const metadata = parseCoreMetadata(metadataBytes);
    for (const license of declaresLicenseFiles(metadata.metadataVersion) ? metadata.licenseFiles : []) {
      if (!zip.names.has(`${distInfo}/licenses/${license}`)) {
        throw new ArchiveRefusal(`License-File ${license} does not exist in distribution file ${filename} at ${distInfo}/licenses/${license}`);
      }
    }
    return { coreMetadata: metadataBytes, metadata, memberCount: zip.memberCount, uncompressedSize: zip.uncompressedSize };
  } finally {
    zip.close();
  }
}
