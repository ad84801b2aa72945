import { readEml } from '../../src/mail/eml';
import { createSetupLink } from '../../src/services/auth';
import { applyAction, emptyState, stateFromForm, validate } from '../../src/http/pages/organiser/builder-form';
import { readMultipart } from '../../src/http/pages/organiser/multipart';
import { isoToLocal, localToIso } from '@omov/core/domain/zones';
import { appWithSmtpPerFile, Client } from '../support/app';
import { linkIn, waitFor } from '../support/smtp';

/**
 * The organiser's and auditor's pages, driven over HTTP as a person would: forms fetched
 * for their CSRF field and posted back, the answers read as HTML. Nothing is done through
 * the API that a page offers, except casting the members' votes (the voting pages are
 * tested elsewhere) and reading back, to check that a page wrote what it said.
 */

const { app, smtp } = appWithSmtpPerFile();

const csrfOf = (page: string): string => {
  const m = /name="csrf" value="([^"]+)"/.exec(page);
  if (!m) throw new Error(`no CSRF field in the page:\n${page.slice(0, 500)}`);
  return m[1]!;
};
const text = async (c: Client, url: string) => {
  const res = await c.request('GET', url);
  return { status: res.status, body: await res.text(), headers: res.headers };
};

/** A multipart/form-data body as a browser sends a form with a file input. */
function multipartBody(
  fields: Array<[string, string]>,
  file?: { name: string; filename: string; content: string },
): { body: string; type: string } {
  const boundary = '----omovTestBoundary7MA4YWxkTrZu0gW';
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  if (file)
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`,
    );
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

const local = (d: Date) => d.toISOString().slice(0, 16);

// The roll: North 7, South 3, East 2 members.
const ROLL = [
  ...Array.from({ length: 7 }, (_, i) => [`n${i + 1}@example.org`, `North ${i + 1}`, 'North', `N${i + 1}`]),
  ...Array.from({ length: 3 }, (_, i) => [`s${i + 1}@example.org`, `South ${i + 1}`, 'South', `S${i + 1}`]),
  ...Array.from({ length: 2 }, (_, i) => [`e${i + 1}@example.org`, `East ${i + 1}`, 'East', `E${i + 1}`]),
];
const ROLL_CSV = ['email,name,branch,member_number', ...ROLL.map((r) => r.join(','))].join('\n');

/**
 * What each member casts. Yes/no: North n1–n5 Yes, n6 No, n7 abstains; South and East
 * all No. So Yes 5, No 6, 1 abstention: not carried (5 of 11 is not more than half).
 * STV, 2 seats, candidates Ann, Bob, Cat, Dan (0–3): n1–n6 Ann>Bob; n7, s1, s2 Cat>Dan;
 * s3, e1 Dan>Cat; e2 Bob>Cat. First preferences Ann 6, Bob 1, Cat 3, Dan 2.
 */
const VOTES: Record<string, { yn: 0 | 1 | 'abstain'; rank: number[] }> = {
  'n1@example.org': { yn: 0, rank: [0, 1] },
  'n2@example.org': { yn: 0, rank: [0, 1] },
  'n3@example.org': { yn: 0, rank: [0, 1] },
  'n4@example.org': { yn: 0, rank: [0, 1] },
  'n5@example.org': { yn: 0, rank: [0, 1] },
  'n6@example.org': { yn: 1, rank: [0, 1] },
  'n7@example.org': { yn: 'abstain', rank: [2, 3] },
  's1@example.org': { yn: 1, rank: [2, 3] },
  's2@example.org': { yn: 1, rank: [2, 3] },
  's3@example.org': { yn: 1, rank: [3, 2] },
  'e1@example.org': { yn: 1, rank: [3, 2] },
  'e2@example.org': { yn: 1, rank: [1, 2] },
};

describe('times in a chosen zone', () => {
  test("a wall-clock time becomes ISO with the zone's offset at that date", () => {
    // London is on GMT (+00:00) in January and on BST (+01:00) in July; New York on EST (−05:00) in January.
    expect(localToIso('2026-01-15T09:00', 'Europe/London')).toEqual({ ok: true, iso: '2026-01-15T09:00:00+00:00' });
    expect(localToIso('2026-07-01T09:00', 'Europe/London')).toEqual({ ok: true, iso: '2026-07-01T09:00:00+01:00' });
    expect(localToIso('2026-01-15T09:30', 'America/New_York')).toEqual({ ok: true, iso: '2026-01-15T09:30:00-05:00' });
    expect(localToIso('2026-07-01T09:00', 'Asia/Kolkata')).toEqual({ ok: true, iso: '2026-07-01T09:00:00+05:30' });
    // 29 March 2026, 01:30 does not happen in London (clocks go from 01:00 to 02:00).
    const gap = localToIso('2026-03-29T01:30', 'Europe/London');
    expect(gap.ok).toBe(false);
    // 25 October 2026, 01:30 happens twice in London: the first (BST) is taken.
    expect(localToIso('2026-10-25T01:30', 'Europe/London')).toEqual({ ok: true, iso: '2026-10-25T01:30:00+01:00' });
    expect(localToIso('2026-02-30T09:00', 'UTC').ok).toBe(false);
    expect(localToIso('2026-01-15T09:00', 'Mars/Olympus').ok).toBe(false);
    expect(isoToLocal('2026-07-01T08:00:00Z', 'Europe/London')).toBe('2026-07-01T09:00');
  });
});

describe('the builder form', () => {
  test('add, move and remove keep every value; validation names the field at fault', () => {
    let s = emptyState(new Date('2026-06-01T10:20:00Z'));
    expect(s.opensAt).toBe('2026-06-01 11:00');
    s = { ...s, title: 'T', questions: [{ ...s.questions[0]!, title: 'First' }] };
    s = applyAction(s, 'add-question', 'stv').state;
    expect(s.questions.map((q) => q.method)).toEqual(['yesno', 'stv']);
    expect(s.questions[1]!.options).toHaveLength(2);
    s.questions[1] = {
      ...s.questions[1]!,
      title: 'Second',
      options: [
        { label: 'A', description: '' },
        { label: 'B', description: '' },
      ],
    };
    s = applyAction(s, 'add-option:1', '').state;
    s.questions[1]!.options[2] = { label: 'C', description: 'third' };
    s = applyAction(s, 'up-option:1:2', '').state;
    expect(s.questions[1]!.options.map((o) => o.label)).toEqual(['A', 'C', 'B']);
    s = applyAction(s, 'down-question:0', '').state;
    expect(s.questions.map((q) => q.title)).toEqual(['Second', 'First']);
    // STV needs its seats: the error is on that question's seats field.
    const v1 = validate(s);
    expect(v1.ok).toBe(false);
    if (!v1.ok) expect([...v1.issues.keys()]).toContain('q0_seats');
    s.questions[0] = { ...s.questions[0]!, settings: { ...s.questions[0]!.settings, seats: '3' } };
    const v2 = validate(s);
    expect(v2.ok).toBe(false);
    if (!v2.ok) expect(v2.issues.get('q0_seats')?.join(' ')).toMatch(/3 seats need more than 3 options/);
    s.questions[0] = { ...s.questions[0]!, settings: { ...s.questions[0]!.settings, seats: '2' } };
    // A blank spare option row is not an option; a duplicate is named on its own row.
    s = applyAction(s, 'add-option:0', '').state;
    s.questions[0]!.options[3] = { label: 'a', description: '' };
    const v3 = validate(s);
    expect(v3.ok).toBe(false);
    if (!v3.ok) expect(v3.issues.get('q0_o3_label')?.join(' ')).toMatch(/The option "a" is there twice/);
    s.questions[0]!.options[3] = { label: '', description: '' };
    const v4 = validate(s);
    expect(v4.ok).toBe(true);
    if (v4.ok) {
      expect(v4.input.questions[0]).toMatchObject({
        method: 'stv',
        settings: { seats: 2, rules: 'scottish' },
        options: [{ label: 'A' }, { label: 'C' }, { label: 'B' }],
      });
      expect(v4.input.opensAt).toBe('2026-06-01T11:00:00+00:00');
    }
  });

  test('eligibility and per-voter option order go from the form into the ballot; a bad date is named', () => {
    const base = emptyState(new Date('2026-06-01T10:00:00Z'));
    const s = {
      ...base,
      title: 'E',
      questions: [{ ...base.questions[0]!, title: 'Q' }],
      eligibleBranches: ['North', '  South ', 'North'],
      joinedBefore: '2020-01-01',
      randomiseOptions: true,
    };
    const v = validate(s);
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.input.eligibility).toEqual({ branches: ['North', 'South'], joinedBefore: '2020-01-01' });
      expect(v.input.randomiseOptions).toBe(true);
    }
    const none = validate({ ...s, eligibleBranches: [], joinedBefore: '' });
    if (none.ok) expect(none.input.eligibility).toBeNull();
    const bad = validate({ ...s, joinedBefore: '2020-13-45' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([...bad.issues.keys()]).toContain('joinedBefore');
    // Each ticked box sends the field again: every value is kept.
    const round = stateFromForm({ title: 'E', joinedBefore: '2020-01-01', randomiseOptions: 'yes', questions: '0' }, [
      'North',
      'South',
    ]);
    expect(round).toMatchObject({
      eligibleBranches: ['North', 'South'],
      joinedBefore: '2020-01-01',
      randomiseOptions: true,
    });
  });

  test('a band table and its mistakes', () => {
    const s = emptyState(new Date('2026-06-01T10:00:00Z'));
    const form: Record<string, string> = {
      title: 'B',
      opensAt: s.opensAt,
      closesAt: s.closesAt,
      zone: 'UTC',
      k: 'ten',
      reminderHours: '72, x',
      questions: '1',
      q0_title: 'Q',
      q0_method: 'yesno',
      q0_threshold: '2/3',
      del_enabled: 'yes',
      del_basis: 'members',
      del_rule: 'bloc',
      del_method: 'bands',
      del_bands: '100 1\n250 two',
    };
    const bad = validate(stateFromForm(form));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.issues.get('k')).toEqual(['Use a whole number']);
      expect(bad.issues.get('reminderHours')?.join(' ')).toMatch(/"x" is not a whole number/);
      expect(bad.issues.get('del_bands')?.join(' ')).toMatch(/"250 two"/);
    }
    const good = validate(
      stateFromForm({
        ...form,
        k: '5',
        reminderHours: '48',
        del_bands: '100 1\n250 2',
        del_beyond_every: '250',
        del_beyond_delegates: '1',
      }),
    );
    expect(good.ok).toBe(true);
    if (good.ok) {
      expect(good.input.delegates).toEqual({
        basis: 'members',
        rule: 'bloc',
        method: 'bands',
        bands: [
          { upTo: 100, delegates: 1 },
          { upTo: 250, delegates: 2 },
        ],
        beyond: { every: 250, delegates: 1 },
      });
      expect(good.input.questions[0]).toMatchObject({ method: 'yesno', settings: { threshold: '2/3' } });
    }
  });

  test('multipart form data: fields and a file, read as it arrives, in chunks cut anywhere', async () => {
    const content = 'email,name\r\na@b.org,"A, B"\r\n--not-the-boundary\r\n';
    const { body, type } = multipartBody(
      [
        ['csrf', 'abc'],
        ['step', 'preview'],
      ],
      { name: 'file', filename: 'roll.csv', content },
    );
    // One byte at a time, and in uneven pieces: a boundary split between chunks is still found.
    for (const size of [1, 7, 4096]) {
      const bytes = Buffer.from(`${body}`);
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      const files: Array<{ name: string; filename: string; text: string; before: Record<string, string> }> = [];
      const fields = await readMultipart(chunks(), type, 1024, async (part, before) => {
        const got: Buffer[] = [];
        for await (const c of part.data) got.push(c);
        files.push({ name: part.name, filename: part.filename, text: Buffer.concat(got).toString(), before });
      });
      expect(fields).toEqual({ csrf: 'abc', step: 'preview' });
      expect(files).toEqual([
        { name: 'file', filename: 'roll.csv', text: content, before: { csrf: 'abc', step: 'preview' } },
      ]);
    }
    // A file the route does not read is skipped, and the fields after it still read; a body over the limit is refused.
    const { body: later, type: laterType } = multipartBody([['csrf', 'abc']], {
      name: 'file',
      filename: 'roll.csv',
      content: 'x'.repeat(500),
    });
    const boundary = laterType.split('boundary=')[1]!;
    const withAfter = `${later.slice(0, -`--${boundary}--\r\n`.length)}--${boundary}\r\nContent-Disposition: form-data; name="step"\r\n\r\napply\r\n--${boundary}--\r\n`;
    const unread = await readMultipart(
      (async function* () {
        yield Buffer.from(withAfter);
      })(),
      laterType,
      1024,
      async () => undefined,
    );
    expect(unread).toEqual({ csrf: 'abc', step: 'apply' });
    await expect(
      readMultipart(
        (async function* () {
          yield Buffer.from(later);
        })(),
        laterType,
        100,
        async () => undefined,
      ),
    ).rejects.toMatchObject({ status: 413 });
    expect(await readMultipart((async function* () {})(), laterType, 1024, async () => undefined)).toBeNull();
  });
});

describe('an organiser runs a ballot through the pages; an auditor checks it', () => {
  const org = () => organiser!;
  let organiser: Client | undefined;
  const organiserEmail = 'olive@example.org';
  let ballotId = '';

  test('setup, sign out and sign in, each through its form', async () => {
    const token = (await createSetupLink(app().ctx)).split('/setup/')[1]!;
    const c = new Client(app().url);
    const setup = await text(c, `/setup/${token}`);
    expect(setup.body).toContain('Set up your organisation');
    // A password too short is named next to its field.
    const short = await c.form(`/setup/${token}`, [
      ['csrf', csrfOf(setup.body)],
      ['organisationName', 'Page Union'],
      ['name', 'Olive'],
      ['email', organiserEmail],
      ['password', 'short'],
    ]);
    expect(short.status).toBe(422);
    expect(short.text).toMatch(/<a href="#password">Password: must be at least 12 characters<\/a>/);
    expect(short.text).toContain('value="Page Union"');
    const made = await c.form(`/setup/${token}`, [
      ['csrf', csrfOf(setup.body)],
      ['organisationName', 'Page Union'],
      ['name', 'Olive'],
      ['email', organiserEmail],
      ['password', 'correct horse battery staple'],
    ]);
    expect(made.status).toBe(303);
    const home = await text(c, '/');
    expect(home.body).toContain('<h1>Ballots</h1>');
    expect((await c.form('/signout', [['csrf', csrfOf(home.body)]])).status).toBe(303);
    // Signed out, a page sends to sign-in, and sign-in back to the page (never to another site).
    expect((await c.request('GET', '/ballots/new')).headers.get('location')).toBe('/signin?next=%2Fballots%2Fnew');
    const away = (await text(c, '/signin?next=%2F%2Fevil.example%2F')).body;
    expect(away).not.toContain('name="next"');
    const signin = await text(c, '/signin?next=%2Froll');
    expect(signin.body).toContain('<input type="hidden" name="next" value="/roll">');
    const wrong = await c.form('/signin', [
      ['csrf', csrfOf(signin.body)],
      ['email', organiserEmail],
      ['password', 'not the password at all'],
    ]);
    expect(wrong.status).toBe(401);
    const ok = await c.request(
      'POST',
      '/signin',
      new URLSearchParams([
        ['csrf', csrfOf(signin.body)],
        ['next', '/roll'],
        ['email', organiserEmail],
        ['password', 'correct horse battery staple'],
      ]).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/roll');
    expect((await text(c, '/')).body).toContain('Signed in as Olive');
    organiser = c;
  });

  test('a roll import is previewed with every bad row by line, writes nothing, then applies', async () => {
    const page = await text(org(), '/roll/import');
    const csrf = csrfOf(page.body);
    const bad =
      'email,name,branch,member_number\nann@example.org,Ann,North,1\nnot-an-email,Bob,North,2\ncarl@example.org,,South,3\ndee@example.org,Dee,South,1\n';
    const sent = multipartBody(
      [
        ['csrf', csrf],
        ['step', 'preview'],
        ['csv', ''],
      ],
      { name: 'file', filename: 'roll.csv', content: bad },
    );
    const errors = await org().request('POST', '/roll/import', sent.body, { 'content-type': sent.type });
    const errorsPage = await errors.text();
    expect(errors.status).toBe(422);
    // Line 3: the email; line 4: the empty name; line 5: a member number already on line 2.
    expect(errorsPage).toMatch(
      /<th scope="row">3<\/th><td>email<\/td><td>&quot;not-an-email&quot; is not an email address<\/td>/,
    );
    expect(errorsPage).toMatch(/<th scope="row">4<\/th><td>name<\/td><td>is empty<\/td>/);
    expect(errorsPage).toMatch(/<th scope="row">5<\/th><td>member_number<\/td><td>1 is also on line 2<\/td>/);
    expect(errorsPage).toContain('Nothing has been changed');
    // The text is back in the box, to correct.
    expect(errorsPage).toContain('not-an-email,Bob,North,2');
    expect((await org().json('GET', '/api/v1/members')).body).toEqual([]);
    expect((await org().json('GET', '/api/v1/branches')).body).toEqual([]);

    const previewReq = multipartBody([
      ['csrf', csrf],
      ['step', 'preview'],
      ['csv', ROLL_CSV],
    ]);
    const preview = await org().request('POST', '/roll/import', previewReq.body, { 'content-type': previewReq.type });
    const previewPage = await preview.text();
    expect(preview.status).toBe(200);
    expect(previewPage).toContain('<strong>Nothing has been changed yet.</strong> The file has 12 members.');
    expect(previewPage).toContain('<li><strong>12</strong> members added</li>');
    expect(previewPage).toContain('<strong>3</strong> new branches: East, North, South');
    expect(previewPage).toMatch(/<th scope="row">2<\/th><td>North 1<\/td><td>n1@example.org<\/td><td>North<\/td>/);
    expect((await org().json('GET', '/api/v1/members')).body).toEqual([]);

    // The preview refers to the CSV, kept on the server for this session; the page does not carry it.
    expect(previewPage).not.toContain('n1@example.org,North 1');
    expect(previewPage).not.toMatch(/<textarea name="csv"/);
    const upload = /name="upload" value="([0-9a-f-]{36})"/.exec(previewPage)![1]!;
    const expectField = /name="expect" value="([^"]+)"/.exec(previewPage)![1]!;
    const applyReq = multipartBody([
      ['csrf', csrfOf(previewPage)],
      ['step', 'apply'],
      ['expect', expectField],
      ['upload', upload],
    ]);
    // Another session cannot use it.
    const stranger = new Client(app().url);
    expect(
      (await stranger.request('POST', '/roll/import', applyReq.body, { 'content-type': applyReq.type })).status,
    ).toBe(303);
    const applied = await org().request('POST', '/roll/import', applyReq.body, { 'content-type': applyReq.type });
    expect(applied.status).toBe(200);
    expect(await applied.text()).toContain(
      '12 added, 0 updated, 0 removed, 0 unchanged; new branches: East, North, South.',
    );
    expect((await org().json('GET', '/api/v1/members?limit=100')).body).toHaveLength(12);
    // Applied, it is no longer kept: the same form again asks for the file.
    const twice = await org().request('POST', '/roll/import', applyReq.body, { 'content-type': applyReq.type });
    expect(twice.status).toBe(422);
    expect(await twice.text()).toContain('The file you previewed is no longer kept');

    // The roll page: branches with their membership, and a search.
    const roll = (await text(org(), '/roll')).body;
    expect(roll).toMatch(/>North<\/a><\/th><td class="num">7<\/td>/);
    expect(roll).toMatch(/>South<\/a><\/th><td class="num">3<\/td>/);
    expect(roll).toMatch(/>East<\/a><\/th><td class="num">2<\/td>/);
    const found = (await text(org(), '/roll/members?search=South')).body;
    expect(found.match(/<tr><th scope="row"><a href="\/roll\/members\//g)).toHaveLength(3);

    // A second file: one name changed, one member gone; previewed, not applied.
    const next = ROLL_CSV.replace('North 1,North', 'North One,North')
      .split('\n')
      .filter((l) => !l.startsWith('e2@'))
      .join('\n');
    const again = await org().form('/roll/import', [
      ['csrf', csrf],
      ['step', 'preview'],
      ['csv', next],
    ]);
    expect(again.text).toContain('<li><strong>1</strong> members updated</li>');
    expect(again.text).toContain('<li><strong>1</strong> members removed (current members not in the file)</li>');
    expect(again.text).toMatch(/<th scope="row">2<\/th><td>n1@example.org<\/td><td>name<\/td>/);
    expect(again.text).toMatch(/<th scope="row">East 2<\/th><td>e2@example.org<\/td>/);
    // Applying with figures that no longer match what is previewed shows the new preview instead.
    const stale = await org().form('/roll/import', [
      ['csrf', csrf],
      ['step', 'apply'],
      ['expect', '0/0/0/0'],
      ['csv', next],
    ]);
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('The roll changed after your earlier preview');
    expect((await org().json('GET', '/api/v1/members?limit=100')).body).toHaveLength(12);
  });

  test('the builder makes a ballot with a yes/no and an STV question, keeping values between steps', async () => {
    const form = await text(org(), '/ballots/new');
    expect(form.body).toContain('<h1>Create a ballot</h1>');
    const csrf = csrfOf(form.body);
    const now = Date.now();
    const base: Array<[string, string]> = [
      ['csrf', csrf],
      ['title', 'Spring ballot'],
      ['description', 'Two questions'],
      ['opensAt', local(new Date(now - 120_000))],
      ['closesAt', local(new Date(now + 3 * 24 * 3_600_000))],
      ['zone', 'UTC'],
      ['k', '2'],
      ['receiptPolicy', 'inclusion'],
      ['reminderHours', '24'],
      ['del_enabled', 'yes'],
      ['del_basis', 'members'],
      ['del_rule', 'bloc'],
      ['del_method', 'hamilton'],
      ['del_seats', '12'],
      ['q0_title', 'Adopt the new rule book?'],
      ['q0_method', 'yesno'],
      ['q0_threshold', '1/2'],
    ];
    // "Add another question" (an STV one): the form comes back with what was typed, and the new question.
    const added = await org().form('/ballots/new', [
      ...base,
      ['questions', '1'],
      ['new_method', 'stv'],
      ['do', 'add-question'],
    ]);
    expect(added.status).toBe(200);
    expect(added.text).toContain('value="Adopt the new rule book?"');
    expect(added.text).toMatch(/<select id="q1_method" name="q1_method"[^>]*>.*<option value="stv" selected>/s);
    expect(added.text).toContain('id="q1_o1_label"');
    expect(added.text).not.toContain('id="q1_o2_label"');
    // "Add an option", twice: four rows.
    const stv: Array<[string, string]> = [
      ['q1_title', 'Committee'],
      ['q1_method', 'stv'],
      ['q1_rules', 'scottish'],
      ['q1_o0_label', 'Ann'],
      ['q1_o1_label', 'Bob'],
    ];
    const three = await org().form('/ballots/new', [
      ...base,
      ['questions', '2'],
      ['q1_options', '2'],
      ...stv,
      ['do', 'add-option:1'],
    ]);
    expect(three.text).toContain('id="q1_o2_label"');
    expect(three.text).toContain('value="Bob"');
    const withAll: Array<[string, string]> = [
      ...base,
      ['questions', '2'],
      ['q1_options', '4'],
      ...stv,
      ['q1_o2_label', 'Cat'],
      ['q1_o3_label', 'Dan'],
      ['q1_o3_description', 'Treasurer for six years'],
    ];
    // Four seats for four candidates: refused, the error linked to the seats field.
    const tooMany = await org().form('/ballots/new', [...withAll, ['q1_seats', '4'], ['do', 'save']]);
    expect(tooMany.status).toBe(422);
    expect(tooMany.text).toContain('<a href="#q1_seats">Question 2: seats: 4 seats need more than 4 options</a>');
    expect(tooMany.text).toMatch(
      /<input id="q1_seats" name="q1_seats" type="number" value="4"[^>]* aria-invalid="true" aria-describedby="q1_seats-error"/,
    );
    expect(tooMany.text).toContain('Treasurer for six years');
    const saved = await org().form('/ballots/new', [...withAll, ['q1_seats', '2'], ['do', 'save']]);
    expect(saved.status).toBe(303);
    const location = (
      await org().request(
        'POST',
        '/ballots/new',
        new URLSearchParams([...withAll, ['q1_seats', '2'], ['do', 'refresh']]).toString(),
        { 'content-type': 'application/x-www-form-urlencoded' },
      )
    ).status;
    expect(location).toBe(200); // an unknown action just shows the form again: nothing saved twice
    const list = (await org().json('GET', '/api/v1/ballots')).body as Array<{ id: string; title: string }>;
    expect(list.map((b) => b.title)).toEqual(['Spring ballot']);
    ballotId = list[0]!.id;

    const b = (await org().json('GET', `/api/v1/ballots/${ballotId}`)).body;
    expect(b.questions.map((q: { method: string }) => q.method)).toEqual(['yesno', 'stv']);
    expect(b.questions[1].settings).toEqual({ seats: 2, rules: 'scottish' });
    expect(b.questions[1].options.map((o: { label: string }) => o.label)).toEqual(['Ann', 'Bob', 'Cat', 'Dan']);
    expect(b.questions[1].options[3].description).toBe('Treasurer for six years');
    expect(Date.parse(b.opensAt)).toBe(Date.parse(`${local(new Date(now - 120_000))}:00Z`));

    // The overview says what was built; the edit form brings it back.
    const overview = (await text(org(), `/ballots/${ballotId}?done=created`)).body;
    expect(overview).toContain('The draft ballot is created.');
    expect(overview).toContain(
      '12 delegates by Hamilton (largest remainder, Hare), shared by members of each branch; bloc rule',
    );
    expect(overview).toContain('Open the ballot and email 12 members');
    const edit = (await text(org(), `/ballots/${ballotId}/edit`)).body;
    expect(edit).toContain('value="Dan"');
    expect(edit).toMatch(/<input id="del_seats" name="del_seats" type="number" value="12"/);
  });

  test('the previews: the invitation, a test email to the organiser, the voting page', async () => {
    const p = await text(org(), `/ballots/${ballotId}/preview`);
    expect(p.body).toContain('Page Union: your vote in &quot;Spring ballot&quot;');
    expect(p.body).toContain('Dear Sam Example,');
    expect(p.body).toContain('1. Adopt the new rule book?\n2. Committee');
    const emailHtml = await text(org(), `/ballots/${ballotId}/preview/invitation.html`);
    expect(emailHtml.headers.get('content-security-policy')).toContain('sandbox');
    expect(emailHtml.body).toContain('Vote now');
    const sent = await org().form(`/ballots/${ballotId}/preview/test-email`, [['csrf', csrfOf(p.body)]]);
    expect(sent.status).toBe(303);
    const mail = await waitFor('the test email', () =>
      smtp().received.find((m) => m.to[0] === organiserEmail && readEml(m.raw).subject.startsWith('[TEST] ')),
    );
    expect(readEml(mail.raw).subject).toMatch(/^\[TEST\] Page Union: /);
    // The organisation's own name is left alone: "[TEST]" marks the subject only.
    expect(readEml(mail.raw).text).toContain('tell Page Union by replying');
    expect(mail.raw).toContain('Dear Olive,');
    const paper = (await text(org(), `/ballots/${ballotId}/preview/paper`)).body;
    expect(paper).toContain('<legend>2. Committee</legend>');
    expect(paper).toMatch(/<select id="q_1_3" name="q_1_3"[ >]/);
    expect(paper).toContain('casts no vote');
  });

  test('opening shows delivery progress; turnout rises as members vote', async () => {
    const overview = (await text(org(), `/ballots/${ballotId}`)).body;
    const unconfirmed = await org().form(`/ballots/${ballotId}/open`, [['csrf', csrfOf(overview)]]);
    expect(unconfirmed.status).toBe(422);
    expect((await org().json('GET', `/api/v1/ballots/${ballotId}`)).body.status).toBe('draft');
    const opened = await org().request(
      'POST',
      `/ballots/${ballotId}/open`,
      new URLSearchParams([
        ['csrf', csrfOf(overview)],
        ['confirm', 'yes'],
      ]).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/ballots/${ballotId}/invitations?done=opened`);
    const progress = (await text(org(), `/ballots/${ballotId}/invitations?done=opened`)).body;
    expect(progress).toMatch(/<progress id="progress-invitation" data-kind="invitation" max="12" value="\d+">/);
    expect(progress).toMatch(/<th scope="row">24 hours<\/th><td>[^<]+<\/td><td>due<\/td>/);
    const invites = await waitFor('12 invitations', () => {
      const got = smtp().received.filter(
        (m) => m.to[0] !== organiserEmail && /\/v\/[A-Za-z0-9_-]{43}\b/.test(m.raw.replace(/=\r?\n/g, '')),
      );
      return got.length >= 12 ? got : undefined;
    });
    const done = await waitFor('all sent', async () => {
      const page = (await text(org(), `/ballots/${ballotId}/invitations`)).body;
      return page.includes('12 of 12 sent, 0 waiting, 0 failed.') ? page : undefined;
    });
    expect(done).toContain('max="12" value="12"');
    expect(done).not.toContain('http-equiv="refresh"');
    // Without the bounce webhook, the page says which failures it cannot see, and how to see them.
    expect(done).toContain(
      'To see those it bounces later, turn on the bounce webhook (MAIL_EVENTS_SECRET; see the README).',
    );

    const ballot = (await org().json('GET', `/api/v1/ballots/${ballotId}`)).body;
    const [yn, stv] = ballot.questions as Array<{ id: string }>;
    const cast = async (email: string) => {
      const mail = invites.find((m) => m.to[0] === email)!;
      const token = linkIn(mail.raw).split('/v/')[1]!;
      const v = VOTES[email]!;
      const r = await new Client(app().url).json('POST', '/api/v1/vote', {
        token,
        answers: {
          [yn!.id]: v.yn === 'abstain' ? { kind: 'abstain' } : { kind: 'choice', option: v.yn },
          [stv!.id]: { kind: 'ranking', options: v.rank },
        },
      });
      expect(r.status).toBe(201);
    };
    for (const email of Object.keys(VOTES).filter((e) => e.startsWith('n'))) await cast(email);
    // 7 of 12 (58.3%): all of North, none elsewhere.
    const turnout = (await text(org(), `/ballots/${ballotId}/turnout`)).body;
    expect(turnout).toContain('<strong>7</strong> of <strong>12</strong> members voted (<strong>58.3%</strong>)');
    // With k = 2, South and East (no voters yet) cannot be shown alone — "0 of 3" would say
    // who has not voted — so they are pooled, and with North, since a pool of empty
    // branches would say the same.
    expect(turnout).toMatch(
      /<th scope="row">Pooled: East, North, South<\/th><td class="num">12<\/td><td class="num">7<\/td><td class="num">58.3<\/td>/,
    );
    expect(turnout).not.toMatch(/<th scope="row">South<\/th>/);
    expect(turnout).toMatch(/<svg class="chart" role="img"[^>]*>\s*<title id="chart\d+t">Turnout by branch/);
    for (const email of Object.keys(VOTES).filter((e) => !e.startsWith('n'))) await cast(email);
  });

  test('closing shows the results, the rounds, the delegate comparison; downloads hold the same', async () => {
    const overview = (await text(org(), `/ballots/${ballotId}`)).body;
    expect(overview).toContain('12 of 12 members have voted (100.0%)');
    const closed = await org().request(
      'POST',
      `/ballots/${ballotId}/close`,
      new URLSearchParams([
        ['csrf', csrfOf(overview)],
        ['confirm', 'yes'],
      ]).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(closed.headers.get('location')).toBe(`/ballots/${ballotId}/results?done=closed`);
    const page = (await text(org(), `/ballots/${ballotId}/results?done=closed`)).body;

    // Yes/no: Yes 5, No 6, 1 abstention; 5 of 11 is not more than half.
    expect(page).toMatch(/<th scope="row">Yes<\/th><td class="num">5<\/td><td class="num">45.5%<\/td>/);
    expect(page).toMatch(/<th scope="row">No<\/th><td class="num">6<\/td><td class="num">54.5%<\/td>/);
    expect(page).toMatch(/<th scope="row">Abstentions<\/th><td class="num">1<\/td>/);
    expect(page).toContain('<p class="bad">Not carried.</p>');

    // STV (Scottish rules, 2 seats, 12 valid votes): quota ⌊12/3⌋+1 = 5. Round 1: Ann 6 is
    // elected; her surplus of 1 passes at 1/6 = 0.16666 (5 places, truncated) on 6 papers,
    // all to Bob: 6 × 0.16666 = 0.99996, so Bob 1.99996. Bob, lowest, is excluded: his own
    // paper goes to Cat (4); the 6 transferred papers have no further choice (0.99996
    // exhausted). Dan (2) is excluded next and his papers go to Cat: 6, elected.
    expect(page).toContain('Elected: <strong>Ann, Cat</strong>.');
    expect(page).toMatch(/<th scope="row">Ann<\/th><td class="num">6\.00000<\/td><td class="num">5\.00000<\/td>/);
    expect(page).toMatch(
      /<th scope="row">Bob<\/th><td class="num">1\.00000<\/td><td class="num">1\.99996<\/td><td class="num">0\.00000<\/td>/,
    );
    expect(page).toMatch(
      /<th scope="row">Cat<\/th><td class="num">3\.00000<\/td><td class="num">3\.00000<\/td><td class="num">4\.00000<\/td><td class="num">6\.00000<\/td>/,
    );
    expect(page).toMatch(
      /<th scope="row">Exhausted<\/th><td class="num">0\.00000<\/td><td class="num">0\.00000<\/td><td class="num">0\.99996<\/td>/,
    );
    expect(page).toMatch(/<th scope="row">Quota<\/th>(<td class="num">5\.00000<\/td>){4}/);
    expect(page).toContain('<title id="chart');
    expect(page).toMatch(
      /Transfers, round by round<\/title><desc[^>]*>Round 2: surplus of Ann: 0\.99996 to Bob; 0\.00000 exhausted/,
    );

    // The delegate conference: Hamilton shares 12 delegates exactly as 7/3/2 by members.
    // Bloc: North (Yes 5 to No 1) casts 7 for Yes; South and East cast 3 + 2 for No: Yes 7, No 5,
    // carried — against the members' No. A motion needs more than half of 12 delegates: 7.
    // North alone has 7, so it is pivotal in every coalition (Banzhaf and Shapley–Shubik 1),
    // and its members weigh 1 ÷ (7/12) = 12/7 ≈ 1.714 each; South and East have no power.
    expect(page).toContain('The conference would have decided differently: the members chose No, the conference Yes.');
    expect(page).toMatch(/Referendum paradox/);
    expect(page).toMatch(
      /<th scope="row">North<\/th><td class="num">7<\/td><td class="num">7<\/td><td class="num">6<\/td><td class="num">7<\/td>/,
    );
    // Power as percentages, the exact value on hover.
    expect(page).toMatch(
      /<th scope="row">North<\/th><td class="num">7<\/td><td class="num" title="1">100%<\/td><td class="num" title="1">100%<\/td><td class="num">1\.714<\/td><td class="num">1\.714<\/td>/,
    );
    expect(page).toMatch(
      /<th scope="row">South<\/th><td class="num">3<\/td><td class="num" title="0">0%<\/td><td class="num" title="0">0%<\/td><td class="num">0\.000<\/td>/,
    );
    expect(page).toContain('A motion needs 7 of 12 delegate votes.');
    // The bloc rule cannot decide two seats: said plainly, not hidden.
    expect(page).toContain(
      'The delegate comparison does not apply to this question: the bloc rule decides single places',
    );

    const csv = await org().request('GET', `/ballots/${ballotId}/results.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const csvText = await csv.text();
    expect(csvText).toContain('1,Adopt the new rule book?,yesno,(all),Yes,votes,5,no\r\n');
    expect(csvText).toContain('1,Adopt the new rule book?,yesno,(all),No,votes,6,yes\r\n');
    expect(csvText).toContain('1,Adopt the new rule book?,yesno,North,Yes,votes,5,\r\n');
    expect(csvText).toContain('2,Committee,stv,(all),Ann,first preferences,6,yes\r\n');
    expect(csvText).toContain('2,Committee,stv,(all),Dan,first preferences,2,no\r\n');
    // The comparison travels with the figures: Yes 7, No 5 delegate votes, Yes carried.
    expect(csvText).toContain('1,Adopt the new rule book?,yesno,(delegate conference),Yes,delegate votes,7,yes\r\n');

    const json = await org().json('GET', `/ballots/${ballotId}/results.json`);
    expect(json.body.turnout).toMatchObject({ eligible: 12, voted: 12 });
    expect(json.body.questions[1].elected).toEqual(['Ann', 'Cat']);

    const ballot = (await org().json('GET', `/api/v1/ballots/${ballotId}`)).body;
    const blt = await (
      await org().request('GET', `/ballots/${ballotId}/questions/${ballot.questions[1].id}/ballots.blt`)
    ).text();
    const lines = blt.trimEnd().split('\n');
    expect(lines[0]).toBe('4 2');
    // Candidates numbered from 1 (Ann 1 … Dan 4), one line per paper, in box order.
    expect(lines.slice(1, 13).sort()).toEqual(
      [...Array(6).fill('1 1 2 0'), '1 2 3 0', ...Array(3).fill('1 3 4 0'), ...Array(2).fill('1 4 3 0')].sort(),
    );
    expect(lines.slice(13)).toEqual(['0', '"Ann"', '"Bob"', '"Cat"', '"Dan"', '"Committee"']);
    // The yes/no question is not ranked: no BLT.
    expect(
      (await org().request('GET', `/ballots/${ballotId}/questions/${ballot.questions[0].id}/ballots.blt`)).status,
    ).toBe(422);

    expect(page).toContain(`href="/api/v1/ballots/${ballotId}/record"`);
    const record = await org().request('GET', `/api/v1/ballots/${ballotId}/record`);
    expect(record.status).toBe(200);
    expect((JSON.parse(await record.text()) as { votes: unknown[] }).votes).toHaveLength(12);

    const publish = await org().request(
      'POST',
      `/ballots/${ballotId}/publish`,
      new URLSearchParams([
        ['csrf', csrfOf(page)],
        ['confirm', 'yes'],
      ]).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(publish.status).toBe(303);
    const pub = await text(new Client(app().url), `/results/${ballotId}`);
    expect(pub.body).toMatch(/<th scope="row">No<\/th><td class="num">6<\/td>/);
  });

  test('API tokens: shown once, usable, revoked', async () => {
    const page = (await text(org(), '/api-tokens')).body;
    const made = await org().form('/api-tokens', [
      ['csrf', csrfOf(page)],
      ['name', 'sync script'],
    ]);
    expect(made.status).toBe(201);
    const token = /<code id="new-token">(omov_[A-Za-z0-9_-]{43})<\/code>/.exec(made.text)![1]!;
    expect(
      (await new Client(app().url).json('GET', '/api/v1/me', undefined, { authorization: `Bearer ${token}` })).body
        .email,
    ).toBe(organiserEmail);
    const listed = (await text(org(), '/api-tokens')).body;
    expect(listed).not.toContain(token);
    const id = /action="\/api-tokens\/([0-9a-f-]{36})\/revoke"/.exec(listed)![1]!;
    expect((await org().form(`/api-tokens/${id}/revoke`, [['csrf', csrfOf(listed)]])).status).toBe(303);
    expect(
      (await new Client(app().url).json('GET', '/api/v1/me', undefined, { authorization: `Bearer ${token}` })).status,
    ).toBe(401);
  });

  test('an auditor invited from the staff page reads everything and changes nothing', async () => {
    const staff = (await text(org(), '/staff')).body;
    const bad = await org().form('/staff/invite', [
      ['csrf', csrfOf(staff)],
      ['email', 'not an address'],
      ['role', 'auditor'],
      ['ballotId', ''],
    ]);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<a href="#email">');
    const invited = await org().form('/staff/invite', [
      ['csrf', csrfOf(staff)],
      ['email', 'audrey@example.org'],
      ['role', 'auditor'],
      ['ballotId', ''],
    ]);
    expect(invited.status).toBe(303);
    const mail = await waitFor('the invitation', () => smtp().received.find((m) => m.to[0] === 'audrey@example.org'));
    const token = /\/setup\/([A-Za-z0-9_-]{43})/.exec(mail.raw.replace(/=\r?\n/g, ''))![1]!;
    const auditor = new Client(app().url);
    const join = await text(auditor, `/setup/${token}`);
    expect(join.body).toContain('Join as an auditor');
    expect(
      (
        await auditor.form(`/setup/${token}`, [
          ['csrf', csrfOf(join.body)],
          ['name', 'Audrey'],
          ['password', 'another long password'],
        ])
      ).status,
    ).toBe(303);

    const home = (await text(auditor, '/')).body;
    expect(home).toContain('Spring ballot');
    expect(home).not.toContain('href="/ballots/new"');
    const results = (await text(auditor, `/ballots/${ballotId}/results`)).body;
    expect(results).toContain('Elected: <strong>Ann, Cat</strong>.');
    expect(results).not.toContain('Publish the results');
    expect((await text(auditor, '/ballots/new')).status).toBe(403);
    const overview = (await text(auditor, `/ballots/${ballotId}`)).body;
    expect(overview).not.toContain('What next');
    // A forged action is refused by the service all the same.
    const forced = await auditor.form(`/ballots/${ballotId}/reminders`, [['csrf', csrfOf(overview)]]);
    expect(forced.status).toBe(403);
    const log = (await text(auditor, '/audit')).body;
    expect(log).toContain('The chain is intact');
    for (const action of [
      'roll.import',
      'ballot.create',
      'preview.test-email',
      'ballot.open',
      'ballot.close',
      'ballot.publish',
      'staff.invite',
    ])
      expect(log).toContain(`<code>${action}</code>`);
    const verify = (await text(auditor, '/verify')).body;
    expect(verify).toContain('npx omov-verify record.json --root');
    // Where the verifier comes from: the package, built from omov's source, not from this server.
    expect(verify).toContain('<strong>@omov/core</strong>');
    expect(verify).toContain('npm install /path/to/omov-core-VERSION.tgz');
    expect(verify).not.toContain('a copy of the omov source code');
    // Which version, and where its source is published (the operator's SOURCE_URL), or that it is not said.
    expect(verify).toContain('This server runs <strong>omov 0.1.0</strong>.');
    expect(verify).toContain('has not said where it publishes that source code (the setting <code>SOURCE_URL</code>)');
    const config = app().ctx.config as { sourceUrl: string | undefined };
    config.sourceUrl = 'https://code.example.org/omov';
    try {
      expect((await text(auditor, '/verify')).body).toContain(
        'Its operator publishes that source code at <a href="https://code.example.org/omov">https://code.example.org/omov</a>',
      );
    } finally {
      config.sourceUrl = undefined;
    }
    expect(verify).toContain(`href="/api/v1/ballots/${ballotId}/record"`);
    expect((await text(auditor, `/board/${ballotId}`)).status).toBe(200);
  });

  test('every staff page carries the CSP with our script, and the script is served', async () => {
    const res = await org().request('GET', '/');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<script src="/assets/staff.js" defer></script>');
    const js = await fetch(`${app().url}/assets/staff.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('data-progress-url');
  });
});
