import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressInRanges, parseCidr } from './cidr.js';

describe('client address ranges', () => {
  it('reads ranges and single addresses into canonical CIDR', () => {
    assert.deepEqual(parseCidr('10.1.2.3/8'), { ok: true, cidr: '10.0.0.0/8' });
    assert.deepEqual(parseCidr(' 127.0.0.1 '), { ok: true, cidr: '127.0.0.1/32' });
    assert.deepEqual(parseCidr('2001:db8::1/32'), { ok: true, cidr: '2001:db8::/32' });
    for (const bad of ['10.0.0.0/33', 'ten', '10.0.0/8', '', '::/129']) {
      assert.equal(parseCidr(bad).ok, false, bad);
    }
  });

  it('matches client addresses, IPv4-mapped IPv6 included, and never across families', () => {
    assert.equal(addressInRanges('10.9.8.7', ['10.0.0.0/8']), true);
    assert.equal(addressInRanges('::ffff:10.9.8.7', ['10.0.0.0/8']), true);
    assert.equal(addressInRanges('11.0.0.1', ['10.0.0.0/8']), false);
    assert.equal(addressInRanges('::1', ['127.0.0.1/32']), false);
    assert.equal(addressInRanges('not an address', ['0.0.0.0/0']), false);
  });
});
