import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseElection } from '@omov/core/crypto/election';
import type { Question, StoredVote } from '@omov/core/domain/ballot';
import { countRecordQuestion, storedResults } from '@omov/core/record/record';
import { verifyRecord } from '@omov/core/record/verify';
import { decryptTally, makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';

/**
 * A verifiable ballot with a score question over HTTP and the CLI (docs/verifiable.md,
 * "Score questions"): each option is its own Belenios question whose answers are the scores;
 * members score with `omov vote` (one abstains, one weighs 2, one votes again); two trustees
 * decrypt; the result is what office mode's score method gives for the same votes;
 * belenios-tool verifies the archive and computes the same totals per score; `omov verify`
 * counts the record again, and an altered score total fails naming the question.
 */
const BELENIOS_TOOL = '/usr/bin/belenios-tool';
let app: TestApp;
let org: Client;
let dir: string;
beforeAll(async () => {
  if (!fs.existsSync(BELENIOS_TOOL)) throw new Error(`${BELENIOS_TOOL} is missing: apt-get install belenios-tool`);
  app = await startTestApp();
  org = await setUpOrganisation(app);
  // Six members; the last weighs 2.
  const roll = [
    'email,name,branch,weight',
    ...Array.from({ length: 6 }, (_, i) => `m${i}@example.org,Member ${i},North,${i === 5 ? 2 : 1}`),
  ];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-score-'));
});
afterAll(async () => {
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
const vote = (id: string, credential: string, answers: string) =>
  omov('vote', '--server', app.url, '--ballot', id, '--credential', credential, '--answers', answers);

test(
  'a score question cast with omov vote, decrypted by the trustees, counted as office mode counts it, verified by belenios-tool',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Score election',
      questions: [
        { title: 'Adopt the budget?', method: 'yesno' },
        {
          title: 'Rate the projects',
          method: 'score',
          settings: { seats: 1, maxScore: 4 },
          options: [{ label: 'Library' }, { label: 'Garden' }, { label: 'Pool' }],
        },
      ],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 2, threshold: 2, credentialAuthority: 'Cara' },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const trustees = await makeTrusteeKeys(app.url, organiser, id, 2, 2);
    const credentials = await makeMemberCredentials(app.url, organiser, id);
    expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);

    // election.json: the score question is one Belenios question per option, its answers the scores.
    const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
    const scores = ['0', '1', '2', '3', '4'];
    expect(election.questions).toEqual([
      { question: 'Adopt the budget?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
      { question: 'Rate the projects — Library', answers: scores, min: 1, max: 1, blank: true },
      { question: 'Rate the projects — Garden', answers: scores, min: 1, max: 1, blank: true },
      { question: 'Rate the projects — Pool', answers: scores, min: 1, max: 1, blank: true },
    ]);

    // Members m0 to m4 weigh 1, m5 weighs 2.
    const members = (
      await app.db
        .selectFrom('members')
        .select(['id', 'email'])
        .where('email', 'like', 'm_@example.org')
        .orderBy('email')
        .execute()
    ).map((m) => credentials.get(m.id)!);
    expect(members).toHaveLength(6);
    // What each member casts (the last of member 1's two ballots counts); member 4 does not vote.
    const cast: Array<[number, string]> = [
      [0, '1;4,2,0'],
      [1, '1;0,0,0'],
      [1, '2;3,4,1'],
      [2, 'blank;blank'],
      [3, '1;2,2,4'],
      [5, '2;1,4,3'],
    ];
    for (const [m, answers] of cast) {
      const r = await vote(id, members[m]!, answers);
      expect({ answers, code: r.code, err: r.err }).toMatchObject({ answers, code: 0 });
    }
    // A score out of range, or too few scores, is refused before anything is encrypted.
    const wrong = await vote(id, members[4]!, '1;5,0,0');
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toContain('scores go from 0 to 4');
    expect((await vote(id, members[4]!, '1;1,2')).err).toContain('give 3 scores separated by ","');

    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    await decryptTally(app.url, trustees, 2);
    const results = (await org.json('GET', `/api/v1/ballots/${id}/results`)).body;
    const [adopt, rate] = results.questions;
    expect(adopt.options).toEqual([
      { option: 'Yes', votes: '2' },
      { option: 'No', votes: '3' },
    ]);
    // Library 4 + 3 + 2 + 1×2, Garden 2 + 4 + 2 + 4×2, Pool 0 + 1 + 4 + 3×2; member 2 abstains.
    expect(rate.options).toEqual([
      { option: 'Library', votes: '11' },
      { option: 'Garden', votes: '16' },
      { option: 'Pool', votes: '11' },
    ]);
    expect(rate.abstentions).toBe('1');
    expect(rate.elected).toEqual(['Garden']);

    // The same votes cast in office mode give the same result, figures and all (the record
    // holds the results as stored, and the questions as counted).
    const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const questions = record.ballot.questions as Question[];
    const q = questions.find((x) => x.method === 'score')!;
    const office: StoredVote[] = [
      [[4, 2, 0], 1],
      [[3, 4, 1], 1],
      [null, 1],
      [[2, 2, 4], 1],
      [[1, 4, 3], 2],
    ].map(([scores, weight]) => ({
      unit: record.branches.units[0].name,
      weight: String(weight),
      answers: {
        [q.id]: scores === null ? { kind: 'abstain' } : { kind: 'scores', scores: scores as number[] },
      },
    }));
    // Eligible: the six public credentials, as the verifiable count has it; one voting unit (North,
    // with fewer than k voters: a pool of its own, as office mode has it), the ballot's delegate model.
    const officeResult = countRecordQuestion(record.ballot, q, office, 6, record.branches.units);
    expect(record.results[1]).toEqual(JSON.parse(JSON.stringify(officeResult)));
    // Averages over the valid papers' weight, 5: member 2 abstained.
    expect(record.results[1].count.summary).toMatchObject({
      'average Garden': '16/5',
      valid: '5',
      'scoredBy Pool': '5',
    });

    // belenios-tool verifies the archive and computes the same totals: per question, blank then each score.
    const archive = await org.request('GET', `/api/v1/ballots/${id}/belenios-archive`);
    const where = path.join(dir, 'archive');
    fs.mkdirSync(where);
    const name = /filename="([^"]+)"/.exec(archive.headers.get('content-disposition') ?? '')![1]!;
    fs.writeFileSync(path.join(where, name), Buffer.from(await archive.arrayBuffer()));
    execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', where], { stdio: 'pipe' });
    const computed = JSON.parse(
      execFileSync(BELENIOS_TOOL, ['election', 'compute-result', '--dir', where], { encoding: 'utf8' }),
    );
    expect(computed).toEqual({
      result: [
        [1, 2, 3],
        // Library: 1 blank; score 1 weighs 2, 2 one, 3 one, 4 one.
        [1, 0, 2, 1, 1, 1],
        // Garden: 2 one, 4 three (1 + 2).
        [1, 0, 0, 2, 0, 3],
        // Pool: 0 one, 1 one, 3 weighs 2, 4 one.
        [1, 1, 1, 0, 2, 1],
      ],
    });

    // omov verify counts the record again; an altered score total fails, naming the question.
    fs.writeFileSync(path.join(dir, 'record.json'), JSON.stringify(record));
    const verified = await omov('verify', path.join(dir, 'record.json'));
    expect(verified.code).toBe(0);
    expect(verified.out).toContain('PASS  V9.2');
    expect(verified.out).toMatch(/V9\.2 .*score: counted from the archive's decrypted totals/);
    const altered = structuredClone(record);
    altered.results[1].options[1].votes = '17';
    const v = verifyRecord({ ...altered, resultsHash: storedResults(altered.results).hash });
    expect(v.ok).toBe(false);
    const failed = v.checks.filter((c) => c.verdict === 'FAIL');
    expect(failed.map((c) => c.id)).toEqual(['V9.2', 'V19']);
    expect(failed[0]!.problems[0]).toContain("but the archive's totals per score of its 3 options give");
  },
  scaled(600_000),
);
