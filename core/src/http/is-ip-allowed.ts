import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Compiles an allow-list of addresses and CIDR ranges (`10.0.0.0/8`, `::1`) into a predicate. */
export function compileIpAllowList(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (ip) => {
    const plain = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
    return list.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
  };
}
