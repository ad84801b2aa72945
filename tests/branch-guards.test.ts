import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from './support/app';

/**
 * Branch names as people mistype them: a ballot's "only these branches" naming no real
 * branch is refused (422) with the branch meant; a roll file writing one branch two ways
 * ("Leeds", "leeds") is flagged in the preview.
 */
let app: TestApp;
let org: Client;

beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app, 'Branch Union');
  const roll = 'email,name,branch\na@example.org,A,Leeds\nb@example.org,B,Bristol\nc@example.org,C,North East\n';
  expect((await org.json('POST', '/api/v1/roll/import', roll, { 'content-type': 'text/csv' })).status).toBe(200);
});
afterAll(async () => app?.close());

const ballot = (branches: string[]) => ({
  title: 'Branches',
  ...ballotTimes(),
  questions: [{ title: 'Agree?', method: 'yesno' }],
  eligibility: { branches },
});

test('an unknown branch is refused naming the nearest real one; nothing is saved', async () => {
  const before = (await org.json('GET', '/api/v1/ballots')).body.length;
  const r = await org.json('POST', '/api/v1/ballots', ballot(['Leeds', 'Leds', 'bristol', 'Cardiff']));
  expect(r.status).toBe(422);
  expect(r.body.errors).toEqual([
    { path: 'eligibility.branches.1', message: "no branch 'Leds' — did you mean 'Leeds'?" },
    { path: 'eligibility.branches.2', message: "no branch 'bristol' — did you mean 'Bristol'?" },
    { path: 'eligibility.branches.3', message: "no branch 'Cardiff'; the branches are Bristol, Leeds, North East" },
  ]);
  expect((await org.json('GET', '/api/v1/ballots')).body).toHaveLength(before);
});

test('a draft edited to name an unknown branch is refused too; real names are accepted', async () => {
  const made = await org.json('POST', '/api/v1/ballots', ballot(['Leeds', 'North East']));
  expect(made.status).toBe(201);
  const edited = await org.json('PUT', `/api/v1/ballots/${made.body.id}`, ballot(['Leeds', 'Northeast']));
  expect(edited.status).toBe(422);
  expect(edited.body.errors[0].message).toBe("no branch 'Northeast' — did you mean 'North East'?");
  expect((await org.json('GET', `/api/v1/ballots/${made.body.id}`)).body.eligibility).toEqual({
    branches: ['Leeds', 'North East'],
  });
});

test('the import preview flags branch names that differ only in case, accents or spaces', async () => {
  const roll =
    'email,name,branch\na@example.org,A,Leeds\nb@example.org,B,Bristol\nc@example.org,C,North East\nd@example.org,D,leeds\ne@example.org,E,Brístol\n';
  const r = await org.json('POST', '/api/v1/roll/import?dryRun=true', roll, { 'content-type': 'text/csv' });
  expect(r.status).toBe(200);
  expect(r.body.branches.nearDuplicates).toEqual([
    ['Bristol', 'Brístol'],
    ['Leeds', 'leeds'],
  ]);
});
