import { addressAllowed, checkWebhookUrl, classifyAddress } from './target';

describe('webhook targets (SSRF)', () => {
  const production = { allowLoopback: false };
  const development = { allowLoopback: true };

  it.each([
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fd00::1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['2606:4700::1111', 'public'],
    ['1.2.3', 'invalid'],
    ['999.1.1.1', 'invalid'],
    ['example.com', 'invalid'],
  ])('%s is %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

  it('allows only public addresses in production, and loopback too in development', () => {
    expect(addressAllowed('8.8.8.8', production)).toBe(true);
    expect(addressAllowed('127.0.0.1', production)).toBe(false);
    expect(addressAllowed('127.0.0.1', development)).toBe(true);
    expect(addressAllowed('10.0.0.1', development)).toBe(false);
    expect(addressAllowed('169.254.169.254', development)).toBe(false);
  });

  it('accepts https URLs to public hosts, and http to loopback in development only', () => {
    expect(checkWebhookUrl('https://hooks.example.com/custody?x=1', production).toString()).toBe('https://hooks.example.com/custody?x=1');
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook', development).port).toBe('8080');
    expect(checkWebhookUrl('http://localhost:8080/hook', development).hostname).toBe('localhost');
    expect(checkWebhookUrl('https://[2606:4700::1111]/hook', production).hostname).toBe('[2606:4700::1111]');
  });

  it.each([
    ['not a url', production, /is not an absolute URL/],
    ['ftp://example.com/x', production, /https URL/],
    ['http://hooks.example.com/x', production, /https URL/],
    ['http://hooks.example.com/x', development, /https URL/],
    ['https://user:pw@example.com/x', production, /credentials/],
    ['https://example.com/x#frag', production, /fragment/],
    ['https://127.0.0.1/x', production, /loopback/],
    ['http://localhost/x', production, /loopback/],
    ['https://10.0.0.8/x', development, /private address/],
    ['https://169.254.169.254/latest/meta-data', development, /link-local address/],
    ['https://[::ffff:192.168.0.1]/x', production, /private address/],
    ['https://intranet/x', production, /not a public domain name/],
    [42, production, /absolute URL/],
  ])('refuses %s', (url, policy, message) => {
    expect(() => checkWebhookUrl(url, policy)).toThrow(message);
  });
});
