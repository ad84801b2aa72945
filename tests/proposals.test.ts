import { sql } from 'kysely';
import { appWithSmtpPerFile, ballotTimes, Client, joinByInvitation, setUpOrganisation } from './support/app';
import { linkIn, waitFor } from './support/smtp';

/**
 * Member proposals over HTTP, against real PostgreSQL and SMTP (docs/proposals.md): members
 * get their links by mail, one drafts and starts a motion, others sign it from their own links
 * across branches, and it qualifies by itself; a second signature is refused; the office's
 * attempts to reword or withdraw it are refused and logged (and the database itself refuses a
 * rewording); scheduling puts it on a draft ballot word for word, which the ballot's edits must
 * keep; a qualified proposal left unscheduled shows as overdue.
 */
const { app, smtp } = appWithSmtpPerFile();

const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
const ORGANISER = 'office@proposals.example.org';

/** The roll: 20 members, in North (8), South (6), East (4) and West (2). */
const ROLL = [
  'email,name,branch',
  ...Array.from({ length: 20 }, (_, i) => {
    const branch = i < 8 ? 'North' : i < 14 ? 'South' : i < 18 ? 'East' : 'West';
    return `m${i}@proposals.example.org,Member ${i},${branch}`;
  }),
].join('\n');

let org: Client;
/** Each member's proposals token, by member number. */
const tokens: string[] = [];

async function auditLog(c: Client) {
  return (await c.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    action: string;
    actor: string;
    subject: string | null;
    details: Record<string, unknown>;
  }>;
}

beforeAll(async () => {
  org = await setUpOrganisation(app(), 'Proposing Union', ORGANISER);
  expect((await org.json('POST', '/api/v1/roll/import', ROLL, { 'content-type': 'text/csv' })).status).toBe(200);
  const rules = await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: 20,
    minBranches: 3,
    combine: 'both',
    windowDays: 42,
    scheduleDays: 30,
    k: 2,
  });
  expect(rules.status).toBe(200);
  const sent = await org.json('POST', '/api/v1/proposal-links');
  expect(sent).toEqual({ status: 202, body: { queued: 20 } });
  for (let i = 0; i < 20; i++) {
    const mail = await waitFor(`the proposals link of member ${i}`, () =>
      smtp().received.find((m) => m.to[0] === `m${i}@proposals.example.org` && /\/p\//.test(unfolded(m.raw))),
    );
    tokens[i] = linkIn(mail.raw, 'p').split('/p/')[1]!;
  }
});

/** A member's own browser: each acts by their own token, with no session. */
const member = () => new Client(app().url);

test('a proposal gathers support across branches and qualifies by itself; a second signature is refused', async () => {
  const proposer = member();
  const drafted = await proposer.json('POST', '/api/v1/member/proposals', {
    token: tokens[0],
    proposal: {
      kind: 'motion',
      title: 'Cut the dues for students',
      text: 'Conference resolves to halve the dues of student members.',
    },
  });
  expect(drafted.status).toBe(201);
  const id = drafted.body.id as string;
  // A draft is the proposer's alone: not public, and no one else can start it.
  expect((await new Client(app().url).json('GET', `/api/v1/proposals/${id}/public`)).status).toBe(404);
  expect((await member().json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[1] })).status).toBe(404);

  const started = await proposer.json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[0] });
  expect(started.status).toBe(200);
  expect(started.body).toMatchObject({ stage: 'gathering', supporters: 1, signed: true, mine: true });
  // 20% of 20 members, and 3 branches: fixed at start.
  expect(started.body.needs).toEqual({ supporters: 4, branches: 3, combine: 'both' });
  const startEntry = (await auditLog(org)).find((e) => e.action === 'proposal.start' && e.subject === id)!;
  expect(startEntry.actor).toBe('system:member proposal');
  expect(startEntry.details.wordingHash).toMatch(/^[0-9a-f]{64}$/);

  // Rules changed now do not change what this proposal needs.
  expect(
    (
      await org.json('PUT', '/api/v1/proposal-rules', {
        sharePercent: null,
        minBranches: 1,
        windowDays: 42,
        scheduleDays: 30,
        k: 2,
      })
    ).status,
  ).toBe(200);

  const sign = async (i: number) =>
    member().json('POST', `/api/v1/member/proposals/${id}/signatures`, { token: tokens[i] });
  expect((await sign(1)).status).toBe(201);
  const again = await sign(1);
  expect(again.status).toBe(409);
  expect(again.body.detail).toBe('you have already signed this proposal');
  // The proposer signed when starting: their second signature is refused too.
  expect((await sign(0)).status).toBe(409);
  expect((await sign(2)).body).toMatchObject({ stage: 'gathering', supporters: 3, branches: 1 });
  expect((await sign(8)).body).toMatchObject({ stage: 'gathering', supporters: 4, branches: 2 });
  const qualified = await sign(14);
  expect(qualified.status).toBe(201);
  expect(qualified.body).toMatchObject({ stage: 'qualified', supporters: 5, branches: 3 });

  // The public sees counts per branch, small branches pooled (k = 2), never names.
  const pub = await new Client(app().url).json('GET', `/api/v1/proposals/${id}/public`);
  expect(pub.status).toBe(200);
  expect(pub.body.byBranch).toEqual([
    { name: 'North', supporters: 3, pooled: false },
    { name: 'Pooled: East, South', supporters: 2, pooled: true },
  ]);
  expect(JSON.stringify(pub.body)).not.toMatch(/Member \d|example\.org/);
  const pubPage = await (await new Client(app().url).request('GET', `/proposals/${id}`)).text();
  expect(pubPage).toContain('Qualified: waiting to be put on a ballot');
  expect(pubPage).toContain('<td>Pooled: East, South</td><td class="num">2</td>');

  // "A proposal qualifies": to the proposer and to the organiser, once each.
  for (const to of ['m0@proposals.example.org', ORGANISER]) {
    const mail = await waitFor(`the qualification mail to ${to}`, () =>
      smtp().received.find((m) => m.to[0] === to && /has qualified/.test(unfolded(m.raw))),
    );
    expect(unfolded(mail.raw)).toContain('Cut the dues for students');
    expect(unfolded(mail.raw)).toContain(`/proposals/${id}`);
  }
  const qualifyMails = await sql<{ n: number }>`
    select count(*)::int as n from mail_outbox where kind = 'proposal-qualified'`.execute(app().db);
  expect(qualifyMails.rows[0]!.n).toBe(2);

  // A signature after qualifying still counts, and qualifies nothing twice.
  expect((await sign(18)).body).toMatchObject({ stage: 'qualified', supporters: 6, branches: 4 });
  expect((await auditLog(org)).filter((e) => e.action === 'proposal.qualify' && e.subject === id)).toHaveLength(1);
});

test('the office cannot reword nor withdraw a proposal: refused, logged, and refused by the database too; scheduling keeps its words', async () => {
  const proposer = member();
  const { id } = (
    await proposer.json('POST', '/api/v1/member/proposals', {
      token: tokens[3],
      proposal: {
        kind: 'question',
        title: 'Where should conference meet?',
        text: 'Members choose the city of next year’s conference.',
        options: ['Leeds', 'Cardiff', 'Glasgow'],
      },
    })
  ).body as { id: string };
  // Under the rules now in force (1 branch), the proposer's own signature qualifies it.
  const started = await proposer.json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[3] });
  expect(started.body).toMatchObject({ stage: 'qualified', needs: { supporters: null, branches: 1 } });

  const reword = await org.json('PATCH', `/api/v1/proposals/${id}`, { title: 'Should conference meet online?' });
  expect(reword.status).toBe(409);
  expect(reword.body.detail).toMatch(/cannot reword/);
  const withdraw = await org.json('DELETE', `/api/v1/proposals/${id}`);
  expect(withdraw.status).toBe(403);
  expect(withdraw.body.detail).toMatch(/cannot withdraw/);
  const log = await auditLog(org);
  expect(log.find((e) => e.action === 'proposal.reword-refused' && e.subject === id)).toMatchObject({
    actor: `organiser:${ORGANISER}`,
    details: { asked: { title: 'Should conference meet online?' } },
  });
  expect(log.find((e) => e.action === 'proposal.withdraw-refused' && e.subject === id)).toBeDefined();
  // An auditor changes nothing either.
  const auditor = await joinByInvitation(app(), smtp(), org, { role: 'auditor' }, 'auditor@proposals.example.org');
  expect((await auditor.json('PATCH', `/api/v1/proposals/${id}`, { title: 'x' })).status).toBe(403);
  // Nor can a writer going round the API.
  await expect(sql`update proposals set title = 'Online?' where id = ${id}`.execute(app().db)).rejects.toThrow(
    /wording cannot change/,
  );
  await expect(sql`delete from proposals where id = ${id}`.execute(app().db)).rejects.toThrow(/cannot be withdrawn/);

  // Scheduling: into a draft ballot, as its last question, word for word.
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Spring ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string };
  const scheduled = await org.json('POST', `/api/v1/proposals/${id}/schedule`, { ballotId: ballot.id });
  expect(scheduled.status).toBe(200);
  expect(scheduled.body).toMatchObject({ stage: 'scheduled', ballotId: ballot.id });
  const onBallot = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body as {
    questions: Array<{ title: string; description: string; method: string; options: Array<{ label: string }> }>;
  };
  expect(onBallot.questions[1]).toMatchObject({
    title: 'Where should conference meet?',
    description: 'Members choose the city of next year’s conference.',
    method: 'plurality',
  });
  expect(onBallot.questions[1]!.options.map((o) => o.label)).toEqual(['Leeds', 'Cardiff', 'Glasgow']);
  expect((await org.json('POST', `/api/v1/proposals/${id}/schedule`, { ballotId: ballot.id })).status).toBe(409);

  // Editing the ballot keeps the proposal's question as it is, or is refused.
  const edit = (options: string[]) =>
    org.json('PUT', `/api/v1/ballots/${ballot.id}`, {
      title: 'Spring ballot (edited)',
      ...ballotTimes(),
      questions: [
        { title: 'Adopt the accounts?', method: 'yesno' },
        {
          title: 'Where should conference meet?',
          description: 'Members choose the city of next year’s conference.',
          method: 'plurality',
          options: options.map((label) => ({ label })),
        },
      ],
    });
  const changed = await edit(['Leeds', 'Cardiff']);
  expect(changed.status).toBe(409);
  expect(changed.body.detail).toMatch(/must stay on this ballot word for word/);
  expect((await edit(['Leeds', 'Cardiff', 'Glasgow'])).status).toBe(200);

  // A second qualified proposal, left unscheduled past its date, is overdue for all to see.
  const late = (
    await member().json('POST', '/api/v1/member/proposals', {
      token: tokens[5],
      proposal: { kind: 'motion', title: 'Publish the minutes', text: 'Publish every executive meeting’s minutes.' },
    })
  ).body as { id: string };
  expect(
    (await member().json('POST', `/api/v1/member/proposals/${late.id}/start`, { token: tokens[5] })).body.stage,
  ).toBe('qualified');
  await sql`update proposals set schedule_by = now() - interval '1 day' where id = ${late.id}`.execute(app().db);
  expect((await new Client(app().url).json('GET', `/api/v1/proposals/${late.id}/public`)).body.stage).toBe('overdue');
  const page = await (await new Client(app().url).request('GET', `/proposals/${late.id}`)).text();
  expect(page).toContain('Overdue: qualified, and the office has not put it on a ballot in time');
});

test('a proposal whose window has closed takes no more signatures; a member asks for their link by email', async () => {
  const { id } = (
    await member().json('POST', '/api/v1/member/proposals', {
      token: tokens[6],
      proposal: { kind: 'motion', title: 'A late idea', text: 'Too late.' },
    })
  ).body as { id: string };
  // Rules needing more than the proposer alone, so that it stays gathering.
  await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: 50,
    minBranches: null,
    windowDays: 1,
    scheduleDays: 7,
  });
  expect((await member().json('POST', `/api/v1/member/proposals/${id}/start`, { token: tokens[6] })).body.stage).toBe(
    'gathering',
  );
  // Its window ends (the clock moved on, as far as the database can tell).
  await sql`update proposals set closes_at = now() - interval '1 second' where id = ${id}`.execute(app().db);
  const late = await member().json('POST', `/api/v1/member/proposals/${id}/signatures`, { token: tokens[7] });
  expect(late.status).toBe(409);
  expect(late.body.detail).toMatch(/time to gather support has ended/);
  expect((await new Client(app().url).json('GET', `/api/v1/proposals/${id}/public`)).body.stage).toBe('lapsed');

  // The link request answers the same for an address on the roll and one that is not.
  const anon = new Client(app().url);
  const known = await anon.json('POST', '/api/v1/proposal-link-requests', { email: 'm9@proposals.example.org' });
  const unknown = await anon.json('POST', '/api/v1/proposal-link-requests', { email: 'nobody@proposals.example.org' });
  expect(known).toEqual(unknown);
  expect(known.status).toBe(202);
  const before = tokens[9];
  const mail = await waitFor('a second proposals link for member 9', () =>
    smtp().received.find(
      (m) =>
        m.to[0] === 'm9@proposals.example.org' && /\/p\//.test(unfolded(m.raw)) && !unfolded(m.raw).includes(before!),
    ),
  );
  const fresh = linkIn(mail.raw, 'p').split('/p/')[1]!;
  const view = await new Client(app().url).request('GET', `/p/${fresh}`);
  expect(view.status).toBe(200);
  expect(view.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await view.text()).toContain('Member 9, South branch');
  expect((await new Client(app().url).request('GET', `/p/${'x'.repeat(43)}`)).status).toBe(404);
});
