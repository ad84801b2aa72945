import { Keyring } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { appWithSmtpPerFile, ballotTimes, Client, setUpOrganisation } from '../support/app';
import { waitFor } from '../support/smtp';

/**
 * The organiser as a prober: on a ballot that shows turnout in aggregate only, they ask for
 * a new link for 20 members, half of whom have voted, and read everything the office can
 * read afterwards (the answer, the delivery counts, the audit log). Nothing they see may
 * tell the two halves apart, and every attempt is logged.
 */
const { app, smtp } = appWithSmtpPerFile();

const N = 20;

type Total = Record<string, Record<string, number>>;
const invitationsQueued = (progress: Total) => Object.values(progress.invitation ?? {}).reduce((n, x) => n + x, 0);

test('re-issuing links tells an organiser nothing about who voted, and every attempt is logged', async () => {
  const org = await setUpOrganisation(app());
  const csv = ['email,name,branch', ...Array.from({ length: N }, (_, i) => `p${i}@example.org,Probed ${i},B`)].join(
    '\n',
  );
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Probe',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  expect(ballot.voterListVisible).toBe(false);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);

  // Half the members vote (the even ones), with their own links.
  const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
  const tokens = await app()
    .db.selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .select(['members.id as memberId', 'members.email', 'voting_tokens.sealed_token'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  const voted = new Map<string, boolean>();
  for (const t of tokens) {
    const n = Number(/^p(\d+)@/.exec(t.email)![1]);
    voted.set(t.memberId, n % 2 === 0);
    if (n % 2 !== 0) continue;
    const r = await new Client(app().url).json('POST', '/api/v1/vote', {
      token: keys.open(LINK_PURPOSE, t.sealed_token!),
      answers: { [ballot.questions[0].id]: { kind: 'choice', option: 0 } },
    });
    expect(r.status).toBe(201);
  }

  // The probe: for each member, everything the organiser can see change.
  const logBefore = (await org.json('GET', '/api/v1/audit-log')).body.entries.length;
  const seen: Array<{ member: string; signature: string }> = [];
  for (const t of tokens) {
    const before = invitationsQueued((await org.json('GET', `/api/v1/ballots/${ballot.id}/invitations`)).body.progress);
    const r = await org.request('POST', `/api/v1/ballots/${ballot.id}/electorate/${t.memberId}/reissue`);
    const body = await r.text();
    const after = invitationsQueued((await org.json('GET', `/api/v1/ballots/${ballot.id}/invitations`)).body.progress);
    const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
      action: string;
      subject: string;
      details: Record<string, unknown>;
    }>;
    const last = log[log.length - 1]!;
    expect(last.details.memberId).toBe(t.memberId);
    const { memberId: _, ...rest } = last.details;
    seen.push({
      member: t.memberId,
      signature: JSON.stringify({ status: r.status, body, queued: after - before, action: last.action, rest }),
    });
  }

  // The best an organiser can do: guess the majority of each group of identical observations.
  const groups = new Map<string, { voted: number; not: number }>();
  for (const s of seen) {
    const g = groups.get(s.signature) ?? { voted: 0, not: 0 };
    if (voted.get(s.member)) g.voted += 1;
    else g.not += 1;
    groups.set(s.signature, g);
  }
  const bestGuess = [...groups.values()].reduce((n, g) => n + Math.max(g.voted, g.not), 0) / N;
  expect(bestGuess).toBe(0.5);
  expect(groups.size).toBe(1);
  expect(JSON.parse(seen[0]!.signature)).toMatchObject({ status: 204, queued: 1, action: 'link.reissue' });

  // Every attempt is in the hash-chained log, and the chain holds.
  const log = (await org.json('GET', '/api/v1/audit-log')).body;
  expect(log.chain).toBe('intact');
  expect(log.entries.slice(logBefore).filter((e: { action: string }) => e.action === 'link.reissue')).toHaveLength(N);

  // Members who voted got a note and their vote stands; the others a new link.
  await waitFor('every probe mailed', () =>
    smtp().received.filter((m) => m.to[0]?.startsWith('p')).length >= 2 * N ? true : undefined,
  );
  const notes = smtp().received.filter((m) => m.raw.includes('already been cast with your link'));
  expect(new Set(notes.map((m) => m.to[0])).size).toBe(N / 2);
  for (const m of notes) expect(Number(/^p(\d+)@/.exec(m.to[0]!)![1]) % 2).toBe(0);
  const used = await app()
    .db.selectFrom('voting_tokens')
    .select('member_id')
    .where('ballot_id', '=', ballot.id)
    .where('used', '=', true)
    .execute();
  expect(used).toHaveLength(N / 2);
});

test('a refused re-issue is logged too, naming the attempt', async () => {
  const org = await setUpOrganisation(app());
  const csv = ['email,name,branch', 'late@example.org,Late Joiner,B'].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Refused',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const stranger = '00000000-0000-4000-8000-000000000000';
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/electorate/${stranger}/reissue`)).status).toBe(404);
  const log = (await org.json('GET', '/api/v1/audit-log')).body;
  expect(log.entries.at(-1)).toMatchObject({
    action: 'link.reissue.refused',
    subject: ballot.id,
    details: { memberId: stranger, reason: 'member not found' },
  });
  expect(log.chain).toBe('intact');
});
