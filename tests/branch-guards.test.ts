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

test('two branches merge: members move, drafts follow, the log records it; refused while an open ballot uses either', async () => {
  const roll =
    'email,name,branch\na@example.org,A,Leeds\nb@example.org,B,Bristol\nc@example.org,C,North East\nd@example.org,D,leeds\n';
  expect(
    (await org.json('POST', '/api/v1/roll/import?confirmDestructive=true', roll, { 'content-type': 'text/csv' }))
      .status,
  ).toBe(200);
  const draft = (await org.json('POST', '/api/v1/ballots', ballot(['leeds', 'Bristol']))).body;
  const open = (await org.json('POST', '/api/v1/ballots', ballot(['leeds']))).body;
  expect((await org.json('POST', `/api/v1/ballots/${open.id}/open`)).status).toBe(200);

  const typo = await org.json('POST', '/api/v1/branches/merge', { from: 'leds', into: 'Leeds' });
  expect(typo.status).toBe(422);
  expect(typo.body.errors[0]).toEqual({ path: 'from', message: "no branch 'leds' — did you mean 'Leeds'?" });
  const refused = await org.json('POST', '/api/v1/branches/merge', { from: 'leeds', into: 'Leeds' });
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toContain('the open ballot “Branches” uses leeds or Leeds');

  expect((await org.json('POST', `/api/v1/ballots/${open.id}/close`)).status).toBeLessThan(300);
  const merged = await org.json('POST', '/api/v1/branches/merge', { from: 'leeds', into: 'Leeds' });
  expect(merged.status).toBe(200);
  expect(merged.body).toEqual({ from: 'leeds', into: 'Leeds', members: 1, drafts: 1 });
  const branches = (await org.json('GET', '/api/v1/branches')).body as Array<{ name: string; members: string }>;
  expect(branches.map((b) => [b.name, Number(b.members)])).toContainEqual(['Leeds', 2]);
  expect(branches.map((b) => [b.name, Number(b.members)])).toContainEqual(['leeds', 0]);
  expect((await org.json('GET', `/api/v1/ballots/${draft.id}`)).body.eligibility.branches.sort()).toEqual([
    'Bristol',
    'Leeds',
  ]);
  const log = (await org.json('GET', '/api/v1/audit-log')).body as {
    entries: Array<{ action: string; details: Record<string, unknown> }>;
  };
  expect(log.entries.filter((e) => e.action === 'branches.merge').map((e) => e.details)).toEqual([
    { from: 'leeds', into: 'Leeds', members: 1, drafts: 1 },
  ]);
});
