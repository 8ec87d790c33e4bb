import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { buildWheel, writeZip } from './zip-writer.js';

describe('writeZip', () => {
  it('writes members a zip reader finds at the offsets the central directory gives', () => {
    const archive = writeZip([
      { name: 'a.txt', data: Buffer.from('deflated member\n') },
      { name: 'b.txt', data: Buffer.from('stored member\n'), method: 0 },
    ]);
    const end = archive.length - 22;
    assert.equal(archive.readUInt32LE(end), 0x06054b50);
    let central = archive.readUInt32LE(end + 16);
    const found: Record<string, string> = {};
    for (let i = 0; i < archive.readUInt16LE(end + 10); i += 1) {
      const method = archive.readUInt16LE(central + 10);
      const compressed = archive.readUInt32LE(central + 20);
      const nameLength = archive.readUInt16LE(central + 28);
      const name = archive.subarray(central + 46, central + 46 + nameLength).toString();
      const local = archive.readUInt32LE(central + 42);
      const start = local + 30 + archive.readUInt16LE(local + 26);
      const body = archive.subarray(start, start + compressed);
      found[name] = (method === 8 ? inflateRawSync(body) : body).toString();
      central += 46 + nameLength;
    }
    assert.deepEqual(found, { 'a.txt': 'deflated member\n', 'b.txt': 'stored member\n' });
  });

  it('gives each archive memory of its own size, not a slice of a shared pool slab', () => {
    const wheels = Array.from({ length: 8 }, (_, i) => buildWheel(`pool-${i}`, '1.0').bytes);
    for (const bytes of wheels) {
      assert.equal(bytes.byteOffset, 0);
      assert.equal(bytes.buffer.byteLength, bytes.length);
    }
  });
});
