import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import type { ArchiveLimits } from './archive-limits.js';
import { declaresLicenseFiles, parseCoreMetadata } from './core-metadata.js';
import { ArchiveRefusal, type InspectedDistribution } from './inspected-distribution.js';
import { isUnsafeMemberPath, memberNotAllowed } from './member-path.js';
import { listZip } from './zip-reader.js';

interface Members {
  readonly names: Set<string>;
  readonly topLevel: Set<string>;
  pkgInfo?: Uint8Array;
  count: number;
  inflated: number;
}

const SPARSE = 'Invalid distribution file. tar archive not accepted: Sparse members are not allowed. See https://packaging.python.org/specifications/source-distribution-format/ for more information.';

function noteMember(members: Members, name: string): void {
  const clean = name.replace(/\/+$/, '');
  if (clean === '' || isUnsafeMemberPath(clean)) {
    throw new ArchiveRefusal(memberNotAllowed(name));
  }
  members.names.add(clean);
  members.topLevel.add(clean.split('/')[0] ?? '');
}

/** Streams a .tar.gz without writing anything: only regular files and directories are allowed. */
async function readTarGz(path: string, pkgInfoPath: string, limits: ArchiveLimits): Promise<Members> {
  const members: Members = { names: new Set(), topLevel: new Set(), count: 0, inflated: 0 };
  const gunzip = createGunzip();
  gunzip.on('data', (chunk: Buffer) => {
    members.inflated += chunk.length;
    if (members.inflated > limits.maxInflatedBytes) {
      gunzip.destroy(new ArchiveRefusal('Invalid distribution file. Archive exceeds the inflated size limit'));
    }
  });
  const tar = extract();
  tar.on('entry', (header: Header, stream, next) => {
    try {
      members.count += 1;
      if (members.count > limits.maxMembers) {
        throw new ArchiveRefusal('Invalid distribution file. Archive exceeds the member limit');
      }
      const pax = header.pax ?? {};
      if (Object.keys(pax).some((key) => key.startsWith('GNU.sparse')) || (header.type as string | null) === 'gnu-sparse' || header.type === null) {
        throw new ArchiveRefusal(SPARSE);
      }
      if (header.type !== 'file' && header.type !== 'directory' && header.type !== 'contiguous-file') {
        throw new ArchiveRefusal(memberNotAllowed(header.name));
      }
      noteMember(members, header.name);
      if (header.name === pkgInfoPath) {
        if ((header.size ?? 0) > limits.maxMetadataBytes) {
          throw new ArchiveRefusal(`Invalid distribution file. PKG-INFO is larger than ${limits.maxMetadataBytes} bytes`);
        }
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
        stream.on('end', () => {
          members.pkgInfo = Buffer.concat(chunks);
          next();
        });
        return;
      }
      stream.on('end', () => next());
      stream.resume();
    } catch (error) {
      tar.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  });
  try {
    await pipeline(createReadStream(path), gunzip, tar);
  } catch (error) {
    if (error instanceof ArchiveRefusal) {
      throw error;
    }
    throw new ArchiveRefusal(`Invalid distribution file. ${error instanceof Error ? error.message : String(error)}`);
  }
  return members;
}

/** An sdist: exactly one top-level directory `<name>-<version>` holding PKG-INFO. */
export async function inspectSdist(path: string, filename: string, limits: ArchiveLimits): Promise<InspectedDistribution> {
  const isZip = filename.endsWith('.zip');
  const top = filename.slice(0, -(isZip ? '.zip' : '.tar.gz').length);
  const pkgInfoPath = `${top}/PKG-INFO`;
  let members: Members;
  if (isZip) {
    const zip = await listZip(path, limits);
    try {
      members = { names: new Set(), topLevel: new Set(), count: zip.memberCount, inflated: zip.uncompressedSize };
      for (const name of zip.names) {
        noteMember(members, name);
      }
      const pkgInfo = await zip.read(pkgInfoPath);
      if (pkgInfo) {
        members.pkgInfo = pkgInfo;
      }
    } finally {
      zip.close();
    }
  } else {
    members = await readTarGz(path, pkgInfoPath, limits);
  }
  if (members.topLevel.size !== 1 || !members.topLevel.has(top)) {
    throw new ArchiveRefusal('Invalid distribution file. Incorrect number of top-level directories in sdist');
  }
  if (!members.pkgInfo) {
    throw new ArchiveRefusal(`Invalid distribution file. PKG-INFO not found at ${pkgInfoPath}`);
  }
  const metadata = parseCoreMetadata(members.pkgInfo);
  for (const license of declaresLicenseFiles(metadata.metadataVersion) ? metadata.licenseFiles : []) {
    if (!members.names.has(`${top}/${license}`)) {
      throw new ArchiveRefusal(`License-File ${license} does not exist in distribution file ${filename} at ${top}/${license}`);
    }
  }
  return { coreMetadata: members.pkgInfo, metadata, memberCount: members.count, uncompressedSize: members.inflated };
}
