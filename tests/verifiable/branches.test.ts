import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encryptBallot, type Plaintext } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { writeTrusteePrivateKey } from '@omov/core/crypto/trustee';
import type { Question, StoredVote } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import { poolBranches } from '@omov/core/domain/pooling';
import { countRecordQuestion } from '@omov/core/record/record';
import { verifyRecord } from '@omov/core/record/verify';
import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';

/**
 * Branch figures and the delegate comparison of a verifiable ballot (docs/verifiable.md,
 * "Branch figures"): members in four branches, one under k, one with no voter, cast ballots
 * made with the core; at the close the counted ballots are pooled by branch under k and each
 * pool has its encrypted sub-tally; two of three trustees decrypt with `omov trustee decrypt`
 * (one online, one offline), a wrong or missing decryption of a pool is refused naming the
 * trustee; each pool's figures are the plaintext sums of its members' votes, and every
 * question's result (branch figures and delegate comparison included) is what office mode
 * counts from the same votes; belenios-tool still verifies the archive; `omov verify` checks
 * the sub-tallies and catches an altered one, and an altered decryption.
 */
const BELENIOS_TOOL = '/usr/bin/belenios-tool';
let app: TestApp;
let org: Client;
let dir: string;
const K = 3;
// Branch and weight of each member: North 5 (one weighs 2), South 4, East 2, West 2.
const ROLL: Array<[string, number]> = [
  ['North', 2],
  ['North', 1],
  ['North', 1],
  ['North', 1],
  ['North', 1],
  ['South', 1],
  ['South', 1],
  ['South', 1],
  ['South', 1],
  ['East', 1],
  ['East', 1],
  ['West', 1],
  ['West', 1],
];
beforeAll(async () => {
  if (!fs.existsSync(BELENIOS_TOOL)) throw new Error(`${BELENIOS_TOOL} is missing: apt-get install belenios-tool`);
  app = await startTestApp();
  org = await setUpOrganisation(app);
  const roll = ['email,name,branch,weight', ...ROLL.map(([b, w], i) => `b${i}@example.org,Member ${i},${b},${w}`)];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-branches-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);
const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
const asTrustee = async (token: string, method: string, p: string, body?: string) => {
  const r = await fetch(`${app.url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

/**
 * What each member votes, by index in ROLL (the members of West and one of East do not vote):
 * the motion (Yes, No or blank), the single choice (0 … 2 or blank), the approval (marks or
 * blank), the scores (0 … 3 for each of two options, or blank).
 */
type Vote = { motion: 0 | 1 | null; choice: number | null; marks: number[] | null; scores: number[] | null };
const VOTES: Array<[number, Vote]> = [
  [0, { motion: 0, choice: 0, marks: [0, 1], scores: [3, 1] }],
  [1, { motion: 0, choice: 1, marks: [1], scores: [2, 2] }],
  [2, { motion: 1, choice: 0, marks: null, scores: [0, 3] }],
  [3, { motion: null, choice: 2, marks: [0, 1, 2], scores: null }],
  [5, { motion: 1, choice: 2, marks: [2], scores: [1, 1] }],
  [6, { motion: 1, choice: null, marks: [0], scores: [3, 0] }],
  [7, { motion: 0, choice: 1, marks: [1, 2], scores: [2, 3] }],
  [9, { motion: 1, choice: 0, marks: [0, 2], scores: [1, 2] }],
];

/** The Belenios plaintext (blank first) of a vote: one row per Belenios question (the score question is one per option). */
function plaintext(v: Vote): Plaintext {
  const oneOf = (n: number, x: number | null) => [
    x === null ? 1 : 0,
    ...Array.from({ length: n }, (_, i) => +(i === x)),
  ];
  return [
    oneOf(2, v.motion),
    oneOf(3, v.choice),
    [v.marks === null ? 1 : 0, ...[0, 1, 2].map((i) => +(v.marks ?? []).includes(i))],
    ...[0, 1].map((o) => oneOf(4, v.scores === null ? null : v.scores[o]!)),
  ];
}

/** The same vote as an office ballot stores it. */
function officeAnswers(v: Vote, questions: Question[]): StoredVote['answers'] {
  const [motion, choice, approval, score] = questions;
  const abstain = { kind: 'abstain' as const };
  return {
    [motion!.id]: v.motion === null ? abstain : { kind: 'choice', option: v.motion },
    [choice!.id]: v.choice === null ? abstain : { kind: 'choice', option: v.choice },
    [approval!.id]: v.marks === null ? abstain : { kind: 'marks', options: v.marks },
    [score!.id]: v.scores === null ? abstain : { kind: 'scores', scores: v.scores },
  };
}

test('branch figures pooled under k and the delegate comparison, decrypted by two trustees, equal office mode; verified', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Branch election',
    k: K,
    delegates: { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 10 },
    questions: [
      { title: 'Adopt the rule book?', method: 'yesno' },
      { title: 'Venue', method: 'plurality', options: [{ label: 'Hall' }, { label: 'Park' }, { label: 'Pier' }] },
      { title: 'Speakers', method: 'approval', options: [{ label: 'Ada' }, { label: 'Ben' }, { label: 'Cy' }] },
      {
        title: 'Rate the plans',
        method: 'score',
        settings: { seats: 1, maxScore: 3 },
        options: [{ label: 'Plan A' }, { label: 'Plan B' }],
      },
    ],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const trustees = await makeTrusteeKeys(app.url, organiser, id, 3, 2);
  const credentials = await makeMemberCredentials(app.url, organiser, id);
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
  const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());

  // Members in ROLL's order; each voter's ballot made with the core and cast over HTTP.
  const members = await app.db
    .selectFrom('members')
    .select(['id', 'email'])
    .where('email', 'like', 'b%@example.org')
    .execute();
  const byIndex = new Map(members.map((m) => [Number(/^b(\d+)@/.exec(m.email)![1]), m.id]));
  for (const [m, v] of VOTES) {
    const made = encryptBallot(election, credentials.get(byIndex.get(m)!)!, plaintext(v), systemRandom);
    const r = await fetch(`${app.url}/api/v1/ballots/${id}/verifiable-ballots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: made.text,
    });
    expect({ m, status: r.status }).toEqual({ m, status: 201 });
  }
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);

  // The pools: as office mode pools the counted ballots per branch; East (1 voter) is under k.
  const voters = (branch: string) => VOTES.filter(([m]) => ROLL[m]![0] === branch).length;
  const units = poolBranches(
    ['North', 'South', 'East', 'West'].map((branch) => ({ branch, voters: voters(branch) })),
    K,
  );
  expect(units.map((u) => u.name)).toEqual(['North', 'Pooled: East, South', 'West']);
  const task = await asTrustee(trustees.tokens[0]!, 'GET', '/trustee');
  expect(task.body.next).toBe('decrypt');
  const section = JSON.parse(task.body.branchTallies as string);
  expect(section.pools.map((p: { name: string; ballots: number }) => [p.name, p.ballots])).toEqual([
    ['North', 4],
    ['Pooled: East, South', 4],
    ['West', 0],
  ]);

  // Trustee 1 decrypts online, with the CLI alone.
  const keyFile = (n: number) => {
    fs.writeFileSync(at(`t${n}.key`), writeTrusteePrivateKey(trustees.keys[n - 1]!));
    fs.writeFileSync(at(`t${n}.token`), trustees.tokens[n - 1]!);
    return at(`t${n}.key`);
  };
  const online = await omov(
    'trustee',
    'decrypt',
    '--key',
    keyFile(1),
    '--server',
    app.url,
    '--token-file',
    at('t1.token'),
  );
  expect({ code: online.code, err: online.err }).toMatchObject({ code: 0 });
  expect(online.err).toContain('the sub-tallies of 3 pools of branches');
  expect(JSON.parse(online.out).pools).toHaveLength(3);
  // Trustee 3 offline, from the files the task gives.
  fs.writeFileSync(at('election.json'), task.body.election as string);
  fs.writeFileSync(at('tally.json'), task.body.encryptedTally as string);
  fs.writeFileSync(at('pools.json'), task.body.branchTallies as string);
  const offline = await omov(
    'trustee',
    'decrypt',
    '--key',
    keyFile(3),
    '--election',
    at('election.json'),
    '--tally',
    at('tally.json'),
    '--pools',
    at('pools.json'),
  );
  expect(offline.code).toBe(0);
  const pd3 = JSON.parse(offline.out);
  // Without the pools, or with a pool's decryption altered, it is refused naming the trustee; nothing is stored.
  const { pools, ...tallyOnly } = pd3;
  const missing = await asTrustee(trustees.tokens[2]!, 'PUT', '/trustee/partial-decryption', JSON.stringify(tallyOnly));
  expect(missing.status).toBe(422);
  expect(missing.body.detail).toContain("the partial decryption of trustee 3 does not cover the pools' sub-tallies");
  const altered = structuredClone(pools);
  altered[1].decryption_factors[0][1] = altered[1].decryption_factors[0][0];
  const wrong = await asTrustee(
    trustees.tokens[2]!,
    'PUT',
    '/trustee/partial-decryption',
    JSON.stringify({ ...tallyOnly, pools: altered }),
  );
  expect(wrong.status).toBe(422);
  expect(wrong.body.detail).toBe(
    'the partial decryption of trustee 3 does not verify: its decryption of pool "Pooled: East, South" does not verify',
  );
  expect((await org.json('GET', `/api/v1/ballots/${id}/results`)).status).toBe(409);
  const sent = await asTrustee(trustees.tokens[2]!, 'PUT', '/trustee/partial-decryption', offline.out);
  expect(sent.status).toBe(200);

  // Each pool's figures are the plaintext sums of its members' votes, weights included.
  const results = (await org.json('GET', `/api/v1/ballots/${id}/results`)).body;
  expect(results.units.map((u: { name: string }) => u.name)).toEqual(units.map((u) => u.name));
  const unitOf = (m: number) => units.find((u) => u.branches.includes(ROLL[m]![0]))!.name;
  const sums = (unit: string, pick: (v: Vote) => number[]) =>
    VOTES.filter(([m]) => unitOf(m) === unit).reduce<number[]>(
      (acc, [m, v]) => pick(v).map((x, i) => (acc[i] ?? 0) + x * ROLL[m]![1]),
      [],
    );
  for (const u of units) {
    const motion = results.questions[0].byUnit.find((x: { unit: string }) => x.unit === u.name);
    const [yes, no] = sums(u.name, (v) => [+(v.motion === 0), +(v.motion === 1)]);
    expect(motion.options.map((o: { votes: string }) => o.votes)).toEqual([String(yes ?? 0), String(no ?? 0)]);
    expect(motion.voters).toBe(VOTES.filter(([m]) => unitOf(m) === u.name).length);
    const speakers = results.questions[2].byUnit.find((x: { unit: string }) => x.unit === u.name);
    const marks = sums(u.name, (v) => [0, 1, 2].map((i) => +(v.marks ?? []).includes(i)));
    expect(speakers.options.map((o: { votes: string }) => o.votes)).toEqual(
      [0, 1, 2].map((i) => String(marks[i] ?? 0)),
    );
  }

  // Every question's result, its branch figures and its delegate comparison included, is what
  // office mode counts from the same votes, one by one, in the same units.
  const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
  const questions = record.ballot.questions as Question[];
  const recordUnits = record.branches.units as UnitFacts[];
  expect(recordUnits.map((u) => [u.name, u.electorate])).toEqual([
    ['North', 5],
    ['Pooled: East, South', 6],
    ['West', 2],
  ]);
  const office: StoredVote[] = VOTES.map(([m, v]) => ({
    unit: unitOf(m),
    weight: String(ROLL[m]![1]),
    answers: officeAnswers(v, questions),
  }));
  // An approval question's totals say how many marks each answer had, not on how many papers:
  // its valid papers (and a conference branch's votes) are counted in marks, as for the whole ballot.
  const paperless = (x: unknown): unknown =>
    JSON.parse(JSON.stringify(x), (key, value) => (key === 'valid' || key === 'votes' ? undefined : value));
  questions.forEach((q, i) => {
    const counted = JSON.parse(JSON.stringify(countRecordQuestion(record.ballot, q, office, ROLL.length, recordUnits)));
    if (q.method === 'approval') {
      expect(paperless(record.results[i])).toEqual(paperless(counted));
      expect(record.results[i].byUnit).toEqual(counted.byUnit);
      expect(record.results[i].options).toEqual(counted.options);
    } else expect({ q: q.title, result: record.results[i] }).toEqual({ q: q.title, result: counted });
  });
  expect(record.results[0].conference).toMatchObject({ branches: expect.any(Array) });

  // The organiser's results page shows the figures by voting unit, pools named.
  const page = await (await org.request('GET', `/ballots/${id}/results`)).text();
  expect(page).toContain('Figures by voting unit (3)');
  expect(page).toContain('Pooled: East, South');

  // belenios-tool still accepts the archive: the pools are beside it, not in it.
  const archive = Buffer.from(await (await org.request('GET', `/api/v1/ballots/${id}/belenios-archive`)).arrayBuffer());
  fs.mkdirSync(at('archive'));
  fs.writeFileSync(at(`archive/${record.archive.fileName}`), archive);
  execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', at('archive')], { stdio: 'pipe' });

  // omov verify checks the sub-tallies and the decryptions, and recounts the figures from them.
  fs.writeFileSync(at('record.json'), JSON.stringify(record));
  const verified = await omov('verify', at('record.json'));
  expect({ code: verified.code, out: verified.out }).toMatchObject({ code: 0 });
  expect(verified.out).toMatch(/PASS {2}V23 +branch figures/);
  const failing = (r: unknown) =>
    verifyRecord(r)
      .checks.filter((c) => c.verdict === 'FAIL')
      .map((c) => ({ id: c.id, problems: c.problems }));
  // A sub-tally altered: its pool is no longer the product of its ballots.
  const changed = JSON.parse(record.branches.section);
  const c = changed.pools[0].tally[0][1];
  [c.alpha, c.beta] = [changed.pools[0].tally[0][2].alpha, changed.pools[0].tally[0][2].beta];
  const alteredSection = structuredClone(record);
  alteredSection.branches.section = JSON.stringify(changed);
  expect(failing(alteredSection)).toContainEqual({
    id: 'V23',
    problems: expect.arrayContaining(['the sub-tally of pool "North" is not the product of its 4 counted ballots']),
  });
  // A trustee's decryption of a pool altered: named.
  const alteredDecryption = structuredClone(record);
  const owned = alteredDecryption.branches.decryptions[0];
  const list = JSON.parse(owned.pools);
  list[0].decryption_factors[0][0] = list[0].decryption_factors[0][1];
  owned.pools = JSON.stringify(list);
  expect(failing(alteredDecryption)).toContainEqual({
    id: 'V23',
    problems: [
      `the partial decryption of trustee ${owned.owner} does not verify: its decryption of pool "North" does not verify`,
    ],
  });
  // A published branch figure altered: the recount from the pools' totals differs.
  const alteredFigure = structuredClone(record);
  alteredFigure.results[0].byUnit[0].options[0].votes = '9';
  expect(failing(alteredFigure).map((x) => x.id)).toEqual(['V8', 'V9.1']);
});
