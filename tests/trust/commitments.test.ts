import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { type AuditEntry, auditHash } from '@omov/core/domain/audit';
import type { StoredVote } from '@omov/core/domain/ballot';
import {
  boxRoot,
  definitionHash,
  electorateHash,
  electorateOf,
  inclusionOrder,
  OPEN_COMMITMENT,
  tokensRoot,
} from '@omov/core/record/commitments';
import { chainElement, chainStart, checkpointKey, extendChain, signCheckpoint } from '@omov/core/record/chain';
import { countRecord, type ElectionRecord, storedResults } from '@omov/core/record/record';
import { type Check, verifyRecord } from '@omov/core/record/verify';
import { hashSecret, Keyring, newSecret } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { CastWitness, CheckpointMemory, chainOpenBallots } from '../../src/services/chain';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled, waitFor } from '../support/machine';
import { startSmtpSink } from '../support/smtp';

/**
 * The tampers of issue 14, each by a database insider (its superuser) who also recomputes
 * every commitment the record holds and rewrites the audit log to match (the superuser can
 * switch off its append-only trigger; here the exported record's log is rewritten, the
 * same bytes). Each is caught by `omov verify` given what the auditors were mailed at open
 * and at close. 60 members in two branches; 50 of them vote.
 */
jest.setTimeout(scaled(240_000));

const SECRET = 'test-secret-0123456789-0123456789-abcdef'; // startTestApp's
const keys = new Keyring(SECRET);
const N = 60;
const VOTERS = 50;

const LOG: string[] = [];
let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let org: Client;

beforeAll(async () => {
  smtp = await startSmtpSink();
  // The chainer runs when a test says (castAll, after each group of votes), not on a timer.
  app = await startTestApp({ smtpUrl: smtp.url, logLines: LOG, settings: { CHAIN_INTERVAL_MS: '3600000' } });
  org = await setUpOrganisation(app, 'Committed Union');
  const csv = [
    'email,name,branch',
    ...Array.from({ length: N }, (_, i) => `c${i}@example.org,Member ${i},${i % 2 ? 'North' : 'South'}`),
  ].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  // An auditor of every ballot, who is mailed the commitments.
  const before = smtp.received.length;
  expect(
    (await org.json('POST', '/api/v1/staff-invitations', { email: 'aud@example.org', role: 'auditor' })).status,
  ).toBe(202);
  const invite = await waitFor('invitation', () =>
    smtp.received.slice(before).find((m) => m.to[0] === 'aud@example.org'),
  );
  const setupToken = /\/setup\/([A-Za-z0-9_-]{43})/.exec(invite.raw.replace(/=\r?\n/g, ''))![1]!;
  const joined = await new Client(app.url).json('POST', '/api/v1/setup', {
    setupToken,
    name: 'Aud Itor',
    password: 'a long auditor password',
  });
  expect(joined.status).toBe(201);
}, scaled(120_000));
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

type Ballot = { id: string; questions: Array<{ id: string; options: Array<{ id: string; label: string }> }> };
type Mailed = { openHash: string; root: string; closeHash: string };
type Tokens = Array<{ memberId: string; token: string }>;

/** What the auditor was sent, read from the message queued to them (the mail test below shows it arrives). */
async function mailed(ballotId: string, kind: 'open-commitment' | 'box-root'): Promise<Record<string, string>> {
  const r = await sql<{ payload: Record<string, string> }>`
    select payload from mail_outbox where ballot_id = ${ballotId} and kind = ${kind} and recipient = 'aud@example.org'`.execute(
    app.db,
  );
  expect(r.rows).toHaveLength(1);
  return r.rows[0]!.payload;
}

async function tokensOf(ballotId: string): Promise<Tokens> {
  const rows = await app.db
    .selectFrom('voting_tokens')
    .select(['member_id', 'sealed_token'])
    .where('ballot_id', '=', ballotId)
    .orderBy('member_id')
    .execute();
  return rows.map((r) => ({ memberId: r.member_id, token: keys.open(LINK_PURPOSE, r.sealed_token!) }));
}

/**
 * Chair: Ann 28, Bob 22 (Ann wins, Bob is the runner-up). Motion (2/3 needed): 30 Yes,
 * 20 No, so it fails. Rule change (quorum 9/10 of the electorate): 50 of 60 turn out, so
 * it fails for want of a quorum (50 of 54 would pass).
 */
function answersOf(b: Ballot, i: number) {
  const [chair, motion, rule] = b.questions;
  return {
    [chair!.id]: { kind: 'choice', option: i < 28 ? 0 : 1 },
    [motion!.id]: { kind: 'choice', option: i < 30 ? 0 : 1 },
    [rule!.id]: { kind: 'choice', option: 0 },
  };
}

async function openBallot(receiptPolicy: 'inclusion' | 'choices' = 'inclusion') {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: `Committed ${Math.random().toString(36).slice(2, 7)}`,
    ...ballotTimes(),
    k: 5,
    receiptPolicy,
    questions: [
      { title: 'Chair', method: 'plurality', options: [{ label: 'Ann' }, { label: 'Bob' }, { label: 'Cy' }] },
      { title: 'Motion', method: 'yesno', settings: { threshold: '2/3' } },
      { title: 'Rule change', method: 'yesno', settings: { threshold: '1/2', quorum: '9/10' } },
    ],
  });
  expect(created.status).toBe(201);
  const b = created.body as Ballot;
  expect((await org.json('POST', `/api/v1/ballots/${b.id}/open`)).status).toBe(200);
  const tokens = await tokensOf(b.id);
  expect(tokens).toHaveLength(N);
  return { b, tokens, openHash: (await mailed(b.id, 'open-commitment')).openHash! };
}

async function vote(b: Ballot, token: string, i: number): Promise<string> {
  const r = await new Client(app.url).json('POST', '/api/v1/vote', { token, answers: answersOf(b, i) });
  expect(r.status).toBe(201);
  return r.body.receipt as string;
}

/**
 * Ten at a time; after each ten the chainer passes (one signed checkpoint). Before it does,
 * the watching insider records the xmin join: which sealed vote is whose (`watched`).
 */
async function castAll(
  b: Ballot,
  tokens: Tokens,
  watched = new Map<string, string>(),
  voters = VOTERS,
): Promise<Map<string, string>> {
  const receipts = new Map<string, string>();
  for (let i = 0; i < voters; i += 10) {
    await Promise.all(
      tokens
        .slice(i, Math.min(i + 10, voters))
        .map(async (t, j) => receipts.set(t.memberId, await vote(b, t.token, i + j))),
    );
    const join = await sql<{ member_id: string; sealed: string }>`
      select t.member_id, v.sealed from voting_tokens t join box.sealed_votes v on v.xmin = t.xmin
      where t.ballot_id = ${b.id} and v.ballot_id = ${b.id}`.execute(app.db);
    for (const r of join.rows) watched.set(r.member_id, r.sealed);
    await chainOpenBallots(app.ctx);
  }
  return receipts;
}

async function close(b: Ballot, openHash: string): Promise<Mailed> {
  expect((await org.json('POST', `/api/v1/ballots/${b.id}/close`)).status).toBe(204);
  const m = await mailed(b.id, 'box-root');
  return { openHash, root: m.boxRoot!, closeHash: m.closeHash! };
}

async function exportRecord(id: string): Promise<ElectionRecord> {
  const r = await org.json('GET', `/api/v1/ballots/${id}/record`);
  if (r.status !== 200)
    console.log(
      LOG.filter((l) => /error|err/i.test(l))
        .slice(-3)
        .join('\n'),
    );
  expect(r.status).toBe(200);
  return r.body as ElectionRecord;
}

const failing = (checks: Check[]) => checks.filter((c) => c.verdict === 'FAIL').map((c) => c.name);

/**
 * The clever insider: from whatever the database now says, every figure the record derives
 * is recomputed (units, results, their hash, the box root, the token roots), and the log is
 * rewritten to commit to it, every hash after the first changed entry chained again.
 */
type ChainForgery = {
  /** Elements the insider takes out of the record's chain (a removed vote's). */
  remove?: string[];
  /** A key of the insider's own: every checkpoint signed again with it. */
  seed?: Uint8Array;
  /** The key committed at open replaced by the insider's (with the log rewritten to match). */
  swapKey?: boolean;
};

function recomputeAsInsider(r: ElectionRecord, chain: ChainForgery = {}): ElectionRecord {
  const x = structuredClone(r);
  if (x.chain && (chain.remove || chain.seed)) {
    const elements = x.chain.elements.filter((e) => !chain.remove?.includes(e));
    const start = chainStart(x.ballot.id);
    x.chain = {
      elements,
      checkpoints: chain.seed
        ? [0, elements.length].map((n) =>
            signCheckpoint(chain.seed!, x.ballot.id, n, extendChain(start, 0, elements.slice(0, n))),
          )
        : x.chain.checkpoints,
    };
  }
  const lastCheckpoint = x.chain?.checkpoints.at(-1);
  const eligibleIn = new Map(x.electorate.byBranch.map((b) => [b.branch, b.eligible]));
  x.units = x.units.map((u) => ({ ...u, electorate: u.branches.reduce((n, b) => n + (eligibleIn.get(b) ?? 0), 0) }));
  x.electorate.eligible = x.electorate.byBranch.reduce((n, b) => n + b.eligible, 0);
  x.results = countRecord(x.ballot, x.votes, x.electorate.eligible, x.units);
  x.resultsHash = storedResults(x.results).hash;
  const votes: StoredVote[] = x.ballot.receiptPolicy === 'inclusion' ? inclusionOrder(x.votes) : x.votes;
  x.boxRoot = boxRoot(x.ballot.receiptPolicy, votes, x.receipts.codes);
  const byBranch = electorateOf(
    x.electorate.byBranch.map((b) => ({ branch: b.branch, eligible: b.eligible, weight: b.weight ?? '0' })),
  );
  let changedFrom = Infinity;
  const log: AuditEntry[] = x.auditLog.map((e) => {
    if (e.subject !== x.ballot.id) return e;
    let details = e.details;
    if (e.action === OPEN_COMMITMENT)
      details = {
        ...details,
        definition: definitionHash(x.ballot),
        electorate: byBranch,
        electorateHash: electorateHash(byBranch),
        tokensRoot: tokensRoot(x.tokens!.atOpen),
        tokens: x.tokens!.atOpen.length,
        ...(chain.swapKey && chain.seed && { chainKey: checkpointKey(chain.seed) }),
      };
    if (e.action === 'ballot.close')
      details = {
        ...details,
        boxRoot: x.boxRoot,
        votes: x.votes.length,
        resultsHash: x.resultsHash,
        tokens: {
          usedRoot: tokensRoot(x.tokens!.used),
          used: x.tokens!.used.length,
          laterRoot: tokensRoot(x.tokens!.later),
          later: x.tokens!.later.length,
        },
        // The chain's last checkpoint, and no checkpoint the server remembered.
        ...(lastCheckpoint && { chain: { count: lastCheckpoint.count, head: lastCheckpoint.head, remembered: null } }),
      };
    if (e.action === 'ballot.publish') details = { ...details, resultsHash: x.resultsHash };
    if (JSON.stringify(details) !== JSON.stringify(e.details)) changedFrom = Math.min(changedFrom, e.position);
    return { ...e, details };
  });
  let prev: string | undefined;
  x.auditLog = log.map((e) => {
    if (e.position < changedFrom) return ((prev = e.hash), e);
    const body = { ...e, prevHash: prev ?? e.prevHash };
    const { hash: _, ...unhashed } = body;
    const hash = auditHash(unhashed);
    prev = hash;
    return { ...body, hash };
  });
  return x;
}

/** The forged record passes every check it can make alone, and fails against what the auditors hold. */
function caughtOnlyByMail(forged: ElectionRecord, m: Mailed, expected: string[]) {
  const alone = verifyRecord(forged);
  expect(failing(alone.checks)).toEqual([]);
  const withMail = verifyRecord(forged, { root: m.root, closeHash: m.closeHash, openHash: m.openHash });
  expect(withMail.ok).toBe(false);
  expect(failing(withMail.checks)).toEqual(expect.arrayContaining(expected));
}

test('the commitment at open is mailed to the auditors, and an untouched record verifies against everything they were sent', async () => {
  const { b, tokens, openHash } = await openBallot();
  const mail = await waitFor('open commitment mail', () =>
    [...smtp.received].find((m) => m.to[0] === 'aud@example.org' && m.raw.replace(/=\r?\n/g, '').includes(openHash)),
  );
  expect(mail.raw.replace(/=\r?\n/g, '')).toContain(`--open-hash ${openHash}`);
  await castAll(b, tokens);
  const m = await close(b, openHash);
  const record = await exportRecord(b.id);
  const v = verifyRecord(record, { root: m.root, closeHash: m.closeHash, openHash: m.openHash });
  expect(failing(v.checks)).toEqual([]);
  expect(v.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['V13', 'V14', 'V15', 'V16', 'V17']));
  expect(record.tokens!.atOpen).toHaveLength(N);
  expect(record.tokens!.used).toHaveLength(VOTERS);
  expect(record.electorate.byBranch.map((x) => [x.branch, x.eligible, x.weight])).toEqual([
    ['North', 30, '30'],
    ['South', 30, '30'],
  ]);
  // Members see the electorate per branch as committed at open, on the bulletin board.
  const board = await new Client(app.url).json('GET', `/api/v1/ballots/${b.id}/board`);
  expect(board.body.electorate).toEqual([
    { branch: 'North', eligible: 30 },
    { branch: 'South', eligible: 30 },
  ]);
  const boardPage = await (await new Client(app.url).request('GET', `/board/${b.id}`)).text();
  expect(boardPage).toMatch(/<td>North<\/td><td>30<\/td>/);
  // The results the tampers below try to turn.
  const [chair, motion, rule] = record.results as Array<{ elected: string[] }>;
  expect(chair!.elected).toEqual(['Ann']);
  expect(motion!.elected).toEqual(['No']);
  expect(rule!.elected).not.toEqual(['Yes']);
});

test('after close: the labels of the winner and the runner-up swapped', async () => {
  const { b, tokens, openHash } = await openBallot();
  await castAll(b, tokens);
  const m = await close(b, openHash);
  const [ann, bob] = b.questions[0]!.options;
  await sql`update options set label = case id when ${ann!.id}::uuid then 'Bob' else 'Ann' end
            where id in (${ann!.id}::uuid, ${bob!.id}::uuid)`.execute(app.db);
  const naive = await exportRecord(b.id);
  // Without rewriting the log, the definition no longer hashes to what was committed.
  expect(failing(verifyRecord(naive).checks)).toContain('commitment: definition');
  const forged = recomputeAsInsider(naive);
  expect((forged.results[0] as { elected: string[] }).elected).toEqual(['Bob']);
  caughtOnlyByMail(forged, m, ['expected close entry', 'expected open entry']);
});

test('after close: a yes/no threshold changed from 2/3 to 1/2', async () => {
  const { b, tokens, openHash } = await openBallot();
  await castAll(b, tokens);
  const m = await close(b, openHash);
  await sql`update questions set settings = jsonb_set(settings, '{threshold}', '"1/2"') where id = ${b.questions[1]!.id}::uuid`.execute(
    app.db,
  );
  const naive = await exportRecord(b.id);
  expect(failing(verifyRecord(naive).checks)).toContain('commitment: definition');
  const forged = recomputeAsInsider(naive);
  expect((forged.results[1] as { elected: string[] }).elected).toEqual(['Yes']);
  caughtOnlyByMail(forged, m, ['expected close entry', 'expected open entry']);
});

test("after close: six non-voters' tokens deleted and the unit figures adjusted, shrinking the electorate from 60 to 54", async () => {
  const { b, tokens, openHash } = await openBallot();
  await castAll(b, tokens);
  const m = await close(b, openHash);
  const nonVoters = tokens.slice(VOTERS, VOTERS + 6);
  await sql`delete from voting_tokens where ballot_id = ${b.id} and member_id in (${sql.join(nonVoters.map((t) => t.memberId))})`.execute(
    app.db,
  );
  await sql`delete from issued_tokens where ballot_id = ${b.id} and token_hash in (${sql.join(
    nonVoters.map((t) => hashSecret(t.token)),
  )})`.execute(app.db);
  const naive = await exportRecord(b.id);
  expect(naive.electorate.eligible).toBe(54);
  expect(failing(verifyRecord(naive).checks)).toEqual(
    expect.arrayContaining(['commitment: electorate', 'commitment: tokens']),
  );
  const forged = recomputeAsInsider(naive);
  expect((forged.results[2] as { elected: string[] }).elected).toEqual(['Yes']);
  caughtOnlyByMail(forged, m, ['expected close entry', 'expected open entry']);
});

test("before close: five non-voters' token hashes replaced with the insider's own, then used to vote", async () => {
  const { b, tokens, openHash } = await openBallot();
  await castAll(b, tokens.slice(0, 40));
  const victims = tokens.slice(55, 60);
  const chosen = victims.map(() => newSecret());
  for (const [i, v] of victims.entries()) {
    const old = hashSecret(v.token);
    const mine = hashSecret(chosen[i]!);
    await sql`update voting_tokens set token_hash = ${mine} where ballot_id = ${b.id} and member_id = ${v.memberId}::uuid`.execute(
      app.db,
    );
    // Clever: the list of issued tokens is changed to match, so that every used token looks issued.
    await sql`update issued_tokens set token_hash = ${mine} where ballot_id = ${b.id} and token_hash = ${old}`.execute(
      app.db,
    );
  }
  for (const [i, t] of chosen.entries()) await vote(b, t, 40 + i);
  // The victims' own links no longer work.
  expect(
    (await new Client(app.url).json('POST', '/api/v1/vote', { token: victims[0]!.token, answers: answersOf(b, 0) }))
      .status,
  ).toBe(404);
  const m = await close(b, openHash);
  const naive = await exportRecord(b.id);
  // The tokens issued at open are not the ones committed to.
  expect(failing(verifyRecord(naive).checks)).toEqual(['commitment: tokens']);
  // Before the close the insider can rewrite the log (the close's hash is not yet sent), so
  // only what was mailed at open catches it.
  const forged = recomputeAsInsider(naive);
  expect(failing(verifyRecord(forged).checks)).toEqual([]);
  const v = verifyRecord(forged, { openHash: m.openHash });
  expect(failing(v.checks)).toEqual(['expected open entry']);
});

/** The insider's removal: a member's sealed vote (found by the watched xmin join) deleted, their token unused again. */
async function removeVote(b: Ballot, memberId: string, sealed: string): Promise<void> {
  const gone = await sql`delete from box.sealed_votes where ballot_id = ${b.id} and sealed = ${sealed}`.execute(app.db);
  expect(Number(gone.numAffectedRows)).toBe(1);
  await sql`update voting_tokens set used = false where ballot_id = ${b.id} and member_id = ${memberId}::uuid`.execute(
    app.db,
  );
}

const problemsOf = (checks: Check[], name: string) => checks.find((c) => c.name === name)?.problems.join('\n') ?? '';

test("before close: a chosen member's vote deleted and their token marked unused: caught by verify (the box chain), and by the member's receipt", async () => {
  const { b, tokens, openHash } = await openBallot();
  const watched = new Map<string, string>();
  const receipts = await castAll(b, tokens, watched);
  const victim = tokens[3]!;
  await removeVote(b, victim.memberId, watched.get(victim.memberId)!);
  // While open, the victim's link works again: what they can notice.
  const page = await new Client(app.url).request('GET', `/v/${victim.token}`);
  expect(page.status).toBe(200);
  expect(await page.text()).not.toMatch(/already been used/i);
  const m = await close(b, openHash);
  const record = await exportRecord(b.id);
  expect(record.electorate.voted).toBe(VOTERS - 1);
  // The box reconciles and every other commitment holds; the chain signed for one vote more.
  const mails = { root: m.root, closeHash: m.closeHash, openHash: m.openHash };
  const v = verifyRecord(record, mails);
  expect(failing(v.checks)).toEqual(['box chain']);
  expect(problemsOf(v.checks, 'box chain')).toMatch(/chain holds 50 votes .* the record 49: votes were removed/);
  // Recomputing every commitment, as a clever insider would, does not help: the chain still holds the vote.
  expect(failing(verifyRecord(recomputeAsInsider(record)).checks)).toEqual(['box chain']);
  // Taking the vote's element out of the chain breaks the server's signed checkpoints.
  const removed = recomputeAsInsider(record, { remove: [chainElement(watched.get(victim.memberId)!)] });
  expect(problemsOf(verifyRecord(removed).checks, 'box chain')).toMatch(
    /do not lead to its head|covers 50 of the chain's 49/,
  );
  // A checkpoint signed with a key of the insider's own is refused…
  const seed = crypto.randomBytes(32);
  const forged = recomputeAsInsider(record, { remove: [chainElement(watched.get(victim.memberId)!)], seed });
  expect(problemsOf(verifyRecord(forged).checks, 'box chain')).toMatch(/signature is not the server's/);
  // …and with that key put in the commitment at open, only what the auditors were mailed catches it.
  caughtOnlyByMail(
    recomputeAsInsider(record, { remove: [chainElement(watched.get(victim.memberId)!)], seed, swapKey: true }),
    m,
    ['expected close entry', 'expected open entry'],
  );
  // The member can also notice: their receipt is not on the bulletin board.
  const board = (await new Client(app.url).json('GET', `/api/v1/ballots/${b.id}/board`)).body as {
    receipts: Array<{ receipt: string }>;
  };
  const codes = new Set(board.receipts.map((r) => r.receipt));
  expect(codes.has(receipts.get(victim.memberId)!)).toBe(false);
  for (const t of tokens.slice(0, VOTERS)) if (t !== victim) expect(codes.has(receipts.get(t.memberId)!)).toBe(true);
});

/**
 * 50 votes cast and chained; then one more, which the watching insider deletes (its token
 * marked unused) before the chainer passes: the box never held it when the chainer looked.
 */
async function removeBeforeChained() {
  const { b, tokens, openHash } = await openBallot();
  await castAll(b, tokens);
  const late = tokens[VOTERS]!;
  await vote(b, late.token, VOTERS);
  const join = await sql<{ sealed: string }>`
    select v.sealed from voting_tokens t join box.sealed_votes v on v.xmin = t.xmin
    where t.ballot_id = ${b.id} and v.ballot_id = ${b.id} and t.member_id = ${late.memberId}::uuid`.execute(app.db);
  expect(join.rows).toHaveLength(1);
  await removeVote(b, late.memberId, join.rows[0]!.sealed);
  return { b, openHash };
}

test('before close: a vote deleted before the chainer passed: the server that cast it chains it anyway, and verify fails (the box chain)', async () => {
  const { b, openHash } = await removeBeforeChained();
  await chainOpenBallots(app.ctx);
  await waitFor('the chainer says so', () => LOG.some((l) => l.includes('are gone from it')));
  const m = await close(b, openHash);
  const record = await exportRecord(b.id);
  expect(record.votes).toHaveLength(VOTERS);
  expect(record.chain!.elements).toHaveLength(VOTERS + 1);
  const v = verifyRecord(record, { root: m.root, closeHash: m.closeHash, openHash: m.openHash });
  expect(failing(v.checks)).toEqual(['box chain']);
  expect(problemsOf(v.checks, 'box chain')).toMatch(/chain holds 51 votes .* the record 50: votes were removed/);
});

test('before close: a vote deleted just before the close, the chainer not having passed: the close chains it from what the server saw', async () => {
  const { b, openHash } = await removeBeforeChained();
  const m = await close(b, openHash);
  const v = verifyRecord(await exportRecord(b.id), { root: m.root, closeHash: m.closeHash, openHash: m.openHash });
  expect(failing(v.checks)).toEqual(['box chain']);
});

test('the residue, said in docs/security.md: a vote deleted before the chainer passed, when the server that cast it has restarted since, passes', async () => {
  const { b, openHash } = await removeBeforeChained();
  // A restart: what the server saw lives in its memory only.
  app.ctx.witness = new CastWitness();
  const m = await close(b, openHash);
  const v = verifyRecord(await exportRecord(b.id), { root: m.root, closeHash: m.closeHash, openHash: m.openHash });
  expect(failing(v.checks)).toEqual([]);
});

/** The positions and checkpoints a clever insider rewrites: the chain cut back to `count`, its later votes unchained. */
async function cutChainBackTo(b: Ballot, count: number): Promise<void> {
  await sql`update box.sealed_votes set chained = false where ballot_id = ${b.id}
    and encode(sha256(convert_to(sealed, 'UTF8')), 'hex') in (
      select element from box.chain where ballot_id = ${b.id} and position > ${count})`.execute(app.db);
  await sql`delete from box.chain where ballot_id = ${b.id} and position > ${count}`.execute(app.db);
  await sql`delete from box.checkpoints where ballot_id = ${b.id} and count > ${count}`.execute(app.db);
}

test('before close: a vote in the middle removed with the chain cut back to the checkpoint before it (every later vote left to be chained again): the server remembers what it signed', async () => {
  const { b, tokens, openHash } = await openBallot();
  const watched = new Map<string, string>();
  await castAll(b, tokens, watched);
  const victim = tokens[13]!;
  const element = chainElement(watched.get(victim.memberId)!);
  const at = await sql<{ position: number }>`
    select position from box.chain where ballot_id = ${b.id} and element = ${element}`.execute(app.db);
  // Cast in the second group of ten: chained in the checkpoint at 20.
  expect(at.rows[0]!.position).toBeGreaterThan(10);
  expect(at.rows[0]!.position).toBeLessThanOrEqual(20);
  await removeVote(b, victim.memberId, watched.get(victim.memberId)!);
  await cutChainBackTo(b, 10);
  // The chainer does not sign over a chain that lost the checkpoint it signed last, and says so.
  await chainOpenBallots(app.ctx);
  await waitFor('the chainer refuses', () => LOG.some((l) => l.includes('not the one this server signed')));
  const m = await close(b, openHash);
  const record = await exportRecord(b.id);
  const v = verifyRecord(record, { root: m.root, closeHash: m.closeHash, openHash: m.openHash });
  expect(failing(v.checks)).toEqual(['box chain']);
  expect(problemsOf(v.checks, 'box chain')).toMatch(/remembered signing the checkpoint at 50/);
});

/** 41 votes, the last one alone in the checkpoint at 41; then it is removed, with its element and checkpoint. */
async function cutTheTail() {
  const { b, tokens, openHash } = await openBallot();
  const watched = new Map<string, string>();
  await castAll(b, tokens, watched, 41);
  const victim = tokens[40]!;
  await removeVote(b, victim.memberId, watched.get(victim.memberId)!);
  await cutChainBackTo(b, 40);
  return { b, openHash };
}

test('before close: the last vote cut off with its element and checkpoint (a shorter chain, whole and signed): caught by the checkpoint the server remembered, and the close hash', async () => {
  const { b, openHash } = await cutTheTail();
  const m = await close(b, openHash);
  const record = await exportRecord(b.id);
  expect(record.chain!.elements).toHaveLength(40);
  expect(record.votes).toHaveLength(40);
  const v = verifyRecord(record);
  // The chain itself is whole and the server's: only the remembered checkpoint shows the cut.
  expect(failing(v.checks)).toEqual(['box chain']);
  expect(problemsOf(v.checks, 'box chain')).toMatch(/remembered signing the checkpoint at 41.*cut from the box/);
  // An insider who rewrites the close's entry without it is caught by the close hash the auditors hold.
  caughtOnlyByMail(recomputeAsInsider(record), m, ['expected close entry']);
});

test('the residue, said in docs/security.md: the tail cut while the server has forgotten what it signed (a lost key folder and a restart) passes', async () => {
  const { b, openHash } = await cutTheTail();
  const kept = app.ctx.checkpoints;
  app.ctx.checkpoints = new CheckpointMemory(path.join(os.tmpdir(), `omov-forgotten-${b.id}`));
  try {
    const m = await close(b, openHash);
    const v = verifyRecord(await exportRecord(b.id), { root: m.root, closeHash: m.closeHash, openHash: m.openHash });
    expect(failing(v.checks)).toEqual([]);
  } finally {
    app.ctx.checkpoints = kept;
  }
});

test('after close no token hash pairs with a member: linking by the stored hashes does no better than chance over 50 voters', async () => {
  const { b, tokens, openHash } = await openBallot();
  await castAll(b, tokens);
  const truth = new Map(tokens.map((t) => [t.memberId, hashSecret(t.token).toString('hex')]));
  // While open the pairing is there (the harness works): every member's row holds their hash.
  const open = await sql<{ member_id: string; h: string }>`
    select member_id, encode(token_hash, 'hex') as h from voting_tokens where ballot_id = ${b.id}`.execute(app.db);
  expect(open.rows.filter((r) => truth.get(r.member_id) === r.h)).toHaveLength(N);
  await close(b, openHash);
  const after = await sql<{ member_id: string; h: string | null }>`
    select member_id, encode(token_hash, 'hex') as h from voting_tokens where ballot_id = ${b.id} order by ctid`.execute(
    app.db,
  );
  expect(after.rows).toHaveLength(N);
  expect(after.rows.every((r) => r.h === null)).toBe(true);
  // The hashes left (issued_tokens, for the record) name no member; paired by physical order
  // with the members' rows, or by the record's order, they match no better than chance (1 in 60 each).
  const issued = await sql<{ h: string }>`
    select encode(token_hash, 'hex') as h from issued_tokens where ballot_id = ${b.id} order by ctid`.execute(app.db);
  const used = (await exportRecord(b.id)).tokens!.used;
  const votersInOrder = after.rows.filter((r) => tokens.slice(0, VOTERS).some((t) => t.memberId === r.member_id));
  const hits = (guess: string[], members: typeof after.rows) =>
    members.filter((r, i) => truth.get(r.member_id) === guess[i]).length;
  // Expected ≈ 1 by chance; 6 or more would happen by chance less than once in a thousand runs.
  expect(
    hits(
      issued.rows.map((r) => r.h),
      after.rows,
    ),
  ).toBeLessThan(6);
  expect(hits(used, votersInOrder)).toBeLessThan(6);
});

test("under 'inclusion', a member's receipt code leads to no answers: neither the record, the board nor the box pairs them", async () => {
  const { b, tokens, openHash } = await openBallot('inclusion');
  const receipts = await castAll(b, tokens);
  await close(b, openHash);
  const record = await exportRecord(b.id);
  const code = receipts.get(tokens[0]!.memberId)!;
  // The record lists the votes without receipts, and the receipts on their own.
  expect(record.receipts.codes).toContain(code);
  expect(record.votes.every((v) => v.receipt === undefined)).toBe(true);
  const text = JSON.stringify(record);
  expect(text.split(code).length - 1).toBe(1);
  // The board: codes only.
  const board = (await new Client(app.url).json('GET', `/api/v1/ballots/${b.id}/board`)).body as {
    receipts: Array<{ receipt: string; answers?: unknown }>;
  };
  expect(board.receipts.find((r) => r.receipt === code)).toEqual({ receipt: code });
  // The database: no vote row carries a receipt.
  const paired = await sql<{ n: number }>`
    select count(*)::int as n from box.votes where ballot_id = ${b.id} and receipt is not null`.execute(app.db);
  expect(paired.rows[0]!.n).toBe(0);
  // Pairing the two lists by position (or by physical order) guesses the chair vote no better than chance.
  const chair = b.questions[0]!.id;
  const truth = new Map(tokens.slice(0, VOTERS).map((t, i) => [receipts.get(t.memberId)!, i < 28 ? 0 : 1]));
  const byPosition = record.receipts.codes.filter(
    (c, i) => (record.votes[i]!.answers[chair] as { option: number }).option === truth.get(c),
  ).length;
  const rows = await sql<{ answers: Record<string, { option: number }> }>`
    select answers from box.votes where ballot_id = ${b.id} order by ctid`.execute(app.db);
  const codesInOrder = await sql<{ receipt: string }>`
    select receipt from box.receipts where ballot_id = ${b.id} order by ctid`.execute(app.db);
  const byCtid = codesInOrder.rows.filter(
    (c, i) => rows.rows[i]!.answers[chair]!.option === truth.get(c.receipt),
  ).length;
  // 28 of 50 chose Ann: a guess is right about half the time (sd ≈ 3.5 of 50); 40 is over four sd above.
  expect(byPosition).toBeLessThan(40);
  expect(byCtid).toBeLessThan(40);
  // Under 'choices' the code does show the answers, and the receipt page says so (tests/browser/voting.test.ts).
});
