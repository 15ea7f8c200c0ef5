import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';

/** Where `npm run build` puts the console (vite, apps/console): dist/console beside dist/apps. */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '../../../../console');

/**
 * The console's own policy: scripts, styles, fonts and connections only from the gateway itself (the
 * page talks to nothing else), no framing, no referrer. Everything the page needs is bundled.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export type ContentEncoding = 'br' | 'gzip';

/**
 * The encoding to answer an `Accept-Encoding` header with (RFC 9110 §12.5.3): brotli if the client
 * takes it, else gzip, else none. `q=0` refuses a coding, `*` stands for any coding not listed, and a
 * weight that is not a qvalue counts as a refusal.
 */
export function chooseEncoding(header: string | undefined): ContentEncoding | undefined {
  if (!header) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim());
    if (!coding) continue;
    let weight = 1;
    for (const param of params) {
      if (!param.startsWith('q=')) continue;
      weight = /^q=(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(param) ? Number(param.slice(2)) : 0;
    }
    weights.set(coding, weight);
  }
  const takes = (coding: ContentEncoding): boolean => (weights.get(coding) ?? weights.get('*') ?? 0) > 0;
  return takes('br') ? 'br' : takes('gzip') ? 'gzip' : undefined;
}

/** Text files, worth compressing (fonts and images are compressed already). */
const COMPRESSIBLE = /\.(?:html|js|mjs|css|json|map|svg|txt|wasm)$/;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

function compress(data: Buffer, encoding: ContentEncoding): Promise<Buffer> {
  if (encoding === 'gzip') return gzip(data, { level: 9 });
  return brotli(data, { params: { [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT, [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
}

/**
 * Compressed copies of the console's files, made on the first request for a file and encoding (brotli
 * at quality 11 takes ~0.8 s for the ~380 kB bundle, in libuv's thread pool, not on the event loop),
 * then kept in memory while the file's size and mtime are unchanged. The console is a handful of files.
 */
class CompressedCopies {
  private readonly copies = new Map<string, { readonly version: string; readonly body: Promise<Buffer> }>();

  get(file: string, version: string, encoding: ContentEncoding): Promise<Buffer> {
    const key = `${encoding} ${file}`;
    const hit = this.copies.get(key);
    if (hit?.version === version) return hit.body;
    const entry = { version, body: fs.promises.readFile(file).then((data) => compress(data, encoding)) };
    this.copies.set(key, entry);
    entry.body.catch(() => {
      if (this.copies.get(key) === entry) this.copies.delete(key);
    });
    return entry.body;
  }
}

/**
 * Answers GET/HEAD of `file` compressed with the encoding the client takes, or returns false (the
 * caller answers uncompressed) when the client takes none, the file is not text, or it is missing.
 */
async function sendCompressed(req: Request, res: Response, file: string, cacheControl: string, copies: CompressedCopies): Promise<boolean> {
  if (!COMPRESSIBLE.test(file)) return false;
  res.vary('Accept-Encoding');
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  if (encoding === undefined) return false;
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    return false;
  }
  if (!stat.isFile()) return false;
  const version = `${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}`;
  const body = await copies.get(file, version, encoding);
  const etag = `W/"${version}-${encoding}"`;
  res.type(path.extname(file));
  res.setHeader('content-encoding', encoding);
  res.setHeader('cache-control', cacheControl);
  res.setHeader('etag', etag);
  res.setHeader('last-modified', stat.mtime.toUTCString());
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    res.status(304).end();
    return true;
  }
  res.setHeader('content-length', String(body.length));
  if (req.method === 'HEAD') res.end();
  else res.end(body);
  return true;
}

const ASSET_NAME = /^\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const ASSET_CACHE = 'public, max-age=31536000, immutable';

/**
 * Serves the console's static files under /console (unsigned: it is only HTML, script and style;
 * every API call the page makes is signed in the browser). Hashed assets are cached for a year, the
 * page itself never, so a new build is picked up at once. Text files are sent brotli- or
 * gzip-compressed when the browser takes it (`Accept-Encoding`), else as they are. Any other path
 * under /console answers the page (the console routes by the URL fragment). If the console was not
 * built, /console says so.
 */
export function mountConsole(app: INestApplication, dir: string = DEFAULT_CONSOLE_DIR): void {
  const index = path.join(dir, 'index.html');
  const assets = path.join(dir, 'assets');
  const copies = new CompressedCopies();
  const secure = (_req: Request, res: Response, next: NextFunction): void => {
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  };
  app.use('/console', secure);
  app.use('/console/assets', (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !ASSET_NAME.test(req.path)) return next();
    sendCompressed(req, res, path.join(assets, req.path.slice(1)), ASSET_CACHE, copies).then((sent) => (sent ? undefined : next()), next);
  });
  app.use('/console/assets', express.static(assets, { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!fs.existsSync(index)) {
      res.status(404).type('text/plain').send('The console is not built: run `npm run build`.\n');
      return;
    }
    sendCompressed(req, res, index, 'no-cache', copies).then((sent) => {
      if (sent) return;
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
    }, next);
  });
}
