import type { Request } from 'express';

/**
 * After refusing a body midway (413) the client may still be sending. The connection is closed
 * once the answer is out, and until then its bytes are read and dropped (not inflated or parsed),
 * so the client reads the answer instead of a reset. A client that sends more than `maxBytes` on
 * top is cut off.
 */
export function discardRestOfBody(req: Request, maxBytes: number): void {
  req.res?.setHeader('Connection', 'close');
  req.unpipe();
  let extra = 0;
  req.on('data', (chunk: Buffer) => {
    extra += chunk.length;
    if (extra > maxBytes) req.destroy();
  });
  req.resume();
}
