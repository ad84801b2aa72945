import { sql } from 'kysely';
import { pageRoutes } from '../src/http/pages';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { dereference } from './support/json-schema';

/**
 * The text rule at every boundary: a NUL or a lone surrogate in any text field of the API
 * (every string the OpenAPI document describes, found by walking it, so a new field is
 * covered by itself), of the pages' forms and queries, and of a roll file's cells, is a
 * 4xx naming the field or the line, and nothing is written.
 */

const BAD = ['\0', 'a\ud800b'];

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
};
type Operation = {
  parameters: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  security: unknown[];
};

let app: TestApp;
let org: Client;
let bearer: Record<string, string>;
/** A trustee's link token: the trustee's routes check it before they read a body (docs/verifiable.md). */
let trusteeBearer: Record<string, string>;
let doc: { paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Text Union');
  const r = await org.json('POST', '/api/v1/api-tokens', { name: 'text rule' });
  bearer = { authorization: `Bearer ${r.body.token}` };
  const imported = await org.json('POST', '/api/v1/roll/import', 'email,name,branch\na@example.org,A,North\n', {
    'content-type': 'text/csv',
    ...bearer,
  });
  expect(imported.status).toBe(200);
  const ballot = await org.json(
    'POST',
    '/api/v1/ballots',
    {
      title: 'Trustees',
      questions: [{ title: 'Agree?', method: 'yesno' }],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
    },
    bearer,
  );
  expect(ballot.status).toBe(201);
  const named = await org.json('POST', `/api/v1/ballots/${ballot.body.id}/trustees`, { names: ['Tess'] }, bearer);
  expect(named.status).toBe(201);
  trusteeBearer = { authorization: `Bearer ${named.body.trustees[0].token}` };
  doc = dereference((await org.json('GET', '/api/v1/openapi.json')).body);
});
afterAll(async () => {
  await app?.close();
});

/** Rows in every table: what "nothing written" is checked against. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await sql<{
    name: string;
  }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(
    app.db,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables.rows)
    out[name] = Number(
      (await sql<{ n: string }>`select count(*) as n from ${sql.table(name)}`.execute(app.db)).rows[0]!.n,
    );
  return out;
}

/** Paths (dotted, array items as 0) of every string the schema allows. */
function stringPaths(s: Schema | undefined, at: string[] = []): string[][] {
  if (!s) return [];
  const options = s.anyOf ?? s.oneOf ?? [s];
  const out: string[][] = [];
  for (const o of options) {
    const types = Array.isArray(o.type) ? o.type : [o.type];
    if (types.includes('string')) out.push(at);
    if (o.properties) for (const [k, v] of Object.entries(o.properties)) out.push(...stringPaths(v, [...at, k]));
    if (o.items) out.push(...stringPaths(o.items, [...at, '0']));
  }
  return out.filter((p, i) => out.findIndex((q) => q.join('.') === p.join('.')) === i);
}

/** A JSON value with `leaf` at `path` (numeric steps become arrays). */
function valueAt(path: string[], leaf: string): unknown {
  if (!path.length) return leaf;
  const [head, ...rest] = path;
  return /^\d+$/.test(head!) ? [valueAt(rest, leaf)] : { [head!]: valueAt(rest, leaf) };
}

const fill = (path: string) => path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');

test('every text field of the API refuses NUL and lone surrogates with a 4xx naming it, writing nothing', async () => {
  const before = await rowCounts();
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const headers = path.startsWith('/api/v1/trustee') ? trusteeBearer : op.security.length ? bearer : {};
      for (const bad of BAD) {
        // A URL cannot carry a lone surrogate (its UTF-8 bytes are malformed): only NUL there.
        for (const p of bad === '\0' ? op.parameters.filter((x) => x.in === 'query') : []) {
          const r = await org.json(
            method.toUpperCase(),
            `${fill(path)}?${new URLSearchParams({ [p.name]: bad })}`,
            undefined,
            headers,
          );
          expect([method, path, p.name, r.status]).toEqual([method, path, p.name, 422]);
          expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(`query.${p.name}`);
          checked++;
        }
        for (const p of bad === '\0' ? op.parameters.filter((x) => x.in === 'path') : []) {
          const url = path.replace(`{${p.name}}`, encodeURIComponent(bad)).replace(/\{[^}]+\}/g, fill('{x}'));
          const r = await org.json(method.toUpperCase(), url, method === 'get' ? undefined : {}, headers);
          expect([method, path, p.name, r.status]).toEqual([method, path, p.name, 404]);
          checked++;
        }
        const json = op.requestBody?.content['application/json']?.schema;
        for (const field of stringPaths(json)) {
          const body = valueAt(field, bad);
          const r = await org.json(method.toUpperCase(), fill(path), body, headers);
          const name = field.join('.') || '(body)';
          expect([method, path, name, r.status]).toEqual([method, path, name, 422]);
          expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(name);
          checked++;
        }
        // A file is bytes: a lone surrogate cannot be in its UTF-8, only NUL.
        const csv = bad === '\0' ? op.requestBody?.content['text/csv'] : undefined;
        if (csv) {
          const r = await org.json(
            method.toUpperCase(),
            fill(path),
            `email,name,branch\nb@example.org,B${bad},North\n`,
            { 'content-type': 'text/csv', ...headers },
          );
          expect([path, r.status]).toEqual([path, 422]);
          expect(r.body.errors).toEqual([{ path: 'line 2, name', message: expect.stringMatching(/NUL/) }]);
          checked++;
        }
      }
    }
  }
  // Sign-in, a ballot's title and the member search: the cases that used to be 500s.
  expect(checked).toBeGreaterThan(100);
  expect(await rowCounts()).toEqual(before);
});

test('every page refuses NUL in its query and form with a 422 naming the field', async () => {
  const page = await org.request('GET', '/roll/members/new');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const stranger = new Client(app.url);
  const signin = await (await stranger.request('GET', '/signin')).text();
  const formCsrf = /name="csrf" value="([^"]+)"/.exec(signin)![1]!;
  const before = await rowCounts();
  let checked = 0;
  for (const r of pageRoutes(app.ctx)) {
    const path = r.path.replace(/:token/g, 'x'.repeat(43)).replace(/:\w+/g, fill('{x}'));
    // Staff pages, and a public form checked against the session (signing out), as the organiser.
    const staff = ['staff', 'roll reader', 'organiser'].includes(r.who) || r.csrf?.check === 'session';
    const client = staff ? org : stranger;
    // Forms and URLs arrive as UTF-8 bytes, where a lone surrogate cannot be: only NUL.
    for (const bad of ['\0']) {
      const q = `${path}?${new URLSearchParams({ search: bad })}`;
      const res =
        r.method === 'get'
          ? await client.request('GET', q)
          : await client.request(
              'POST',
              path,
              new URLSearchParams([
                ['csrf', staff ? csrf : formCsrf],
                ['name', bad],
              ]).toString(),
              { 'content-type': 'application/x-www-form-urlencoded', origin: app.url },
            );
      const text = await res.text();
      expect([r.method, r.path, res.status]).toEqual([r.method, r.path, 422]);
      expect(text).toContain(r.method === 'get' ? 'search' : 'name');
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(30);
  expect(await rowCounts()).toEqual(before);
});

test('a ballot title with a NUL or lone surrogate is refused, and a well-formed emoji is kept', async () => {
  const ballot = (title: string) => ({
    title,
    ...ballotTimes(),
    questions: [{ title: 'Q', method: 'plurality', options: [{ label: 'Yes' }, { label: 'No' }] }],
  });
  for (const bad of BAD) {
    const r = await org.json('POST', '/api/v1/ballots', ballot(`T${bad}`), bearer);
    expect(r.status).toBe(422);
    expect(r.body.errors[0].path).toBe('title');
  }
  const ok = await org.json('POST', '/api/v1/ballots', ballot('Vote 🗳️'), bearer);
  expect(ok.status).toBe(201);
  expect(ok.body.title).toBe('Vote 🗳️');
});
