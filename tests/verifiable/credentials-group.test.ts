import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, type Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { scaled } from '../support/machine';

/**
 * The public credentials must be elements of the ballot's group, which its questions choose
 * (docs/verifiable.md, "The group"): the group they were checked in at their upload is
 * recorded, and the opening compares it with the group the questions need now. A ranked
 * question removed after the upload (the other way from tests/verifiable/election-scheduling.test.ts)
 * stops the opening; credentials uploaded before the group was recorded are checked one by one.
 */
let app: TestApp;
let org: Client;
beforeAll(async () => {
  app = await startTestApp();
  org = await setUpOrganisation(app);
  const roll = ['email,name,branch', 'a@group.example.org,A,North', 'b@group.example.org,B,South'];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
});
afterAll(() => app.close());

const MODE = { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' };
const draft = (ranked: boolean) => ({
  title: 'Officers',
  questions: [
    { title: 'Adopt the accounts?', method: 'yesno' },
    ...(ranked ? [{ title: 'Chair', method: 'irv', options: [{ label: 'Eve' }, { label: 'Fin' }] }] : []),
  ],
  ...ballotTimes(),
  mode: MODE,
});

test(
  'credentials made for a ranked question no longer open the ballot once it is removed; recorded or not, their group is checked',
  async () => {
    const created = await org.json('POST', '/api/v1/ballots', draft(true));
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const organiser = (m: string, p: string, b?: unknown) => org.json(m, p, b);
    await makeTrusteeKeys(app.url, organiser, id, 1, 1);
    await makeMemberCredentials(app.url, organiser, id);
    const open = () => org.json('POST', `/api/v1/ballots/${id}/open`, {});
    const setRecordedGroup = (group: string | null) =>
      app.db
        .updateTable('ballot_credential_authorities')
        .set({ credentials_group: group })
        .where('ballot_id', '=', id)
        .execute();

    // The ranked question goes: the ballot's group is the homomorphic one, and neither the
    // trustees' keys nor the credentials are in it.
    expect((await org.json('PUT', `/api/v1/ballots/${id}`, draft(false))).status).toBe(200);
    const refused = await open();
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(
      /^the ballot cannot open: the public credentials were made in RFC-3526-2048, and the ballot's questions now need BELENIOS-2048 \(a ranked question was added or removed after they were uploaded\): the credential authority must generate and upload the credentials again for BELENIOS-2048; .*name the trustees again$/,
    );

    // Credentials uploaded before their group was recorded are checked one by one: not one is in this group.
    await setRecordedGroup(null);
    const unrecorded = await open();
    expect(unrecorded.status).toBe(409);
    expect(unrecorded.body.detail).toMatch(
      /^the ballot cannot open: the public credentials were made in another group, and the ballot's questions now need BELENIOS-2048 /,
    );

    // The ranked question back, the credentials are elements of the group again: checked one by one, they open it.
    expect((await org.json('PUT', `/api/v1/ballots/${id}`, draft(true))).status).toBe(200);
    const opened = await open();
    expect(opened.status === 200 ? 200 : JSON.stringify(opened.body)).toBe(200);
    expect((await org.json('GET', `/api/v1/ballots/${id}`)).body.status).toBe('open');
  },
  scaled(120_000),
);
