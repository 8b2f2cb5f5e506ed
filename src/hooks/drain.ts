/**
 * Reading what is left of a request body that will not be used. An answer sent while the
 * client is still writing (a 413 to a client that sends its whole body without waiting for
 * `Expect: 100-continue`, as Go's does) and followed by closing the connection makes the
 * kernel reset it, and the client sees the reset instead of the answer.
 */
import type { IncomingMessage } from 'node:http';

/** Resolves once the body has arrived, or after `maxBytes` more bytes or `maxMs`, whichever comes first. */
export function drain(request: IncomingMessage, maxBytes: number, maxMs: number): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', done);
      request.off('close', done);
      request.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    request.on('data', onData);
    request.once('end', done);
    request.once('close', done);
    request.once('error', done);
    request.resume();
  });
}
