import { sql } from 'kysely';
import {
  appWithSmtpPerFile,
  ballotTimes,
  Client,
  joinByInvitation,
  proposalLinkOf,
  setUpOrganisation,
} from './support/app';
import { waitFor } from './support/smtp';
import { markDueProposals } from '../src/services/proposals';

/**
 * A proposal lapses, and a qualified one turns overdue, as an event (docs/proposals.md), over
 * HTTP with real PostgreSQL and SMTP: the scheduler's round marks it once however often it
 * runs and however many run at once (the test server's own scheduler runs all along, beside
 * the rounds the test runs twice at a time), logs it (`proposal.lapse` with the final
 * support, `proposal.overdue`) and mails the proposer and the organisers (and, when overdue,
 * the organisation's auditors) once each. Pages and the API then read the stored stage.
 */
const { app, smtp } = appWithSmtpPerFile();

const ORGANISER = 'office@events.example.org';
const AUDITOR = 'auditor@events.example.org';
const unfolded = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Six members: three in North, three in South. */
const ROLL = [
  'email,name,branch',
  ...Array.from({ length: 6 }, (_, i) => `m${i}@events.example.org,Member ${i},${i < 3 ? 'North' : 'South'}`),
].join('\n');

let org: Client;
const tokens: string[] = [];
const member = () => new Client(app().url);

async function logOf(subject: string, action: string) {
  const entries = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    action: string;
    actor: string;
    subject: string | null;
    details: Record<string, unknown>;
  }>;
  return entries.filter((e) => e.action === action && e.subject === subject);
}

/** The messages of this kind queued about this proposal, by recipient. */
async function queued(kind: string, proposalId: string): Promise<string[]> {
  const rows = await sql<{ recipient: string }>`
    select recipient from mail_outbox where kind = ${kind} and payload->>'url' like ${`%/proposals/${proposalId}`}
    order by recipient`.execute(app().db);
  return rows.rows.map((r) => r.recipient);
}

/** Two rounds at once, as two server processes would run them; then every round in flight has committed. */
async function twoRoundsAtOnce() {
  await Promise.all([markDueProposals(app().ctx), markDueProposals(app().ctx)]);
}

beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Event Union', ORGANISER);
  expect((await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' })).status).toBe(200);
  await joinByInvitation(app(), smtp(), org, { role: 'auditor' }, AUDITOR);
  const members = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id', 'email'])
    .where('email', 'like', '%@events.example.org')
    .orderBy('email')
    .execute();
  for (const m of members) tokens[Number(/^m(\d)/.exec(m.email)![1])] = await proposalLinkOf(app().db, m);
});

test('a proposal whose window ends short of support lapses once, logged with its final support and mailed', async () => {
  // Half the members needed (3 of 6): the proposer and one more are not enough.
  expect(
    (
      await org.json('PUT', '/api/v1/proposal-rules', {
        sharePercent: 50,
        minBranches: null,
        windowDays: 1,
        scheduleDays: 7,
        k: 1,
      })
    ).status,
  ).toBe(200);
  const { id } = (
    await member().json('POST', '/api/v1/member/proposals', {
      token: tokens[0],
      proposal: { kind: 'motion', title: 'Open the books', text: 'Publish the accounts every month.' },
    })
  ).body as { id: string };
  expect((await member().json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[0] })).status).toBe(200);
  expect((await member().json('POST', `/api/v1/member/proposals/${id}/signatures`, { token: tokens[4] })).status).toBe(
    201,
  );
  // While its window is open nothing happens, however often the round runs.
  await twoRoundsAtOnce();
  expect(await queued('proposal-lapsed', id)).toEqual([]);
  expect(await logOf(id, 'proposal.lapse')).toEqual([]);
  expect((await member().json('GET', `/api/v1/proposals/${id}/public`)).body.stage).toBe('gathering');

  // Its window ends (as far as the database's clock can tell), and two rounds run at once.
  await sql`update proposals set closes_at = now() - interval '1 second' where id = ${id}`.execute(app().db);
  await twoRoundsAtOnce();
  await twoRoundsAtOnce();
  const stored = await app()
    .db.selectFrom('proposals')
    .select(['lapsed_at', 'status'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(stored.lapsed_at).toBeInstanceOf(Date);
  expect(stored.status).toBe('gathering');
  // Logged once, by the system, with the support it ended with (2 of 3 needed, in both branches).
  const lapse = await logOf(id, 'proposal.lapse');
  expect(lapse).toEqual([
    expect.objectContaining({
      actor: 'system:member proposal',
      details: expect.objectContaining({
        supporters: 2,
        branches: 2,
        k: 1,
        byBranch: [
          { name: 'North', branches: ['North'], supporters: 1, pooled: false },
          { name: 'South', branches: ['South'], supporters: 1, pooled: false },
        ],
        needed: { supporters: 3, branches: null, combine: 'either' },
        lapsedAt: stored.lapsed_at!.toISOString(),
      }),
    }),
  ]);
  // Mailed once each: the proposer and the organiser (not the supporter: a signature names no member).
  expect(await queued('proposal-lapsed', id)).toEqual(['m0@events.example.org', ORGANISER]);
  for (const to of ['m0@events.example.org', ORGANISER]) {
    const mail = await waitFor(`the lapsed mail to ${to}`, () =>
      smtp().received.find(
        (m) => m.to[0] === to && m.raw.includes('proposal has lapsed') && unfolded(m.raw).includes(`/proposals/${id}`),
      ),
    );
    const text = unfolded(mail.raw);
    expect(text).toContain("a members' proposal has lapsed");
    expect(text).toContain('the members\' proposal "Open the books"');
    expect(text).toContain('It ended with 2 supporters, in 2 branches. It needed 3 supporters.');
    expect(text).toContain(to === ORGANISER ? 'you organise' : 'you proposed it');
  }
  // The pages read the stored stage; a late signature is refused; the mark never changes.
  expect((await member().json('GET', `/api/v1/proposals/${id}/public`)).body.stage).toBe('lapsed');
  expect((await member().json('POST', `/api/v1/member/proposals/${id}/signatures`, { token: tokens[5] })).status).toBe(
    409,
  );
  await expect(sql`update proposals set lapsed_at = null where id = ${id}`.execute(app().db)).rejects.toThrow(
    /cannot change/,
  );
});

test('a qualified proposal not on a ballot by its date turns overdue once, mailed to the proposer, the organisers and the auditors', async () => {
  // One supporter is enough (a sixth of the members): starting qualifies it.
  expect(
    (
      await org.json('PUT', '/api/v1/proposal-rules', {
        sharePercent: 10,
        minBranches: null,
        windowDays: 30,
        scheduleDays: 7,
        k: 1,
      })
    ).status,
  ).toBe(200);
  const draft = async (token: string, title: string) => {
    const { id } = (
      await member().json('POST', '/api/v1/member/proposals', {
        token,
        proposal: { kind: 'motion', title, text: `${title}, as conference resolves.` },
      })
    ).body as { id: string };
    const started = await member().json('POST', `/api/v1/member/proposals/${id}/start`, { token });
    expect(started.body.stage).toBe('qualified');
    return id;
  };
  const late = await draft(tokens[1]!, 'Hold the conference online');
  const onTime = await draft(tokens[2]!, 'Elect the treasurer yearly');
  // The second is put on a draft ballot in time.
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Autumn ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  expect((await org.json('POST', `/api/v1/proposals/${onTime}/schedule`, { ballotId: ballot.id })).status).toBe(200);

  // Both dates pass.
  await sql`update proposals set schedule_by = now() - interval '1 second' where id in (${late}, ${onTime})`.execute(
    app().db,
  );
  await twoRoundsAtOnce();
  await twoRoundsAtOnce();
  const entries = await logOf(late, 'proposal.overdue');
  expect(entries).toEqual([
    expect.objectContaining({
      actor: 'system:member proposal',
      details: expect.objectContaining({ scheduleBy: expect.any(String), overdueAt: expect.any(String) }),
    }),
  ]);
  const everyone = [AUDITOR, 'm1@events.example.org', ORGANISER];
  expect(await queued('proposal-overdue', late)).toEqual(everyone);
  for (const to of everyone) {
    const mail = await waitFor(`the overdue mail to ${to}`, () =>
      smtp().received.find(
        (m) =>
          m.to[0] === to && m.raw.includes('proposal is overdue') && unfolded(m.raw).includes(`/proposals/${late}`),
      ),
    );
    const text = unfolded(mail.raw);
    expect(text).toContain("a qualified members' proposal is overdue");
    expect(text).toContain('the members\' proposal "Hold the conference online"');
  }
  expect((await member().json('GET', `/api/v1/proposals/${late}/public`)).body.stage).toBe('overdue');
  const page = await (await member().request('GET', `/proposals/${late}`)).text();
  expect(page).toContain('Overdue: qualified, and the office has not put it on a ballot in time');
  // The one on a ballot is not overdue.
  expect(await logOf(onTime, 'proposal.overdue')).toEqual([]);
  expect(await queued('proposal-overdue', onTime)).toEqual([]);

  // Scheduled late, it shows as scheduled; no second event when it leaves and returns.
  expect((await org.json('POST', `/api/v1/proposals/${late}/schedule`, { ballotId: ballot.id })).status).toBe(200);
  expect((await member().json('GET', `/api/v1/proposals/${late}/public`)).body.stage).toBe('scheduled');

  // The draft is deleted: both are the office's to schedule again, past their dates. The one
  // scheduled in time now turns overdue (once); the one already marked is not marked again.
  expect((await org.json('DELETE', `/api/v1/ballots/${ballot.id}`)).status).toBe(204);
  await twoRoundsAtOnce();
  expect(await logOf(onTime, 'proposal.overdue')).toHaveLength(1);
  expect(await queued('proposal-overdue', onTime)).toEqual([AUDITOR, 'm2@events.example.org', ORGANISER]);
  expect(await logOf(late, 'proposal.overdue')).toHaveLength(1);
  expect(await queued('proposal-overdue', late)).toEqual(everyone);
  for (const id of [late, onTime])
    expect((await member().json('GET', `/api/v1/proposals/${id}/public`)).body.stage).toBe('overdue');
});
