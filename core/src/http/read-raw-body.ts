import type { IncomingMessage } from 'node:http';

import getRawBody from 'raw-body';

import { HookmuxError } from '../errors/hookmux-error.js';

/** The body as bytes, before any parsing: sources verify signatures over exactly what was sent. */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    const length = req.headers['content-length'];
    return await getRawBody(req, length === undefined ? { limit } : { limit, length });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw new HookmuxError('HM_ERR_HTTP_BODY_TOO_LARGE', `request body is larger than ${limit} bytes`, {
        hint: 'raise server.bodyLimit if such payloads are expected',
      });
    }
    throw new HookmuxError('HM_ERR_HTTP_BAD_JSON', 'request body could not be read', { cause: error });
  }
}
