/**
 * BAD-INPUT.md's archive cases (28-35, 40, 41) and Quiver's case-collision rule (ADR 7) against
 * the running embedded registry: each hostile wheel or sdist is built here, uploaded the way twine
 * does, and refused with its status and message, leaving nothing behind (no project, no blob,
 * nothing in the upload temp directory).
 * The bombs also check that the registry's peak memory does not follow the inflated size.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  buildTarGz,
  buildTarGzBomb,
  buildZip,
  metadataText,
  unixAttributes,
  wheelEntries,
  type TarEntrySpec,
  type ZipEntrySpec,
} from '@quiver/upload-data-access-archive/testing';
import { distributionFields, peakRssBytes, refused, resetPeakRss, startEmbedded, upload, type EmbeddedRegistry, type FilePart } from './support/bad-input.js';

const WHEEL = 'demo-1.0-py3-none-any.whl';
const SDIST = 'demo-1.0.tar.gz';
const MiB = 1024 * 1024;
/** Peak RSS may move a little with any request; inflating the bombs would move it by hundreds of MiB. */
const RSS_GROWTH_LIMIT = 64 * MiB;

const wheel = (entries: readonly ZipEntrySpec[]): FilePart => ({ name: WHEEL, bytes: buildZip(entries) });
const sdist = async (entries: readonly TarEntrySpec[]): Promise<FilePart> => ({ name: SDIST, bytes: await buildTarGz(entries) });
const sdistEntries = (options: { pkgInfo?: string | false; extra?: readonly TarEntrySpec[] } = {}): TarEntrySpec[] => [
  { name: 'demo-1.0', type: 'directory' },
  ...(options.pkgInfo === false ? [] : [{ name: 'demo-1.0/PKG-INFO', data: options.pkgInfo ?? metadataText() }]),
  { name: 'demo-1.0/pyproject.toml', data: '[project]\nname = "demo"\n' },
  { name: 'demo-1.0/src/demo/__init__.py', data: 'VALUE = 1\n' },
  ...(options.extra ?? []),
];
const notAllowed = (member: string): string => `Invalid distribution file. Archive member '${member}' is not allowed (absolute, parent-relative or link)`;

describe('archive bad input (BAD-INPUT 28-35, 40, 41) against the running registry', () => {
  const work = mkdtempSync(join(tmpdir(), 'quiver-archive-input-'));
  let registry: EmbeddedRegistry;

  before(async () => {
    registry = await startEmbedded(work);
  });

  after(async () => {
    const code = await registry.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, registry.started.output());
  });

  /** Uploads `file` and asserts it is refused with 400 and `message`, and that nothing was stored. */
  const refuses = async (file: FilePart, message: string): Promise<void> => refused(registry, await upload(registry, distributionFields(file), file), 400, message);

  it('refuses bytes that are not an archive (28)', async () => {
    const junk = randomBytes(4096);
    await refuses({ name: WHEEL, bytes: junk }, 'Invalid distribution file. File is not a zipfile');
    await refuses({ name: SDIST, bytes: junk }, 'Invalid distribution file. File is not a gzip-compressed tar archive');
  });

  it('refuses a 1 MiB wheel that inflates to 200 MiB, without inflating it (29)', async () => {
    const noise = { name: 'demo/noise.bin', data: randomBytes(832 * 1024), method: 0 };
    const bomb = wheel(wheelEntries({ extra: [noise, { name: 'demo/bomb.bin', data: Buffer.alloc(200 * MiB) }] }));
    assert.ok(bomb.bytes.length >= MiB && bomb.bytes.length < 1.1 * MiB, `the bomb is about 1 MiB (${bomb.bytes.length} bytes)`);
    const pid = registry.started.child.pid ?? 0;
    resetPeakRss(pid);
    const before = peakRssBytes(pid);
    await refuses(bomb, 'Invalid distribution file. File exceeds compression ratio of 50');
    const growth = peakRssBytes(pid) - before;
    assert.ok(growth < RSS_GROWTH_LIMIT, `peak RSS grew by ${Math.round(growth / MiB)} MiB for a 200 MiB bomb`);
  });

  it('stops inflating a tar.gz bomb at the inflated size limit, memory flat (30)', async () => {
    const bomb = { name: SDIST, bytes: await buildTarGzBomb('demo-1.0/bomb.bin', 2 * 1024 * MiB) }; // ~2 MiB, 2 GiB inflated
    const pid = registry.started.child.pid ?? 0;
    resetPeakRss(pid);
    const before = peakRssBytes(pid);
    await refuses(bomb, 'Invalid distribution file. Archive exceeds the inflated size limit');
    const growth = peakRssBytes(pid) - before;
    assert.ok(growth < RSS_GROWTH_LIMIT, `peak RSS grew by ${Math.round(growth / MiB)} MiB for a 2 GiB gzip bomb`);
  });

  it('stops reading an sdist at the member limit (30)', async () => {
    const many = Array.from({ length: 100_001 }, (_, index): TarEntrySpec => ({ name: `demo-1.0/f${index}` }));
    await refuses(await sdist(sdistEntries({ extra: many })), 'Invalid distribution file. Archive exceeds the member limit');
  });

  it('refuses wheel members compressed with bzip2 or LZMA (31)', async () => {
    for (const method of [12, 14]) {
      await refuses(wheel(wheelEntries({ extra: [{ name: 'demo/packed.bin', data: 'x', method }] })), 'Invalid distribution file. File does not use a supported compression type');
    }
  });

  it('refuses GNU and PAX sparse sdist members (32)', async () => {
    const message = 'Invalid distribution file. tar archive not accepted: Sparse members are not allowed.';
    await refuses(await sdist(sdistEntries({ extra: [{ name: 'demo-1.0/sparse.bin', data: 'x', typeflag: 'S' }] })), message);
    const paxSparse = { name: 'demo-1.0/sparse.bin', data: 'x', pax: { 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '1' } };
    await refuses(await sdist(sdistEntries({ extra: [paxSparse] })), message);
  });

  it('refuses an sdist with two top-level directories or without PKG-INFO (33)', async () => {
    await refuses(await sdist(sdistEntries({ extra: [{ name: 'other-1.0/x.py', data: 'x' }] })), 'Invalid distribution file. Incorrect number of top-level directories in sdist');
    await refuses(await sdist(sdistEntries({ pkgInfo: false })), 'Invalid distribution file. PKG-INFO not found at demo-1.0/PKG-INFO');
  });

  it('refuses a wheel without WHEEL, METADATA or RECORD (34)', async () => {
    await refuses(wheel(wheelEntries({ omit: ['WHEEL'] })), 'Invalid distribution file. WHEEL not found at demo-1.0.dist-info/WHEEL');
    await refuses(wheel(wheelEntries({ omit: ['METADATA'] })), `Wheel '${WHEEL}' does not contain the required METADATA file: demo-1.0.dist-info/METADATA`);
    await refuses(wheel(wheelEntries({ omit: ['RECORD'] })), `Wheel '${WHEEL}' does not contain the required RECORD file: demo-1.0.dist-info/RECORD`);
  });

  it('refuses entry_points.txt that is not UTF-8 or has a bad group or name (35)', async () => {
    const message = `Wheel '${WHEEL}' has invalid entry points defined in the entry_points.txt file`;
    for (const data of [Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0xff, 0xfe, 0x3d, 0x78]), '[bad group!]\nx = a:b\n', '[console_scripts]\n= demo:main\n']) {
      await refuses(wheel(wheelEntries({ extra: [{ name: 'demo-1.0.dist-info/entry_points.txt', data }] })), message);
    }
  });

  it('refuses a declared License-File missing from the archive (40)', async () => {
    const metadata = metadataText({ 'Metadata-Version': '2.4', 'License-File': 'LICENSE' });
    const upload24 = async (file: FilePart, message: string): Promise<void> =>
      refused(registry, await upload(registry, distributionFields(file, { metadata_version: '2.4' }), file), 400, message);
    await upload24(await sdist(sdistEntries({ pkgInfo: metadata })), `License-File LICENSE does not exist in distribution file ${SDIST} at demo-1.0/LICENSE`);
    await upload24(
      wheel(wheelEntries({ metadata, extra: [{ name: 'LICENSE', data: 'MIT' }] })),
      `License-File LICENSE does not exist in distribution file ${WHEEL} at demo-1.0.dist-info/licenses/LICENSE`,
    );
  });

  it('refuses members that collide on case-insensitive file systems, naming both (a Quiver rule, ADR 7)', async () => {
    const collide = (first: string, second: string, detail = 'their names differ'): string =>
      `Invalid distribution file. Archive members '${first}' and '${second}' collide on case-insensitive file systems (${detail} only in case or Unicode normalization)`;
    await refuses(wheel(wheelEntries({ extra: [{ name: 'zc/__init__.py', data: 'A = 1\n' }, { name: 'zc/__INIT__.py', data: 'A = 2\n' }] })), collide('zc/__init__.py', 'zc/__INIT__.py'));
    await refuses(wheel(wheelEntries({ extra: [{ name: 'Demo/x.py', data: 'x' }] })), collide('demo/__init__.py', 'Demo/x.py', "'demo' and 'Demo' differ"));
    await refuses(await sdist(sdistEntries({ extra: [{ name: 'demo-1.0/src/demo/__INIT__.py', data: 'x' }] })), collide('demo-1.0/src/demo/__init__.py', 'demo-1.0/src/demo/__INIT__.py'));
    await refuses(
      await sdist(sdistEntries({ extra: [{ name: 'demo-1.0/caf\u00e9.txt', data: 'x' }, { name: 'demo-1.0/cafe\u0301.txt', data: 'y' }] })),
      collide('demo-1.0/caf\u00e9.txt', 'demo-1.0/cafe\u0301.txt'),
    );
  });

  it('refuses absolute, parent-relative, drive and link members, and never extracts to disk (41)', async () => {
    const seen: string[] = [];
    const watcher = watch(registry.tempDir, { recursive: true }, (_event, name) => seen.push(String(name)));
    try {
      for (const name of ['../../home/u/.bashrc', '/etc/cron.d/x', 'C:..\\x', '../evil.pth']) {
        await refuses(wheel(wheelEntries({ extra: [{ name, data: 'x' }] })), notAllowed(name));
      }
      const link = { name: 'demo/link', data: '../../..', method: 0, externalAttributes: unixAttributes(0o120777) };
      await refuses(wheel(wheelEntries({ extra: [link] })), notAllowed('demo/link'));

      const members: TarEntrySpec[] = [
        { name: 'demo-1.0/../../home/u/.bashrc', data: 'x' },
        { name: '/etc/cron.d/x', data: 'x' },
        { name: 'demo-1.0/a\\..\\..\\x', data: 'x' },
        { name: 'demo-1.0/x', type: 'symlink', linkname: '../../..' },
        { name: 'demo-1.0/hard', type: 'link', linkname: 'demo-1.0/PKG-INFO' },
        { name: 'demo-1.0/tty', type: 'character-device' },
        { name: 'demo-1.0/disk', type: 'block-device' },
        { name: 'demo-1.0/pipe', type: 'fifo' },
      ];
      for (const member of members) {
        await refuses(await sdist(sdistEntries({ extra: [member] })), notAllowed(member.name));
      }
      await refuses(await sdist(sdistEntries({ extra: [{ name: 'demo-1.0/innocent', data: 'x', pax: { path: '../escape.py' } }] })), notAllowed('../escape.py'));
    } finally {
      watcher.close();
    }
    // Each request got its private directory and the uploaded file in it, and nothing else ever appeared.
    assert.ok(seen.length > 0, 'the watcher saw the uploads');
    assert.deepEqual(
      seen.filter((name) => !/^upload-[0-9a-f]{8}-\d+-[0-9a-f]{8}-[A-Za-z0-9]{6}(\/content)?$/.test(name)),
      [],
      'only per-request directories and their uploaded file appeared in the temp directory',
    );
  });
});
