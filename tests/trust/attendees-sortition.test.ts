import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { scaled } from '../support/machine';

/**
 * Issue 12, item 4, through the server: delegates chosen by meeting attendees, and a members'
 * council chosen by lot, each declared through the API before opening, counted at close,
 * shown, exported, recorded and re-checked by omov verify. 36 members vote A or B on both questions:
 *   North 20: 12 A, 8 B (3 delegates; 2 attended its meeting)   South 16: 4 A, 12 B (2; 1 attended)
 * The members: A 16, B 20 → B.
 *
 * Meeting attendees. North's meeting of 2 of its 20 voters: both B, C(8,2)/C(20,2) = 28/190; one
 * each, 12·8/190 = 96/190, a tie drawn by lot (half each); both A 66/190. So B 28/190 + 48/190 =
 * 2/5: North's voters chose A, its meeting differs with probability 2/5. South's meeting of 1:
 * an A voter with probability 4/16 = 1/4 (its voters chose B). The conference, each delegation
 * to its voters' majority: A 3, B 2 → A, against the members. Over the meetings: North A 3/5,
 * South B 3/4 → A (9/20); North A, South A → A (3/20); North B → B (2/5): A 3/5, B 2/5. So the
 * conference decides differently from the members with probability 3/5.
 *
 * A council of 3 drawn from the box's 36 ballots (16 A, 20 B): it has A's majority with
 * probability (C(16,2)·C(20,1) + C(16,3)) / C(36,3) = (2400 + 560) / 7140 = 148/357.
 */
jest.setTimeout(scaled(180_000));

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const meetings = {
  label: 'Chosen at branch meetings',
  model: { rule: 'attendees', method: 'fixed', numbers: { North: 3, South: 2 }, attendance: { North: 2, South: 1 } },
};
const council = {
  label: 'Council of three',
  model: { method: 'sortition', council: 3, seed: 'committed before opening' },
};
const plan: Record<string, number[]> = {
  North: [...Array<number>(12).fill(0), ...Array<number>(8).fill(1)],
  South: [...Array<number>(4).fill(0), ...Array<number>(12).fill(1)],
};

test('meeting attendees and a council by lot: declared, counted, shown, exported, verified; tampering is caught', async () => {
  const org = await setUpOrganisation(app);
  const rows = Object.entries(plan).flatMap(([b, votes]) => votes.map((_, i) => `${b}${i}@example.org,${b} ${i},${b}`));
  await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
    'content-type': 'text/csv',
  });
  const options = [{ label: 'A' }, { label: 'B' }];
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Conference',
    ...ballotTimes(),
    delegates: null,
    questions: [
      { title: 'Meetings?', method: 'plurality', options },
      { title: 'Council?', method: 'plurality', options },
      { title: 'Ranked?', method: 'irv', options },
    ],
  });
  expect(created.status).toBe(201);
  const ballot = created.body;
  const [qm, qc, qr] = ballot.questions;
  const put = (q: { id: string }, comparisons: unknown[]) =>
    org.json('PUT', `/api/v1/ballots/${ballot.id}/questions/${q.id}/comparisons`, { comparisons });

  // Refused, each naming its field: attendees on a ranked question; attendees without attendance;
  // an attendance for a branch not on the roll; a council with a procedure; a council with a short seed.
  const ranked = await put(qr, [meetings]);
  expect(ranked.status).toBe(422);
  expect(JSON.stringify(ranked.body)).toContain('comparisons.0.model.rule');
  const none = await put(qm, [{ model: { rule: 'attendees', method: 'fixed', numbers: { North: 3, South: 2 } } }]);
  expect(none.status).toBe(422);
  expect(JSON.stringify(none.body)).toContain('attendance');
  const unknown = await put(qm, [
    { model: { ...meetings.model, attendance: { North: 2, South: 1, Westmoreland: 5 } } },
  ]);
  expect(unknown.status).toBe(422);
  expect(JSON.stringify(unknown.body)).toContain('comparisons.0.model.attendance.Westmoreland');
  const procedure = await put(qc, [{ ...council, procedure: { kind: 'exhaustive' } }]);
  expect(procedure.status).toBe(422);
  expect(JSON.stringify(procedure.body)).toContain('comparisons.0.procedure.kind');
  const short = await put(qc, [{ model: { ...council.model, seed: 'abc' } }]);
  expect(short.status).toBe(422);
  expect(JSON.stringify(short.body)).toContain('seed');
  // Neither can be the whole ballot's model.
  const whole = await org.json('POST', '/api/v1/ballots', {
    title: 'Whole',
    ...ballotTimes(),
    delegates: council.model,
    questions: [{ title: 'Q', method: 'plurality', options }],
  });
  expect(whole.status).toBe(422);
  expect(JSON.stringify(whole.body)).toContain('declared per question');

  expect((await put(qm, [meetings])).status).toBe(200);
  expect((await put(qc, [council])).status).toBe(200);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);

  const tokens = await app.db
    .selectFrom('voting_tokens')
    .innerJoin('branches', 'branches.id', 'voting_tokens.branch_id')
    .select(['voting_tokens.sealed_token', 'branches.name'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  expect(tokens).toHaveLength(36);
  for (const t of tokens) {
    const option = plan[t.name]!.pop()!;
    const r = await new Client(app.url).json('POST', '/api/v1/vote', {
      token: app.ctx.keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: {
        [qm.id]: { kind: 'choice', option },
        [qc.id]: { kind: 'choice', option },
        [qr.id]: { kind: 'ranking', options: [option, 1 - option] },
      },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);

  const results = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body.questions;
  // Meeting attendees.
  const m = results[0].comparisons[0];
  expect(results[0].elected).toEqual(['B']);
  expect(m.error).toBeUndefined();
  expect(m.elected).toEqual(['A']);
  expect(m.agree).toBe(false);
  expect(
    m.attendance.branches.map(
      (b: { name: string; attendance: number; voters: number; differs: { probability: string } }) => [
        b.name,
        b.attendance,
        b.voters,
        b.differs.probability,
      ],
    ),
  ).toEqual([
    ['North', 2, 20, '2/5'],
    ['South', 1, 16, '1/4'],
  ]);
  expect(m.attendance.conference.method).toBe('exact');
  expect(m.attendance.conference.differs.probability).toBe('3/5');
  expect(m.lots).toEqual({ method: 'exact', probability: '2/5', share: 0.4 });
  expect(m.description).toContain('random sample');
  // The council.
  const c = results[1].comparisons[0];
  expect(c.error).toBeUndefined();
  expect(c.council.size).toBe(3);
  expect(c.council.ballots).toBe(36);
  expect(c.council.drawn).toHaveLength(3);
  expect(c.council.seed.committed).toBe('committed before opening');
  expect(c.council.chance).toMatchObject({ method: 'exact', differs: { probability: '148/357' } });
  expect(c.elected).toEqual(c.council.elected);
  expect(c.description).toContain('never members');
  expect(c.description).not.toContain('The conference decides');
  expect(c.agree).toBe(c.council.elected[0] === 'B');

  const page = await (await org.request('GET', `/ballots/${ballot.id}/results`)).text();
  expect(page).toContain('Chosen at branch meetings');
  expect(page).toContain('It rests on who attended the meetings');
  // The attendees' delegate count has its own label, not the bloc rule's.
  expect(page).toContain('Meeting attendees: all of a branch');
  expect(page).toContain('3/5');
  expect(page).toContain('Council of three');
  expect(page).toContain('It rests on one draw by lot');
  expect(page).toContain('148/357');
  expect(page).toContain(c.council.seed.draw);

  const csv = await (await org.request('GET', `/ballots/${ballot.id}/results.csv`)).text();
  expect(csv).toContain(
    '1,Meetings?,plurality,"(declared: Chosen at branch meetings, meeting of North)",A,probability differs,0.4,',
  );
  expect(csv).toContain('2,Council?,plurality,(declared: Council of three),');

  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  expect(record.ballot.questions[1].comparisons[0].model).toEqual({
    method: 'sortition',
    council: 3,
    stratified: false,
    seed: 'committed before opening',
  });
  expect(verifyRecord(record).ok).toBe(true);
  // The auditor's command, on the downloaded file: every check passes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-lots-'));
  try {
    const file = path.join(dir, 'record.json');
    fs.writeFileSync(file, JSON.stringify(record));
    const good = await omov('verify', file);
    expect(good.code).toBe(0);
    // The stored draw changed (another council): the recount redraws, and question 2's count fails.
    const tampered = structuredClone(record);
    tampered.results[1].comparisons[0].council.drawn = [1, 2, 3];
    fs.writeFileSync(file, JSON.stringify(tampered));
    const bad = await omov('verify', file);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^FAIL {2}V9\.2 /m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // The stored meeting chances changed: the same.
  const chances = structuredClone(record);
  chances.results[0].comparisons[0].attendance.branches[0].differs.probability = '1/5';
  expect(verifyRecord(chances).ok).toBe(false);

  // An insider changes the committed seed after the count: the definition's commitment fails (V13).
  await sql`update questions set comparisons = jsonb_set(comparisons, '{0,model,seed}', '"chosen after the votes"') where id = ${qc.id}::uuid`.execute(
    app.db,
  );
  const changed = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  const failing = verifyRecord(changed)
    .checks.filter((x) => x.verdict === 'FAIL')
    .map((x) => x.id);
  expect(failing).toEqual(expect.arrayContaining(['V13']));
});
