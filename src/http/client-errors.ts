import type { Duplex } from 'node:stream';

/** How long to keep reading a refused request's remaining bytes before closing. */
const LINGER_MS = 5000;

const STATUS_LINE: Record<number, string> = {
  400: '400 Bad Request',
  414: '414 URI Too Long',
  431: '431 Request Header Fields Too Large',
};

/**
 * Requests that Node's parser refuses before any route sees them: a URL or headers beyond
 * its limit (16 KB), or bytes that are not HTTP. Node's own answer closes the socket at
 * once, while the client is still sending, and the client sees a reset instead of the
 * answer. Here the answer is sent, our side half-closed, and the rest of the request read
 * and dropped until the client closes (or a few seconds pass).
 */
export function answerClientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  let status = 400;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const raw = err.rawPacket?.toString('latin1') ?? '';
    // Still in the request line: the URL is what is too long.
    status = /^[A-Z]+ /.test(raw) && !raw.includes('\r\n') ? 414 : 431;
  }
  const body = `${STATUS_LINE[status]!.slice(4)}\n`;
  socket.end(
    `HTTP/1.1 ${STATUS_LINE[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.on('data', () => undefined);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
