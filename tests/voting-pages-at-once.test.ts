import crypto from 'node:crypto';
import http from 'node:http';
import { Keyring } from '../src/platform/secrets';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';
import { postVote, rollCsv, tokensOf } from './support/integrity';

/**
 * Many members opening their links at the same moment: the server looks links up in
 * batches and builds the untouched ballot paper once per ballot. Each member must still
 * get the page of their own link, in its own state, with a form only their link can post.
 */

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const keys = new Keyring(SECRET);
const csrfOf = (token: string) => keys.mac('vote-form', crypto.createHash('sha256').update(token).digest('hex'));

let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Batch Union');
  expect(
    (await org.json('POST', '/api/v1/roll/import', rollCsv({ North: 25, South: 15 }), { 'content-type': 'text/csv' }))
      .status,
  ).toBe(200);
});
afterAll(async () => {
  await app?.close();
});

/** A GET on a connection of its own, as phones opening their links would make. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function openBallot(title: string) {
  const created = await org.json('POST', '/api/v1/ballots', {
    title,
    ...ballotTimes(),
    questions: [
      { title: 'Agree?', method: 'yesno' },
      {
        title: 'Treasurer',
        method: 'irv',
        options: [{ label: 'Ana', description: 'Auditor' }, { label: 'Bo' }, { label: 'Cy' }],
      },
    ],
  });
  expect(created.status).toBe(201);
  expect((await org.json('POST', `/api/v1/ballots/${created.body.id}/open`)).status).toBe(200);
  return {
    id: created.body.id as string,
    questionIds: (created.body.questions as Array<{ id: string }>).map((q) => q.id),
  };
}

test("80 pages opened at once: each shows its own link's state, and each form carries its own link's key", async () => {
  const ballot = await openBallot('Forty at once');
  const tokens = (await tokensOf(app.db, ballot.id, SECRET)).map((t) => t.token);
  expect(tokens).toHaveLength(40);
  const used = tokens.slice(0, 5);
  for (const t of used)
    expect(
      (
        await postVote(app.url, t, {
          [ballot.questionIds[0]!]: { kind: 'abstain' },
          [ballot.questionIds[1]!]: { kind: 'abstain' },
        })
      ).status,
    ).toBe(201);
  const fresh = tokens.slice(5);
  const unknown = Array.from({ length: 5 }, () => crypto.randomBytes(32).toString('base64url'));

  // Every fresh link twice, the used and unknown ones once: 80 requests, shuffled, at once.
  const asks = [...fresh, ...fresh, ...used, ...unknown].map((token, i) => ({ token, order: (i * 37) % 80 }));
  asks.sort((a, b) => a.order - b.order);
  const pages = await Promise.all(asks.map(async ({ token }) => ({ token, ...(await get(`${app.url}/v/${token}`)) })));

  for (const p of pages) {
    if (fresh.includes(p.token)) {
      expect(p.status).toBe(200);
      const fields = [...p.body.matchAll(/name="csrf" value="([^"]+)"/g)].map((m) => m[1]);
      expect(fields).toEqual([csrfOf(p.token)]);
    } else if (used.includes(p.token)) {
      expect(p.status).toBe(409);
      expect(p.body).toContain('already been used');
    } else {
      expect(p.status).toBe(404);
      expect(p.body).toContain('This voting link is not valid');
    }
  }
  // The fresh papers are one page but for the form's key.
  const papers = new Set(
    pages.filter((p) => p.status === 200).map((p) => p.body.replace(/name="csrf" value="[^"]+"/, '')),
  );
  expect(papers.size).toBe(1);
  const paper = [...papers][0]!;
  expect(paper).toContain('Batch Union');
  expect(paper).toContain('Forty at once');
  expect(paper).toContain('Ana<span class="hint lines"> Auditor</span>');

  // A page's key works for its own link only: the review step accepts it, and another link refuses it.
  const [a, b] = fresh as [string, string];
  const review = (token: string, csrf: string) =>
    new Client(app.url).form(`/v/${token}`, [
      ['csrf', csrf],
      ['step', 'review'],
      ['q_0', '0'],
    ]);
  expect((await review(a, csrfOf(a))).status).toBe(200);
  expect((await review(b, csrfOf(a))).status).toBe(403);
});

test('a link used a moment ago shows as used at once, though the paper itself is built once', async () => {
  const ballot = await openBallot('Used at once');
  const [token] = (await tokensOf(app.db, ballot.id, SECRET)).map((t) => t.token);
  expect((await get(`${app.url}/v/${token}`)).status).toBe(200);
  expect(
    (
      await postVote(app.url, token!, {
        [ballot.questionIds[0]!]: { kind: 'choice', option: 1 },
        [ballot.questionIds[1]!]: { kind: 'abstain' },
      })
    ).status,
  ).toBe(201);
  expect((await get(`${app.url}/v/${token}`)).status).toBe(409);
});

test("the paper built from its stored parts is byte for byte the paper built whole, options in each member's own order", async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Parts & <whole>',
    description: 'Every kind of question',
    ...ballotTimes(),
    randomiseOptions: true,
    timeZone: 'Europe/London',
    questions: [
      { title: 'Agree?', method: 'yesno' },
      {
        title: 'Priorities',
        method: 'approval',
        settings: { maxMarks: 2 },
        options: ['Pay', 'Hours', 'Safety'].map((label) => ({ label })),
      },
      {
        title: 'Chair',
        method: 'irv',
        description: 'One to lead',
        options: [
          { label: 'Ana', description: 'Auditor "for years"' },
          { label: 'Bo' },
          { label: 'Cy' },
          { label: 'Di' },
        ],
      },
      { title: 'Rate', method: 'score', settings: { maxScore: 3 }, options: ['X', 'Y'].map((label) => ({ label })) },
    ],
  });
  expect(created.status).toBe(201);
  expect((await org.json('POST', `/api/v1/ballots/${created.body.id}/open`)).status).toBe(200);
  const tokens = (await tokensOf(app.db, created.body.id, SECRET)).map((t) => t.token).slice(0, 4);
  const orders = new Set<string>();
  for (const token of tokens) {
    const fromParts = await get(`${app.url}/v/${token}`);
    expect(fromParts.status).toBe(200);
    // "Change my answers" with nothing chosen: the same page, built whole from the form.
    const whole = await new Client(app.url).form(`/v/${token}`, [
      ['csrf', csrfOf(token)],
      ['step', 'edit'],
    ]);
    expect(whole.status).toBe(200);
    expect(fromParts.body).toBe(whole.text);
    orders.add([...fromParts.body.matchAll(/id="q_2_(\d)"/g)].map((m) => m[1]).join(''));
  }
  // Four members, four candidates: each sees them in an order of their own (1 in 13,824 that all agree).
  expect(orders.size).toBeGreaterThan(1);
});
