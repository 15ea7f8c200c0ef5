import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';

export type RequestWithBody = Request & { rawBody?: Buffer };

/**
 * Reads the request body itself (Nest's body parser is off in the gateway): the exact bytes are
 * kept for the content-digest, the size is capped (413 `body-too-large`, from Content-Length before
 * reading, or while reading), a non-empty body must be `application/json` (415) and valid JSON (400
 * `malformed-json`).
 */
@Injectable()
export class BodyMiddleware implements NestMiddleware {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  use(request: RequestWithBody, _response: Response, next: NextFunction): void {
    const limit = this.config.maxBodyBytes;
    const declared = request.headers['content-length'];
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
      request.resume();
      next(new ApiError('body-too-large', `the body is ${declared} bytes, over the limit of ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: ApiError): void => {
      if (done) return;
      done = true;
      if (error) {
        request.resume();
        next(error);
        return;
      }
      const body = Buffer.concat(chunks, size);
      request.rawBody = body;
      if (body.length === 0) {
        request.body = undefined;
        next();
        return;
      }
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        next(new ApiError('unsupported-media-type', 'a request body must have content-type application/json'));
        return;
      }
      try {
        request.body = JSON.parse(body.toString('utf8')) as unknown;
      } catch {
        next(new ApiError('malformed-json', 'the body is not valid JSON'));
        return;
      }
      next();
    };
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        finish(new ApiError('body-too-large', `the body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => finish());
    request.on('error', () => finish(new ApiError('invalid-argument', 'the request body could not be read')));
  }
}
