/** Client address ranges a token may be used from (`--cidr 10.0.0.0/8`), on ipaddr.js. Pure. */
import ipaddr from 'ipaddr.js';

/** A range as written (`10.1.2.3/8`, `2001:db8::/32`, or one address) in canonical form (`10.0.0.0/8`), or why not. */
export function parseCidr(text: string): { ok: true; cidr: string } | { ok: false; message: string } {
  const trimmed = text.trim();
  const written = trimmed.split('/')[0] ?? '';
  // ipaddr.js also reads classful short forms (`10.0.0` is 10.0.0.0); a range is written in full.
  if (!written.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(written)) {
    return { ok: false, message: `'${trimmed.slice(0, 60)}' is not an address range: use CIDR notation such as 10.0.0.0/8 or 2001:db8::/32.` };
  }
  try {
    const [address, bits] = trimmed.includes('/') ? ipaddr.parseCIDR(trimmed) : (() => {
      const single = ipaddr.parse(trimmed);
      return [single, single.kind() === 'ipv4' ? 32 : 128] as const;
    })();
    const network = ipaddr.fromByteArray(address.toByteArray().map((byte, index) => {
      const keep = Math.max(0, Math.min(8, bits - index * 8));
      return byte & ((0xff << (8 - keep)) & 0xff);
    }));
    return { ok: true, cidr: `${network.toString()}/${bits}` };
  } catch {
    return { ok: false, message: `'${trimmed.slice(0, 60)}' is not an address range: use CIDR notation such as 10.0.0.0/8 or 2001:db8::/32.` };
  }
}

/** Whether a client address (as the socket reports it; IPv4-mapped IPv6 included) lies in one of the ranges. */
export function addressInRanges(address: string, cidrs: readonly string[]): boolean {
  if (!ipaddr.isValid(address)) {
    return false;
  }
  const client = ipaddr.process(address);
  return cidrs.some((cidr) => {
    const [network, bits] = ipaddr.parseCIDR(cidr);
    return network.kind() === client.kind() && client.match(network, bits);
  });
}
