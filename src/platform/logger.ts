import pino from 'pino';

/** Paths in a URL that carry a secret: the secret segment is replaced before logging. */
const SECRET_PATHS = /^(\/(?:v|setup|reset)\/)[^/?#]+/;

export function redactUrl(url: string): string {
  const cut = url.replace(SECRET_PATHS, '$1[redacted]');
  // Query strings may carry anything; keep only the names.
  const q = cut.indexOf('?');
  if (q < 0) return cut;
  const names = cut
    .slice(q + 1)
    .split('&')
    .map((kv) => kv.split('=')[0]);
  return `${cut.slice(0, q)}?${names.map((n) => `${n}=[redacted]`).join('&')}`;
}

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token',
          '*.setupToken',
          'password',
          'token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
