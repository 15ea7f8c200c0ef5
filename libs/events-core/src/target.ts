import { EventsInputError, preview } from './errors';

/**
 * Where webhooks may be sent. Webhook URLs are chosen by API clients and fetched by the service,
 * so they are the classic server-side request forgery vector (Standard Webhooks, "SSRF"): only
 * `https` to public addresses, unless the deployment allows loopback (development and tests:
 * `http` or `https` to 127.0.0.0/8, ::1, `localhost`). Private, link-local (cloud metadata),
 * carrier-grade NAT, multicast and reserved ranges are never allowed. The check applies to the
 * URL when it is registered and to every address its host resolves to when it is delivered (the
 * connection goes to the address that was checked, so DNS rebinding does not get around it).
 */
export interface TargetPolicy {
  readonly allowLoopback: boolean;
}

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved' | 'invalid';

function ipv4Octets(text: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

function classifyV4([a, b, c]: number[]): AddressClass {
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b! >= 64 && b! <= 127) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  if (a! >= 224 && a! <= 239) return 'multicast';
  if (a! >= 240) return 'reserved';
  if ((a === 192 && b === 0 && (c === 0 || c === 2)) || (a === 198 && (b === 18 || b === 19)) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return 'reserved';
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail allowed), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  let s = text.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Octets(s.slice(lastColon + 1));
    if (!v4) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

function classifyV6(g: number[]): AddressClass {
  if (g.every((x) => x === 0)) return 'unspecified';
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and 64:ff9b::a.b.c.d (NAT64) reach the IPv4 address inside.
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if (mapped || nat64) return classifyV4([g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]);
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast';
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved';
  if (g.slice(0, 6).every((x) => x === 0)) return 'reserved';
  return 'public';
}

/** The kind of an IP address literal (IPv4 dotted, IPv6 with or without brackets). */
export function classifyAddress(ip: string): AddressClass {
  const v4 = ipv4Octets(ip);
  if (v4) return classifyV4(v4);
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const v6 = bare.includes(':') ? ipv6Groups(bare) : undefined;
  return v6 ? classifyV6(v6) : 'invalid';
}

/** May a connection go to this resolved address? */
export function addressAllowed(ip: string, policy: TargetPolicy): boolean {
  const kind = classifyAddress(ip);
  return kind === 'public' || (kind === 'loopback' && policy.allowLoopback);
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || classifyAddress(host) === 'loopback';
}

/**
 * Validates a webhook URL at registration; returns it normalized. Refused: not an absolute http(s)
 * URL, credentials in it, a fragment, `http` (unless loopback is allowed and the host is loopback),
 * an IP literal that is not allowed, a name that is a bare word (no dot) other than localhost.
 */
export function checkWebhookUrl(text: unknown, policy: TargetPolicy, field = 'url'): URL {
  if (typeof text !== 'string' || text.length === 0 || text.length > 2048) throw new EventsInputError(field, 'must be an absolute URL of at most 2048 characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EventsInputError(field, `${preview(text)} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EventsInputError(field, 'must be an https URL');
  if (url.username !== '' || url.password !== '') throw new EventsInputError(field, 'must not carry credentials');
  if (url.hash !== '') throw new EventsInputError(field, 'must not have a fragment');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const loopback = isLoopbackHost(host);
  if (loopback && !policy.allowLoopback) throw new EventsInputError(field, 'must not point at a loopback address (allowed in development only)');
  if (url.protocol === 'http:' && !loopback) throw new EventsInputError(field, 'must be an https URL (http only to loopback in development)');
  const kind = classifyAddress(host);
  if (kind !== 'invalid' && !addressAllowed(host, policy)) throw new EventsInputError(field, `must not point at a ${kind} address`);
  if (kind === 'invalid' && !loopback && !host.includes('.')) throw new EventsInputError(field, `host ${preview(host)} is not a public domain name`);
  return url;
}
