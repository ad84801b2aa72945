import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import type { Question, StoredVote } from '@omov/core/domain/ballot';
import type { UnitFacts } from '@omov/core/domain/count';
import { countRecordQuestion } from '@omov/core/record/record';
import { rankedVote } from '@omov/core/record/verifiable';
import { verifyRecord } from '@omov/core/record/verify';
import { makeMemberCredentials } from '../../bench/support/verifiable';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from '../support/app';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';
import { waitFor } from '../support/smtp';
import { beleniosOnArchive, cli, trusteeApi, trusteeKeysByCli } from '../support/verifiable-cli';

/**
 * Deliberation on a verifiable ballot (docs/verifiable.md, "Amended motions and questions, and elections"),
 * over HTTP with real PostgreSQL and SMTP, trustees by `omov trustee … --server`:
 * (a) a member motion with two qualifying amendments and a declared agenda order goes on a
 * verifiable draft ballot as one ranked (Schulze) question of its variants; a branch
 * secretary cannot record a meeting's position on it (positions are office ballots' only);
 * members in three branches
 * rank the variants; two of three trustees shuffle and decrypt. The result is omov's count of
 * the decrypted rankings, field for field what the same votes give as plaintext: the agenda
 * in its declared order and the Condorcet count, with the figures by unit and the delegate
 * conference (the shuffles keep the pools of branches apart), as an office ballot's count of
 * the same votes has them (compared field by field).
 * belenios-tool verifies the archive, `omov verify` passes the record (V21, V22, the recount)
 * and an altered ranking fails it.
 * (b) an election with nominations and a balance rule goes on a verifiable ballot and is
 * counted by STV with the rule after the shuffles; V20 passes.
 * (c) a members' question with an amendment goes on a verifiable ballot as its version
 * question and its question of options; the options are counted over the version the version
 * question's own decrypted rankings adopt, as the same votes are counted as plaintext.
 */
const { app, smtp } = appWithSmtpPerFile();
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-deliberation-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
const VERIFIABLE = { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' };

/** Names the trustees, makes their keys and the credentials, and opens the ballot; returns the election and credentials by member id. */
async function openVerifiable(org: Client, id: string, sub: string) {
  const at = (name: string) => path.join(dir, sub, name);
  fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const { tokens, keyFile } = await trusteeKeysByCli(app(), org, id, at, ['Ann', 'Bob', 'Cy'], 2);
  tokens.forEach((t, i) => fs.writeFileSync(at(`t${i + 1}.token`), t));
  const credentials = await makeMemberCredentials(app().url, (m, p, b) => org.json(m, p, b), id);
  const opened = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
  expect(opened.status === 200 ? 200 : JSON.stringify(opened.body)).toBe(200);
  const election = parseElection(
    await (await new Client(app().url).request('GET', `/api/v1/ballots/${id}/election.json`)).text(),
  );
  expect(election.group.name).toBe('RFC-3526-2048');
  const online = (n: number) => ['--server', app().url, '--token-file', at(`t${n}.token`)];
  /** After the close: trustees 1 and 3 shuffle, then decrypt. */
  const shuffleAndDecrypt = async () => {
    await cli('trustee', 'shuffle', ...online(1));
    await cli('trustee', 'shuffle', ...online(3));
    expect((await trusteeApi(app(), tokens[1]!).get()).body.next).toBe('decrypt');
    await cli('trustee', 'decrypt', '--key', keyFile(1), ...online(1));
    await cli('trustee', 'decrypt', '--key', keyFile(3), ...online(3));
    expect((await trusteeApi(app(), tokens[1]!).get()).body.next).toBe('done');
  };
  return { election, credentials, shuffleAndDecrypt, at };
}

/** Casts each member's plaintext (by email order of `emails`) with the core, as a voting client would. */
async function cast(
  id: string,
  election: ReturnType<typeof parseElection>,
  credentials: Map<string, string>,
  emails: string[],
  plaintexts: number[][][],
) {
  for (const [i, plaintext] of plaintexts.entries()) {
    const member = await app()
      .db.selectFrom('members')
      .select('id')
      .where('email', '=', emails[i]!)
      .executeTakeFirstOrThrow();
    const b = encryptBallot(election, credentials.get(member.id)!, plaintext, systemRandom);
    const r = await new Client(app().url).json('POST', `/api/v1/ballots/${id}/verifiable-ballots`, b.text, {
      'content-type': 'application/json',
    });
    expect(r.status === 201 ? 201 : `${i}: ${JSON.stringify(r.body)}`).toBe(201);
  }
}

/**
 * An organisation with `roll` (CSV) whose members table proposals (two branches, k 1): the
 * organiser's client and a member's act on a proposal, by email, from their proposals link.
 */
async function proposingUnion(name: string, domain: string, roll: string) {
  const org = await setUpOrganisation(app(), name, `office@${domain}`);
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
  const rules = { sharePercent: null, minBranches: 2, windowDays: 42, scheduleDays: 30, k: 1, amendmentDays: 14 };
  expect((await org.json('PUT', '/api/v1/proposal-rules', rules)).status).toBe(200);
  const rows = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id', 'email'])
    .where('email', 'like', `%@${domain}`)
    .execute();
  const link = new Map(await Promise.all(rows.map(async (r) => [r.email, await proposalLinkOf(app().db, r)] as const)));
  const act = (email: string, route: string, body: Record<string, unknown> = {}) =>
    new Client(app().url).json('POST', `/api/v1/member/proposals${route}`, { token: link.get(email), ...body });
  return { org, act };
}

// (a) Nine members: North 4, South 3, East 2. Options of the motion's question: 0 O (the motion
// as proposed), 1 A, 2 B, 3 R (the motion falls); each paper gives each option's rank (1 first).
const SIZES: Record<string, number> = { North: 4, South: 3, East: 2 };
const MOTION_ROLL = [
  'email,name,branch',
  ...Object.entries(SIZES).flatMap(([branch, n]) =>
    Array.from({ length: n }, (_, i) => `${branch.toLowerCase()}${i}@delib.example.org,${branch} ${i},${branch}`),
  ),
].join('\n');
const MOTION_EMAILS = Object.entries(SIZES).flatMap(([branch, n]) =>
  Array.from({ length: n }, (_, i) => `${branch.toLowerCase()}${i}@delib.example.org`),
);
// Yes/no as [blank, yes, no]; the variants as ranks of [O, A, B, R]. A beats each other variant
// head to head (A: Condorcet winner); the declared agenda takes B first, then A.
const MOTION_CAST: Array<[number[], number[]]> = [
  [
    [0, 1, 0],
    [2, 1, 3, 4],
  ],
  [
    [0, 1, 0],
    [2, 1, 3, 4],
  ],
  [
    [0, 0, 1],
    [3, 1, 2, 4],
  ],
  [
    [0, 1, 0],
    [1, 2, 3, 4],
  ],
  [
    [0, 1, 0],
    [3, 2, 1, 4],
  ],
  [
    [0, 1, 0],
    [3, 2, 1, 4],
  ],
  [
    [1, 0, 0],
    [4, 3, 2, 1],
  ],
  [
    [0, 1, 0],
    [1, 2, 3, 4],
  ],
  [
    [0, 0, 1],
    [2, 1, 3, 4],
  ],
];
const O = 'The motion as proposed';
const R = 'None: the motion falls';

test(
  'an amended motion on a verifiable ballot: agenda and Condorcet counted from the shuffled rankings, verified',
  async () => {
    const union = await proposingUnion('Deliberating Union', 'delib.example.org', MOTION_ROLL);
    const org = union.org;
    const act = (who: string, route: string, body: Record<string, unknown> = {}) =>
      union.act(`${who}@delib.example.org`, route, body);
    const motion = (
      await act('north0', '', {
        proposal: { kind: 'motion', title: 'Set the dues', text: 'Conference sets the dues at 1% of income.' },
      })
    ).body.id as string;
    await act('north0', `/${motion}/start`);
    expect((await act('south0', `/${motion}/signatures`)).body.stage).toBe('qualified');
    const table = async (who: string, signer: string, title: string, text: string) => {
      const id = (await act(who, `/${motion}/amendments`, { amendment: { title, text } })).body.id as string;
      expect((await act(who, `/${id}/start`)).status).toBe(200);
      expect((await act(signer, `/${id}/signatures`)).body.stage).toBe('qualified');
      return id;
    };
    const a = await table('north1', 'south1', 'Half the rate', 'Conference sets the dues at 0.5% of income.');
    const b = await table('south2', 'north2', 'A cap', 'Conference sets the dues at 1% of income, capped at £20.');
    await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${motion}`.execute(
      app().db,
    );

    // The verifiable draft, before the trustees make their keys: the motion goes on it.
    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      k: 1,
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
      mode: VERIFIABLE,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const scheduled = await org.json('POST', `/api/v1/proposals/${motion}/schedule`, { ballotId: id });
    expect(scheduled.status === 200 ? 200 : JSON.stringify(scheduled.body)).toBe(200);
    const order = await org.json('PUT', `/api/v1/proposals/${motion}/agenda-order`, { order: [b, a] });
    expect(order.status === 200 ? 200 : JSON.stringify(order.body)).toBe(200);
    const draft = (await org.json('GET', `/api/v1/ballots/${id}`)).body.questions as Array<{
      id: string;
      method: string;
      options: Array<{ label: string }>;
    }>;
    expect(draft.map((q) => q.method)).toEqual(['yesno', 'schulze']);
    const labels = draft[1]!.options.map((o) => o.label);
    expect([labels[0], labels[3]]).toEqual([O, R]);

    // Branch meetings' positions are an office ballot's: a secretary cannot record one here
    // (their page lists office ballots only; docs/verifiable.md says why).
    const email = 'secretary-north@delib.example.org';
    expect(
      (await org.json('PUT', '/api/v1/branch-secretaries', { branch: 'North', name: 'North Sec', email })).status,
    ).toBe(200);
    const mail = await waitFor(`the link mailed to ${email}`, () => smtp().received.find((m) => m.to[0] === email));
    const secretary = /\/s\/([A-Za-z0-9_-]{43})/.exec(unfolded(mail.raw))![1]!;
    const position = await new Client(app().url).json('PUT', '/api/v1/secretary/positions', {
      token: secretary,
      ballotId: id,
      questionId: draft[1]!.id,
      amendment: a,
      attendance: 5,
    });
    expect(position.status).toBe(404);
    expect((await new Client(app().url).json('POST', '/api/v1/secretary', { token: secretary })).body.ballots).toEqual(
      [],
    );

    const { election, credentials, shuffleAndDecrypt, at } = await openVerifiable(org, id, 'motion');
    await cast(
      id,
      election,
      credentials,
      MOTION_EMAILS,
      MOTION_CAST.map(([yesno, ranks]) => [yesno, ranks]),
    );
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    await shuffleAndDecrypt();

    // omov's count of the decrypted rankings is the count of the same votes as plaintext.
    const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const questions = record.ballot.questions as Question[];
    const variants = questions.find((q) => q.method === 'schulze')!;
    // As an office ballot counts the same votes by branch, field by field: the shuffles kept the
    // pools of branches apart, so the figures by unit and the delegate conference are there too.
    const units = record.branches.units as UnitFacts[];
    const unitOf = (email: string) =>
      units.find((u) =>
        u.branches.includes(email.startsWith('north') ? 'North' : email.startsWith('south') ? 'South' : 'East'),
      )!.name;
    const plain: StoredVote[] = MOTION_CAST.map(([, ranks], i) => ({
      unit: unitOf(MOTION_EMAILS[i]!),
      weight: '1',
      answers: { [variants.id]: rankedVote(ranks, 4) },
    }));
    const counted = JSON.parse(
      JSON.stringify(countRecordQuestion(record.ballot, variants, plain, MOTION_EMAILS.length, units)),
    );
    const result = record.results[1];
    // Field by field: the Condorcet count, the agenda, the figures by unit and the conference are the plaintext count's.
    for (const field of Object.keys(counted)) expect([field, result[field]]).toEqual([field, counted[field]]);
    expect(Object.keys(result).sort()).toEqual(Object.keys(counted).sort());
    expect(result.byUnit.map((u: { unit: string }) => u.unit).sort()).toEqual(['East', 'North', 'South']);
    expect(result.conference).not.toBeNull();

    // A is the Condorcet winner; the declared agenda takes B, then A, then the motion's fall.
    expect(result.elected).toEqual([labels[1]]);
    expect(result.agenda.steps.map((s: { challenger: string; winner: string }) => [s.challenger, s.winner])).toEqual([
      [labels[2], O],
      [labels[1], labels[1]],
      [R, labels[1]],
    ]);
    // No branch meeting's positions: those are office ballots' only.
    expect(result.positions).toBeUndefined();

    const web = (await org.json('GET', `/api/v1/ballots/${id}/results`)).body.questions[1];
    expect(web.elected).toEqual(result.elected);
    expect(web.agenda).toEqual(result.agenda);

    // belenios-tool verifies the archive; omov verify passes the record.
    expect(await beleniosOnArchive(app(), id, at('archive'))).toMatchObject({ code: 0, err: '' });
    fs.writeFileSync(at('record.json'), JSON.stringify(record));
    const verified = await omov('verify', at('record.json'));
    expect(verified.code === 0 ? 0 : verified.out).toBe(0);
    expect(verified.out).toMatch(/PASS {2}V21 /);
    expect(verified.out).toMatch(/PASS {2}V22 /);
    expect(verified.out).toMatch(/PASS {2}V9\.2 .*schulze: counted from the archive's decrypted totals/);

    // A decrypted ranking altered in the database is caught.
    await app()
      .db.transaction()
      .execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        const row = await tx
          .selectFrom('verifiable_events')
          .select(['height', 'data'])
          .where('ballot_id', '=', id)
          .where('type', '=', 'Result')
          .executeTakeFirstOrThrow();
        const decrypted = JSON.parse(row.data[0]!) as { result: [number[], number[][]] };
        const r = decrypted.result[1].find((x) => x[0] !== x[3])!;
        [r[0], r[3]] = [r[3]!, r[0]!];
        await tx
          .updateTable('verifiable_events')
          .set({ data: [JSON.stringify(decrypted)] })
          .where('ballot_id', '=', id)
          .where('height', '=', row.height)
          .execute();
      });
    const altered = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const v = verifyRecord(altered);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.id === 'V18')!.verdict).toBe('FAIL');
    fs.writeFileSync(at('altered.json'), JSON.stringify(altered));
    const ours = await omov('verify', at('altered.json'));
    expect(ours.code).not.toBe(0);
    expect(ours.out).toMatch(/FAIL {2}V18 /);
    expect((await beleniosOnArchive(app(), id, at('altered'))).code).not.toBe(0);
  },
  scaled(900_000),
);

// (b) Ten members; four stand for two seats, Dora in the group "women" (at least one seat).
// Papers: 4 × Adam > Bob, 3 × Bob > Adam, 2 × Carl, 1 × Dora. Without the rule Adam and Bob
// are elected; with it Dora takes a seat.
const NAMES = ['Adam', 'Bob', 'Carl', 'Dora'];
/** Each email's voting unit in the record (the shuffles keep the pools of branches apart, so ranked questions are counted by unit). */
async function unitOfEmail(record: { branches: { units: UnitFacts[] } }): Promise<(email: string) => string> {
  const rows = await app()
    .db.selectFrom('members')
    .innerJoin('branches', 'branches.id', 'members.branch_id')
    .select(['members.email', 'branches.name'])
    .execute();
  const branchOf = new Map(rows.map((r) => [r.email, r.name]));
  return (email) => record.branches.units.find((u) => u.branches.includes(branchOf.get(email)!))!.name;
}

const ELECT_EMAILS = Array.from({ length: 10 }, (_, i) =>
  i < 4 ? `${NAMES[i]!.toLowerCase()}@elect.example.org` : `e${i}@elect.example.org`,
);
const PAPERS: string[][] = [
  ...Array<string[]>(4).fill(['Adam', 'Bob']),
  ...Array<string[]>(3).fill(['Bob', 'Adam']),
  ...Array<string[]>(2).fill(['Carl']),
  ['Dora'],
];

test(
  'an election with nominations and a balance rule on a verifiable ballot: STV with the rule after the shuffles, V20 passes',
  async () => {
    const org = await setUpOrganisation(app(), 'Electing Union', 'office@elect.example.org');
    const roll = [
      'email,name,branch',
      ...ELECT_EMAILS.map((e, i) => `${e},${NAMES[i] ?? `Member ${i}`},${i % 2 ? 'Leeds' : 'York'}`),
    ];
    expect(
      (await org.json('POST', '/api/v1/roll/import', roll.join('\n'), { 'content-type': 'text/csv' })).status,
    ).toBe(200);
    const created = await org.json('POST', '/api/v1/elections', {
      title: 'Executive',
      description: 'Two seats.',
      seats: 2,
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      threshold: { members: 1, branches: null, combine: 'either' },
      statementMax: 300,
      groups: [{ group: 'women', min: 1 }],
    });
    expect(created.status).toBe(201);
    const electionId = created.body.id as string;
    const nominator = await proposalLinkOf(
      app().db,
      await app()
        .db.selectFrom('members')
        .select(['id', 'organisation_id'])
        .where('email', '=', 'e9@elect.example.org')
        .executeTakeFirstOrThrow(),
    );
    const visitor = new Client(app().url);
    for (const name of ['Adam', 'Bob', 'Carl', 'Dora']) {
      const email = `${name.toLowerCase()}@elect.example.org`;
      const r = await visitor.json('POST', `/api/v1/member/elections/${electionId}/nominations`, {
        token: nominator,
        nominee: { email },
      });
      expect(r.status).toBe(201);
      const mail = await waitFor(`the nomination mailed to ${email}`, () =>
        smtp().received.find((m) => m.to[0] === email && /\/n\/[A-Za-z0-9_-]{43}/.test(unfolded(m.raw))),
      );
      const answered = await visitor.json('PUT', '/api/v1/nominee/answer', {
        token: /\/n\/([A-Za-z0-9_-]{43})/.exec(unfolded(mail.raw))![1],
        accept: true,
        statement: `${name} stands.`,
        groups: name === 'Dora' ? ['women'] : [],
      });
      expect(answered.status).toBe(200);
    }
    await app()
      .db.transaction()
      .execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await sql`update elections set closes_at = now() - interval '1 second', opens_at = now() - interval '1 day' where id = ${electionId}`.execute(
          tx,
        );
      });

    const ballot = await org.json('POST', '/api/v1/ballots', {
      title: 'Officers',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the report?', method: 'yesno' }],
      mode: VERIFIABLE,
    });
    expect(ballot.status).toBe(201);
    const id = ballot.body.id as string;
    const scheduled = await org.json('POST', `/api/v1/elections/${electionId}/schedule`, { ballotId: id });
    expect(scheduled.status === 200 ? 200 : JSON.stringify(scheduled.body)).toBe(200);
    const draft = (await org.json('GET', `/api/v1/ballots/${id}`)).body.questions as Array<{
      method: string;
      settings: { balance?: unknown };
      options: Array<{ label: string }>;
    }>;
    expect(draft.map((q) => q.method)).toEqual(['yesno', 'stv']);
    expect(draft[1]!.settings.balance).toEqual([{ group: 'women', candidates: ['Dora'], min: 1 }]);
    const labels = draft[1]!.options.map((o) => o.label);

    const { election, credentials, shuffleAndDecrypt, at } = await openVerifiable(org, id, 'election');
    const ranks = (paper: string[]) => labels.map((l) => paper.indexOf(l) + 1);
    await cast(
      id,
      election,
      credentials,
      ELECT_EMAILS,
      PAPERS.map((p) => [[0, 1, 0], ranks(p)]),
    );
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    await shuffleAndDecrypt();

    const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const stv = (record.ballot.questions as Question[]).find((q) => q.method === 'stv')!;
    const unitOf = await unitOfEmail(record);
    const plain: StoredVote[] = PAPERS.map((p, i) => ({
      unit: unitOf(ELECT_EMAILS[i]!),
      weight: '1',
      answers: { [stv.id]: rankedVote(ranks(p), labels.length) },
    }));
    const counted = countRecordQuestion(record.ballot, stv, plain, ELECT_EMAILS.length, record.branches.units);
    expect(record.results[1]).toEqual(JSON.parse(JSON.stringify(counted)));
    expect([...record.results[1].elected].sort()).toEqual(['Adam', 'Dora']);
    expect(JSON.stringify(record.results[1])).toContain('The balance rules changed who was elected');

    expect(await beleniosOnArchive(app(), id, at('archive'))).toMatchObject({ code: 0, err: '' });
    const verified = verifyRecord(record);
    expect(verified.ok ? true : verified.checks.filter((c) => c.verdict !== 'PASS')).toBe(true);
    expect(verified.checks.find((c) => c.id === 'V20')).toMatchObject({ verdict: 'PASS' });
  },
  scaled(900_000),
);

// (c) Six members, North 3 and South 3: a members' question of two options and an amendment
// that adds a third. Each member ranks every version and every option, in an order that turns
// with them.
const turned = (n: number, by: number) => Array.from({ length: n }, (_, o) => ((o - by + n) % n) + 1);
const QUESTION_EMAILS = Array.from({ length: 6 }, (_, i) => `${i < 3 ? 'north' : 'south'}${i}@colour.example.org`);

test(
  'an amended member question on a verifiable ballot: its options counted over the version its version question adopts, from the shuffled rankings',
  async () => {
    const roll = [
      'email,name,branch',
      ...QUESTION_EMAILS.map((e, i) => `${e},Member ${i},${i < 3 ? 'North' : 'South'}`),
    ].join('\n');
    const union = await proposingUnion('Colour Union', 'colour.example.org', roll);
    const org = union.org;
    const act = (who: number, route: string, body: Record<string, unknown> = {}) =>
      union.act(QUESTION_EMAILS[who]!, route, body);
    const TEXT = 'Which colour should the banner be?';
    const question = (
      await act(0, '', { proposal: { kind: 'question', title: 'Banner', text: TEXT, options: ['Red', 'Blue'] } })
    ).body.id as string;
    await act(0, `/${question}/start`);
    expect((await act(3, `/${question}/signatures`)).body.stage).toBe('qualified');
    const amendment = (
      await act(1, `/${question}/amendments`, {
        amendment: { title: 'Add green', text: TEXT, options: ['Red', 'Blue', 'Green'] },
      })
    ).body.id as string;
    expect((await act(1, `/${amendment}/start`)).status).toBe(200);
    expect((await act(4, `/${amendment}/signatures`)).body.stage).toBe('qualified');
    await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${question}`.execute(
      app().db,
    );

    const created = await org.json('POST', '/api/v1/ballots', {
      title: 'Banner ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
      mode: VERIFIABLE,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const scheduled = await org.json('POST', `/api/v1/proposals/${question}/schedule`, { ballotId: id });
    expect(scheduled.status === 200 ? 200 : JSON.stringify(scheduled.body)).toBe(200);
    const draft = (await org.json('GET', `/api/v1/ballots/${id}`)).body.questions as Array<{
      options: Array<{ label: string }>;
    }>;
    expect(draft).toHaveLength(3);
    const [versionCount, optionCount] = [draft[1]!.options.length, draft[2]!.options.length];

    const { election, credentials, shuffleAndDecrypt } = await openVerifiable(org, id, 'question');
    // Four of six put the amended version first, and Green, the option it adds, first.
    const papers = QUESTION_EMAILS.map(
      (_, i) => [turned(versionCount, i < 4 ? 1 : 0), turned(optionCount, [2, 2, 2, 0, 1, 2][i]!)] as const,
    );
    await cast(
      id,
      election,
      credentials,
      QUESTION_EMAILS,
      papers.map(([v, o]) => [[0, 1, 0], v, o]),
    );
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    await shuffleAndDecrypt();

    // Both ranked questions are what the same votes give as plaintext, each member's two rankings together.
    const record = JSON.parse(await (await org.request('GET', `/api/v1/ballots/${id}/record`)).text());
    const questions = [...(record.ballot.questions as Question[])].sort((x, y) => x.position - y.position);
    const [, versionQ, optionsQ] = questions as [Question, Question, Question];
    const unitOf = await unitOfEmail(record);
    const plain: StoredVote[] = papers.map(([v, o], i) => ({
      unit: unitOf(QUESTION_EMAILS[i]!),
      weight: '1',
      answers: { [versionQ.id]: rankedVote(v, versionCount), [optionsQ.id]: rankedVote(o, optionCount) },
    }));
    for (const [i, q] of [versionQ, optionsQ].entries())
      expect(record.results[i + 1]).toEqual(
        JSON.parse(
          JSON.stringify(countRecordQuestion(record.ballot, q, plain, QUESTION_EMAILS.length, record.branches.units)),
        ),
      );
    // The version question's own rankings chose the version: the amended one, Green standing and elected.
    expect(record.results[2].versions).toMatchObject({ adopted: draft[1]!.options[1]!.label, struck: [] });
    expect(record.results[2].elected).toEqual(['Green']);

    const verified = verifyRecord(record);
    expect(verified.ok ? true : verified.checks.filter((c) => c.verdict !== 'PASS')).toBe(true);
    expect(verified.checks.find((c) => c.id === 'V22')).toMatchObject({ verdict: 'PASS' });
  },
  scaled(900_000),
);
