/**
 * Zips that two readers could see differently, or whose members lie about what they hold, are
 * refused (BAD-INPUT general rules: "refuse ambiguous archives").
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import type { ArchiveLimits } from './archive-limits.js';
import { inspectDistribution } from './inspect-distribution.js';
import { parsed, tempDirectory, wheelEntries } from './testing/fixtures.js';
import { buildZip, type ZipEntrySpec, type ZipOptions } from './testing/zip-writer.js';

const FILENAME = 'demo-1.0-py3-none-any.whl';
const INVALID = 'Invalid distribution file.';

describe('zip reading', () => {
  let temp: Awaited<ReturnType<typeof tempDirectory>>;
  before(async () => {
    temp = await tempDirectory();
  });
  after(() => temp.dispose());

  const inspect = async (bytes: Uint8Array, limits?: Partial<ArchiveLimits>) =>
    inspectDistribution(await temp.write(FILENAME, bytes), parsed(FILENAME), { filename: FILENAME, ...(limits ? { limits } : {}) });

  const refusal = async (archive: readonly ZipEntrySpec[] | Uint8Array, options: { zip?: ZipOptions; limits?: Partial<ArchiveLimits> } = {}): Promise<string> => {
    const result = await inspect(archive instanceof Uint8Array ? archive : buildZip(archive, options.zip), options.limits);
    assert.ok(!result.ok, 'expected a rejection');
    assert.equal(result.rejection.code, 'invalid-distribution');
    return result.rejection.message;
  };

  const corrupt = (member: string): string => `${INVALID} Archive member '${member}' is corrupt (its data does not match its declared size or checksum)`;

  it('refuses a member that inflates past its declared size, without inflating it all', async () => {
    // 16 MiB of zeros declared as 1 KiB: the ratio checks see 1 KiB, so only inflating tells.
    const liar = { name: 'demo/data.bin', data: Buffer.alloc(16 * 1024 * 1024), declaredSize: 1024 };
    const started = performance.now();
    assert.equal(await refusal(wheelEntries({ extra: [liar] })), corrupt('demo/data.bin'));
    assert.ok(performance.now() - started < 2000, 'refused once the declared size was passed');
  });

  it('checks members too large to inflate in one piece as a stream', async () => {
    const data = randomBytes(3 * 1024 * 1024); // incompressible: the ratio checks pass
    const accepted = await inspect(buildZip(wheelEntries({ extra: [{ name: 'demo/big.bin', data }] })));
    assert.ok(accepted.ok, accepted.ok ? '' : accepted.rejection.message);
    assert.equal(await refusal(wheelEntries({ extra: [{ name: 'demo/big.bin', data, crc: 0x1234 }] })), corrupt('demo/big.bin'));
    assert.equal(await refusal(wheelEntries({ extra: [{ name: 'demo/big.bin', data, declaredSize: 2 * 1024 * 1024 }] })), corrupt('demo/big.bin'));
  });

  it('refuses a member that inflates to less than its declared size, or to other bytes than its CRC-32 says', async () => {
    assert.equal(await refusal(wheelEntries({ extra: [{ name: 'demo/short.py', data: 'x = 1\n', declaredSize: 7 }] })), corrupt('demo/short.py'));
    assert.equal(await refusal(wheelEntries({ extra: [{ name: 'demo/crc.py', data: 'x = 1\n', crc: 0x1234 }] })), corrupt('demo/crc.py'));
  });

  it('refuses a stored member whose compressed and uncompressed sizes differ', async () => {
    assert.match(await refusal(wheelEntries({ extra: [{ name: 'demo/s.py', data: 'x = 1\n', method: 0, declaredSize: 99 }] })), /^Invalid distribution file\. Malformed zip file: /);
  });

  it('refuses a local header whose checksum differs from the central directory', async () => {
    assert.match(await refusal(wheelEntries({ extra: [{ name: 'demo/l.py', data: 'x = 1\n', localCrc: 0 }] })), /^Invalid distribution file\. Archive member 'demo\/l\.py' is ambiguous/);
  });

  it('refuses data before the first member (a self-extractor stub)', async () => {
    const stub = Buffer.from('MZ'.padEnd(64, '\0'));
    assert.equal(await refusal(wheelEntries(), { zip: { prefix: stub } }), `${INVALID} Ambiguous zip layout: data before the first member`);
  });

  it('refuses a local header hidden between members, which only a streaming reader would see', async () => {
    const hidden = buildZip([{ name: 'evil.pth', data: 'import os\n', method: 0 }]).subarray(0, 30 + 'evil.pth'.length + 10);
    const entries = wheelEntries({ extra: [{ name: 'demo/a.py', data: 'a = 1\n', hiddenAfter: hidden }, { name: 'demo/b.py', data: 'b = 1\n' }] });
    assert.equal(await refusal(entries), `${INVALID} Ambiguous zip layout: unlisted bytes between members`);
  });

  it('refuses central directory entries beyond the advertised entry count', async () => {
    const entries = wheelEntries();
    assert.match(await refusal(entries, { zip: { advertisedEntries: entries.length - 1 } }), /^Invalid distribution file\. Ambiguous zip layout: /);
  });

  it('refuses bytes after the end of central directory record', async () => {
    const zip = buildZip(wheelEntries());
    assert.equal(await refusal(Buffer.concat([zip, Buffer.from('trailing')])), `${INVALID} File is not a zipfile`);
  });

  it('accepts a member followed by its data descriptor', async () => {
    const data = Buffer.from('x = 1\n');
    const compressed = deflateRawSync(data);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(0x2b5b4a1e, 4); // unchecked: the central directory's CRC-32 is what is verified
    descriptor.writeUInt32LE(compressed.length, 8);
    descriptor.writeUInt32LE(data.length, 12);
    const result = await inspect(buildZip(wheelEntries({ extra: [{ name: 'demo/d.py', data, flags: 0x8, hiddenAfter: descriptor }] })));
    assert.ok(result.ok, result.ok ? '' : result.rejection.message);
  });

  it('refuses a directory entry carrying data', async () => {
    assert.match(await refusal(wheelEntries({ extra: [{ name: 'demo/dir/', data: 'payload' }] })), /^Invalid distribution file\. Archive member 'demo\/dir\/' is ambiguous/);
  });

  it('refuses a name used both as a file and as a directory, in either order', async () => {
    const message = `${INVALID} Archive member 'demo/__init__.py' is both a file and a directory`;
    assert.equal(await refusal(wheelEntries({ extra: [{ name: 'demo/__init__.py/x', data: 'x' }] })), message);
    assert.equal(await refusal([{ name: 'demo/__init__.py/x', data: 'x' }, ...wheelEntries()]), message);
  });

  it('refuses non-ASCII names without the UTF-8 flag, and invalid UTF-8 names', async () => {
    const latin1 = Buffer.from('demo/caf\u00e9.py', 'latin1');
    assert.match(await refusal(wheelEntries({ extra: [{ name: latin1, data: 'x' }] })), /is ambiguous/);
    assert.match(await refusal(wheelEntries({ extra: [{ name: latin1, data: 'x', flags: 0x800 }] })), /is ambiguous/);
    const utf8 = await inspect(buildZip(wheelEntries({ extra: [{ name: 'demo/caf\u00e9.py', data: 'x' }] })));
    assert.ok(utf8.ok, utf8.ok ? '' : utf8.rejection.message);
  });

  it('refuses encrypted members', async () => {
    assert.equal(await refusal(wheelEntries({ extra: [{ name: 'demo/secret.py', data: 'x', flags: 0x1 }] })), `${INVALID} Archive member 'demo/secret.py' is encrypted`);
  });

  it('bounds the declared inflated size of the whole archive', async () => {
    assert.equal(await refusal(wheelEntries(), { limits: { maxInflatedBytes: 64 } }), `${INVALID} Archive exceeds the inflated size limit`);
  });
});
