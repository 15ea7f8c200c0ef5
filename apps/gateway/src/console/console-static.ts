import * as fs from 'node:fs';
import * as path from 'node:path';
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

/**
 * Serves the console's static files under /console (unsigned: it is only HTML, script and style;
 * every API call the page makes is signed in the browser). Hashed assets are cached for a year, the
 * page itself never, so a new build is picked up at once. Any other path under /console answers the
 * page (the console routes by the URL fragment). If the console was not built, /console says so.
 */
export function mountConsole(app: INestApplication, dir: string = DEFAULT_CONSOLE_DIR): void {
  const index = path.join(dir, 'index.html');
  const secure = (_req: Request, res: Response, next: NextFunction): void => {
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  };
  app.use('/console', secure);
  app.use('/console/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!fs.existsSync(index)) {
      res.status(404).type('text/plain').send('The console is not built: run `npm run build`.\n');
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
}
