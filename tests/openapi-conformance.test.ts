import fc from 'fast-check';
import { startSmtpSink, linkIn, waitFor } from './support/smtp';
import { ballotTimes, Client, joinByInvitation, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { arbitrary, dereference, type Schema, validate } from './support/json-schema';

/**
 * The API answers as its own OpenAPI document says, for every operation in it: a fuzzer
 * (the checks Schemathesis makes: no 5xx, a declared status, the declared media type, a
 * body that validates against the declared schema) over a live server seeded with real
 * data. Requests are generated from the document's own schemas with real ids put in, and
 * hostile ones beside them (wrong types, out of range, NUL, lone surrogates, huge strings,
 * unknown ids), sent as the right callers and the wrong ones. Fixed seed: the same
 * requests every run.
 */

const SEED = 16;
/** Requests per operation: generated from the schema, and hostile. */
const VALID = 8;
const HOSTILE = 12;

type Operation = {
  parameters: Array<{ name: string; in: 'path' | 'query'; required: boolean; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type Caller = { name: string; client: Client; headers: Record<string, string> };
type Sent = { caller: string; method: string; url: string; contentType?: string; body?: string };

let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let app: TestApp;
let doc: { paths: Record<string, Record<string, Operation>> };
const callers: Caller[] = [];
/** Real ids and secrets, by what they name. */
const pools: Record<'ballots' | 'members' | 'branches' | 'tokens' | 'questions' | 'votingTokens' | 'emails', string[]> =
  {
    ballots: [],
    members: [],
    branches: [],
    tokens: [],
    questions: [],
    votingTokens: [],
    emails: [],
  };
const questionsOf = new Map<string, string[]>();

async function ok<T>(r: Promise<{ status: number; body: T }>, status: number, what: string): Promise<T> {
  const got = await r;
  if (got.status !== status) throw new Error(`${what}: ${got.status} ${JSON.stringify(got.body)}`);
  return got.body;
}

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  const org = await setUpOrganisation(app, 'Fuzz Union', 'olive@example.org');
  const csv = [
    'email,name,branch,member_number,weight,joined',
    ...Array.from(
      { length: 8 },
      (_, i) => `m${i}@example.org,Member ${i},${i % 2 ? 'North' : 'South'},N${i},1,2020-01-0${i + 1}`,
    ),
  ].join('\n');
  await ok(org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' }), 200, 'roll');
  const members = await ok(
    org.json<Array<{ id: string; email: string; branchId: string }>>('GET', '/api/v1/members'),
    200,
    'members',
  );
  pools.members.push(...members.map((m) => m.id));
  pools.emails.push(...members.map((m) => m.email), 'olive@example.org');
  pools.branches.push(...new Set(members.map((m) => m.branchId)));

  const options = ['Ann', 'Bo', 'Cy'].map((label) => ({ label }));
  const paper = (title: string, times = ballotTimes()) => ({
    title,
    ...times,
    voterListVisible: true,
    questions: [
      { title: 'Agree?', method: 'yesno' },
      { title: 'Rank them', method: 'irv', options },
      { title: 'Score them', method: 'score', options },
    ],
  });
  const create = async (title: string, times?: { opensAt: string; closesAt: string }) => {
    const b = await ok(org.json('POST', '/api/v1/ballots', paper(title, times)), 201, title);
    pools.ballots.push(b.id);
    questionsOf.set(
      b.id,
      b.questions.map((q: { id: string }) => q.id),
    );
    pools.questions.push(...questionsOf.get(b.id)!);
    return b.id as string;
  };
  const open = async (id: string) => {
    const before = smtp.received.length;
    await ok(org.json('POST', `/api/v1/ballots/${id}/open`), 200, 'open');
    const mails = await waitFor('invitations', () =>
      smtp.received.length >= before + 8 ? smtp.received.slice(before, before + 8) : undefined,
    );
    return mails.map((m) => linkIn(m.raw).split('/v/')[1]!);
  };
  const castAll = async (id: string, tokens: string[]) => {
    const [yes, rank, score] = questionsOf.get(id)!;
    for (const [i, token] of tokens.entries())
      await ok(
        new Client(app.url).json('POST', '/api/v1/vote', {
          token,
          answers: {
            [yes!]: { kind: 'choice', option: i % 2 },
            [rank!]: { kind: 'ranking', options: [i % 3, (i + 1) % 3] },
            [score!]: { kind: 'scores', scores: [i % 6, null, 3] },
          },
        }),
        201,
        'vote',
      );
  };
  await create('Draft');
  const later = await create('Not yet open', {
    opensAt: new Date(Date.now() + 3600_000).toISOString(),
    closesAt: new Date(Date.now() + 7200_000).toISOString(),
  });
  pools.votingTokens.push(...(await open(later)));
  const openNow = await create('Open');
  const openTokens = await open(openNow);
  await castAll(openNow, openTokens.slice(0, 2));
  pools.votingTokens.push(...openTokens);
  for (const [title, publish] of [
    ['Closed', false],
    ['Published', true],
  ] as const) {
    const id = await create(title);
    const tokens = await open(id);
    await castAll(id, tokens.slice(0, 6));
    await ok(org.json('POST', `/api/v1/ballots/${id}/close`), 204, 'close');
    if (publish) await ok(org.json('POST', `/api/v1/ballots/${id}/publish`), 204, 'publish');
    pools.votingTokens.push(...tokens.slice(5));
  }
  const auditor = await joinByInvitation(app, smtp, org, { role: 'auditor' }, 'audrey@example.org');
  const bearer = await ok(org.json('POST', '/api/v1/api-tokens', { name: 'fuzz' }), 201, 'token');
  const spare = await ok(org.json('POST', '/api/v1/api-tokens', { name: 'spare' }), 201, 'token');
  pools.tokens.push(spare.id, bearer.id);
  callers.push(
    { name: 'organiser (session)', client: org, headers: {} },
    {
      name: 'organiser (API token)',
      client: new Client(app.url),
      headers: { authorization: `Bearer ${bearer.token}` },
    },
    { name: 'auditor (session)', client: auditor, headers: {} },
    { name: 'anonymous', client: new Client(app.url), headers: {} },
  );
  doc = dereference((await new Client(app.url).json('GET', '/api/v1/openapi.json')).body);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

/** A deterministic stream of choices (mulberry32), for what the fuzzer mutates and whom it sends as. */
function chooser(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]! };
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const HUGE = 'x'.repeat(100_000);
/** Values a field should not accept, as JSON text (some, such as 1e400, JSON.stringify cannot write). */
const HOSTILE_JSON = [
  '"a\\u0000b"',
  '"\\ud800"',
  '"\\udfff tail"',
  JSON.stringify(HUGE),
  '-1',
  '1.5',
  '1e400',
  '9007199254740993',
  '"NaN"',
  'true',
  'null',
  '{}',
  '[]',
  '"0000-00-00"',
  '"2020-02-30"',
  '""',
  '"   "',
  `"${'9'.repeat(400)}"`,
];
/** Values a query or path parameter should not accept, already percent-encoded. */
const HOSTILE_PARAMS = [
  '%00',
  '%ED%A0%80',
  '%FF',
  'x'.repeat(5000),
  '-1',
  '1.5',
  'NaN',
  '',
  '%20',
  'not-a-uuid',
  UNKNOWN_ID,
];

/** The real ids a parameter names, by its name and the operation's path. */
function realIds(path: string, name: string): string[] | undefined {
  if (name === 'memberId') return pools.members;
  if (name === 'questionId') return pools.questions;
  if (name === 'branchId') return pools.branches;
  if (name !== 'id') return undefined;
  if (path.startsWith('/api/v1/members')) return pools.members;
  if (path.startsWith('/api/v1/api-tokens')) return pools.tokens;
  return pools.ballots;
}

/** Real secrets and ids put into a generated JSON body where the field names one. */
function withRealValues(body: unknown, c: ReturnType<typeof chooser>, path: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const b = { ...(body as Record<string, unknown>) };
  if ('token' in b && c.next() < 0.7) b.token = c.pick(pools.votingTokens);
  if ('ballotId' in b && c.next() < 0.7) b.ballotId = c.pick(pools.ballots);
  if ('email' in b && c.next() < 0.5) b.email = c.pick(pools.emails);
  if (path === '/api/v1/vote' && c.next() < 0.7) {
    // Answers keyed by real question ids, with generated (often wrong) answers.
    const ids = questionsOf.get(c.pick(pools.ballots))!;
    const given = Object.values((b.answers as Record<string, unknown>) ?? {});
    b.answers = Object.fromEntries(ids.map((id, i) => [id, given[i] ?? { kind: 'abstain' }]));
  }
  return b;
}

/**
 * Bodies the API accepts, for operations whose rules go beyond what a schema can say
 * (a ballot's questions and options, a vote's answers): half the generated requests, and
 * the hostile ones made from them, start from these, so the fuzzer reaches past the first
 * refusal.
 */
const EXAMPLES: Record<string, (c: ReturnType<typeof chooser>) => unknown> = {
  'post /api/v1/ballots': () => ballotBody(),
  'put /api/v1/ballots/{id}': () => ballotBody(),
  'post /api/v1/members': (c) => ({
    email: `new${Math.floor(c.next() * 1e6)}@example.org`,
    name: 'New Member',
    branch: c.pick(['North', 'South', 'East']),
    joinedOn: '2024-02-29',
    weight: '1.5',
  }),
  'put /api/v1/members/{id}': (c) => ({
    email: c.pick(pools.emails),
    name: 'Renamed',
    branch: 'North',
    memberNumber: 'N9',
  }),
  'post /api/v1/vote': (c) => {
    const [yes, rank, score] = questionsOf.get(c.pick(pools.ballots))!;
    return {
      token: c.pick(pools.votingTokens),
      answers: {
        [yes!]: { kind: 'choice', option: 1 },
        [rank!]: { kind: 'ranking', options: [2, 0] },
        [score!]: { kind: 'scores', scores: [1, 2, null] },
      },
    };
  },
};

const ballotBody = () => ({
  title: 'Fuzzed',
  ...ballotTimes(),
  questions: [
    { title: 'Agree?', method: 'yesno' },
    { title: 'Rank them', method: 'stv', options: ['A', 'B', 'C'].map((label) => ({ label })), settings: { seats: 2 } },
  ],
});

/** Every place in a JSON value (objects' properties, arrays' items), as key paths. */
function places(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const here = at.length ? [at] : [];
  if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => places(x, [...at, i]))];
  if (typeof v === 'object' && v !== null)
    return [...here, ...Object.entries(v).flatMap(([k, x]) => places(x, [...at, k]))];
  return here;
}

/** `value` as JSON text with the value at `where` replaced by the raw JSON text `raw`. */
function replacedJson(value: unknown, where: Array<string | number>, raw: string): string {
  const marker = '\u0001HOSTILE\u0001';
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const k of where.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[where.at(-1)!] = marker;
  return JSON.stringify(copy).replace(JSON.stringify(marker), raw);
}

function sample<T>(arb: fc.Arbitrary<T>, seed: number, n: number): T[] {
  return fc.sample(arb, { seed, numRuns: n });
}

/** The requests for one operation: generated from its schemas, then hostile variants. */
function requestsFor(path: string, method: string, op: Operation, seed: number): Array<Sent & { callerIndex: number }> {
  const c = chooser(seed);
  const out: Array<Sent & { callerIndex: number }> = [];
  const jsonBody = op.requestBody?.content['application/json']?.schema;
  const textType = op.requestBody
    ? Object.keys(op.requestBody.content).find((t) => t !== 'application/json')
    : undefined;
  const params = op.parameters;
  const paramValues = sample(
    fc.record(Object.fromEntries(params.map((p) => [`${p.in}:${p.name}`, arbitrary(p.schema)]))),
    seed,
    VALID + HOSTILE,
  );
  const bodies = jsonBody ? sample(arbitrary(jsonBody), seed + 1, VALID + HOSTILE) : [];
  const build = (i: number, hostile: boolean): Sent & { callerIndex: number } => {
    const values = paramValues[i] as Record<string, unknown>;
    let url = path;
    const query = new URLSearchParams();
    let rawQuery = '';
    const hostileParam = hostile && params.length && c.next() < 0.4 ? c.pick(params) : undefined;
    for (const p of params) {
      const ids = realIds(path, p.name);
      let v = values[`${p.in}:${p.name}`];
      if (ids && c.next() < 0.85) v = c.pick(ids);
      if (p.in === 'query' && !p.required && c.next() < 0.3) continue;
      if (p === hostileParam) {
        const bad = c.pick(HOSTILE_PARAMS);
        if (p.in === 'path') url = url.replace(`{${p.name}}`, bad);
        else rawQuery += `${rawQuery ? '&' : ''}${p.name}=${bad}`;
        continue;
      }
      if (v === undefined) continue;
      if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(v)));
      else query.set(p.name, String(v));
    }
    const qs = [query.toString(), rawQuery].filter(Boolean).join('&');
    const sent: Sent & { callerIndex: number } = {
      caller: '',
      callerIndex: Math.floor(c.next() * callers.length),
      method: method.toUpperCase(),
      url: qs ? `${url}?${qs}` : url,
    };
    if (jsonBody) {
      const example = EXAMPLES[`${method} ${path}`];
      const body = example && i % 2 === 0 ? example(c) : withRealValues(bodies[i], c, path);
      sent.contentType = 'application/json';
      sent.body = JSON.stringify(body);
      if (hostile && !hostileParam) {
        const spots = places(body);
        const r = c.next();
        if (r < 0.1) sent.body = c.pick(['[]', 'null', '"text"', '{', '{"a":1}x', HUGE]);
        else if (r < 0.15) sent.contentType = 'text/plain';
        else if (spots.length) sent.body = replacedJson(body, c.pick(spots), c.pick(HOSTILE_JSON));
        else sent.body = c.pick(HOSTILE_JSON);
      }
    } else if (textType) {
      sent.contentType = textType;
      const row = (j: number) =>
        `f${i}x${j}@example.org,Fuzz ${j},${c.pick(['North', 'South', 'East'])},F${j},1,2021-02-03`;
      sent.body =
        textType === 'text/csv'
          ? ['email,name,branch,member_number,weight,joined', row(1), row(2)].join('\n')
          : 'From: mailer-daemon@example.org\r\nSubject: bounce\r\n\r\nno report here\r\n';
      if (hostile) {
        sent.body = c.pick([
          `${sent.body}\nbad\u0000nul@example.org,Nul,North`,
          `${sent.body}\n\ud800@example.org,Surrogate,North`,
          `${'c,'.repeat(20_000)}c\n`,
          `email,name,branch\n${HUGE}@example.org,x,y`,
          `email,name,branch,joined\nj@example.org,J,North,0000-00-00`,
          '',
        ]);
        if (c.next() < 0.2) sent.contentType = 'application/json';
      }
    }
    return sent;
  };
  for (let i = 0; i < VALID; i++) out.push(build(i, false));
  for (let i = VALID; i < VALID + HOSTILE; i++) out.push(build(i, true));
  // Each caller at least once with a generated request.
  callers.forEach((_, k) => out.push({ ...build(k % VALID, false), callerIndex: k }));
  return out;
}

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

/** What is wrong with an answer, by the document (undefined: nothing). */
function mismatch(op: Operation, status: number, contentType: string | null, text: string): string | undefined {
  if (status >= 500) return `a server error (${status}): ${text.slice(0, 300)}`;
  const declared = op.responses[String(status)] ?? op.responses.default;
  if (!declared) return `status ${status} is not declared (declared: ${Object.keys(op.responses).join(', ')})`;
  if (!declared.content) return text === '' ? undefined : `status ${status} is declared without a body, but one came`;
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const content = declared.content[mediaType];
  if (!content)
    return `content-type ${mediaType || '(none)'} for ${status}; declared: ${Object.keys(declared.content).join(', ')}`;
  let body: unknown = text;
  if (isJson(mediaType)) {
    try {
      body = JSON.parse(text);
    } catch {
      return `the body is not JSON: ${text.slice(0, 200)}`;
    }
  }
  const errors = validate(content.schema, body);
  return errors.length
    ? `the body does not match the schema for ${status}:\n      ${errors.slice(0, 8).join('\n      ')}`
    : undefined;
}

/** Reads and writes that change no state first; the ones that do (open, close, delete, sign out) last. */
function order(path: string, method: string): number {
  if (method === 'delete' && path === '/api/v1/session') return 5;
  if (method === 'delete') return 4;
  if (/\/(open|close|publish)$/.test(path)) return 3;
  if (path === '/api/v1/setup') return 2;
  return method === 'get' ? 0 : 1;
}

test('every operation answers as the OpenAPI document declares, to valid and hostile requests alike', async () => {
  const ops = Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
    .sort((a, b) => order(a.path, a.method) - order(b.path, b.method));
  expect(ops.length).toBeGreaterThan(40);
  const failures: string[] = [];
  let failed = 0;
  const seen = new Map<string, number>();
  let sentCount = 0;
  for (const [n, { path, method, op }] of ops.entries()) {
    for (const r of requestsFor(path, method, op, SEED * 1000 + n)) {
      const caller = callers[r.callerIndex]!;
      // Signing out the shared sessions would leave the rest of the run signed out.
      if (method === 'delete' && path === '/api/v1/session' && caller.name.includes('session')) continue;
      const headers = { ...caller.headers, ...(r.contentType ? { 'content-type': r.contentType } : {}) };
      const res = await caller.client.request(r.method, r.url, r.body, headers);
      const text = await res.text();
      sentCount++;
      const key = `${method.toUpperCase()} ${path}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const wrong = mismatch(op, res.status, res.headers.get('content-type'), text);
      if (wrong) failed++;
      if (wrong && failures.length < 30)
        failures.push(
          `${key} as ${caller.name}\n    request: ${r.method} ${r.url.slice(0, 200)}${r.body === undefined ? '' : `\n    body (${r.contentType}): ${r.body.slice(0, 300)}`}\n    mismatch: ${wrong}`,
        );
    }
  }
  if (failed)
    throw new Error(
      `${failed} of ${sentCount} answers disagree with the document (the first ${failures.length}):\n\n${failures.join('\n\n')}`,
    );
  // Every operation was exercised, and the run is the size it says.
  expect(seen.size).toBe(ops.length);
  expect(sentCount).toBeGreaterThan(ops.length * (VALID + HOSTILE));
}, 240_000);
