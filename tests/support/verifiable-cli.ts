import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, type TestApp } from './app';
import { omov } from './cli';

/**
 * A verifiable ballot's people, as each would work: the trustees with `omov trustee`, the
 * credential authority with `omov credentials`, each with their own token against the
 * server, and belenios-tool on the archive the server publishes. Files go under `dir`.
 */
export const BELENIOS_TOOL = '/usr/bin/belenios-tool';

/** The omov CLI's output, or an error with what it complained of. */
export async function cli(...argv: string[]): Promise<string> {
  const r = await omov(...argv);
  if (r.code !== 0) throw new Error(`omov ${argv.join(' ')}: ${r.err}`);
  return r.out.trim();
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A trustee's side of the API, with the token of their link. */
export const trusteeApi = (app: TestApp, token: string) => ({
  get: () => new Client(app.url).json('GET', '/api/v1/trustee', undefined, bearer(token)),
  put: (step: string, body: unknown) => new Client(app.url).json('PUT', `/api/v1/trustee/${step}`, body, bearer(token)),
});

/**
 * The organiser names the trustees; each makes their certificate, polynomial and key share
 * with `omov trustee` and sends the public parts. Returns their tokens and key files.
 */
export async function trusteeKeysByCli(
  app: TestApp,
  org: Client,
  id: string,
  file: (name: string) => string,
  names: string[],
  threshold: number,
): Promise<{ tokens: string[]; keyFile: (n: number) => string }> {
  const named = await org.json('POST', `/api/v1/ballots/${id}/trustees`, { names });
  if (named.status !== 201) throw new Error(`naming the trustees: ${named.status} ${String(named.body?.detail)}`);
  const tokens: string[] = named.body.trustees.map((t: { token: string }) => t.token);
  const put = async (token: string, step: string, text: string) => {
    const r = await trusteeApi(app, token).put(step, JSON.parse(text));
    if (r.status !== 200) throw new Error(`trustee ${step}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  // The ballot's questions choose the group (a ranked one needs RFC-3526-2048): the server says which.
  const group: string = (await trusteeApi(app, tokens[0]!).get()).body.group;
  for (const [i, token] of tokens.entries())
    await put(
      token,
      'certificate',
      await cli('trustee', 'certificate', '--secrets', file(`t${i + 1}.secrets`), '--group', group),
    );
  fs.writeFileSync(
    file('certificates.json'),
    JSON.stringify((await trusteeApi(app, tokens[0]!).get()).body.certificates),
  );
  for (const [i, token] of tokens.entries())
    await put(
      token,
      'polynomial',
      await cli(
        'trustee',
        'polynomial',
        '--secrets',
        file(`t${i + 1}.secrets`),
        '--certificates',
        file('certificates.json'),
        '--threshold',
        String(threshold),
        '--group',
        group,
      ),
    );
  fs.writeFileSync(
    file('polynomials.json'),
    JSON.stringify((await trusteeApi(app, tokens[0]!).get()).body.polynomials),
  );
  for (const [i, token] of tokens.entries())
    await put(
      token,
      'verification-key',
      await cli(
        'trustee',
        'key',
        '--secrets',
        file(`t${i + 1}.secrets`),
        '--certificates',
        file('certificates.json'),
        '--polynomials',
        file('polynomials.json'),
        '--key-out',
        file(`t${i + 1}.key`),
        '--group',
        group,
      ),
    );
  return { tokens, keyFile: (n) => file(`t${n}.key`) };
}

/**
 * The credential authority, named by the organiser, reads the roll the server publishes for
 * them, makes the credentials with `omov credentials generate` and uploads the public ones.
 * Returns their token and each member id's private credential.
 */
export async function credentialsByCli(
  app: TestApp,
  org: Client,
  id: string,
  file: (name: string) => string,
): Promise<{ authority: string; credentials: Map<string, string> }> {
  const authority: string = (await org.json('POST', `/api/v1/ballots/${id}/credential-authority`)).body.token;
  const get = (p: string) =>
    new Client(app.url).json('GET', `/api/v1/credential-authority/${p}`, undefined, bearer(authority));
  fs.writeFileSync(file('roll.json'), JSON.stringify((await get('roll')).body));
  fs.writeFileSync(file('addresses.json'), JSON.stringify((await get('addresses')).body));
  await cli(
    'credentials',
    'generate',
    '--roll',
    file('roll.json'),
    '--private-out',
    file('private.csv'),
    '--public-out',
    file('public.json'),
  );
  const upload = JSON.parse(fs.readFileSync(file('public.json'), 'utf8'));
  const r = await new Client(app.url).json(
    'PUT',
    '/api/v1/credential-authority/public-credentials',
    upload,
    bearer(authority),
  );
  if (r.status !== 200) throw new Error(`uploading the public credentials: ${r.status} ${JSON.stringify(r.body)}`);
  const credentials = new Map(
    fs
      .readFileSync(file('private.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',') as [string, string]),
  );
  return { authority, credentials };
}

/** belenios-tool in `cwd`: its exit code, its output and its complaints. */
export function belenios(cwd: string, args: string[]): { code: number; out: string; err: string } {
  try {
    const out = execFileSync(BELENIOS_TOOL, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out, err: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout, err: err.stderr };
  }
}

/** Saves the archive the server publishes into a directory of its own, and runs belenios-tool there. */
export async function beleniosOnArchive(
  app: TestApp,
  id: string,
  where: string,
  args = ['election', 'verify'],
): Promise<{ code: number; out: string; err: string; archive: string }> {
  const r = await new Client(app.url).request('GET', `/api/v1/ballots/${id}/belenios-archive`);
  if (r.status !== 200) throw new Error(`the archive: ${r.status}`);
  const fileName = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')![1]!;
  fs.mkdirSync(where, { recursive: true });
  const archive = path.join(where, fileName);
  fs.writeFileSync(archive, Buffer.from(await r.arrayBuffer()));
  return { ...belenios(where, [...args, '--dir', where]), archive };
}
