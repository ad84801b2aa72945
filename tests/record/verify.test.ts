import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type AuditEntry, auditHash, GENESIS_HASH } from '@omov/core/domain/audit';
import type { Question, StoredVote } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import { canonicalJson } from '@omov/core/record/canonical';
import { merkleRoot } from '@omov/core/record/merkle';
import {
  buildRecord,
  countRecord,
  type ElectionRecord,
  inFormat,
  recordBytes,
  type RecordFormat,
  storedResults,
  voteLeaf,
} from '@omov/core/record/record';
import { type Check, CHECK_IDS, formatVerification, jsonDifferences, verifyRecord } from '@omov/core/record/verify';
import { voteLeaf as serverVoteLeaf } from '../../src/services/ballot-box';
import { omov } from '../support/cli';

/**
 * The verifier on a small hand-made record. Branches North 3 of 4 voted, South 2 of 3,
 * East 1 of 2, West 0 of 1; at k = 3, East (1) and South (2) are pooled (3 voters),
 * North stands alone, West (no voters) reveals nothing and stays alone.
 */

const yesno: Question = {
  id: 'q-yes',
  position: 0,
  title: 'Adopt?',
  description: '',
  method: 'yesno',
  settings: { threshold: '1/2' },
  options: [
    { id: 'o-y', position: 0, label: 'Yes', description: '' },
    { id: 'o-n', position: 1, label: 'No', description: '' },
  ],
};
const city: Question = {
  id: 'q-city',
  position: 1,
  title: 'City',
  description: '',
  method: 'plurality',
  settings: {},
  options: ['Leeds', 'York', 'Hull'].map((label, i) => ({ id: `o-${label}`, position: i, label, description: '' })),
};
const POOL = 'Pooled: East, South';
const units: UnitFacts[] = [
  { name: 'North', branches: ['North'], pooled: false, members: 4, electorate: 4 },
  { name: POOL, branches: ['East', 'South'], pooled: true, members: 5, electorate: 5 },
  { name: 'West', branches: ['West'], pooled: false, members: 1, electorate: 1 },
];
const choice = (option: number) => ({ kind: 'choice' as const, option });
const abstain = { kind: 'abstain' as const };
const vote = (
  receipt: string,
  unit: string,
  a: StoredVote['answers'][string],
  b: StoredVote['answers'][string],
): StoredVote => ({ receipt, unit, weight: '1', answers: { 'q-yes': a, 'q-city': b } });
// Given out of receipt order: the builder puts them in published order.
const votes: StoredVote[] = [
  vote('KKKKK-00006', POOL, choice(1), abstain),
  vote('AAAAA-00001', 'North', choice(0), choice(0)),
  vote('CCCCC-00003', 'North', choice(1), choice(0)),
  vote('BBBBB-00002', 'North', choice(0), choice(1)),
  vote('HHHHH-00005', POOL, abstain, choice(2)),
  vote('DDDDD-00004', POOL, choice(0), choice(0)),
];
const sorted = [...votes].sort((a, b) => (a.receipt! < b.receipt! ? -1 : 1));
const root = merkleRoot(sorted.map(voteLeaf));
// Counted once, as at close (10 members in the electorate), and stored with their hash.
const results = countRecord({ id: 'ballot-1', delegates: null, questions: [city, yesno] }, votes, 10, units);
const resultsHash = storedResults(results).hash;

function chain(entries: Array<Pick<AuditEntry, 'action' | 'subject' | 'details'>>): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const [i, e] of entries.entries()) {
    const body = {
      organisationId: 'org-1',
      position: i + 1,
      at: `2026-03-0${i + 1}T10:00:00.000Z`,
      actor: 'organiser:olive@example.org',
      prevHash: out[i - 1]?.hash ?? GENESIS_HASH,
      ...e,
    };
    out.push({ ...body, hash: auditHash(body) });
  }
  return out;
}
const log = chain([
  { action: 'ballot.create', subject: 'ballot-1', details: { title: 'Motion' } },
  { action: 'ballot.open', subject: 'ballot-1', details: { electorate: 10 } },
  {
    action: 'ballot.close',
    subject: 'ballot-1',
    details: { boxRoot: root, votes: 6, units: units.map((u) => u.name), resultsHash },
  },
]);

function makeRecord(auditLog: AuditEntry[] = log, counted = results, countedHash = resultsHash): ElectionRecord {
  return buildRecord({
    ballot: {
      id: 'ballot-1',
      title: 'Motion',
      description: '',
      opensAt: '2026-03-01T09:00:00.000Z',
      closesAt: '2026-03-08T09:00:00.000Z',
      timeZone: 'Europe/London',
      openedAt: '2026-03-01T09:00:00.000Z',
      closedAt: '2026-03-08T09:00:00.000Z',
      k: 3,
      // 'choices': each vote carries its receipt (the inclusion policy's separate lists are tested below).
      receiptPolicy: 'choices',
      voterListVisible: false,
      questions: [city, yesno],
      delegates: null,
    },
    byBranch: [
      { branch: 'West', eligible: 1, voted: 0 },
      { branch: 'North', eligible: 4, voted: 3 },
      { branch: 'South', eligible: 3, voted: 2 },
      { branch: 'East', eligible: 2, voted: 1 },
    ],
    units,
    votes,
    receipts: [],
    tokens: null,
    chain: null,
    boxRoot: root,
    results: counted,
    resultsHash: countedHash,
    auditLog,
  });
}
/** A fresh deep copy to tamper with. */
const copy = (): ElectionRecord => JSON.parse(recordBytes(makeRecord())) as ElectionRecord;
const failing = (checks: Check[]) => checks.filter((c) => c.verdict === 'FAIL').map((c) => c.name);
const problems = (checks: Check[], name: string) => checks.find((c) => c.name === name)?.problems.join('\n') ?? '';

describe('the builder', () => {
  test('publishes votes by receipt and counts as a hand count does', () => {
    const r = makeRecord();
    expect(r.format).toBe('omov-election-record/5');
    expect(r.votes.map((v) => v.receipt)).toEqual([
      'AAAAA-00001',
      'BBBBB-00002',
      'CCCCC-00003',
      'DDDDD-00004',
      'HHHHH-00005',
      'KKKKK-00006',
    ]);
    expect(r.receipts).toEqual({ policy: 'choices', codes: r.votes.map((v) => v.receipt) });
    expect(r.electorate).toEqual({
      eligible: 10,
      voted: 6,
      byBranch: [
        { branch: 'East', eligible: 2, voted: 1 },
        { branch: 'North', eligible: 4, voted: 3 },
        { branch: 'South', eligible: 3, voted: 2 },
        { branch: 'West', eligible: 1, voted: 0 },
      ],
    });
    expect(r.ballot.questions.map((q) => q.id)).toEqual(['q-yes', 'q-city']);
    // Hand count. Adopt?: Yes 3 (A, B, D), No 2 (C, K), 1 abstains (H): 3 of 5 is a majority.
    const [adopt, where] = r.results;
    expect(adopt!.options).toEqual([
      { option: 'Yes', votes: '3' },
      { option: 'No', votes: '2' },
    ]);
    expect(adopt!.abstentions).toBe('1');
    expect(adopt!.elected).toEqual(['Yes']);
    // North: Yes A, B; No C. The pool: Yes D; No K; H abstains. West: no voters.
    expect(adopt!.byUnit.map((u) => [u.unit, u.voters, u.options.map((o) => o.votes), u.abstentions])).toEqual([
      ['North', 3, ['2', '1'], '0'],
      [POOL, 3, ['1', '1'], '1'],
      ['West', 0, ['0', '0'], '0'],
    ]);
    // City: Leeds 3 (A, C, D), York 1 (B), Hull 1 (H); K abstains.
    expect(where!.options.map((o) => o.votes)).toEqual(['3', '1', '1']);
    expect(where!.elected).toEqual(['Leeds']);
    expect(adopt!.conference).toBeNull();
  });

  test('the same ballot gives the same bytes, whatever order its parts come in', () => {
    const a = recordBytes(makeRecord());
    const b = recordBytes(makeRecord());
    expect(b).toBe(a);
    expect(a).toBe(canonicalJson(JSON.parse(a)));
  });

  test('the vote leaf is the one the server hashes at close', () => {
    for (const v of votes) expect(voteLeaf(v)).toBe(serverVoteLeaf(v));
    expect(voteLeaf(sorted[0]!)).toBe(
      '{"answers":{"q-city":{"kind":"choice","option":0},"q-yes":{"kind":"choice","option":0}},"receipt":"AAAAA-00001","unit":"North","weight":"1"}',
    );
  });

  test('the box root is RFC 6962 over the leaves, as docs/election-record.md describes it', () => {
    // Six leaves: the tree splits at 4, then at 2: ((0 1)(2 3))(4 5).
    const h = (...parts: Buffer[]) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
    const leaf = (v: StoredVote) => h(Buffer.from([0]), Buffer.from(voteLeaf(v), 'utf8'));
    const node = (l: Buffer, r: Buffer) => h(Buffer.from([1]), l, r);
    const [l0, l1, l2, l3, l4, l5] = sorted.map(leaf) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    expect(node(node(node(l0, l1), node(l2, l3)), node(l4, l5)).toString('hex')).toBe(root);
  });
});

describe('the verifier', () => {
  test('a sound record passes every check', () => {
    const v = verifyRecord(copy());
    expect(v).toMatchObject({ ok: true, malformed: false, ballot: { id: 'ballot-1', title: 'Motion' } });
    expect(v.checks.map((c) => [c.id, c.name, c.verdict])).toEqual([
      ['V1', 'format', 'PASS'],
      ['V2', 'votes', 'PASS'],
      ['V3', 'receipts', 'PASS'],
      ['V4', 'box root', 'PASS'],
      ['V6', 'turnout', 'PASS'],
      ['V7', 'units', 'PASS'],
      ['V8', 'results hash', 'PASS'],
      ['V9.1', 'count: question 1 "Adopt?"', 'PASS'],
      ['V9.2', 'count: question 2 "City"', 'PASS'],
      ['V10', 'audit log', 'PASS'],
      ['V11', 'audit log: the close', 'PASS'],
    ]);
    const text = formatVerification(v);
    expect(text).toMatch(
      /^PASS {2}V8 {4}results hash: the SHA-256 of the results is [0-9a-f]{64}, as stored at close$/m,
    );
    expect(text).toMatch(/^PASS {2}V9\.2 {2}count: question 2 "City": plurality: /m);
    expect(text).toMatch(/^VERIFIED: all 11 checks pass$/m);
  });

  test('an empty audit log passes as "0 entries", with nothing to compare the close with', () => {
    const v = verifyRecord(JSON.parse(recordBytes(makeRecord([]))));
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.name === 'audit log')!.summary).toMatch(/^0 entries/);
    expect(v.checks.some((c) => c.name === 'audit log: the close')).toBe(false);
  });

  test("--root: the root the auditor was sent must be the record's (any case)", () => {
    expect(verifyRecord(copy(), { root: root.toUpperCase() }).ok).toBe(true);
    const v = verifyRecord(copy(), { root: '0'.repeat(64) });
    expect(failing(v.checks)).toEqual(['expected root']);
  });

  test('a changed answer breaks the root; an invalid one is named by receipt and question', () => {
    const r = copy();
    r.votes[1]!.answers['q-city'] = choice(2);
    // The published count was of the vote as it was.
    expect(failing(verifyRecord(r).checks)).toEqual(['box root', 'count: question 2 "City"']);
    r.votes[1]!.answers['q-city'] = choice(7);
    const v = verifyRecord(r);
    expect(failing(v.checks)).toEqual(['votes', 'box root', 'count: question 2 "City"']);
    expect(problems(v.checks, 'votes')).toBe('vote BBBBB-00002: question 2 "City": unknown option');
  });

  test('a vote that leaves a question out, answers another, or is not a vote at all is named', () => {
    const r = copy();
    delete (r.votes[0]!.answers as Record<string, unknown>)['q-yes'];
    r.votes[2]!.answers['q-other'] = abstain;
    r.votes[3]!.weight = '-1';
    (r.votes as unknown[])[4] = { receipt: 'HHHHH-00005', unit: POOL, weight: '1', answers: {}, branch: 'South' };
    const p = problems(verifyRecord(r).checks, 'votes');
    expect(p).toContain('vote AAAAA-00001: question 1 "Adopt?" is not answered (abstaining is an answer)');
    expect(p).toContain('vote CCCCC-00003: answers a question not on the ballot (q-other)');
    expect(p).toContain('vote DDDDD-00004: weight "-1" is not a positive number');
    expect(p).toContain('vote HHHHH-00005: not a well-formed vote');
  });

  test('receipts: a duplicate, a wrong order and a list that differs from the votes are each named', () => {
    const dup = copy();
    dup.votes[1]!.receipt = 'AAAAA-00001';
    dup.receipts.codes[1] = 'AAAAA-00001';
    expect(problems(verifyRecord(dup).checks, 'receipts')).toContain(
      'vote AAAAA-00001: the receipt appears twice (votes #1 and #2)',
    );
    const order = copy();
    [order.votes[0], order.votes[1]] = [order.votes[1]!, order.votes[0]!];
    const v = verifyRecord(order);
    expect(problems(v.checks, 'receipts')).toContain('vote AAAAA-00001: out of receipt order (after BBBBB-00002)');
    const listed = copy();
    listed.receipts.codes[5] = 'ZZZZZ-99999';
    const w = verifyRecord(listed);
    expect(failing(w.checks)).toEqual(['receipts']);
    expect(problems(w.checks, 'receipts')).toContain('receipt ZZZZZ-99999 is listed but no vote carries it');
    expect(problems(w.checks, 'receipts')).toContain('vote KKKKK-00006: its receipt is not in receipts.codes');
  });

  test('a removed vote: root, turnout of its unit, and the close entry', () => {
    const r = copy();
    r.votes.splice(0, 1);
    r.receipts.codes.splice(0, 1);
    const v = verifyRecord(r);
    expect(failing(v.checks)).toEqual([
      'box root',
      'turnout',
      'count: question 1 "Adopt?"',
      'count: question 2 "City"',
      'audit log: the close',
    ]);
    expect(problems(v.checks, 'turnout')).toContain('unit North: 2 votes, but 3 of its members voted');
    // The headline figures come first.
    expect(problems(v.checks, 'count: question 1 "Adopt?"').split('\n').slice(0, 2)).toEqual([
      'elected: published ["Yes"], recount ["No"]',
      'options[0].votes: published "3", recount "2"',
    ]);
    expect(problems(v.checks, 'audit log: the close')).toContain('the close recorded 6 votes, the record holds 5');
  });

  test('turnout figures that do not add up, and units not made by the pooling rule', () => {
    const r = copy();
    r.electorate.byBranch[0]!.voted = 2; // East: 2 voters — the units would change.
    const v = verifyRecord(r);
    expect(problems(v.checks, 'turnout')).toContain('electorate.voted is 6 but its branches add up to 7');
    expect(problems(v.checks, 'turnout')).toContain(`unit ${POOL}: 3 votes, but 4 of its members voted`);
    // With k = 1 no branch is small: each stands alone, so the recorded pool is wrong.
    const k = copy();
    k.ballot.k = 1;
    const w = verifyRecord(k);
    expect(failing(w.checks)).toEqual(['units']);
    expect(problems(w.checks, 'units')).toContain(
      'pooling branches under k = 1 by their turnout gives the units ["East","North","South","West"]',
    );
  });

  test('a changed published result names the question and the field', () => {
    const r = copy();
    r.results[1]!.elected = ['York'];
    (r.results[0]!.count as unknown as { rounds: unknown[] }).rounds = r.results[0]!.count.rounds.map((x) => ({
      ...x,
      votes: { ...x.votes, Yes: '4' },
    }));
    const v = verifyRecord(r);
    expect(failing(v.checks)).toEqual(['results hash', 'count: question 1 "Adopt?"', 'count: question 2 "City"']);
    expect(problems(v.checks, 'count: question 2 "City"')).toBe('elected: published ["York"], recount ["Leeds"]');
    expect(problems(v.checks, 'count: question 1 "Adopt?"')).toBe(
      'count.rounds[0].votes.Yes (round 1): published "4", recount "3"',
    );
    const gone = copy();
    gone.results.pop();
    expect(problems(verifyRecord(gone).checks, 'count: question 2 "City"')).toContain(
      'results has no entry for question 2 "City"',
    );
  });

  test('stored results: edited under the same hash, edited with the hash recomputed, or the hash alone changed', () => {
    // An insider edits question 2's stored result, leaving the hash: V8 names the question, V9.2 the field.
    const edited = copy();
    edited.results[1]!.elected = ['York'];
    const v = verifyRecord(edited);
    expect(failing(v.checks)).toEqual(['results hash', 'count: question 2 "City"']);
    expect(problems(v.checks, 'results hash')).toBe(
      `resultsHash is ${resultsHash}, but the results hash to ${storedResults(edited.results).hash}\n` +
        'question 2 "City": its result is not what its votes give (see V9.2)',
    );
    expect(v.checks.find((c) => c.verdict === 'FAIL')!.id).toBe('V8');
    // The hash recomputed to match: the log's close entry still holds the hash fixed at close.
    const rehashed = copy();
    rehashed.results[1]!.elected = ['York'];
    rehashed.resultsHash = storedResults(rehashed.results).hash;
    const w = verifyRecord(rehashed);
    expect(failing(w.checks)).toEqual(['count: question 2 "City"', 'audit log: the close']);
    expect(problems(w.checks, 'audit log: the close')).toBe(
      `entry 3: the close recorded results hash "${resultsHash}", the record has "${rehashed.resultsHash}"`,
    );
    // Only the hash changed: every result is what the votes give.
    const hashOnly = copy();
    hashOnly.resultsHash = '0'.repeat(64);
    const x = verifyRecord(hashOnly);
    expect(failing(x.checks)).toEqual(['results hash', 'audit log: the close']);
    expect(problems(x.checks, 'results hash')).toContain(
      'every result is what its votes give: the hash itself was changed',
    );
  });

  test('a record made before results were stored (no resultsHash) still verifies, without V8', () => {
    const older = copy() as unknown as Record<string, unknown>;
    delete older.resultsHash;
    older.auditLog = chain([
      {
        action: 'ballot.close',
        subject: 'ballot-1',
        details: { boxRoot: root, votes: 6, units: units.map((u) => u.name) },
      },
    ]);
    const v = verifyRecord(older);
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.id)).not.toContain('V8');
    // But a close that recorded a results hash wants it in the record.
    const stripped = copy() as unknown as Record<string, unknown>;
    delete stripped.resultsHash;
    expect(failing(verifyRecord(stripped).checks)).toEqual(['audit log: the close']);
  });

  test('every check has the number docs/election-record.md gives it', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/election-record.md'), 'utf8');
    // The table of checks: | V4 | `box root` | … |
    const listed = [...doc.matchAll(/^\| (V\d+(?:\.n)?) \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]]);
    const expected = [...Object.entries(CHECK_IDS).map(([name, id]) => [id, name]), ['V9.n', 'count: question n "…"']];
    expect([...listed].sort()).toEqual([...expected].sort());
    // And a run with every optional check numbers each check once.
    const v = verifyRecord(copy(), { root, closeHash: log[2]!.hash });
    const ids = v.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8', 'V9.1', 'V9.2', 'V10', 'V11', 'V12']);
  });

  test('a changed, removed or inserted audit entry is named', () => {
    const changed = copy();
    changed.auditLog[1]!.details = { electorate: 11 };
    const v = verifyRecord(changed);
    expect(failing(v.checks)).toEqual(['audit log']);
    expect(problems(v.checks, 'audit log')).toBe('entry 2: its content does not match its hash (changed)');
    const removed = copy();
    removed.auditLog.splice(0, 1);
    expect(problems(verifyRecord(removed).checks, 'audit log')).toContain(
      'entry 2: does not follow the entry before it',
    );
    // Cutting the tail keeps the chain whole, but the close is then missing.
    const cut = copy();
    cut.auditLog.pop();
    expect(failing(verifyRecord(cut).checks)).toEqual(['audit log: the close']);
  });

  test('--close-hash: the log up to the close must be the one whose close hash the auditor was sent', () => {
    const closeHash = log[2]!.hash;
    const v = verifyRecord(copy(), { closeHash: closeHash.toUpperCase() });
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.name === 'expected close entry')!.summary).toMatch(
      /^entry 3, the close, has the hash you were sent/,
    );
    // The whole log rewritten before the close, every hash recomputed: the chain holds, the close
    // still names the right root, and only the hash already sent gives it away.
    const rewritten = copy();
    rewritten.auditLog = chain([
      { action: 'ballot.create', subject: 'ballot-1', details: { title: 'Motion (as it never was)' } },
      { action: 'ballot.open', subject: 'ballot-1', details: { electorate: 10 } },
      {
        action: 'ballot.close',
        subject: 'ballot-1',
        details: { boxRoot: root, votes: 6, units: units.map((u) => u.name) },
      },
    ]);
    expect(failing(verifyRecord(rewritten).checks)).toEqual([]);
    const caught = verifyRecord(rewritten, { closeHash });
    expect(failing(caught.checks)).toEqual(['expected close entry']);
    expect(problems(caught.checks, 'expected close entry')).toBe(
      `no entry hashes to ${closeHash}: the log up to the close has been rewritten, or cut before it`,
    );
    // The hash of another entry is not the close's.
    expect(problems(verifyRecord(copy(), { closeHash: log[1]!.hash }).checks, 'expected close entry')).toBe(
      'entry 2 is "ballot.open" on "ballot-1", not the close of ballot ballot-1',
    );
  });

  test("the ballot's time zone: kept in the record; a record made before it was kept still verifies", () => {
    expect(copy().ballot.timeZone).toBe('Europe/London');
    const older = copy() as unknown as { ballot: Record<string, unknown> };
    delete older.ballot.timeZone;
    expect(verifyRecord(older).ok).toBe(true);
    const wrong = copy() as unknown as { ballot: Record<string, unknown> };
    wrong.ballot.timeZone = 60;
    expect(verifyRecord(wrong)).toMatchObject({ ok: false, malformed: true });
  });

  /** Results stored at an earlier close (counted and spelt as `format` did), with their hash in the log. */
  const storedIn = (format: RecordFormat) => {
    const old = countRecord(
      { id: 'ballot-1', delegates: null, questions: [city, yesno] },
      votes,
      10,
      units,
      format,
    ).map((x) => inFormat(x, format));
    const oldHash = storedResults(old).hash;
    const oldLog = chain([
      { action: 'ballot.create', subject: 'ballot-1', details: { title: 'Motion' } },
      { action: 'ballot.open', subject: 'ballot-1', details: { electorate: 10 } },
      {
        action: 'ballot.close',
        subject: 'ballot-1',
        details: { boxRoot: root, votes: 6, units: units.map((u) => u.name), resultsHash: oldHash },
      },
    ]);
    return makeRecord(oldLog, old, oldHash);
  };
  const summary = (r: ElectionRecord) => r.results.find((x) => x.id === 'q-yes')!.count.summary;

  test("format 3 counts a yes/no question's abstainers as blank papers, in its turnout", () => {
    // Yes 3, No 2, and one member returned the ballot but abstained on "Adopt?".
    const r = makeRecord();
    expect(r.results.find((x) => x.id === 'q-yes')!.abstentions).toBe('1');
    expect(summary(r)).toMatchObject({ yes: '3', no: '2', cast: '5', blank: '1', turnout: '6' });
    expect(summary(r)).not.toHaveProperty('abstained');
    expect(failing(verifyRecord(JSON.parse(recordBytes(r))).checks)).toEqual([]);
  });

  test('records of results counted before format 3 keep their format and verify by its rules; a wrong label fails the recount', () => {
    // Format 2 left abstainers out of a yes/no count: its turnout is 5, its `blank` "0".
    const two = storedIn('omov-election-record/2');
    expect(two.format).toBe('omov-election-record/2');
    expect(summary(two)).toMatchObject({ blank: '0', turnout: '5' });
    expect(failing(verifyRecord(JSON.parse(recordBytes(two))).checks)).toEqual([]);
    // Format 1 spelt the same `abstained`.
    const one = storedIn('omov-election-record/1');
    expect(one.format).toBe('omov-election-record/1');
    expect(summary(one)).toMatchObject({ abstained: '0' });
    const v = verifyRecord(JSON.parse(recordBytes(one)));
    expect(failing(v.checks)).toEqual([]);
    expect(v.checks[0]!.summary).toMatch(/^omov-election-record\/1: /);
    // Called format 2, format 1's results are not what a recount gives.
    const asTwo = { ...(JSON.parse(recordBytes(one)) as ElectionRecord), format: 'omov-election-record/2' };
    const checks = verifyRecord(asTwo).checks;
    expect(failing(checks)).toEqual(['count: question 1 "Adopt?"']);
    expect(problems(checks, 'count: question 1 "Adopt?"')).toContain(
      'count.summary.blank: published (absent), recount "0"',
    );
    // Called format 3, format 2's results are not what a recount gives: the abstainer is in the turnout.
    const asThree = { ...(JSON.parse(recordBytes(two)) as ElectionRecord), format: 'omov-election-record/3' };
    const three = verifyRecord(asThree).checks;
    expect(failing(three)).toEqual(['count: question 1 "Adopt?"']);
    expect(problems(three, 'count: question 1 "Adopt?"')).toContain(
      'count.summary.turnout: published "5", recount "6"',
    );
  });

  test('a quorum is measured against the members who returned the ballot, abstainers included (format 3), or who answered (before)', () => {
    // 10 in the electorate, quorum 3/5: 6 needed. Six returned the ballot; five answered "Adopt?".
    const quorate: Question = { ...yesno, settings: { threshold: '1/2', quorum: '3/5' } };
    const ballot = { id: 'ballot-1', delegates: null, questions: [city, quorate] };
    const now = countRecord(ballot, votes, 10, units).find((x) => x.id === 'q-yes')!;
    expect(now.count.summary).toMatchObject({ turnout: '6', quorumNeeded: '6', quorumMet: true, carried: true });
    expect(now.elected).toEqual(['Yes']);
    const before = countRecord(ballot, votes, 10, units, 'omov-election-record/2').find((x) => x.id === 'q-yes')!;
    expect(before.count.summary).toMatchObject({ turnout: '5', quorumMet: false, carried: null });
    expect(before.elected).toEqual([]);
  });

  test('what is not an election record is malformed, and says where', () => {
    expect(verifyRecord(null)).toMatchObject({ ok: false, malformed: true });
    const wrong = { ...copy(), format: 'omov-election-record/6' };
    const v = verifyRecord(wrong);
    expect(v.malformed).toBe(true);
    expect(v.checks[0]!.problems.join()).toContain(
      'format: not an election record of format "omov-election-record/1", "omov-election-record/2", "omov-election-record/3", "omov-election-record/4" or "omov-election-record/5"',
    );
    const noBallot = copy() as Partial<ElectionRecord>;
    delete noBallot.ballot;
    expect(verifyRecord(noBallot).checks[0]!.problems.join()).toMatch(/^ballot: /);
    const badRoot = { ...copy(), boxRoot: 'xyz' };
    expect(verifyRecord(badRoot).checks[0]!.problems.join()).toContain('boxRoot: 64 lowercase hex digits');
  });

  test('jsonDifferences reports paths, keys that need quoting, and absent fields', () => {
    expect(jsonDifferences({ a: { 'b c': 1 } }, { a: { 'b c': 2 } })).toEqual(['a["b c"]: published 1, recount 2']);
    expect(jsonDifferences({ x: 1 }, { x: 1, y: 2 })).toEqual(['y: published (absent), recount 2']);
    expect(jsonDifferences([{ n: 1 }], [{ n: 1 }])).toEqual([]);
  });
});

describe('omov verify on a file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verify-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('exit 0, 1 and 2, with one verdict line per check', async () => {
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(good, recordBytes(makeRecord()));
    const a = await omov('verify', good);
    expect(a.code).toBe(0);
    expect(a.out.split('\n').filter((l) => /^(PASS|FAIL) {2}V\d/.test(l))).toHaveLength(11);
    const r = copy();
    r.results[0]!.elected = ['No'];
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify(r, null, 1));
    const b = await omov('verify', bad, '--format', 'json');
    expect(b.code).toBe(1);
    const report = JSON.parse(b.out) as { ok: boolean; checks: Check[] };
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.verdict === 'FAIL').map((c) => [c.id, c.name])).toEqual([
      ['V8', 'results hash'],
      ['V9.1', 'count: question 1 "Adopt?"'],
    ]);
    const notRecord = path.join(dir, 'list.json');
    fs.writeFileSync(notRecord, '[1, 2, 3]');
    const c = await omov('verify', notRecord);
    expect(c.code).toBe(2);
    expect(c.out).toMatch(/^FAIL {2}V1 {4}format: /m);
    expect(c.out).toContain('MALFORMED');
    expect((await omov('verify', good, '--root', 'nothex')).code).toBe(2);
  });
});
