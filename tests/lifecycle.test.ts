import { allows, BALLOT_STATUSES, type BallotAction, type BallotStatus, refusal } from '@omov/core/domain/lifecycle';
import { moveBallot } from '../src/data/ballots';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

/**
 * The lifecycle's answers over HTTP: for a ballot in each state, every action that state
 * refuses is refused by the API as the lifecycle says (409 with its sentence; the public
 * pages' 404), and every read it allows is served.
 */
let app: TestApp;
let org: Client;
const ballot = {} as Record<BallotStatus, { id: string; questionId: string }>;
let memberId: string;

const input = {
  title: 'Lifecycle',
  questions: [{ title: 'Order', method: 'irv', options: [{ label: 'A' }, { label: 'B' }] }],
};

beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  await org.json('POST', '/api/v1/roll/import', 'email,name,branch\na@example.org,A,North\nb@example.org,B,North\n', {
    'content-type': 'text/csv',
  });
  memberId = (await org.json('GET', '/api/v1/members?search=a@')).body[0].id;
  const make = async (status: BallotStatus) => {
    const b = (await org.json('POST', '/api/v1/ballots', { ...input, ...ballotTimes() })).body;
    const steps = { draft: [], open: ['open'], closed: ['open', 'close'], published: ['open', 'close', 'publish'] };
    for (const step of steps[status])
      expect((await org.json('POST', `/api/v1/ballots/${b.id}/${step}`)).status).toBeLessThan(300);
    ballot[status] = { id: b.id, questionId: b.questions[0].id };
  };
  for (const s of BALLOT_STATUSES) await make(s);
});
afterAll(async () => app?.close());

/** The API's way to take each action on a ballot. */
const ACTIONS: Partial<Record<BallotAction, (b: { id: string; questionId: string }) => Promise<Response>>> = {
  edit: (b) => org.request('PUT', `/api/v1/ballots/${b.id}`, { ...input, ...ballotTimes() }),
  delete: (b) => org.request('DELETE', `/api/v1/ballots/${b.id}`),
  open: (b) => org.request('POST', `/api/v1/ballots/${b.id}/open`, {}),
  'add-to-electorate': (b) => org.request('POST', `/api/v1/ballots/${b.id}/electorate/${memberId}`),
  'reissue-link': (b) => org.request('POST', `/api/v1/ballots/${b.id}/electorate/${memberId}/reissue`),
  'send-reminders': (b) => org.request('POST', `/api/v1/ballots/${b.id}/reminders`),
  'edit-mail': (b) => org.request('PUT', `/api/v1/ballots/${b.id}/mail`, { replyTo: 'office@example.org' }),
  close: (b) => org.request('POST', `/api/v1/ballots/${b.id}/close`),
  publish: (b) => org.request('POST', `/api/v1/ballots/${b.id}/publish`),
  'read-results': (b) => org.request('GET', `/api/v1/ballots/${b.id}/results`),
  'export-record': (b) => org.request('GET', `/api/v1/ballots/${b.id}/record`),
  'download-ballots': (b) => org.request('GET', `/api/v1/ballots/${b.id}/questions/${b.questionId}/blt`),
  'read-board': (b) => org.request('GET', `/api/v1/ballots/${b.id}/board`),
  'read-public-results': (b) => org.request('GET', `/results/${b.id}`),
};
const READS: BallotAction[] = [
  'read-results',
  'export-record',
  'download-ballots',
  'read-board',
  'read-public-results',
];
const PUBLIC: BallotAction[] = ['read-board', 'read-public-results'];

const cells = BALLOT_STATUSES.flatMap((s) =>
  (Object.keys(ACTIONS) as BallotAction[])
    .filter((a) => !allows(s, a) || READS.includes(a))
    .map((a) => [s, a] as const),
);

test.each(cells)('a %s ballot: %s', async (status, action) => {
  const res = await ACTIONS[action]!(ballot[status]);
  const text = await res.text();
  if (allows(status, action)) {
    expect(res.status).toBe(200);
  } else if (PUBLIC.includes(action)) {
    // To the public a ballot that shows nothing yet does not exist.
    expect(res.status).toBe(404);
  } else {
    expect(res.status).toBe(409);
    expect(JSON.parse(text).detail).toBe(refusal(status, action));
  }
});

test('the database refuses a transition from any state but its own', async () => {
  await expect(moveBallot(app.db, ballot.draft.id, 'close')).rejects.toThrow(/is not open/);
  await expect(moveBallot(app.db, ballot.published.id, 'publish')).rejects.toThrow(/is not closed/);
  await expect(moveBallot(app.db, ballot.closed.id, 'open')).rejects.toThrow(/is not draft/);
  const statuses = await app.db.selectFrom('ballots').select(['id', 'status']).execute();
  for (const s of BALLOT_STATUSES) expect(statuses.find((b) => b.id === ballot[s].id)?.status).toBe(s);
});
