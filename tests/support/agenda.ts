import { sql } from 'kysely';
import { ballotTimes, Client, proposalLinkOf, type TestApp } from './app';

/**
 * A draft ballot as the office's statements and agenda pages meet it, set up through the API
 * (docs/proposals.md): the office's question "Adopt the accounts?" with a members' case
 * against that qualified; "Move the office?", the office's alone; and the members' motion
 * "Set the dues" with its proposers' case for and two qualified amendments, scheduled last.
 * The roll: four members, m0 and m2 in North, m1 and m3 in South (organisationWithRoll's).
 */
export type AgendaBallot = {
  ballotId: string;
  motion: string;
  amendments: [string, string];
  caseAgainst: string;
  questions: { accounts: string; office: string; motion: string };
};

export const CASE_FOR = 'Dues at 1% keep the union paying its way.';
export const MEMBERS_AGAINST = 'The accounts hide the cost of the new office.';

export async function ballotWithAgenda(app: TestApp, org: Client): Promise<AgendaBallot> {
  const anyone = new Client(app.url);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's answers, of many shapes
  const ok = async (what: string, r: Promise<{ status: number; body: any }>) => {
    const res = await r;
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await ok(
    'rules',
    org.json('PUT', '/api/v1/proposal-rules', {
      sharePercent: null,
      minBranches: 2,
      windowDays: 42,
      scheduleDays: 30,
      k: 1,
      amendmentDays: 14,
    }),
  );
  const members = await app.db.selectFrom('members').select(['id', 'organisation_id']).orderBy('email').execute();
  const t: string[] = [];
  for (const m of members) t.push(await proposalLinkOf(app.db, m));
  const member = (path: string, body: Record<string, unknown>, method = 'POST') =>
    ok(path, anyone.json(method, `/api/v1/member${path}`, body));

  // The motion: m0 (North) starts it, m1 (South) signs, it qualifies.
  const { id: motion } = await member('/proposals', {
    token: t[0],
    proposal: { kind: 'motion', title: 'Set the dues', text: 'Conference sets the dues at 1% of income.' },
  });
  await member(`/proposals/${motion}/start`, { token: t[0] });
  await member(`/proposals/${motion}/signatures`, { token: t[1] });
  const table = async (mover: number, signer: number, title: string, text: string) => {
    const { id } = await member(`/proposals/${motion}/amendments`, { token: t[mover], amendment: { title, text } });
    await member(`/proposals/${id}/start`, { token: t[mover] });
    await member(`/proposals/${id}/signatures`, { token: t[signer] });
    return id as string;
  };
  const a = await table(2, 1, 'Half the rate', 'Conference sets the dues at 0.5% of income.');
  const b = await table(3, 0, 'A cap', 'Conference sets the dues at 1% of income, capped at £20 a month.');
  await member(`/proposals/${motion}/case-for`, { token: t[0], text: CASE_FOR }, 'PUT');

  const ballot = await ok(
    'ballot',
    org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      questions: [
        { title: 'Adopt the accounts?', method: 'yesno' },
        { title: 'Move the office?', method: 'yesno' },
      ],
    }),
  );
  const [accounts, office] = (ballot.questions as Array<{ id: string }>).map((q) => q.id);
  // A members' case against the office's first question: m1 writes it, m2 signs, it qualifies.
  const { id: caseAgainst } = await member(`/ballots/${ballot.id}/questions/${accounts}/case-against`, {
    token: t[1],
    text: MEMBERS_AGAINST,
  });
  await member(`/proposals/${caseAgainst}/start`, { token: t[1] });
  await member(`/proposals/${caseAgainst}/signatures`, { token: t[2] });

  // The amendment period closes (the clock moved on, as far as the database can tell); the motion goes on.
  await sql`update proposals set amendments_close_at = now() - interval '1 second' where id = ${motion}`.execute(
    app.db,
  );
  await ok('schedule', org.json('POST', `/api/v1/proposals/${motion}/schedule`, { ballotId: ballot.id }));
  const questions = (await ok('ballot', org.json('GET', `/api/v1/ballots/${ballot.id}`))).questions as Array<{
    id: string;
  }>;
  return {
    ballotId: ballot.id,
    motion,
    amendments: [a, b],
    caseAgainst,
    questions: { accounts: accounts!, office: office!, motion: questions[2]!.id },
  };
}
