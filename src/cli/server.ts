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
    let res: Response;
    try {
      res = await fetch(new URL(`/api/v1${path}`, base), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      });
    } catch (err) {
      throw new InputError(`cannot reach ${base.origin}: ${(err as Error).message}`);
    }
    const answer = (await res.json().catch(() => ({}))) as {
      detail?: string;
      errors?: Array<{ path: string; message: string }>;
    };
    if (!res.ok) {
      const where = answer.errors?.length ? `: ${answer.errors.map((e) => `${e.path} ${e.message}`).join('; ')}` : '';
      throw new InputError(`the server refused it (${res.status}): ${answer.detail ?? res.statusText}${where}`);
    }
    return answer;
  };
  return { get: (path) => call('GET', path), put: (path, body) => call('PUT', path, body) };
}
