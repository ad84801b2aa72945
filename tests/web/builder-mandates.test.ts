import { appWithSmtpPerFile, type Client, setUpOrganisation } from '../support/app';
import { rollCsv } from '../support/integrity';

/**
 * The builder's field for a declared comparison's mandates (docs/proposals.md, "Mandates in
 * a declared comparison"), over HTTP as an organiser without JavaScript: the choice is saved
 * on the comparison, shown again by the edit form, changed, cleared by choosing "No"; a
 * value that is not a rule is refused on its own field.
 */
const { app } = appWithSmtpPerFile();

const csrfOf = (page: string): string => /name="csrf" value="([^"]+)"/.exec(page)![1]!;
const local = (d: Date) => d.toISOString().slice(0, 16);
const pageOf = async (c: Client, url: string) => (await c.request('GET', url)).text();

test("the builder saves, shows and clears 'the branch meetings' positions as mandates'", async () => {
  const org = await setUpOrganisation(app(), 'Mandate Union');
  const imported = await org.json('POST', '/api/v1/roll/import', rollCsv({ Leeds: 3, York: 2 }), {
    'content-type': 'text/csv',
  });
  expect(imported.status).toBe(200);
  const now = Date.now();
  const fields = (csrf: string, mandates: string): Array<[string, string]> => [
    ['csrf', csrf],
    ['title', 'Rule book'],
    ['opensAt', local(new Date(now + 24 * 3_600_000))],
    ['closesAt', local(new Date(now + 3 * 24 * 3_600_000))],
    ['zone', 'UTC'],
    ['k', '2'],
    ['receiptPolicy', 'inclusion'],
    ['reminderHours', '24'],
    ['questions', '1'],
    ['q0_title', 'Adopt?'],
    ['q0_method', 'yesno'],
    ['q0_threshold', '1/2'],
    ['q0_comparisons', '1'],
    ['q0_c0_label', 'Conference'],
    ['q0_c0_method', 'sainte-lague'],
    ['q0_c0_seats', '10'],
    ['q0_c0_basis', 'members'],
    ['q0_c0_rule', 'bloc'],
    ['q0_c0_procedure', 'method'],
    ['q0_c0_required', '1/2'],
    ['q0_c0_mandates', mandates],
    ['do', 'save'],
  ];

  // The new form offers the field, "No" chosen.
  const blank = await pageOf(org, '/ballots/new');
  expect(blank).not.toContain('q0_c0_mandates'); // no comparison yet
  const added = await org.form('/ballots/new', [
    ...fields(csrfOf(blank), '').filter(([k]) => k !== 'do' && !k.startsWith('q0_c')),
    ['q0_comparisons', '0'],
    ['do', 'add-comparison:0'],
  ]);
  expect(added.status).toBe(200);
  expect(added.text).toMatch(/<select id="q0_c0_mandates" name="q0_c0_mandates"[^>]*><option value="" selected>/);

  // A value that is not a rule (a tampered form) is refused on its own field, nothing saved.
  const bad = await org.form('/ballots/new', fields(csrfOf(blank), 'always'));
  expect(bad.status).toBe(422);
  expect(bad.text).toContain(
    '<a href="#q0_c0_mandates">Question 1, comparison 1: branch meetings&#39; positions as mandates:',
  );
  expect((await org.json('GET', '/api/v1/ballots')).body).toEqual([]);

  const saved = await org.form('/ballots/new', fields(csrfOf(blank), 'majority'));
  expect(saved.status).toBe(303);
  const [listed] = (await org.json('GET', '/api/v1/ballots')).body as Array<{ id: string }>;
  const id = listed!.id;
  const comparisonOf = async () =>
    (await org.json('GET', `/api/v1/ballots/${id}`)).body.questions[0].comparisons[0] as Record<string, unknown>;
  expect(await comparisonOf()).toMatchObject({ label: 'Conference', mandates: 'majority' });

  // The edit form shows the choice (a stored comparison's mandates come back); "abstain" replaces it; "No" clears it.
  const edit = await pageOf(org, `/ballots/${id}/edit`);
  expect(edit).toMatch(/<select id="q0_c0_mandates"[^>]*>.*<option value="majority" selected>/s);
  expect((await org.form(`/ballots/${id}/edit`, fields(csrfOf(edit), 'abstain'))).status).toBe(303);
  expect(await comparisonOf()).toMatchObject({ mandates: 'abstain' });
  const again = await pageOf(org, `/ballots/${id}/edit`);
  expect((await org.form(`/ballots/${id}/edit`, fields(csrfOf(again), ''))).status).toBe(303);
  expect(await comparisonOf()).not.toHaveProperty('mandates');
});
