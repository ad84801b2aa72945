import { sql } from 'kysely';
import { apiRoutes } from '../../src/http/api';
import { insertLink } from '../../src/data/proposals';
import { hashSecret, Keyring, newSecret } from '../../src/platform/secrets';
import { LINK_PURPOSE } from '../../src/services/invitations';
import { ballotTimes, Client, joinByInvitation, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { startSmtpSink } from '../support/smtp';

/**
 * Every API route, called by every kind of caller. The table below must name every route
 * the API has (a new route without a row fails the first test), and each row says what
 * each caller may do:
 *   ok     – allowed (any status but 401, 403 and 404)
 *   public – open to anyone: the answer depends on what is sent, never on who sends it
 *            (the same status for every caller)
 *   401    – must sign in;   403 – read-only or not theirs to see;   404 – does not exist for them
 */
type Expect = 'ok' | 'public' | 401 | 403 | 404;
type Row = { anon: Expect; organiser: Expect; otherOrg: Expect; auditor: Expect; ballotAuditor: Expect };
const all = (e: Expect): Row => ({ anon: e, organiser: e, otherOrg: e, auditor: e, ballotAuditor: e });
const signedIn = (r: Omit<Row, 'anon'>): Row => ({ anon: 401, ...r });
// Organisers only; others see nothing of another organisation's ballot.
const changeBallot = signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 });
const readBallot = signedIn({ organiser: 'ok', otherOrg: 404, auditor: 'ok', ballotAuditor: 404 });

const MATRIX: Record<string, Row> = {
  'post /setup': all('public'),
  'post /session': all('public'),
  'delete /session': all('public'),
  'get /me': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 'ok' }),
  'post /api-tokens': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /api-tokens': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 'ok' }),
  'delete /api-tokens/:id': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 404, ballotAuditor: 404 }),
  'post /roll/import': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /members': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 403 }),
  'post /members': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /members/:id': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 'ok', ballotAuditor: 403 }),
  'put /members/:id': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'delete /members/:id': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'post /ballots/:id/test-email': changeBallot,
  'get /ballots/:id/mail': readBallot,
  'put /ballots/:id/mail': changeBallot,
  'get /ballots/:id/questions/:questionId/blt': readBallot,
  'get /branches': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 403 }),
  'post /branches/merge': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /branch-secretaries': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 403 }),
  'put /branch-secretaries': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  // Runs after the row above, so each organisation has a North secretary to withdraw.
  'delete /branch-secretaries/:branch': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /ballots/:id/positions': readBallot,
  'post /secretary': all('public'),
  'put /secretary/positions': all('public'),
  // Elections with nominations: set and scheduled by organisers (who cannot add or drop a candidate: 409,
  // logged); read by staff who see the roll and by anyone publicly; nominators and nominees act by their links.
  'get /elections': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 403 }),
  'post /elections': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /elections/:id/public': all('public'),
  'post /elections/:id/schedule': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'post /elections/:id/candidates': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'delete /elections/:id/candidates/:nomineeId': signedIn({
    organiser: 'ok',
    otherOrg: 404,
    auditor: 403,
    ballotAuditor: 403,
  }),
  'post /member/elections': all('public'),
  'post /member/elections/:id/nominations': all('public'),
  'post /secretary/elections': all('public'),
  'post /secretary/elections/:id/nominations': all('public'),
  'post /nominee': all('public'),
  'put /nominee/answer': all('public'),
  'post /ballots': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /ballots': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 'ok' }),
  'get /ballots/:id': readBallot,
  'put /ballots/:id': changeBallot,
  'delete /ballots/:id': changeBallot,
  'post /ballots/:id/open': changeBallot,
  'post /ballots/:id/close': changeBallot,
  'post /ballots/:id/publish': changeBallot,
  'post /ballots/:id/electorate/:memberId': changeBallot,
  'post /ballots/:id/electorate/:memberId/reissue': changeBallot,
  'post /ballots/:id/reminders': changeBallot,
  'get /ballots/:id/reminders': readBallot,
  'get /ballots/:id/opening': readBallot,
  'get /ballots/:id/invitations': readBallot,
  'get /ballots/:id/turnout': readBallot,
  'get /ballots/:id/turnout/history': readBallot,
  'get /ballots/:id/results': readBallot,
  'get /ballots/:id/voters': readBallot,
  'get /ballots/:id/problem-reports': readBallot,
  'get /ballots/:id/record': readBallot,
  'get /published/:id/results': all('public'),
  'get /ballots/:id/board': all('public'),
  'post /staff-invitations': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'get /staff': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 'ok' }),
  'get /audit-log': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 'ok' }),
  'post /link-requests': all('public'),
  'post /mail-events': all('public'),
  'post /mail-events/dsn': all('public'),
  'post /vote': all('public'),
  'post /ballots/:id/trustees': changeBallot,
  'get /ballots/:id/trustees': readBallot,
  // A trustee's own token (a bearer secret) is the only way in: nobody here holds one.
  'get /trustee': all(401),
  'put /trustee/certificate': all(401),
  'put /trustee/polynomial': all(401),
  'put /trustee/verification-key': all(401),
  'post /ballots/:id/credential-authority': changeBallot,
  'get /credential-authority/roll': all(401),
  'get /credential-authority/addresses': all(401),
  'put /credential-authority/public-credentials': all(401),
  // Public by design; the closed office-mode ballot here has none, whoever asks.
  'get /ballots/:id/public-credentials': all('public'),
  'put /trustee/shuffle': all(401),
  'put /trustee/partial-decryption': all(401),
  // The verifiable ballot's public face: the same answer whoever asks (the ballot here is office-mode).
  'get /ballots/:id/election.json': all('public'),
  'post /ballots/:id/verifiable-ballots': all('public'),
  'get /ballots/:id/verifiable-board': all('public'),
  'get /ballots/:id/belenios-archive': all('public'),
  // Member proposals: the rules and the list are the organisation's; members act by their own link.
  'get /proposal-rules': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 403 }),
  'put /proposal-rules': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'post /proposal-links': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 403, ballotAuditor: 403 }),
  'post /proposal-link-requests': all('public'),
  'get /proposals': signedIn({ organiser: 'ok', otherOrg: 'ok', auditor: 'ok', ballotAuditor: 403 }),
  // Rewording is refused with 409 (logged), even to its organisers; withdrawing with 403.
  'patch /proposals/:id': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'delete /proposals/:id': signedIn({ organiser: 403, otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'post /proposals/:id/schedule': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'put /proposals/:id/agenda-order': signedIn({ organiser: 'ok', otherOrg: 404, auditor: 403, ballotAuditor: 403 }),
  'get /proposals/:id/public': all('public'),
  'post /member/proposals': all('public'),
  'post /member/proposals/:id/start': all('public'),
  'post /member/proposals/:id/amendments': all('public'),
  'post /member/proposals/:id/case-against': all('public'),
  'post /member/ballot-questions': all('public'),
  'post /member/ballots/:id/questions/:questionId/case-against': all('public'),
  'post /secretary/amendments': all('public'),
  'post /member/proposals/:id/signatures': all('public'),
  'put /member/proposals/:id/case-for': all('public'),
  // The closed ballot here takes no statements: its organisers get 409.
  'put /ballots/:id/questions/:questionId/statements': changeBallot,
  // Comparisons are declared only before opening: on the closed ballot here its organisers get 409.
  'put /ballots/:id/questions/:questionId/comparisons': changeBallot,
};

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const callers: Record<keyof Row, Client> = {} as Record<keyof Row, Client>;
let closed: { id: string; organisationId: string; questions: Array<{ id: string }> };
let memberId: string;
/** The member the delete row removes (so the other rows keep theirs). */
let removableId: string;
let apiTokenId: string;
/** A qualified member proposal of the organisation. */
let proposalId: string;
/** An election with nominations of the organisation (nominations open). */
let electionId: string;
const ELECTION = {
  title: 'Committee',
  seats: 2,
  opensAt: new Date(Date.now() - 60_000).toISOString(),
  closesAt: new Date(Date.now() + 3_600_000).toISOString(),
  threshold: { members: 1, branches: null },
};

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  const org = await setUpOrganisation(app, 'Matrix Union');
  callers.organiser = org;
  callers.otherOrg = await setUpOrganisation(app, 'Other Union');
  callers.anon = new Client(app.url);
  await org.json('POST', '/api/v1/roll/import', 'email,name,branch\na@example.org,A,North\nb@example.org,B,South\n', {
    'content-type': 'text/csv',
  });
  const roll = (await org.json('GET', '/api/v1/members')).body as Array<{ id: string; email: string }>;
  memberId = roll.find((m) => m.email === 'a@example.org')!.id;
  removableId = roll.find((m) => m.email === 'b@example.org')!.id;
  closed = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Closed',
      ...ballotTimes(),
      voterListVisible: true,
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  await org.json('POST', `/api/v1/ballots/${closed.id}/open`);
  const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
  const t = await app.db
    .selectFrom('voting_tokens')
    .select('sealed_token')
    .where('ballot_id', '=', closed.id)
    .executeTakeFirstOrThrow();
  await new Client(app.url).json('POST', '/api/v1/vote', {
    token: keys.open(LINK_PURPOSE, t.sealed_token!),
    answers: { [closed.questions[0]!.id]: { kind: 'choice', option: 0 } },
  });
  await org.json('POST', `/api/v1/ballots/${closed.id}/close`);
  await org.json('POST', `/api/v1/ballots/${closed.id}/publish`);
  const other = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Other',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  callers.auditor = await joinByInvitation(app, smtp, org, { role: 'auditor' }, 'auditor@example.org');
  callers.ballotAuditor = await joinByInvitation(
    app,
    smtp,
    org,
    { role: 'auditor', ballotId: other.id },
    'ballot-auditor@example.org',
  );
  apiTokenId = (await org.json('POST', '/api/v1/api-tokens', { name: 'matrix' })).body.id;
  await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: null,
    minBranches: 1,
    windowDays: 7,
    scheduleDays: 7,
  });
  const token = newSecret();
  await insertLink(app.db, { tokenHash: hashSecret(token), organisationId: closed.organisationId, memberId, days: 1 });
  const member = new Client(app.url);
  proposalId = (
    await member.json('POST', '/api/v1/member/proposals', {
      token,
      proposal: { kind: 'motion', title: 'A motion', text: 'Its text.' },
    })
  ).body.id;
  await member.json('POST', `/api/v1/member/proposals/${proposalId}/start`, { token });
  electionId = (await org.json('POST', '/api/v1/elections', ELECTION)).body.id;
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

test('the matrix names every API route', () => {
  const routes = apiRoutes(app.ctx).map((r) => `${r.method} ${r.path}`);
  const missing = routes.filter((r) => !(r in MATRIX));
  expect(missing).toEqual([]);
});

function requestFor(
  key: string,
  who: string,
): { method: string; path: string; body?: unknown; headers?: Record<string, string> } {
  const [method, template] = key.split(' ') as [string, string];
  const path = `/api/v1${template
    .replace(':memberId', memberId)
    .replace('/api-tokens/:id', `/api-tokens/${apiTokenId}`)
    .replace('/members/:id', `/members/${key === 'delete /members/:id' ? removableId : memberId}`)
    .replace(':questionId', closed.questions[0]!.id)
    .replace('/proposals/:id', `/proposals/${proposalId}`)
    .replace('/elections/:id', `/elections/${electionId}`)
    .replace(':branch', 'North')
    .replace(':nomineeId', '00000000-0000-4000-8000-000000000000')
    .replace(':id', closed.id)}`;
  const bodies: Record<string, unknown> = {
    'post /setup': { setupToken: 'x'.repeat(43), name: 'N', password: 'a long enough password' },
    'post /session': { email: 'nobody@example.org', password: 'wrong password' },
    'post /api-tokens': { name: 'matrix check' },
    // The whole roll again, with one more: importing does not remove the members other rows use.
    'post /roll/import': 'email,name,branch\na@example.org,A,North\nb@example.org,B,South\nz@example.org,Z,North\n',
    // A branch no organisation has: refused (422) after the access check, merging nothing.
    'post /branches/merge': { from: 'Nowhere', into: 'North' },
    'post /members': { email: `${who}-new@example.org`, name: 'New', branch: 'North' },
    'put /members/:id': { email: 'a@example.org', name: 'A', branch: 'North' },
    'post /ballots': { title: 'New', ...ballotTimes(), questions: [{ title: 'Agree?', method: 'yesno' }] },
    'put /ballots/:id': { title: 'Edited', ...ballotTimes(), questions: [{ title: 'Agree?', method: 'yesno' }] },
    'post /staff-invitations': { email: 'new@example.org', role: 'auditor' },
    'put /ballots/:id/mail': { replyTo: 'office@example.org' },
    'post /link-requests': { email: `${who}@example.org` },
    'post /vote': { token: 'y'.repeat(43), answers: {} },
    'put /proposal-rules': { sharePercent: null, minBranches: 1, windowDays: 7, scheduleDays: 7 },
    'post /proposal-link-requests': { email: `${who}@example.org` },
    'patch /proposals/:id': { title: 'Reworded' },
    'post /proposals/:id/schedule': { ballotId: closed.id },
    'post /member/proposals': { token: 'y'.repeat(43), proposal: { kind: 'motion', title: 'T', text: 'x' } },
    'post /member/proposals/:id/start': { token: 'y'.repeat(43) },
    'post /member/proposals/:id/amendments': { token: 'y'.repeat(43), amendment: { title: 'T', text: 'x' } },
    'put /proposals/:id/agenda-order': { order: [proposalId] },
    'post /member/proposals/:id/signatures': { token: 'y'.repeat(43) },
    'put /branch-secretaries': { branch: 'North', name: 'Sam', email: `${who}-secretary@example.org` },
    'post /secretary': { token: 'y'.repeat(43) },
    'post /elections': ELECTION,
    'post /elections/:id/schedule': { ballotId: closed.id },
    'post /elections/:id/candidates': { name: 'Someone' },
    'post /member/elections': { token: 'y'.repeat(43) },
    'post /member/elections/:id/nominations': { token: 'y'.repeat(43), nominee: { email: 'a@example.org' } },
    'post /secretary/elections': { token: 'y'.repeat(43) },
    'post /secretary/elections/:id/nominations': { token: 'y'.repeat(43), nominee: { email: 'a@example.org' } },
    'post /nominee': { token: 'y'.repeat(43) },
    'put /nominee/answer': { token: 'y'.repeat(43), accept: false },
    'put /secretary/positions': {
      token: 'y'.repeat(43),
      ballotId: closed.id,
      questionId: closed.questions[0]!.id,
      position: null,
      attendance: 1,
    },
    'put /member/proposals/:id/case-for': { token: 'y'.repeat(43), text: 'The case for.' },
    'post /member/proposals/:id/case-against': { token: 'y'.repeat(43), text: 'The case against.' },
    'post /member/ballot-questions': { token: 'y'.repeat(43) },
    'post /member/ballots/:id/questions/:questionId/case-against': { token: 'y'.repeat(43), text: 'The case against.' },
    'post /secretary/amendments': { token: 'y'.repeat(43), motionId: proposalId, amendment: { title: 'T', text: 'x' } },
    'put /ballots/:id/questions/:questionId/statements': { against: 'The case against.' },
    'put /ballots/:id/questions/:questionId/comparisons': { comparisons: [] },
    'post /ballots/:id/trustees': { names: ['Ann'] },
    'put /trustee/certificate': { message: '{}', signature: { challenge: '1', response: '1' } },
    'put /trustee/polynomial': {
      coefexps: { message: '{}', signature: { challenge: '1', response: '1' } },
      shares: [{ alpha: '1', share: '1' }],
    },
    'put /trustee/verification-key': { pok: { challenge: '1', response: '1' }, public_key: '1' },
    'put /trustee/shuffle': { ciphertexts: [[{ alpha: '1', beta: '1' }]], proofs: [] },
    'put /trustee/partial-decryption': {
      decryption_factors: [['1']],
      decryption_proofs: [[{ challenge: '1', response: '1' }]],
    },
    'put /credential-authority/public-credentials': {
      credentials: [{ credential: '1', weight: '1', branch: 'North' }],
    },
    'post /mail-events': { events: [{ messageId: '<x@y>', type: 'bounce' }] },
    'post /mail-events/dsn':
      'Content-Type: multipart/report; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n--b--\r\n',
  };
  const body = bodies[key];
  const types: Record<string, string> = { 'post /roll/import': 'text/csv', 'post /mail-events/dsn': 'message/rfc822' };
  return { method: method.toUpperCase(), path, body, headers: types[key] ? { 'content-type': types[key] } : undefined };
}

const routeKeys = Object.keys(MATRIX);
const publicStatus = new Map<string, number>();
describe.each(['anon', 'organiser', 'otherOrg', 'auditor', 'ballotAuditor'] as const)('as %s', (who) => {
  // Every caller comes from the same address: the bad links each one sends would pass the limit on guessing links.
  beforeAll(async () => {
    await sql`delete from rate_limits`.execute(app.db);
  });
  test.each(routeKeys)('%s', async (key) => {
    const routes = apiRoutes(app.ctx).map((r) => `${r.method} ${r.path}`);
    if (!routes.includes(key)) return; // a row for a route mounted elsewhere; checked where it is mounted
    const r = requestFor(key, who);
    // Signing out is tried on a fresh client, so the caller stays signed in for the next rows.
    const client = key === 'delete /session' ? new Client(app.url) : callers[who];
    const res = await client.request(r.method, r.path, r.body, r.headers);
    const want = MATRIX[key]![who];
    if (want === 'ok') expect([401, 403, 404]).not.toContain(res.status);
    else if (want === 'public') {
      if (!publicStatus.has(key)) publicStatus.set(key, res.status);
      expect(res.status).toBe(publicStatus.get(key));
      expect(res.status).toBeLessThan(500);
    } else expect(res.status).toBe(want);
  });
});
