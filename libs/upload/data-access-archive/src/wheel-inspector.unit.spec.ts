import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { inspectDistribution } from './inspect-distribution.js';
import type { ArchiveLimits } from './archive-limits.js';
import { metadataText, parsed, tempDirectory, wheelEntries } from './testing/fixtures.js';
import { buildZip, unixAttributes, type ZipEntrySpec } from './testing/zip-writer.js';

const FILENAME = 'demo-1.0-py3-none-any.whl';

describe('wheel inspection', () => {
  let temp: Awaited<ReturnType<typeof tempDirectory>>;
  before(async () => {
    temp = await tempDirectory();
  });
  after(() => temp.dispose());

  const inspect = async (bytes: Uint8Array, limits?: Partial<ArchiveLimits>, filename = FILENAME) =>
    inspectDistribution(await temp.write(filename, bytes), parsed(filename), { filename, ...(limits ? { limits } : {}) });

  /** The rejection message for a wheel built from `entries`. */
  const refusal = async (entries: readonly ZipEntrySpec[] | Uint8Array, limits?: Partial<ArchiveLimits>): Promise<string> => {
    const result = await inspect(entries instanceof Uint8Array ? entries : buildZip(entries), limits);
    assert.equal(result.ok, false, 'expected a rejection');
    assert.ok(!result.ok);
    assert.equal(result.rejection.code, 'invalid-distribution');
    return result.rejection.message;
  };

  it('accepts a valid wheel and returns its METADATA bytes and parsed metadata', async () => {
    const metadata = metadataText({ 'Metadata-Version': '2.4', Name: 'Demo', 'Requires-Dist': ['attrs>=22', 'idna'], 'License-File': 'LICENSE' }, 'Long text\n');
    const entries = wheelEntries({
      metadata,
      extra: [
        { name: 'demo-1.0.dist-info/licenses/LICENSE', data: 'MIT' },
        { name: 'demo-1.0.dist-info/entry_points.txt', data: '[console_scripts]\ndemo = demo.cli:main [extra]\n\n[demo.plugins]\nx=demo:X\n' },
        { name: 'demo/data/', method: 0 },
        { name: 'demo/stored.txt', data: 'stored', method: 0 },
      ],
    });
    const result = await inspect(buildZip(entries));
    assert.ok(result.ok, result.ok ? '' : result.rejection.message);
    assert.deepEqual(Buffer.from(result.value.coreMetadata), Buffer.from(metadata));
    assert.equal(result.value.metadata.name, 'Demo');
    assert.deepEqual(result.value.metadata.requiresDist, ['attrs>=22', 'idna']);
    assert.equal(result.value.memberCount, entries.length);
    assert.ok(result.value.uncompressedSize > metadata.length);
  });

  it('refuses random bytes (BAD-INPUT 28)', async () => {
    assert.equal(await refusal(Buffer.from('this is not a zip file at all, just some bytes '.repeat(20))), 'Invalid distribution file. File is not a zipfile');
  });

  it('refuses a zip bomb without inflating it (BAD-INPUT 29)', async () => {
    const bomb = { name: 'demo/bomb.bin', data: Buffer.alloc(4 * 1024 * 1024) }; // ~4 KiB deflated, ratio ~1000
    assert.equal(await refusal(wheelEntries({ extra: [bomb] })), 'Invalid distribution file. File exceeds compression ratio of 50');
  });

  it('refuses members compressed with bzip2 or LZMA (BAD-INPUT 31)', async () => {
    for (const method of [12, 14]) {
      const member = { name: 'demo/packed.bin', data: 'x', method };
      assert.equal(await refusal(wheelEntries({ extra: [member] })), 'Invalid distribution file. File does not use a supported compression type');
    }
  });

  it('refuses duplicate member names', async () => {
    const duplicate = { name: 'demo/__init__.py', data: 'import os\n' };
    assert.equal(await refusal(wheelEntries({ extra: [duplicate] })), "Invalid distribution file. Duplicate archive member 'demo/__init__.py'");
  });

  it('refuses members that collide on case-insensitive file systems, naming both', async () => {
    assert.equal(
      await refusal(wheelEntries({ extra: [{ name: 'zc/__init__.py', data: 'A = 1\n' }, { name: 'zc/__INIT__.py', data: 'A = 2\n' }] })),
      "Invalid distribution file. Archive members 'zc/__init__.py' and 'zc/__INIT__.py' collide on case-insensitive file systems (their names differ only in case or Unicode normalization)",
    );
    // The precomposed and the decomposed é: one name for macOS even on a case-sensitive volume.
    assert.match(
      await refusal(wheelEntries({ extra: [{ name: 'demo/caf\u00e9.py', data: 'x' }, { name: 'demo/cafe\u0301.py', data: 'y' }] })),
      /^Invalid distribution file\. Archive members 'demo\/caf\u00e9\.py' and 'demo\/cafe\u0301\.py' collide on case-insensitive file systems/,
    );
  });

  it('requires dist-info/WHEEL (BAD-INPUT 34)', async () => {
    assert.equal(await refusal(wheelEntries({ omit: ['WHEEL'] })), 'Invalid distribution file. WHEEL not found at demo-1.0.dist-info/WHEEL');
  });

  it('requires dist-info/METADATA (BAD-INPUT 34)', async () => {
    assert.equal(
      await refusal(wheelEntries({ omit: ['METADATA'] })),
      "Wheel 'demo-1.0-py3-none-any.whl' does not contain the required METADATA file: demo-1.0.dist-info/METADATA",
    );
  });

  it('requires dist-info/RECORD (BAD-INPUT 34)', async () => {
    assert.equal(
      await refusal(wheelEntries({ omit: ['RECORD'] })),
      "Wheel 'demo-1.0-py3-none-any.whl' does not contain the required RECORD file: demo-1.0.dist-info/RECORD",
    );
  });

  it('looks for the dist-info directory named as in the filename', async () => {
    assert.equal(await refusal(wheelEntries({ distInfo: 'Demo-1.0.dist-info' })), 'Invalid distribution file. WHEEL not found at demo-1.0.dist-info/WHEEL');
  });

  it('refuses entry_points.txt that is not UTF-8 or has a bad group or name (BAD-INPUT 35)', async () => {
    const message = "Wheel 'demo-1.0-py3-none-any.whl' has invalid entry points defined in the entry_points.txt file";
    for (const data of [Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0xff, 0xfe, 0x3d, 0x78]), '[bad group!]\nx = a:b\n', '[console_scripts]\n= demo:main\n', 'x = a:b\n']) {
      assert.equal(await refusal(wheelEntries({ extra: [{ name: 'demo-1.0.dist-info/entry_points.txt', data }] })), message);
    }
  });

  it('refuses absolute, parent-relative and backslash member paths (BAD-INPUT 41)', async () => {
    for (const name of ['../../home/u/.bashrc', '/etc/cron.d/x', 'C:..\\x', 'demo/\u0000evil.py']) {
      const shown = name.replace('\u0000', '?');
      assert.equal(
        await refusal(wheelEntries({ extra: [{ name, data: 'x' }] })),
        `Invalid distribution file. Archive member '${shown}' is not allowed (absolute, parent-relative or link)`,
      );
    }
  });

  it('refuses a member whose external attributes mark a symlink (BAD-INPUT 41)', async () => {
    const link = { name: 'demo/link', data: '../../../etc/passwd', method: 0, externalAttributes: unixAttributes(0o120777) };
    assert.equal(
      await refusal(wheelEntries({ extra: [link] })),
      "Invalid distribution file. Archive member 'demo/link' is not allowed (absolute, parent-relative or link)",
    );
  });

  it('refuses a local header that names another file than the central directory', async () => {
    const forged = { name: 'demo/ok.py', localName: 'demo/no.py', data: 'x' };
    assert.match(await refusal(wheelEntries({ extra: [forged] })), /^Invalid distribution file\. Archive member 'demo\/ok\.py' is ambiguous/);
  });

  it('caps the metadata read into memory and the member count', async () => {
    assert.match(await refusal(wheelEntries(), { maxMetadataBytes: 16 }), /^Invalid distribution file\. Archive member 'demo-1\.0\.dist-info\/METADATA' is larger than 16 bytes$/);
    assert.equal(await refusal(wheelEntries(), { maxMembers: 3 }), 'Invalid distribution file. Archive exceeds the member limit');
  });

  it('requires declared License-File members under dist-info/licenses (BAD-INPUT 40)', async () => {
    const metadata = metadataText({ 'Metadata-Version': '2.4', 'License-File': 'LICENSE' });
    assert.equal(
      await refusal(wheelEntries({ metadata, extra: [{ name: 'LICENSE', data: 'MIT' }] })),
      'License-File LICENSE does not exist in distribution file demo-1.0-py3-none-any.whl at demo-1.0.dist-info/licenses/LICENSE',
    );
  });

  it('refuses metadata naming another project or version than the filename', async () => {
    assert.equal(
      await refusal(wheelEntries({ metadata: metadataText({ Version: '2.0' }) })),
      "Invalid distribution file. The metadata names 'demo 2.0' but the filename says 'demo 1.0'.",
    );
    assert.equal(
      await refusal(wheelEntries({ metadata: metadataText({ Name: 'other' }) })),
      "Invalid distribution file. The metadata names 'other 1.0' but the filename says 'demo 1.0'.",
    );
    const normalised = await inspect(buildZip(wheelEntries({ metadata: metadataText({ Name: 'DEMO', Version: '1.0.0a0' }), distInfo: 'demo-1.0.0a.dist-info' })), undefined, 'demo-1.0.0a-py3-none-any.whl');
    assert.ok(normalised.ok, normalised.ok ? '' : normalised.rejection.message);
  });

  it('writes nothing next to the uploaded file', async () => {
    const before = await readdir(temp.path);
    await refusal(wheelEntries({ extra: [{ name: '../../escape.py', data: 'x' }] }));
    const afterListing = await readdir(temp.path);
    assert.deepEqual(afterListing.length, before.length + 1); // only the uploaded file itself
  });
});
