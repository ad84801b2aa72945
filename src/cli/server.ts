import http from 'node:http';
import https from 'node:https';
import { Option } from 'commander';
import { InputError } from './errors';
import { read } from './files';

/**
 * `--server URL --token-file FILE`: a trustee's or the credential authority's commands talk
 * to the server themselves (docs/verifiable.md). The token is read from a file, never taken
 * as a flag (flags show in `ps` and in the shell's history); the file may hold the token or
 * the whole link from the email, whose fragment is the token.
 */
export type ServerFlags = { server?: string; tokenFile?: string };

export const serverOptions = (): Option[] => [
  new Option('--server <url>', "the ballot's server, e.g. https://vote.example.org (with --token-file)"),
  new Option('--token-file <file>', 'a file holding your token, or the link you were sent (with --server)'),
];

export type ServerLink = {
  get(path: string): Promise<unknown>;
  put(path: string, body: string): Promise<unknown>;
};

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The link to the server the flags name, or undefined when they name none; one without the other is refused. */
export async function serverOf(flags: ServerFlags): Promise<ServerLink | undefined> {
  if (!flags.server && !flags.tokenFile) return undefined;
  if (!flags.server || !flags.tokenFile) throw new InputError('--server and --token-file go together');
  let base: URL;
  try {
    base = new URL(flags.server);
  } catch {
    throw new InputError(`--server: ${flags.server} is not a URL`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new InputError('--server: an http(s) URL');
  const text = await read(flags.tokenFile, 'your token');
  const token = text.includes('#') ? text.slice(text.lastIndexOf('#') + 1) : text;
  if (!TOKEN.test(token)) throw new InputError(`${flags.tokenFile}: no token in it (43 letters, digits, - and _)`);
  const call = async (method: 'GET' | 'PUT', path: string, body?: string): Promise<unknown> => {
    let res: Answer;
    try {
      res = await exchange(new URL(`/api/v1${path}`, base), method, { authorization: `Bearer ${token}` }, body);
    } catch (err) {
      throw new InputError(`cannot reach ${base.origin}: ${(err as Error).message}`);
    }
    let answer: { detail?: string; errors?: Array<{ path: string; message: string }> } = {};
    try {
      answer = JSON.parse(res.text) as typeof answer;
    } catch {
      // Not JSON (a proxy's page): the status says what happened.
    }
    if (res.status < 200 || res.status > 299) {
      const where = answer.errors?.length ? `: ${answer.errors.map((e) => `${e.path} ${e.message}`).join('; ')}` : '';
      const moved = res.location ? ` (it points to ${res.location}: give that server with --server)` : '';
      throw new InputError(`the server refused it (${res.status}): ${answer.detail ?? res.statusText}${where}${moved}`);
    }
    return answer;
  };
  return { get: (path) => call('GET', path), put: (path, body) => call('PUT', path, body) };
}

type Answer = { status: number; statusText: string; location: string | undefined; text: string };

/**
 * One request with node:http(s), which waits for the answer as long as it takes: Node's fetch
 * (undici) gives up after 300 s without the answer's headers, and the server's check of a
 * large ballot's shuffle takes longer than that (docs/verifiable.md).
 */
function exchange(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const sent =
    body === undefined
      ? headers
      : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, { method, headers: sent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          location: res.headers.location,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
