/**
 * The soak's distributions and its upload client: small valid wheels (lib's `buildWheel`) and
 * sdists (`<name>-<version>.tar.gz` holding `<name>-<version>/PKG-INFO`, PEP 625), uploaded the way
 * twine does (legacy API, multipart).
 */
import { gzipSync } from 'node:zlib';
import { buildWheel } from '@quiver/shared-testing';
import { sha256 } from './lib.mjs';

/** A ustar header block (512 bytes) for a regular file or directory. */
function tarHeader(name, size, type) {
  const header = Buffer.alloc(512);
  const put = (text, at, length) => header.write(text, at, length, 'utf8');
  const octal = (value, at, length) => put(`${value.toString(8).padStart(length - 1, '0')}\0`, at, length);
  put(name, 0, 100);
  octal(type === '5' ? 0o755 : 0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(1_767_225_600, 136, 12); // 2026-01-01
  put('        ', 148, 8); // the checksum counts its own field as spaces
  put(type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return header;
}

function tarGz(members) {
  const blocks = [];
  for (const { name, data } of members) {
    if (data === undefined) {
      blocks.push(tarHeader(name, 0, '5'));
      continue;
    }
    blocks.push(tarHeader(name, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A minimal valid sdist of project `name` (PEP 503 form) at `version`. */
export function buildSdist(name, version) {
  const stem = `${name.toLowerCase().replace(/[-_.]+/g, '_')}-${version}`;
  const pkgInfo = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: soak sdist\n\n`;
  const bytes = tarGz([
    { name: `${stem}/` },
    { name: `${stem}/PKG-INFO`, data: Buffer.from(pkgInfo) },
    { name: `${stem}/pyproject.toml`, data: Buffer.from(`[project]\nname = "${name}"\nversion = "${version}"\n`) },
  ]);
  return { filename: `${stem}.tar.gz`, bytes };
}

/** One distribution to upload: `kind` is `wheel` or `sdist`. */
export function distribution(project, version, kind) {
  const built = kind === 'wheel' ? buildWheel(project, version) : buildSdist(project, version);
  return { project, version, kind, filename: built.filename, bytes: built.bytes, sha256: sha256(built.bytes) };
}

/** Uploads `dist` like twine; resolves to the HTTP status (never throws for a status, only for a network error). */
export async function upload(base, headers, dist) {
  const form = new FormData();
  const wheel = dist.kind === 'wheel';
  const fields = {
    ':action': 'file_upload',
    protocol_version: '1',
    name: dist.project,
    version: dist.version,
    metadata_version: '2.1',
    filetype: wheel ? 'bdist_wheel' : 'sdist',
    pyversion: wheel ? 'py3' : 'source',
    sha256_digest: dist.sha256,
  };
  for (const [key, value] of Object.entries(fields)) {
    form.append(key, value);
  }
  form.append('content', new Blob([dist.bytes]), dist.filename);
  const response = await fetch(`${base}/legacy/`, { method: 'POST', body: form, headers });
  const text = await response.text();
  return { status: response.status, text };
}
