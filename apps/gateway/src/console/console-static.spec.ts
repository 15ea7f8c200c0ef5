import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import express from 'express';
import { chooseEncoding, mountConsole } from './console-static';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: target, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('Accept-Encoding negotiation (RFC 9110 §12.5.3)', () => {
  it('prefers brotli, then gzip; q=0 refuses; * stands for the rest', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip, deflate')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(chooseEncoding('BR;Q=0.1')).toBe('br');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('identity')).toBeUndefined();
    expect(chooseEncoding('gzip;q=0')).toBeUndefined();
    expect(chooseEncoding('gzip;q=2')).toBeUndefined();
    expect(chooseEncoding('gzip;q=abc')).toBeUndefined();
    expect(chooseEncoding('')).toBeUndefined();
    expect(chooseEncoding(undefined)).toBeUndefined();
  });
});

describe('the console served compressed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-static-'));
  const script = Buffer.from(`console.log(${JSON.stringify('the console '.repeat(2000))});\n`, 'utf8');
  const page = Buffer.from('<!doctype html><html><head><script type="module" src="/console/assets/index-abc.js"></script></head><body></body></html>\n', 'utf8');
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), page);
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), script);
    fs.writeFileSync(path.join(dir, 'assets', 'logo.png'), Buffer.alloc(64, 1));
    const app = express();
    mountConsole(app as unknown as INestApplication, dir);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends a hashed asset brotli-compressed to a browser that takes br, cached for a year', async () => {
    const a = await get(port, '/console/assets/index-abc.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(a.status).toBe(200);
    expect(a.headers['content-encoding']).toBe('br');
    expect(a.headers['vary']).toMatch(/accept-encoding/i);
    expect(a.headers['content-type']).toMatch(/^text\/javascript/);
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(a.headers['content-security-policy']).toContain("default-src 'none'");
    expect(Number(a.headers['content-length'])).toBe(a.body.length);
    expect(a.body.length).toBeLessThan(script.length / 10);
    expect(zlib.brotliDecompressSync(a.body).equals(script)).toBe(true);
  });

  it('sends gzip to a browser that takes only gzip, and the file as it is to one that takes neither', async () => {
    const g = await get(port, '/console/assets/index-abc.js', { 'accept-encoding': 'gzip, deflate' });
    expect(g.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(g.body).equals(script)).toBe(true);
    const plain = await get(port, '/console/assets/index-abc.js', { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toMatch(/accept-encoding/i);
    expect(plain.body.equals(script)).toBe(true);
  });

  it('answers the page compressed and never cached, 304 to a matching If-None-Match, HEAD without a body', async () => {
    const a = await get(port, '/console/', { 'accept-encoding': 'br' });
    expect(a.headers['content-encoding']).toBe('br');
    expect(a.headers['cache-control']).toBe('no-cache');
    expect(zlib.brotliDecompressSync(a.body).equals(page)).toBe(true);
    const again = await get(port, '/console/wallets', { 'accept-encoding': 'br', 'if-none-match': String(a.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const gzipped = await get(port, '/console/', { 'accept-encoding': 'gzip', 'if-none-match': String(a.headers['etag']) });
    expect(gzipped.status).toBe(200);
    const head = await get(port, '/console/assets/index-abc.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
  });

  it('leaves images, missing files and odd names to the static server', async () => {
    const png = await get(port, '/console/assets/logo.png', { 'accept-encoding': 'br' });
    expect(png.status).toBe(200);
    expect(png.headers['content-encoding']).toBeUndefined();
    expect((await get(port, '/console/assets/missing.js', { 'accept-encoding': 'br' })).status).toBe(404);
    const traversal = await get(port, '/console/assets/..%2Findex.html', { 'accept-encoding': 'br' });
    expect(traversal.headers['content-encoding']).toBeUndefined();
    expect(traversal.status).toBeGreaterThanOrEqual(400);
  });
});
