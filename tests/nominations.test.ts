import { sql } from 'kysely';
import { verifyRecord } from '@omov/core/record/verify';
import { drawCandidates } from '@omov/core/domain/nominations';
import {
  appWithSmtpPerFile,
  ballotTimes,
  Client,
  joinByInvitation,
  proposalLinkOf,
  setUpOrganisation,
} from './support/app';
import { tokensOf } from './support/integrity';
import { scaled } from './support/machine';
import { waitFor } from './support/smtp';
import { mailDueNominations } from '../src/services/nominations';

/**
 * An election with nominations through the server (docs/elections.md, "Nominations"):
 * the organiser sets it (3 seats; a nominee needs 2 members' nominations or 1 branch's;
 * women: at least 1 seat); every member is mailed that nominations are open; members
 * nominate from their proposals link, York's secretary for York from theirs; each nominee is
 * mailed a link, accepts with a statement and their groups, or declines. When nominations
 * close the office puts it on a draft ballot: the five who accepted and reached the
 * threshold become the STV question's options, in an order drawn from a seed committed in
 * the audit log; the office's attempts to add or drop one are refused and logged.
 *
 * The count, by hand (the worked example of docs/elections.md): 100 papers,
 *   30 Adam > Carl, 26 Bob, 22 Carl, 12 Dora > Eve, 10 Eve > Dora; quota 100 / 4 + 1 = 26.
 * Adam (30) and Bob (26) reach the quota. One seat left and no woman elected: electing Carl
 * would leave the rule unmet, so he is excluded under the balance rules; Adam's surplus of
 * 4 then has no next preference; Eve (10) is excluded, her papers go to Dora (22), the last
 * continuing candidate, elected. Without the rule, Adam's surplus lifts Carl to 25.99990,
 * Eve and then Dora are excluded, and Carl is elected: the rule changed the third seat.
 */
jest.setTimeout(scaled(300_000));
const { app, smtp } = appWithSmtpPerFile();
const SECRET = 'test-secret-0123456789-0123456789-abcdef';

const CANDIDATES = ['Adam', 'Bob', 'Carl', 'Dora', 'Eve'];
const PLAN: Array<[string[], number]> = [
  [['Adam', 'Carl'], 30],
  [['Bob'], 26],
  [['Carl'], 22],
  [['Dora', 'Eve'], 12],
  [['Eve', 'Dora'], 10],
];

const unwrap = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
function linkIn(raw: string, prefix: 'n' | 's' | 'p'): string {
  const m = new RegExp(`https?://[^\\s"<>]+/${prefix}/([A-Za-z0-9_-]{43})`).exec(unwrap(raw));
  if (!m) throw new Error(`no /${prefix}/ link in the message`);
  return m[1]!;
}

/** The clock moves on: nominations close (the table's trigger keeps the rules from anyone else). */
async function closeNominations(id: string) {
  await app()
    .db.transaction()
    .execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update elections set closes_at = now() - interval '1 second', opens_at = now() - interval '1 day' where id = ${id}`.execute(
        tx,
      );
    });
}

test('nominations, acceptances, a drawn and fixed candidate list, and a gender balance rule that changes the winner', async () => {
  const org = await setUpOrganisation(app(), 'Nominating Union');
  // The candidates and a few more are members of Leeds; York has members too.
  const rows = [
    ...CANDIDATES.map((n) => `${n.toLowerCase()}@example.org,${n},Leeds`),
    'fred@example.org,Fred,Leeds',
    'gina@example.org,Gina,York',
    ...Array.from({ length: 93 }, (_, i) => `m${i}@example.org,Member ${i},${i < 60 ? 'Leeds' : 'York'}`),
  ];
  expect(
    (
      await org.json('POST', '/api/v1/roll/import', ['email,name,branch', ...rows].join('\n'), {
        'content-type': 'text/csv',
      })
    ).status,
  ).toBe(200);
  // York's secretary, who nominates for the branch.
  expect(
    (await org.json('PUT', '/api/v1/branch-secretaries', { branch: 'York', name: 'Yan', email: 'yan@example.org' }))
      .status,
  ).toBe(200);
  const yorkLink = linkIn(
    (await waitFor('the secretary link', () => smtp().received.find((m) => m.to[0] === 'yan@example.org'))).raw,
    's',
  );

  const rules = {
    title: 'National Executive',
    description: 'Three seats, for two years.',
    seats: 3,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    threshold: { members: 2, branches: 1, combine: 'either' },
    statementMax: 300,
    groups: [{ group: 'women', min: 1 }],
  };
  const none = await org.json('POST', '/api/v1/elections', { ...rules, threshold: { members: null, branches: null } });
  expect(none.status).toBe(422);
  expect(JSON.stringify(none.body)).toContain('threshold.members');
  const created = await org.json('POST', '/api/v1/elections', rules);
  expect(created.status).toBe(201);
  const election = created.body as { id: string };
  expect(created.body).toMatchObject({ stage: 'open', seats: 3, nominees: [], pending: 0 });

  // Every member is mailed that nominations are open, with a link of their own to nominate from.
  const opened = await waitFor('the nominations-open mail', () =>
    smtp().received.find((m) => m.to[0] === 'm0@example.org' && unwrap(m.raw).includes('are open from')),
  );
  expect(unwrap(opened.raw)).toMatch(/\/p\/[A-Za-z0-9_-]{43}\/elections/);
  expect(unwrap(opened.raw)).toContain(`/elections/${election.id}`);

  const member = async (email: string) =>
    proposalLinkOf(
      app().db,
      await app()
        .db.selectFrom('members')
        .select(['id', 'organisation_id'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow(),
    );
  const [a, b, c] = [await member('m1@example.org'), await member('m2@example.org'), await member('m3@example.org')];
  const visitor = new Client(app().url);
  const nominate = (token: string, nominee: Record<string, string>) =>
    visitor.json('POST', `/api/v1/member/elections/${election.id}/nominations`, { token, nominee });

  // Members nominate by address; a second nomination of the same nominee by the same member is refused.
  for (const name of ['Adam', 'Bob', 'Carl', 'Dora', 'Fred', 'Gina']) {
    const r = await nominate(a, { email: `${name.toLowerCase()}@example.org` });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name, isNew: true });
  }
  expect((await nominate(a, { email: 'adam@example.org' })).status).toBe(409);
  const stranger = await nominate(a, { email: 'nobody@example.org' });
  expect(stranger.status).toBe(422);
  expect(stranger.body.errors[0].path).toBe('email');
  expect((await nominate(await member('adam@example.org'), { email: 'adam@example.org' })).status).toBe(409);
  for (const name of ['Adam', 'Bob', 'Carl', 'Dora', 'Gina']) {
    const r = await nominate(b, { email: `${name.toLowerCase()}@example.org` });
    expect(r.status).toBe(201);
    expect(r.body.isNew).toBe(false);
  }
  // Eve is nominated by York branch, through its secretary; Fred has one member's nomination only.
  const eve = await visitor.json('POST', `/api/v1/secretary/elections/${election.id}/nominations`, {
    token: yorkLink,
    nominee: { email: 'eve@example.org' },
  });
  expect(eve.status).toBe(201);
  // The secretary's page leads to the branch's nominations page.
  expect(await (await visitor.request('GET', `/s/${yorkLink}`)).text()).toContain(`/s/${yorkLink}/elections`);
  const yorkPage = await (await visitor.request('GET', `/s/${yorkLink}/elections`)).text();
  expect(yorkPage).toContain('York branch: nominations');

  // Each nominee is mailed a link to accept or decline.
  const nomineeLinks: Record<string, string> = {};
  for (const name of [...CANDIDATES, 'Fred', 'Gina']) {
    const mail = await waitFor(`the nomination mailed to ${name}`, () =>
      smtp().received.find((m) => m.to[0] === `${name.toLowerCase()}@example.org` && unwrap(m.raw).includes('/n/')),
    );
    nomineeLinks[name] = linkIn(mail.raw, 'n');
  }
  const answer = (name: string, body: Record<string, unknown>) =>
    visitor.json('PUT', '/api/v1/nominee/answer', { token: nomineeLinks[name], ...body });
  const long = await answer('Dora', { accept: true, statement: 'x'.repeat(301), groups: ['women'] });
  expect(long.status).toBe(422);
  expect(long.body.errors[0].path).toBe('statement');
  const unknownGroup = await answer('Dora', { accept: true, statement: 'Hi', groups: ['wimmin'] });
  expect(unknownGroup.status).toBe(422);
  expect(unknownGroup.body.errors[0].path).toBe('groups.0');
  for (const name of [...CANDIDATES, 'Fred']) {
    const r = await answer(name, {
      accept: true,
      statement: `${name} will stand up for members.`,
      groups: name === 'Dora' || name === 'Eve' ? ['women'] : [],
    });
    expect(r.status).toBe(200);
    expect(r.body.nominee.status).toBe('accepted');
  }
  expect((await answer('Gina', { accept: false })).body.nominee.status).toBe('declined');
  // A declined nominee is not nominated again.
  expect((await nominate(c, { email: 'gina@example.org' })).status).toBe(409);

  // What anyone sees: who stands and their counts, never who nominated.
  const pub = (await visitor.json('GET', `/api/v1/elections/${election.id}/public`)).body;
  expect(pub.declined).toBe(1);
  const byName = Object.fromEntries(
    (
      pub.nominees as Array<{
        name: string;
        members: number;
        branches: number;
        reaches: boolean;
        nominatingBranches: string[];
      }>
    ).map((n) => [n.name, n]),
  );
  expect(byName.Adam).toMatchObject({ members: 2, branches: 0, reaches: true });
  expect(byName.Eve).toMatchObject({ members: 0, branches: 1, reaches: true, nominatingBranches: ['York'] });
  expect(byName.Fred).toMatchObject({ members: 1, reaches: false });
  // Two nominations from Leeds, under k = 5: pooled.
  expect(JSON.stringify(byName.Adam)).toContain('"pooled":true');
  const page = await (await visitor.request('GET', `/elections/${election.id}`)).text();
  expect(page).toContain('Dora will stand up for members.');
  expect(page).not.toContain('m1@example.org');

  // The office cannot put it on a ballot before nominations close.
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Elections 2027',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the new rule book?', method: 'yesno' }],
    })
  ).body as { id: string };
  expect((await org.json('POST', `/api/v1/elections/${election.id}/schedule`, { ballotId: ballot.id })).status).toBe(
    409,
  );

  await closeNominations(election.id);
  expect((await answer('Fred', { accept: false })).status).toBe(409);
  expect((await nominate(c, { email: 'fred@example.org' })).status).toBe(409);

  // Put on a first draft ballot, which is then deleted: the same candidates, in the same order, go on the next.
  const first = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'A ballot deleted',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the new rule book?', method: 'yesno' }],
    })
  ).body as { id: string };
  const once = await org.json('POST', `/api/v1/elections/${election.id}/schedule`, { ballotId: first.id });
  expect(once.status).toBe(200);
  expect((await org.json('POST', `/api/v1/elections/${election.id}/schedule`, { ballotId: ballot.id })).status).toBe(
    409,
  );
  expect((await org.request('DELETE', `/api/v1/ballots/${first.id}`)).status).toBeLessThan(300);
  const scheduled = await org.json('POST', `/api/v1/elections/${election.id}/schedule`, { ballotId: ballot.id });
  expect(scheduled.status).toBe(200);
  const candidates = scheduled.body.candidates as Array<{ label: string }>;
  expect(candidates.map((x) => x.label).sort()).toEqual(CANDIDATES);
  expect(candidates).toEqual(once.body.candidates);
  expect(scheduled.body.orderSeed).toBe(once.body.orderSeed);
  // The order is the one the committed seed draws.
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    action: string;
    details: { orderSeed: string; nominees: Array<{ name: string }> };
  }>;
  const commitment = log.find((e) => e.action === 'election.schedule' && e.details.orderSeed)!.details;
  expect(commitment.orderSeed).toBe(scheduled.body.orderSeed);
  expect(
    drawCandidates(
      CANDIDATES.map((label) => ({ label })),
      commitment.orderSeed,
      election.id,
    ).map((x) => x.label),
  ).toEqual(candidates.map((x) => x.label));
  expect(commitment.nominees.find((n) => n.name === 'Fred')).toMatchObject({
    members: 1,
    status: 'accepted',
  });
  // No nominee link and no nominating member in the log: a member's nomination names the nominee and its kind only.
  for (const t of Object.values(nomineeLinks)) expect(JSON.stringify(log)).not.toContain(t);
  const adds = log.filter((e) => e.action === 'nomination.add').map((e) => Object.keys(e.details).sort().join());
  expect(adds.filter((k) => k === 'kind,nomineeId').length).toBe(11);
  expect(adds.filter((k) => k === 'branch,kind,nomineeId').length).toBe(1);
  expect(adds.length).toBe(12);

  const view = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body;
  const q = view.questions[1];
  expect(q.method).toBe('stv');
  expect(q.options.map((o: { label: string }) => o.label)).toEqual(candidates.map((x) => x.label));
  expect(q.options.find((o: { label: string }) => o.label === 'Dora').description).toBe(
    'Dora will stand up for members.',
  );
  expect(q.settings.balance).toEqual([{ group: 'women', candidates: expect.arrayContaining(['Dora', 'Eve']), min: 1 }]);

  // The office cannot add or drop a candidate: through the election's routes or by editing the ballot. Each attempt is logged.
  expect((await org.json('POST', `/api/v1/elections/${election.id}/candidates`, { name: 'Fred' })).status).toBe(409);
  const fred = byName.Fred as unknown as { id: string };
  expect((await org.json('DELETE', `/api/v1/elections/${election.id}/candidates/${fred.id}`)).status).toBe(409);
  const edit = (questions: unknown[]) =>
    org.json('PUT', `/api/v1/ballots/${ballot.id}`, {
      title: 'Elections 2027',
      opensAt: view.opensAt,
      closesAt: view.closesAt,
      questions,
    });
  type StoredQuestion = {
    title: string;
    description: string;
    method: string;
    settings: unknown;
    options: Array<{ label: string; description: string }>;
  };
  const asInput = (x: StoredQuestion) => ({
    title: x.title,
    description: x.description,
    method: x.method,
    settings: x.settings,
    options: x.options.map((o) => ({ label: o.label, description: o.description })),
  });
  const yesno = { title: 'Adopt the new rule book?', method: 'yesno' };
  const withoutCarl = asInput(q);
  withoutCarl.options = withoutCarl.options.filter((o) => o.label !== 'Carl');
  const dropped = await edit([yesno, withoutCarl]);
  expect(dropped.status).toBe(409);
  expect(dropped.body.detail).toContain('cannot add or drop a candidate');
  expect((await edit([yesno])).status).toBe(409);
  // An edit that keeps the question as it is goes through.
  expect((await edit([asInput(q), yesno])).status).toBe(200);
  const refusals = (await org.json('GET', '/api/v1/audit-log')).body.entries.filter(
    (e: { action: string }) => e.action === 'election.candidates-refused',
  );
  expect(refusals.length).toBe(4);
  // Below the API, the table keeps the candidates too.
  await expect(sql`update elections set candidates = '[]' where id = ${election.id}`.execute(app().db)).rejects.toThrow(
    /candidates are fixed/,
  );

  // The ballot opens; the voting page shows each candidate's statement.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const opened2 = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body;
  const stv = opened2.questions.find((x: { method: string }) => x.method === 'stv');
  const yes = opened2.questions.find((x: { method: string }) => x.method === 'yesno');
  const labels = stv.options.map((o: { label: string }) => o.label) as string[];
  const tokens = await tokensOf(app().db, ballot.id, SECRET);
  expect(tokens.length).toBe(100);
  const paper = await (await visitor.request('GET', `/v/${tokens[0]!.token}`)).text();
  expect(paper).toContain('Eve will stand up for members.');
  const papers = PLAN.flatMap(([ranking, n]) => Array<string[]>(n).fill(ranking));
  for (const [i, t] of tokens.entries()) {
    const r = await visitor.json('POST', '/api/v1/vote', {
      token: t.token,
      answers: {
        [yes.id]: { kind: 'choice', option: 0 },
        [stv.id]: { kind: 'ranking', options: papers[i]!.map((l) => labels.indexOf(l)) },
      },
    });
    expect(r.status).toBe(201);
  }
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const result = (await org.json('GET', `/api/v1/ballots/${ballot.id}/results`)).body.questions.find(
    (x: { title: string }) => x.title === 'National Executive',
  );
  expect(result.elected).toEqual(['Adam', 'Bob', 'Dora']);
  expect(JSON.stringify(result)).toContain(
    'The balance rules changed who was elected: without them Carl would have been elected; with them Dora is elected instead.',
  );
  const record = (await org.json('GET', `/api/v1/ballots/${ballot.id}/record`)).body;
  const verified = verifyRecord(record);
  expect(verified.ok).toBe(true);
  // The nominations are re-checked from the record's audit log (V20).
  expect(verified.checks.find((x) => x.id === 'V20')).toMatchObject({ verdict: 'PASS' });
  // A record whose log says Carl declined: Carl should not have stood, and V20 fails.
  type Entry = { action: string; details: { nomineeId?: string; name?: string } };
  const tampered = JSON.parse(JSON.stringify(record)) as { auditLog: Entry[] };
  const carl = tampered.auditLog.find((e) => e.action === 'nominee.accept' && e.details.name === 'Carl')!;
  carl.action = 'nominee.decline';
  const report = verifyRecord(tampered);
  expect(report.checks.find((x) => x.id === 'V20')).toMatchObject({ verdict: 'FAIL' });
  expect(JSON.stringify(report.checks.find((x) => x.id === 'V20')!.problems)).toContain('Carl: declined in the log');
});

/** Kit's statement in two paragraphs, as a browser posts a textarea (CRLF); kept with LF, the paragraphs shown. */
const KIT_POSTED = 'Kit for finance.\r\n\r\nTen years as treasurer.';
const KIT_STATEMENT = 'Kit for finance.\n\nTen years as treasurer.';

test("an election counted by Meek's rules, the threshold mail (once), and a closed election put on a new draft ballot", async () => {
  const org = await setUpOrganisation(app(), 'Meek Union');
  const names = ['Hana', 'Ivan', 'Jo', 'Kit', 'Lee', 'Mo'];
  const roll = ['email,name,branch', ...names.map((n) => `${n.toLowerCase()}@example.org,${n},Leeds`)].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
  const rules = {
    title: 'Finance Committee',
    seats: 1,
    rules: 'meek',
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    threshold: { members: 2, branches: null },
  };
  const wrong = await org.json('POST', '/api/v1/elections', { ...rules, rules: 'borda' });
  expect(wrong.status).toBe(422);
  expect(wrong.body.errors[0].path).toBe('rules');
  const created = await org.json('POST', '/api/v1/elections', rules);
  expect(created.status).toBe(201);
  expect(created.body.rules).toBe('meek');
  const id = created.body.id as string;
  // The rules are fixed with the rest, whoever writes; the log's election.create has them.
  await expect(sql`update elections set rules = 'scottish' where id = ${id}`.execute(app().db)).rejects.toThrow(
    /cannot change/,
  );
  const log = async () =>
    (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
      action: string;
      subject: string;
      details: Record<string, unknown>;
    }>;
  expect((await log()).find((e) => e.action === 'election.create' && e.subject === id)!.details.rules).toBe('meek');

  const linkOf = async (email: string) =>
    proposalLinkOf(
      app().db,
      await app()
        .db.selectFrom('members')
        .select(['id', 'organisation_id'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow(),
    );
  const [hana, ivan, jo] = [
    await linkOf('hana@example.org'),
    await linkOf('ivan@example.org'),
    await linkOf('jo@example.org'),
  ];
  const visitor = new Client(app().url);
  const nominate = async (token: string, email: string) =>
    expect(
      (
        await visitor.json('POST', `/api/v1/member/elections/${id}/nominations`, {
          token,
          nominee: { email },
        })
      ).status,
    ).toBe(201);
  const thresholdMails = (to: string) =>
    smtp().received.filter((m) => m.to[0] === to && unwrap(m.raw).includes('have reached the threshold'));

  // Kit accepts at their first nomination; the second brings them to the threshold: mailed, saying they have accepted.
  await nominate(hana, 'kit@example.org');
  const kitLink = linkIn(
    (
      await waitFor('the nomination mailed to Kit', () =>
        smtp().received.find((m) => m.to[0] === 'kit@example.org' && unwrap(m.raw).includes('/n/')),
      )
    ).raw,
    'n',
  );
  expect(
    (
      await visitor.json('PUT', '/api/v1/nominee/answer', {
        token: kitLink,
        accept: true,
        statement: KIT_POSTED,
      })
    ).status,
  ).toBe(200);
  await nominate(ivan, 'kit@example.org');
  const kitMail = await waitFor('the threshold mail to Kit', () => thresholdMails('kit@example.org')[0]);
  expect(unwrap(kitMail.raw)).toContain('You have accepted the nomination');
  expect(unwrap(kitMail.raw)).not.toContain('You have not accepted yet');
  // Lee has not answered when the threshold is reached: the mail says so, and until when they can.
  await nominate(hana, 'lee@example.org');
  await nominate(ivan, 'lee@example.org');
  const leeMail = await waitFor('the threshold mail to Lee', () => thresholdMails('lee@example.org')[0]);
  expect(unwrap(leeMail.raw)).toContain('You have not accepted yet');
  expect(unwrap(leeMail.raw)).toMatch(/before nominations close at \d{4}-\d\d-\d\d \d\d:\d\d/);
  expect(unwrap(leeMail.raw)).toContain(`/elections/${id}`);
  // A third nomination mails nothing more: once each. Mo, with one nomination, is not mailed.
  await nominate(jo, 'kit@example.org');
  await nominate(jo, 'mo@example.org');
  const queued = await sql<{ recipient: string }>`
    select recipient from mail_outbox where kind = 'nominee-threshold' and payload->>'url' like ${`%/elections/${id}`}
    order by recipient`.execute(app().db);
  expect(queued.rows.map((r) => r.recipient)).toEqual(['kit@example.org', 'lee@example.org']);
  const logged = (await log()).filter((e) => e.action === 'nominee.threshold-mail');
  expect(logged.map((e) => e.details.accepted)).toEqual([true, false]);
  const leeLink = linkIn(
    (
      await waitFor('the nomination mailed to Lee', () =>
        smtp().received.find((m) => m.to[0] === 'lee@example.org' && unwrap(m.raw).includes('/n/')),
      )
    ).raw,
    'n',
  );
  expect(
    (await visitor.json('PUT', '/api/v1/nominee/answer', { token: leeLink, accept: true, statement: 'Lee, careful.' }))
      .status,
  ).toBe(200);

  await closeNominations(id);
  // On a new draft ballot of its own: its times are checked as any ballot's, naming the field.
  const badTimes = await org.json('POST', `/api/v1/elections/${id}/schedule`, {
    ballot: { title: 'Finance 2027', opensAt: 'soon', closesAt: new Date(Date.now() + 86_400_000).toISOString() },
  });
  expect(badTimes.status).toBe(422);
  expect(badTimes.body.errors[0].path).toBe('ballot.opensAt');
  const scheduled = await org.json('POST', `/api/v1/elections/${id}/schedule`, {
    ballot: { title: 'Finance 2027', ...ballotTimes(24 * 60) },
  });
  expect(scheduled.status).toBe(200);
  const ballot = (await org.json('GET', `/api/v1/ballots/${scheduled.body.ballotId}`)).body;
  expect(ballot).toMatchObject({ title: 'Finance 2027', status: 'draft' });
  expect(ballot.questions).toHaveLength(1);
  expect(ballot.questions[0].settings).toMatchObject({ seats: 1, rules: 'meek' });
  expect(ballot.questions[0].options.map((o: { label: string }) => o.label).sort()).toEqual(['Kit', 'Lee']);
  // An edit that counts it by other rules changes the election's question: refused.
  const edited = await org.json('PUT', `/api/v1/ballots/${ballot.id}`, {
    title: ballot.title,
    opensAt: ballot.opensAt,
    closesAt: ballot.closesAt,
    questions: [
      {
        title: ballot.questions[0].title,
        description: ballot.questions[0].description,
        method: 'stv',
        settings: { ...ballot.questions[0].settings, rules: 'scottish' },
        options: ballot.questions[0].options.map((o: { label: string; description: string }) => ({
          label: o.label,
          description: o.description,
        })),
      },
    ],
  });
  expect(edited.status).toBe(409);
  // An auditor reads the office's elections page, without the forms.
  const auditor = await joinByInvitation(app(), smtp(), org, { role: 'auditor' }, 'audrey@example.org');
  const page = await auditor.request('GET', '/elections');
  expect(page.status).toBe(200);
  const text = await page.text();
  expect(text).toContain('Finance Committee');
  expect(text).toContain('Meek’s rules');
  expect(text).not.toContain('Set an election');

  // Kit's statement keeps its paragraphs: on the election's page, in the question, on the ballot paper.
  expect(
    (await visitor.json('GET', `/api/v1/elections/${id}/public`)).body.nominees.find(
      (n: { name: string }) => n.name === 'Kit',
    ).statement,
  ).toBe(KIT_STATEMENT);
  expect(await (await visitor.request('GET', `/elections/${id}`)).text()).toContain(
    '<blockquote><p class="lines">Kit for finance.</p><p class="lines">Ten years as treasurer.</p></blockquote>',
  );
  expect(ballot.questions[0].options.find((o: { label: string }) => o.label === 'Kit').description).toBe(KIT_STATEMENT);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const [first] = await tokensOf(app().db, ballot.id, SECRET);
  expect(await (await visitor.request('GET', `/v/${first!.token}`)).text()).toContain(
    `Kit<span class="hint lines"> ${KIT_STATEMENT}</span>`,
  );
});

test('the members are mailed that nominations are open at the opening time, once', async () => {
  const org = await setUpOrganisation(app(), 'Later Union');
  const roll = ['email,name,branch', ...[0, 1, 2].map((i) => `later${i}@example.org,Later ${i},Leeds`)].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
  const created = await org.json('POST', '/api/v1/elections', {
    title: 'Youth Committee',
    seats: 2,
    opensAt: new Date(Date.now() + 3_600_000).toISOString(),
    closesAt: new Date(Date.now() + 7_200_000).toISOString(),
    threshold: { members: 1, branches: null },
  });
  expect(created.status).toBe(201);
  expect(created.body.stage).toBe('upcoming');
  const id = created.body.id as string;
  const queued = async () =>
    Number(
      (
        await sql<{ n: string }>`
          select count(*) as n from mail_outbox where kind = 'nominations-open' and payload->>'url' like ${`%/elections/${id}`}`.execute(
          app().db,
        )
      ).rows[0]!.n,
    );
  // Not before nominations open (the scheduler runs all along).
  expect(await mailDueNominations(app().ctx)).toBe(0);
  expect(await queued()).toBe(0);
  // The clock moves on: nominations open.
  await app()
    .db.transaction()
    .execute(async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await sql`update elections set opens_at = now() - interval '1 second' where id = ${id}`.execute(tx);
    });
  const mail = await waitFor('the nominations-open mail at the opening time', () =>
    smtp().received.find((m) => m.to[0] === 'later2@example.org' && unwrap(m.raw).includes(`/elections/${id}`)),
  );
  expect(unwrap(mail.raw)).toMatch(/\/p\/[A-Za-z0-9_-]{43}\/elections/);
  // Once: whoever runs the scheduler next finds nothing due.
  expect(await mailDueNominations(app().ctx)).toBe(0);
  expect(await queued()).toBe(3);
  const entries = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    action: string;
    actor: string;
    subject: string;
    details: { members: number };
  }>;
  const sent = entries.filter((e) => e.action === 'nominations.open-mail' && e.subject === id);
  expect(sent).toEqual([expect.objectContaining({ actor: 'system:nominations', details: { members: 3 } })]);
});

test('naming nominees by address is limited per nominator: it tells whether an address is a member’s', async () => {
  const org = await setUpOrganisation(app(), 'Probing Union');
  const roll = [
    'email,name,branch',
    'nia@example.org,Nia,Leeds',
    'omar@example.org,Omar,Leeds',
    'pat@example.org,Pat,York',
  ];
  expect((await org.json('POST', '/api/v1/roll/import', roll.join('\n'), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  const created = await org.json('POST', '/api/v1/elections', {
    title: 'Disputes Panel',
    seats: 1,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    threshold: { members: 1, branches: null },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const linkOf = async (email: string) =>
    proposalLinkOf(
      app().db,
      await app()
        .db.selectFrom('members')
        .select(['id', 'organisation_id'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow(),
    );
  const [nia, omar] = [await linkOf('nia@example.org'), await linkOf('omar@example.org')];
  const visitor = new Client(app().url);
  const name = (token: string, email: string) =>
    visitor.json('POST', `/api/v1/member/elections/${id}/nominations`, { token, nominee: { email } });
  // Twenty guesses are answered (each unknown address is a 422 naming the field)…
  for (let i = 0; i < 20; i++) {
    const r = await name(nia, `guess${i}@example.org`);
    expect(r.status).toBe(422);
    expect(r.body.errors[0].path).toBe('email');
  }
  // …the next is refused before the roll is read, even for a real member, with when to try again.
  const limited = await visitor.request('POST', `/api/v1/member/elections/${id}/nominations`, {
    token: nia,
    nominee: { email: 'pat@example.org' },
  });
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await limited.text()).not.toContain('pat@example.org');
  expect(await app().db.selectFrom('nominees').select('id').where('election_id', '=', id).execute()).toHaveLength(0);
  // Another nominator is not held back by Nia's guesses.
  expect((await name(omar, 'pat@example.org')).status).toBe(201);
});
