import { MAX_VERIFIABLE_SCORES, VERIFIABLE_METHOD_MESSAGE } from '@omov/core/domain/ballot';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';

/**
 * A ballot's mode (issue 11, docs/verifiable.md), chosen when it is made: office by default,
 * or verifiable with its trustees, threshold and credential authority. Over the API and the
 * builder page, on a real database.
 */
let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  await org.json('POST', '/api/v1/roll/import', 'email,name,branch\na@example.org,A,North\nb@example.org,B,South\n', {
    'content-type': 'text/csv',
  });
});
afterAll(async () => app?.close());

const verifiable = {
  kind: 'verifiable',
  trustees: 3,
  threshold: 2,
  credentialAuthority: 'Cara, the returning officer',
};
const homomorphic = [
  { title: 'Adopt the rules?', method: 'yesno' },
  { title: 'Chair', method: 'plurality', options: [{ label: 'Ann' }, { label: 'Bob' }] },
  { title: 'Days', method: 'approval', options: [{ label: 'Mon' }, { label: 'Tue' }, { label: 'Wed' }] },
];
const make = (body: Record<string, unknown>) =>
  org.json('POST', '/api/v1/ballots', { title: 'Mode', questions: homomorphic, ...ballotTimes(), ...body });

test('a ballot is in office mode unless it says otherwise, and stays openable as before', async () => {
  const b = await make({});
  expect(b.status).toBe(201);
  expect(b.body.mode).toEqual({ kind: 'office' });
  const row = await app.db
    .selectFrom('ballots')
    .select(['mode', 'trustees'])
    .where('id', '=', b.body.id)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ mode: 'office', trustees: null });
  expect((await org.json('POST', `/api/v1/ballots/${b.body.id}/open`, {})).status).toBe(200);
});

test('a verifiable ballot keeps its trustees, threshold and credential authority', async () => {
  const b = await make({ mode: verifiable });
  expect(b.status).toBe(201);
  // Re-voting is allowed unless the ballot says otherwise, as in Belenios.
  const kept = { ...verifiable, revoting: true };
  expect(b.body.mode).toEqual(kept);
  expect((await org.json('GET', `/api/v1/ballots/${b.body.id}`)).body.mode).toEqual(kept);
  const listed = (await org.json('GET', '/api/v1/ballots')).body.find((x: { id: string }) => x.id === b.body.id);
  expect(listed.mode).toEqual(kept);
  // A draft may be changed back to office mode, and the trustees go with it.
  const edited = await org.json('PUT', `/api/v1/ballots/${b.body.id}`, {
    title: 'Mode',
    questions: homomorphic,
    ...ballotTimes(),
    mode: { kind: 'office' },
  });
  expect(edited.body.mode).toEqual({ kind: 'office' });
  const row = await app.db
    .selectFrom('ballots')
    .select(['mode', 'trustees', 'threshold', 'credential_authority'])
    .where('id', '=', b.body.id)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ mode: 'office', trustees: null, threshold: null, credential_authority: null });
});

test('a verifiable ballot takes ranked questions (shuffled by the trustees); a block vote is refused, naming the question, and nothing is written', async () => {
  const ranked = await make({
    mode: verifiable,
    questions: [
      ...homomorphic,
      {
        title: 'Committee',
        method: 'stv',
        settings: { seats: 1 },
        options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }],
      },
      { title: 'Order', method: 'borda', options: [{ label: 'A' }, { label: 'B' }] },
      // A score question is counted homomorphically, one Belenios question per option.
      { title: 'Rate', method: 'score', options: [{ label: 'A' }, { label: 'B' }] },
    ],
  });
  expect(ranked.status).toBe(201);
  const before = (await org.json('GET', '/api/v1/ballots')).body.length;
  const r = await make({
    mode: verifiable,
    questions: [
      ...homomorphic,
      {
        title: 'Board',
        method: 'block',
        settings: { seats: 2 },
        options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }],
      },
    ],
  });
  expect(r.status).toBe(422);
  expect(r.body.errors).toEqual([{ path: 'questions.3.method', message: VERIFIABLE_METHOD_MESSAGE }]);
  expect(VERIFIABLE_METHOD_MESSAGE).toMatch(/block vote is not counted verifiably/);
  expect((await org.json('GET', '/api/v1/ballots')).body.length).toBe(before);
  // The same questions in office mode are fine.
  expect(
    (
      await make({
        questions: [
          {
            title: 'Board',
            method: 'block',
            settings: { seats: 2 },
            options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }],
          },
        ],
      })
    ).status,
  ).toBe(201);
});

test('score questions offering more scores in all than a ballot can carry are refused at the question that goes over', async () => {
  const options = (n: number) => Array.from({ length: n }, (_, i) => ({ label: `Option ${i + 1}` }));
  const rate = (title: string, n: number, maxScore: number) => ({
    title,
    method: 'score',
    settings: { maxScore },
    options: options(n),
  });
  // 10 options scored 0 to 10: 110 scores, within the 120.
  const fits = await make({ mode: verifiable, questions: [rate('Rate', 10, 10)] });
  expect(fits.status).toBe(201);
  // Then 3 more options scored 0 to 3 bring it to 122.
  const over = await make({ mode: verifiable, questions: [rate('Rate', 10, 10), rate('More', 3, 3)] });
  expect(over.status).toBe(422);
  expect(over.body.errors).toEqual([
    {
      path: 'questions.1.settings.maxScore',
      message: `A verifiable ballot's score questions can offer at most ${MAX_VERIFIABLE_SCORES} scores in all (each option's 0 to the highest score: every one is encrypted with its proof in each ballot); with this question they offer 122`,
    },
  ]);
  // In office mode the same questions are fine.
  expect((await make({ questions: [rate('Rate', 10, 10), rate('More', 3, 3)] })).status).toBe(201);
});

test('a threshold above the trustees, or no credential authority, is refused where it is wrong', async () => {
  const high = await make({ mode: { ...verifiable, threshold: 4 } });
  expect(high.status).toBe(422);
  expect(high.body.errors).toEqual([
    { path: 'mode.threshold', message: 'The threshold cannot be above the number of trustees' },
  ]);
  const nobody = await make({ mode: { ...verifiable, credentialAuthority: '  ' } });
  expect(nobody.status).toBe(422);
  expect(nobody.body.errors[0].path).toBe('mode.credentialAuthority');
  const none = await make({ mode: { kind: 'verifiable' } });
  expect(none.status).toBe(422);
  expect(none.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
    'mode.credentialAuthority',
    'mode.threshold',
    'mode.trustees',
  ]);
  expect((await make({ mode: { kind: 'secret' } })).status).toBe(422);
});

test('the database refuses a verifiable ballot without its parameters, whatever writes it', async () => {
  const b = await make({});
  await expect(
    app.db.updateTable('ballots').set({ mode: 'verifiable' }).where('id', '=', b.body.id).execute(),
  ).rejects.toThrow(/ballot_mode_parameters/);
  await expect(
    app.db.updateTable('ballots').set({ trustees: 2 }).where('id', '=', b.body.id).execute(),
  ).rejects.toThrow(/ballot_mode_parameters/);
});

test("a verifiable ballot cannot open before its trustees' key and its credentials are in: it would otherwise take office-mode votes", async () => {
  const b = await make({ mode: verifiable });
  const r = await org.json('POST', `/api/v1/ballots/${b.body.id}/open`, {});
  expect(r.status).toBe(409);
  expect(r.body.detail).toBe("a verifiable ballot opens once every trustee's verification key is in");
  expect((await org.json('GET', `/api/v1/ballots/${b.body.id}`)).body.status).toBe('draft');
  const tokens = await app.db
    .selectFrom('voting_tokens')
    .select('member_id')
    .where('ballot_id', '=', b.body.id)
    .execute();
  expect(tokens).toEqual([]);
});

describe('the builder page', () => {
  const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  const fields = async (): Promise<Array<[string, string]>> => {
    const page = await (await org.request('GET', '/ballots/new')).text();
    expect(page).toContain('name="mode" value="office" checked');
    return [
      ['csrf', csrfOf(page)],
      ['title', 'Built verifiable'],
      ['opensAt', '2030-01-01 09:00'],
      ['closesAt', '2030-01-08 09:00'],
      ['zone', 'UTC'],
      ['k', '10'],
      ['receiptPolicy', 'inclusion'],
      ['questions', '1'],
      ['q0_title', 'Adopt?'],
      ['q0_method', 'yesno'],
      ['q0_threshold', '1/2'],
      ['mode', 'verifiable'],
      ['mode_trustees', '3'],
      ['mode_threshold', '2'],
      ['mode_credentialAuthority', 'Cara'],
      ['mode_revoting', 'yes'],
    ];
  };

  test('makes a verifiable ballot, and shows it again when edited', async () => {
    const saved = await org.request('POST', '/ballots/new', new URLSearchParams(await fields()).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(saved.status).toBe(303);
    const id = /\/ballots\/([0-9a-f-]{36})/.exec(saved.headers.get('location')!)![1]!;
    expect((await org.json('GET', `/api/v1/ballots/${id}`)).body.mode).toEqual({
      kind: 'verifiable',
      trustees: 3,
      threshold: 2,
      credentialAuthority: 'Cara',
      revoting: true,
    });
    const edit = await (await org.request('GET', `/ballots/${id}/edit`)).text();
    expect(edit).toContain('name="mode" value="verifiable" checked');
    expect(edit).toMatch(/id="mode_credentialAuthority" name="mode_credentialAuthority" type="text" value="Cara"/);
  });

  test('names the field that is wrong: the threshold, or a block vote', async () => {
    const base = await fields();
    const high = await org.form(
      '/ballots/new',
      base.map(([k, v]) => [k, k === 'mode_threshold' ? '5' : v]),
    );
    expect(high.status).toBe(422);
    expect(high.text).toContain('href="#mode_threshold"');
    expect(high.text).toContain('The threshold cannot be above the number of trustees');
    const block = await org.form('/ballots/new', [
      ...base.filter(([k]) => !k.startsWith('q0_') && k !== 'questions'),
      ['questions', '1'],
      ['q0_title', 'Board'],
      ['q0_method', 'block'],
      ['q0_seats', '2'],
      ['q0_options', '3'],
      ['q0_o0_label', 'A'],
      ['q0_o1_label', 'B'],
      ['q0_o2_label', 'C'],
    ]);
    expect(block.status).toBe(422);
    expect(block.text).toContain('href="#q0_method"');
    expect(block.text).toContain('a block vote is not counted verifiably yet');
  });
});
