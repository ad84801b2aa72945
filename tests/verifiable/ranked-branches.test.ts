import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { writeTrusteePrivateKey } from '@omov/core/crypto/trustee';
import type { Question, StoredVote } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import { poolBranches } from '@omov/core/domain/pooling';
import { countRecordQuestion } from '@omov/core/record/record';
import { rankedVote } from '@omov/core/record/verifiable';
import { verifyRecord } from '@omov/core/record/verify';
import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';

/**
 * Branch figures and the delegate comparison of ranked questions on a verifiable ballot
 * (docs/verifiable.md, "Branch figures of ranked questions"): members in four branches (one
 * under k, one with no voter) rank candidates on two ranked questions; at the close the
 * section places each pool's ballots in the ranked rows; two of three trustees shuffle with
 * `omov trustee shuffle` (one online, one offline with --pools), each shuffle keeping the
 * pools apart with a proof per pool (a missing or altered pool proof is refused, naming the
 * trustee and the pool), then decrypt. Each question's result, branch figures and delegate
 * comparison included, is what office mode counts from the same votes in the same units;
 * belenios-tool still verifies the archive; `omov verify` checks the pool proofs and catches
 * an altered one, and a changed pool position.
 */
const BELENIOS_TOOL = '/usr/bin/belenios-tool';
let app: TestApp;
let org: Client;
let dir: string;
const K = 3;
const ROLL = ['North', 'North', 'North', 'North', 'North', 'South', 'South', 'South', 'South', 'East', 'East'];
ROLL.push('West', 'West');
beforeAll(async () => {
  if (!fs.existsSync(BELENIOS_TOOL)) throw new Error(`${BELENIOS_TOOL} is missing: apt-get install belenios-tool`);
  app = await startTestApp();
  org = await setUpOrganisation(app);
  const roll = ['email,name,branch,weight', ...ROLL.map((b, i) => `p${i}@example.org,Member ${i},${b},1`)];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-ranked-branches-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);
const asTrustee = async (token: string, method: string, p: string, body?: string) => {
  const r = await fetch(`${app.url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

/** Each voter (index in ROLL; West and one of East do not vote): yes/no (or blank), the chair's and the plan's ranks (0 unranked). */
type Vote = { motion: 0 | 1 | null; chair: number[]; plan: number[] };
const VOTES: Array<[number, Vote]> = [
  [0, { motion: 0, chair: [1, 2, 3], plan: [2, 1] }],
  [1, { motion: 0, chair: [2, 1, 3], plan: [1, 2] }],
  [2, { motion: 1, chair: [1, 3, 2], plan: [1, 0] }],
  [3, { motion: null, chair: [0, 0, 0], plan: [2, 1] }],
  [5, { motion: 1, chair: [3, 1, 2], plan: [0, 1] }],
  [6, { motion: 1, chair: [2, 3, 1], plan: [1, 2] }],
  [7, { motion: 0, chair: [3, 2, 1], plan: [2, 1] }],
  [9, { motion: 1, chair: [1, 0, 2], plan: [0, 0] }],
];

test(
  'ranked questions pooled under k: pool-keeping shuffles with pool proofs; branch figures and conference equal office mode; verified',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Ranked branch election',
      k: K,
      delegates: { basis: 'members', rule: 'bloc', method: 'sainte-lague', seats: 10 },
      questions: [
        { title: 'Adopt the rule book?', method: 'yesno' },
        { title: 'Chair', method: 'irv', options: [{ label: 'Ada' }, { label: 'Ben' }, { label: 'Cy' }] },
        { title: 'Plan', method: 'schulze', options: [{ label: 'Plan A' }, { label: 'Plan B' }] },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const trustees = await makeTrusteeKeys(app.url, (m, p, b) => org.json(m, p, b), id, 3, 2);
    const credentials = await makeMemberCredentials(app.url, (m, p, b) => org.json(m, p, b), id);
    expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
    const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
    const members = await app.db
      .selectFrom('members')
      .select(['id', 'email'])
      .where('email', 'like', 'p%@example.org')
      .execute();
    const byIndex = new Map(members.map((m) => [Number(/^p(\d+)@/.exec(m.email)![1]), m.id]));
    for (const [m, v] of VOTES) {
      const motion = [v.motion === null ? 1 : 0, +(v.motion === 0), +(v.motion === 1)];
      const made = encryptBallot(election, credentials.get(byIndex.get(m)!)!, [motion, v.chair, v.plan], systemRandom);
      const r = await fetch(`${app.url}/api/v1/ballots/${id}/verifiable-ballots`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: made.text,
      });
      expect({ m, status: r.status }).toEqual({ m, status: 201 });
    }
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);

    // The pools as office mode pools the counted ballots per branch; each has its places in both ranked rows.
    const voters = (branch: string) => VOTES.filter(([m]) => ROLL[m] === branch).length;
    const units = poolBranches(
      ['North', 'South', 'East', 'West'].map((branch) => ({ branch, voters: voters(branch) })),
      K,
    );
    expect(units.map((u) => u.name)).toEqual(['North', 'Pooled: East, South', 'West']);
    const task = await asTrustee(trustees.tokens[0]!, 'GET', '/trustee');
    expect(task.body.next).toBe('shuffle');
    const section = JSON.parse(task.body.branchTallies as string);
    expect(
      section.pools.map((p: { name: string; positions: number[][] }) => [p.name, p.positions.map((x) => x.length)]),
    ).toEqual([
      ['North', [4, 4]],
      ['Pooled: East, South', [4, 4]],
      ['West', [0, 0]],
    ]);

    const keyFile = (n: number) => {
      fs.writeFileSync(at(`t${n}.key`), writeTrusteePrivateKey(trustees.keys[n - 1]!));
      fs.writeFileSync(at(`t${n}.token`), trustees.tokens[n - 1]!);
      return at(`t${n}.key`);
    };
    const online = (n: number) => ['--server', app.url, '--token-file', at(`t${n}.token`)];
    // Trustee 1 shuffles online: the pools come from the task.
    keyFile(1);
    const first = await omov('trustee', 'shuffle', ...online(1));
    expect({ code: first.code, err: first.err }).toMatchObject({ code: 0 });
    expect(first.err).toContain('Each of the 3 pools of branches kept together');
    expect(JSON.parse(first.out).pools).toHaveLength(2);
    // Trustee 3 offline, from the task's files, after trustee 1's shuffle.
    keyFile(3);
    const later = await asTrustee(trustees.tokens[2]!, 'GET', '/trustee');
    fs.writeFileSync(at('election.json'), later.body.election as string);
    fs.writeFileSync(at('tally.json'), later.body.encryptedTally as string);
    fs.writeFileSync(at('pools.json'), later.body.branchTallies as string);
    fs.writeFileSync(at('shuffles.json'), JSON.stringify(later.body.shuffles));
    const files = ['--election', at('election.json'), '--tally', at('tally.json'), '--shuffles', at('shuffles.json')];
    const offline = await omov('trustee', 'shuffle', ...files, '--pools', at('pools.json'));
    expect({ code: offline.code, err: offline.err }).toMatchObject({ code: 0 });
    const made = JSON.parse(offline.out);
    // Without the pool proofs, or with one altered, it is refused naming the trustee (and the pool); nothing is stored.
    const { pools, ...belenios } = made;
    const missing = await asTrustee(trustees.tokens[2]!, 'PUT', '/trustee/shuffle', JSON.stringify(belenios));
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toContain('the shuffle of trustee 3 has no proofs for the pools of branches');
    const altered = structuredClone(pools);
    altered[0][1][1][0] = altered[0][1][1][1];
    const wrong = await asTrustee(
      trustees.tokens[2]!,
      'PUT',
      '/trustee/shuffle',
      JSON.stringify({ ...belenios, pools: altered }),
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toBe(
      'the shuffle of trustee 3 does not keep the pools apart: ranked question 1: the proof of pool "Pooled: East, South" fails: its range (places 5 to 8) is not a shuffle of its ballots before',
    );
    expect((await asTrustee(trustees.tokens[2]!, 'GET', '/trustee')).body.next).toBe('shuffle');
    expect((await asTrustee(trustees.tokens[2]!, 'PUT', '/trustee/shuffle', offline.out)).status).toBe(200);

    // The shuffles have ended; trustees 1 and 3 decrypt online.
    for (const n of [1, 3]) {
      const d = await omov('trustee', 'decrypt', '--key', at(`t${n}.key`), ...online(n));
      expect({ n, code: d.code, err: d.err }).toMatchObject({ n, code: 0 });
    }

    // Every question's result, its branch figures and delegate comparison included, is what
    // office mode counts from the same votes, one by one, in the same units.
    const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const questions = record.ballot.questions as Question[];
    const recordUnits = record.branches.units as UnitFacts[];
    const unitOf = (m: number) => units.find((u) => u.branches.includes(ROLL[m]!))!.name;
    const [motionQ, chairQ, planQ] = questions;
    const office: StoredVote[] = VOTES.map(([m, v]) => ({
      unit: unitOf(m),
      weight: '1',
      answers: {
        [motionQ!.id]: v.motion === null ? { kind: 'abstain' } : { kind: 'choice', option: v.motion },
        [chairQ!.id]: rankedVote(v.chair, 3),
        [planQ!.id]: rankedVote(v.plan, 2),
      },
    }));
    questions.forEach((q, i) => {
      const counted = JSON.parse(
        JSON.stringify(countRecordQuestion(record.ballot, q, office, ROLL.length, recordUnits)),
      );
      expect({ q: q.title, result: record.results[i] }).toEqual({ q: q.title, result: counted });
    });
    const chair = record.results[1];
    expect(chair.byUnit.map((u: { unit: string; voters: number }) => [u.unit, u.voters])).toEqual([
      ['North', 4],
      ['Pooled: East, South', 4],
      ['West', 0],
    ]);
    expect(chair.conference).toMatchObject({ branches: expect.any(Array) });

    // The results page shows every question's figures by voting unit, the ranked ones' included.
    const page = await (await org.request('GET', `/ballots/${id}/results`)).text();
    expect(page.split('Figures by voting unit (3)')).toHaveLength(4);
    expect(page).toContain('Pooled: East, South');

    // belenios-tool still accepts the archive: the pool proofs are beside it, not in it.
    const archive = Buffer.from(
      await (await org.request('GET', `/api/v1/ballots/${id}/belenios-archive`)).arrayBuffer(),
    );
    fs.mkdirSync(at('archive'));
    fs.writeFileSync(at(`archive/${record.archive.fileName}`), archive);
    execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', at('archive')], { stdio: 'pipe' });

    // omov verify checks the pool proofs of each shuffle and recounts the figures.
    expect(record.branches.shuffles.map((s: { owner: number }) => s.owner)).toEqual([1, 3]);
    fs.writeFileSync(at('record.json'), JSON.stringify(record));
    const verified = await omov('verify', at('record.json'));
    expect({ code: verified.code, out: verified.out }).toMatchObject({ code: 0 });
    expect(verified.out).toMatch(
      /PASS {2}V23 +branch figures.*2 shuffles of the ranked questions each kept the pools apart/,
    );
    const failing = (r: unknown) =>
      verifyRecord(r)
        .checks.filter((c) => c.verdict === 'FAIL')
        .map((c) => ({ id: c.id, problems: c.problems }));
    // A pool proof altered: named by trustee and pool.
    const alteredProof = structuredClone(record);
    const proofs = JSON.parse(alteredProof.branches.shuffles[1].pools);
    proofs[1][0][1][0] = proofs[1][0][1][1];
    alteredProof.branches.shuffles[1].pools = JSON.stringify(proofs);
    expect(failing(alteredProof)).toContainEqual({
      id: 'V23',
      problems: [
        'the shuffle of trustee 3 does not keep the pools apart: ranked question 2: the proof of pool "North" fails: its range (places 1 to 4) is not a shuffle of its ballots before',
      ],
    });
    // A pool's positions changed (two ballots swapped between pools): no longer where its ballots are.
    const moved = structuredClone(record);
    const changed = JSON.parse(moved.branches.section);
    const [a, b] = [changed.pools[0].positions[0][0], changed.pools[1].positions[0][0]];
    [changed.pools[0].positions[0][0], changed.pools[1].positions[0][0]] = [b, a];
    moved.branches.section = JSON.stringify(changed);
    expect(failing(moved)).toContainEqual({
      id: 'V23',
      problems: expect.arrayContaining([
        `the positions of pool "North" in the ranked questions' rows are not where its counted ballots are`,
      ]),
    });
  },
  scaled(900_000),
);
