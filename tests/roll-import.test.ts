import { setUpOrganisation, startTestApp, type Client, type TestApp } from './support/app';

let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
});
afterAll(async () => app?.close());

const importCsv = (csv: string, dryRun = false, query = '') =>
  org.json('POST', `/api/v1/roll/import?dryRun=${dryRun}${query}`, csv, { 'content-type': 'text/csv' });
const members = async () =>
  (await org.json('GET', '/api/v1/members?limit=500')).body as Array<{
    email: string;
    name: string;
    branch: string;
    memberNumber: string | null;
    weight: string;
  }>;

describe('member roll import', () => {
  test('every bad row is reported with its line and field, and nothing is written', async () => {
    const csv = [
      'email,name,branch,member_number,weight',
      'ann@example.org,Ann,North,1,1',
      'not-an-email,Bob,North,2,1', // line 3: bad email
      'cat@example.org,,South,3,1', // line 4: empty name
      'ANN@example.org,Ann Again,South,4,1', // line 5: duplicate email (case-insensitive)
      'dan@example.org,Dan,East,1,1', // line 6: duplicate member number
      'eve@example.org,Eve,East,6,-2', // line 7: bad weight
      'fay@example.org,Fay,East', // line 8: too few fields
    ].join('\n');
    const r = await importCsv(csv);
    expect(r.status).toBe(422);
    expect(r.body.type).toBe('about:blank');
    const errs = r.body.errors as Array<{ path: string; message: string }>;
    expect(errs).toEqual(
      expect.arrayContaining([
        { path: 'line 3, email', message: '"not-an-email" is not an email address' },
        { path: 'line 4, name', message: 'is empty' },
        { path: 'line 5, email', message: 'ANN@example.org is also on line 2' },
        { path: 'line 6, member_number', message: '1 is also on line 2' },
        { path: 'line 7, weight', message: '"-2" is not a positive number' },
        { path: 'line 8', message: 'has 3 fields, the header has 5' },
      ]),
    );
    expect(errs).toHaveLength(6);
    expect(await members()).toEqual([]);
  });

  test('the file and the single-member form cap the same fields alike', async () => {
    const longNumber = '9'.repeat(101);
    const longEmail = `${'a'.repeat(310)}@example.org`;
    const csv = [
      'email,name,branch,member_number,joined',
      `ann@example.org,Ann,North,${longNumber},`,
      `${longEmail},Bob,North,2,`,
      `cat@example.org,Cat,North,${'9'.repeat(100)},2020-02-30`,
    ].join('\n');
    const r = await importCsv(csv);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      { path: 'line 2, member_number', message: 'is longer than 100 characters' },
      { path: 'line 3, email', message: 'is longer than 320 characters' },
      { path: 'line 4, joined', message: '"2020-02-30" is not a date (YYYY-MM-DD)' },
    ]);
    expect(await members()).toEqual([]);
    // The API's single member is read by the same definition, with the same words.
    const one = await org.json('POST', '/api/v1/members', {
      email: longEmail,
      name: 'Ann',
      branch: 'North',
      memberNumber: longNumber,
    });
    expect(one.status).toBe(422);
    expect(one.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'memberNumber', message: 'is longer than 100 characters' }),
        expect.objectContaining({ path: 'email', message: 'is longer than 320 characters' }),
      ]),
    );
    expect(await members()).toEqual([]);
  });

  test('a header without the required columns, or with an unknown one, is refused', async () => {
    const r = await importCsv('email,nme,branch\na@example.org,A,North\n');
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'line 1, nme', message: expect.stringContaining('unknown column "nme"') }),
        expect.objectContaining({ path: 'line 1, name', message: 'missing required column "name"' }),
      ]),
    );
    expect((await importCsv('')).status).toBe(422);
    const broken = await importCsv('email,name,branch\n"a@example.org,A,North\n');
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0]).toEqual({ path: 'line 2', message: 'a quoted field is not closed' });
  });

  test('the body must be CSV', async () => {
    const r = await org.json('POST', '/api/v1/roll/import', { email: 'x' });
    expect(r.status).toBe(415);
  });

  test('a dry run reports without writing; a re-import updates, adds and removes', async () => {
    const first = [
      'email,name,branch,member_number',
      'ann@example.org,Ann,North,1',
      'bob@example.org,Bob,North,2',
      'cat@example.org,Cat,South,3',
      'dan@example.org,Dan,South,',
    ].join('\n');
    const dry = await importCsv(first, true);
    expect(dry.body).toMatchObject({
      applied: false,
      added: 4,
      updated: 0,
      removed: 0,
      branches: { new: ['North', 'South'] },
    });
    expect(await members()).toEqual([]);
    const r1 = await importCsv(first);
    expect(r1.body).toMatchObject({ applied: true, added: 4, updated: 0, removed: 0, unchanged: 0 });
    expect(
      (await org.json('GET', '/api/v1/branches')).body.map((b: { name: string; members: number }) => [
        b.name,
        Number(b.members),
      ]),
    ).toEqual([
      ['North', 2],
      ['South', 2],
    ]);

    // Ann changes email (matched by number), Bob moves branch, Cat leaves, Dan stays
    // (matched by email), Eve joins; Bob and Dan swap nothing.
    const second = [
      'email,name,branch,member_number',
      'ann.new@example.org,Ann,North,1',
      'bob@example.org,Bob,East,2',
      'dan@example.org,Dan,South,',
      'eve@example.org,Eve,East,5',
    ].join('\n');
    // Cat leaving is a quarter of the roll: refused until confirmed.
    const unconfirmed = await importCsv(second);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.detail).toContain('it removes 1 of the 4 current members (25%)');
    const r2 = await importCsv(second, false, '&confirmDestructive=true');
    expect(r2.body).toMatchObject({ added: 1, updated: 2, removed: 1, unchanged: 1 });
    expect(r2.body.changes.updated).toEqual([
      { line: 2, email: 'ann.new@example.org', fields: ['email'] },
      { line: 3, email: 'bob@example.org', fields: ['branch'] },
    ]);
    expect(r2.body.changes.removed).toEqual([{ email: 'cat@example.org', name: 'Cat', branch: 'South' }]);
    const now = await members();
    expect(now.map((m) => [m.email, m.branch]).sort()).toEqual([
      ['ann.new@example.org', 'North'],
      ['bob@example.org', 'East'],
      ['dan@example.org', 'South'],
      ['eve@example.org', 'East'],
    ]);
  });

  test('two members may swap email addresses in one import', async () => {
    await importCsv(
      'email,name,branch,member_number\nx@example.org,X,North,10\ny@example.org,Y,North,11\n',
      false,
      '&confirmDestructive=true',
    );
    const r = await importCsv('email,name,branch,member_number\ny@example.org,X,North,10\nx@example.org,Y,North,11\n');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ updated: 2 });
    const now = await members();
    expect(now.find((m) => m.memberNumber === '10')?.email).toBe('y@example.org');
  });

  test('columns a file leaves out are kept unless cleared, and clearing needs confirmDestructive', async () => {
    const full =
      'email,name,branch,member_number,weight,joined\nk@example.org,K,North,20,2,2019-05-01\nl@example.org,L,North,21,1,\n';
    expect((await importCsv(full, false, '&confirmDestructive=true')).status).toBe(200);
    const short = 'email,name,branch\nk@example.org,K,North\nl@example.org,L,North\n';
    const kept = await importCsv(short);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({
      unchanged: 2,
      keptColumns: ['member_number', 'weight', 'joined'],
      destructive: [],
    });
    expect((await members()).find((m) => m.email === 'k@example.org')).toMatchObject({
      memberNumber: '20',
      weight: '2',
      joinedOn: '2019-05-01',
    });

    const preview = await importCsv(short, true, '&clearOmitted=true');
    expect(preview.body.clearedColumns).toEqual([
      { column: 'member_number', members: 2 },
      { column: 'weight', members: 1 },
      { column: 'joined', members: 1 },
    ]);
    const refused = await importCsv(short, false, '&clearOmitted=true');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(
      'it clears the member_number of 2 members (the file has no member_number column)',
    );
    expect((await members()).find((m) => m.email === 'k@example.org')?.memberNumber).toBe('20');
    const cleared = await importCsv(short, false, '&clearOmitted=true&confirmDestructive=true');
    expect(cleared.status).toBe(200);
    expect((await members()).find((m) => m.email === 'k@example.org')).toMatchObject({
      memberNumber: null,
      weight: '1',
      joinedOn: null,
    });
  });

  test('only a signed-in organiser may import', async () => {
    const anon = await fetch(`${app.url}/api/v1/roll/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'email,name,branch\n',
    });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toContain('application/problem+json');
  });
});
