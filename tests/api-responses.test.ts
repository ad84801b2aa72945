import * as outbox from '../src/data/outbox';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { postVote, tokensOf } from './support/integrity';
import { waitFor } from './support/smtp';
import { dereference } from './support/json-schema';

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's

/**
 * The OpenAPI document describes what the API answers: every field a response carries is
 * among the properties its schema documents (recursively, through objects and arrays), so
 * a client generated from the document sees everything. Checked on real answers.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  additionalProperties?: unknown;
};

let app: TestApp;
let org: Client;
let doc: {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: { 'application/json'?: { schema: Schema } } }> }>
  >;
};
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Docs Union');
  expect(
    (
      await org.json(
        'POST',
        '/api/v1/roll/import',
        'email,name,branch\na@example.org,A,North\nb@example.org,B,South\n',
        { 'content-type': 'text/csv' },
      )
    ).status,
  ).toBe(200);
  doc = dereference((await org.json('GET', '/api/v1/openapi.json')).body);
});
afterAll(async () => {
  await app?.close();
});

/** Paths in `value` that `schema` does not document. */
function undocumented(value: unknown, schema: Schema | undefined, at: string): string[] {
  if (!schema || value === null || typeof value !== 'object') return [];
  const options = schema.anyOf ?? [schema];
  if (Array.isArray(value)) {
    const items = options.find((o) => o.items)?.items;
    return value.length ? undocumented(value[0], items, `${at}[0]`) : [];
  }
  const withProps = options.find((o) => o.properties);
  // A record (additionalProperties) or an unknown value documents any key.
  if (!withProps) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const s = withProps.properties![k];
    if (!s) out.push(`${at}.${k}`);
    else out.push(...undocumented(v, s, `${at}.${k}`));
  }
  return out;
}

function schemaOf(method: string, path: string, status: number): Schema | undefined {
  return doc.paths[`/api/v1${path}`]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
}

test('ballots, results, turnout, invitations, the board and the roll answer only documented fields', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Docs',
    ...ballotTimes(),
    timeZone: 'Europe/London',
    eligibility: { branches: ['North', 'South'] },
    receiptPolicy: 'choices',
    questions: [
      { title: 'Agree?', method: 'yesno' },
      { title: 'Chair', method: 'irv', options: [{ label: 'Ann' }, { label: 'Bo' }] },
    ],
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`)).status).toBe(200);
  // A vote on the board, and a delivery among the failed ones, so that their lists have items.
  const [voter] = await tokensOf(app.db, id, SECRET);
  const [q0, q1] = created.body.questions as Array<{ id: string }>;
  expect(
    (
      await postVote(app.url, voter!.token, {
        [q0!.id]: { kind: 'choice', option: 0 },
        [q1!.id]: { kind: 'ranking', options: [1, 0] },
      })
    ).status,
  ).toBe(201);
  const sent = await waitFor(
    'an invitation sent',
    async () =>
      (
        await app.db
          .selectFrom('mail_outbox')
          .select('id')
          .where('ballot_id', '=', id)
          .where('status', '=', 'sent')
          .executeTakeFirst()
      )?.id,
  );
  expect(await outbox.markBounced(app.db, sent, 'bounced: 550 no such user')).toBeDefined();
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBe(204);

  const calls: Array<[string, string, string]> = [
    ['post', '/ballots', ''],
    ['get', '/ballots', '/ballots'],
    ['get', '/ballots/{id}', `/ballots/${id}`],
    ['get', '/ballots/{id}/results', `/ballots/${id}/results`],
    ['get', '/ballots/{id}/turnout', `/ballots/${id}/turnout`],
    ['get', '/ballots/{id}/invitations', `/ballots/${id}/invitations`],
    ['get', '/ballots/{id}/board', `/ballots/${id}/board`],
    ['get', '/members', '/members'],
    ['get', '/me', '/me'],
  ];
  const problems: string[] = [];
  for (const [method, template, path] of calls) {
    const r = method === 'post' ? created : await org.json('GET', `/api/v1${path}`);
    const status = method === 'post' ? 201 : 200;
    expect(r.status).toBe(status);
    const schema = schemaOf(method, template, status);
    if (!schema) {
      problems.push(`${method} ${template}: no response schema`);
      continue;
    }
    problems.push(...undocumented(r.body, schema, `${method} ${template}`));
    // The lists checked item by item are not empty.
    if (template.endsWith('/board')) expect(r.body.receipts).toHaveLength(1);
    if (template.endsWith('/invitations')) expect(r.body.failed).toHaveLength(1);
    if (template.endsWith('/results')) expect(r.body.questions[1].count.rounds.length).toBeGreaterThan(0);
  }
  expect(problems).toEqual([]);
});
