import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { inspectDistribution } from './inspect-distribution.js';
import type { ArchiveLimits } from './archive-limits.js';
import { metadataText, parsed, tempDirectory } from './testing/fixtures.js';
import { buildTar, buildTarGz, buildTarGzBomb, paxRecord, rechecksum, type TarEntrySpec } from './testing/tar-writer.js';
import { buildZip } from './testing/zip-writer.js';

const FILENAME = 'demo-1.0.tar.gz';

const sdistEntries = (options: { pkgInfo?: string | false; extra?: readonly TarEntrySpec[] } = {}): TarEntrySpec[] => [
  { name: 'demo-1.0', type: 'directory' },
  ...(options.pkgInfo === false ? [] : [{ name: 'demo-1.0/PKG-INFO', data: options.pkgInfo ?? metadataText() }]),
  { name: 'demo-1.0/pyproject.toml', data: '[project]\nname = "demo"\n' },
  { name: 'demo-1.0/src/demo/__init__.py', data: 'VALUE = 1\n' },
  ...(options.extra ?? []),
];

describe('sdist inspection', () => {
  let temp: Awaited<ReturnType<typeof tempDirectory>>;
  before(async () => {
    temp = await tempDirectory();
  });
  after(() => temp.dispose());

  const inspect = async (bytes: Uint8Array, limits?: Partial<ArchiveLimits>, filename = FILENAME) =>
    inspectDistribution(await temp.write(filename, bytes), parsed(filename), { filename, ...(limits ? { limits } : {}) });

  const refusal = async (archive: readonly TarEntrySpec[] | Uint8Array, limits?: Partial<ArchiveLimits>, filename = FILENAME): Promise<string> => {
    const result = await inspect(archive instanceof Uint8Array ? archive : await buildTarGz(archive), limits, filename);
    assert.equal(result.ok, false, 'expected a rejection');
    assert.ok(!result.ok);
    assert.equal(result.rejection.code, 'invalid-distribution');
    return result.rejection.message;
  };

  const notAllowed = (member: string): string => `Invalid distribution file. Archive member '${member}' is not allowed (absolute, parent-relative or link)`;

  it('accepts a valid .tar.gz sdist and returns its PKG-INFO bytes', async () => {
    const pkgInfo = metadataText({ 'Metadata-Version': '2.4', 'License-File': 'LICENSE', 'Requires-Python': '>=3.9' }, 'Description\n');
    const result = await inspect(await buildTarGz(sdistEntries({ pkgInfo, extra: [{ name: 'demo-1.0/LICENSE', data: 'MIT' }] })));
    assert.ok(result.ok, result.ok ? '' : result.rejection.message);
    assert.deepEqual(Buffer.from(result.value.coreMetadata), Buffer.from(pkgInfo));
    assert.equal(result.value.metadata.requiresPython, '>=3.9');
    assert.equal(result.value.memberCount, 5);
  });

  it('accepts a valid .zip sdist', async () => {
    const pkgInfo = metadataText();
    const zip = buildZip([{ name: 'demo-1.0/' }, { name: 'demo-1.0/PKG-INFO', data: pkgInfo }, { name: 'demo-1.0/setup.py', data: 'print(1)\n' }]);
    const result = await inspect(zip, undefined, 'demo-1.0.zip');
    assert.ok(result.ok, result.ok ? '' : result.rejection.message);
    assert.deepEqual(Buffer.from(result.value.coreMetadata), Buffer.from(pkgInfo));
  });

  it('refuses a file that is not a gzip-compressed tar', async () => {
    assert.equal(await refusal(Buffer.from('not gzip at all')), 'Invalid distribution file. File is not a gzip-compressed tar archive');
    assert.equal(await refusal(gzipSync(Buffer.alloc(700, 0x41))), 'Invalid distribution file. File is not a gzip-compressed tar archive');
  });

  it('stops inflating past the configured size limit (BAD-INPUT 30)', async () => {
    const big = { name: 'demo-1.0/big.bin', data: Buffer.alloc(512 * 1024) };
    assert.equal(await refusal(sdistEntries({ extra: [big] }), { maxInflatedBytes: 64 * 1024 }), 'Invalid distribution file. Archive exceeds the inflated size limit');
  });

  it('refuses a gzip bomb quickly, without inflating it all (BAD-INPUT 30)', async () => {
    const bomb = await buildTarGzBomb('demo-1.0/bomb.bin', 4 * 1024 * 1024 * 1024); // ~4 MB on disk, 4 GiB inflated
    const started = performance.now();
    assert.equal(await refusal(bomb, { maxInflatedBytes: 8 * 1024 * 1024 }), 'Invalid distribution file. Archive exceeds the inflated size limit');
    // Inflating all 4 GiB would take seconds; stopping at the 8 MiB limit takes milliseconds.
    assert.ok(performance.now() - started < 1500, `took ${Math.round(performance.now() - started)} ms`);
  });

  it('stops at the member limit (BAD-INPUT 30)', async () => {
    const many = Array.from({ length: 20 }, (_, index) => ({ name: `demo-1.0/f${index}.txt`, data: 'x' }));
    assert.equal(await refusal(sdistEntries({ extra: many }), { maxMembers: 10 }), 'Invalid distribution file. Archive exceeds the member limit');
  });

  it('refuses GNU and PAX sparse members (BAD-INPUT 32)', async () => {
    const message = 'Invalid distribution file. tar archive not accepted: Sparse members are not allowed.';
    assert.equal(await refusal(sdistEntries({ extra: [{ name: 'demo-1.0/sparse.bin', data: 'x', typeflag: 'S' }] })), message);
    const paxSparse = { name: 'demo-1.0/sparse.bin', data: 'x', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '1' } };
    assert.equal(await refusal(sdistEntries({ extra: [paxSparse] })), message);
    const globalHeader = (records: string): TarEntrySpec => ({ name: 'pax_global_header', data: records, typeflag: 'g' });
    assert.equal(await refusal([globalHeader(paxRecord('GNU.sparse.map', '0,1')), ...sdistEntries()]), message);
    // A benign global header (git archive writes one) is fine.
    const gitArchive = await inspect(await buildTarGz([globalHeader(paxRecord('comment', 'a'.repeat(40))), ...sdistEntries()]));
    assert.ok(gitArchive.ok, gitArchive.ok ? '' : gitArchive.rejection.message);
  });

  it('requires exactly one top-level directory (BAD-INPUT 33)', async () => {
    const message = 'Invalid distribution file. Incorrect number of top-level directories in sdist';
    assert.equal(await refusal(sdistEntries({ extra: [{ name: 'other-1.0/x.py', data: 'x' }] })), message);
    assert.equal(await refusal(sdistEntries({ extra: [{ name: 'setup.py', data: 'x' }] })), message);
    const zip = buildZip([{ name: 'demo-1.0/PKG-INFO', data: metadataText() }, { name: 'extra/x.py', data: 'x' }]);
    assert.equal(await refusal(zip, undefined, 'demo-1.0.zip'), message);
  });

  it('requires PKG-INFO in the top-level directory named as in the filename (BAD-INPUT 33)', async () => {
    assert.equal(await refusal(sdistEntries({ pkgInfo: false })), 'Invalid distribution file. PKG-INFO not found at demo-1.0/PKG-INFO');
    const renamed = [{ name: 'demo-2.0/PKG-INFO', data: metadataText() }];
    assert.equal(await refusal(renamed), 'Invalid distribution file. PKG-INFO not found at demo-1.0/PKG-INFO');
  });

  it('refuses links, devices and FIFOs (BAD-INPUT 41)', async () => {
    const members: TarEntrySpec[] = [
      { name: 'demo-1.0/x', type: 'symlink', linkname: '../../..' },
      { name: 'demo-1.0/hard', type: 'link', linkname: 'demo-1.0/PKG-INFO' },
      { name: 'demo-1.0/tty', type: 'character-device' },
      { name: 'demo-1.0/disk', type: 'block-device' },
      { name: 'demo-1.0/pipe', type: 'fifo' },
    ];
    for (const member of members) {
      assert.equal(await refusal(sdistEntries({ extra: [member] })), notAllowed(member.name));
    }
  });

  it('refuses absolute and parent-relative member paths, also when written as PAX paths (BAD-INPUT 41)', async () => {
    for (const name of ['demo-1.0/../../home/u/.bashrc', '/etc/cron.d/x', 'demo-1.0/a\\..\\..\\x']) {
      assert.equal(await refusal(sdistEntries({ extra: [{ name, data: 'x' }] })), notAllowed(name));
    }
    const paxPath = { name: 'demo-1.0/innocent', data: 'x', pax: { path: '../escape.py' } };
    assert.equal(await refusal(sdistEntries({ extra: [paxPath] })), notAllowed('../escape.py'));
    const zipTraversal = buildZip([{ name: 'demo-1.0/PKG-INFO', data: metadataText() }, { name: 'demo-1.0/../../x', data: 'x' }]);
    assert.equal(await refusal(zipTraversal, undefined, 'demo-1.0.zip'), notAllowed('demo-1.0/../../x'));
  });

  it('refuses a name used both as a file and as a directory', async () => {
    const clash = { name: 'demo-1.0/pyproject.toml/x', data: 'x' };
    assert.equal(await refusal(sdistEntries({ extra: [clash] })), "Invalid distribution file. Archive member 'demo-1.0/pyproject.toml' is both a file and a directory");
  });

  it('refuses members that collide on case-insensitive file systems, also through their directories', async () => {
    assert.equal(
      await refusal(sdistEntries({ extra: [{ name: 'demo-1.0/src/demo/__INIT__.py', data: 'x' }] })),
      "Invalid distribution file. Archive members 'demo-1.0/src/demo/__init__.py' and 'demo-1.0/src/demo/__INIT__.py' collide on case-insensitive file systems (their names differ only in case or Unicode normalization)",
    );
    assert.equal(
      await refusal(sdistEntries({ extra: [{ name: 'demo-1.0/SRC/other.py', data: 'x' }] })),
      "Invalid distribution file. Archive members 'demo-1.0/src/demo/__init__.py' and 'demo-1.0/SRC/other.py' collide on case-insensitive file systems ('demo-1.0/src' and 'demo-1.0/SRC' differ only in case or Unicode normalization)",
    );
    const zip = buildZip([{ name: 'demo-1.0/' }, { name: 'demo-1.0/PKG-INFO', data: metadataText() }, { name: 'demo-1.0/pkg-info', data: 'x' }]);
    assert.match(await refusal(zip, undefined, 'demo-1.0.zip'), /^Invalid distribution file\. Archive members 'demo-1\.0\/PKG-INFO' and 'demo-1\.0\/pkg-info' collide/);
  });

  it('refuses names that are not valid UTF-8', async () => {
    // tar-stream decodes invalid bytes to U+FFFD, so two different raw names could become one.
    const packed = await buildTar(sdistEntries({ extra: [{ name: 'demo-1.0/caf?.py', data: 'x' }] }));
    const at = packed.indexOf('demo-1.0/caf?.py');
    packed[at + 'demo-1.0/caf'.length] = 0xe9; // Latin-1 é
    rechecksum(packed, at);
    assert.match(await refusal(gzipSync(packed)), /^Invalid distribution file\. Archive member 'demo-1\.0\/caf\uFFFD\.py' is ambiguous/);
  });

  it('refuses a member stored twice', async () => {
    assert.equal(await refusal(sdistEntries({ extra: [{ name: 'demo-1.0/PKG-INFO', data: metadataText({ Version: '9.9' }) }] })), "Invalid distribution file. Duplicate archive member 'demo-1.0/PKG-INFO'");
  });

  it('requires declared License-File members under the top-level directory (BAD-INPUT 40)', async () => {
    const pkgInfo = metadataText({ 'Metadata-Version': '2.4', 'License-File': 'LICENSE' });
    assert.equal(await refusal(sdistEntries({ pkgInfo })), 'License-File LICENSE does not exist in distribution file demo-1.0.tar.gz at demo-1.0/LICENSE');
    const older = await inspect(await buildTarGz(sdistEntries({ pkgInfo: metadataText({ 'Metadata-Version': '2.3', 'License-File': 'LICENSE' }) })));
    assert.ok(older.ok, 'License-File is only binding from metadata 2.4');
  });

  it('refuses PKG-INFO naming another release than the filename', async () => {
    assert.equal(
      await refusal(sdistEntries({ pkgInfo: metadataText({ Name: 'demo', Version: '1.1' }) })),
      "Invalid distribution file. The metadata names 'demo 1.1' but the filename says 'demo 1.0'.",
    );
  });

  it('writes nothing next to the uploaded file', async () => {
    const before = await readdir(temp.path);
    await refusal(sdistEntries({ extra: [{ name: 'demo-1.0/x', type: 'symlink', linkname: '/etc' }, { name: 'demo-1.0/x/passwd', data: 'evil' }] }));
    assert.equal((await readdir(temp.path)).length, before.length + 1);
  });

  it('reads the uncompressed tar only through gzip', async () => {
    assert.equal(await refusal(await buildTar(sdistEntries())), 'Invalid distribution file. File is not a gzip-compressed tar archive');
  });
});
