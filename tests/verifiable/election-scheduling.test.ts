import { sql } from 'kysely';
import { makeCredentials } from '@omov/core/crypto/credential';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from '../support/app';
import { scaled, waitFor } from '../support/machine';

/**
 * An election with nominations is counted by STV, a ranked method, which a verifiable ballot
 * counts from the shuffled rankings (docs/verifiable.md; the whole count in
 * tests/verifiable/deliberation.test.ts): over HTTP, its candidates go on a verifiable draft
 * ballot, and the ballot's group becomes the ranked one, so trustees' keys and public
 * credentials made before in the homomorphic group no longer open it (409, saying to name the
 * trustees again and to make the credentials again for the ranked group) until they are made again. (A new ballot of its own is always an office ballot: its schedule takes no mode.)
 */
const { app, smtp } = appWithSmtpPerFile();
const unwrap = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
const VERIFIABLE = { kind: 'verifiable', trustees: 2, threshold: 2, credentialAuthority: 'Cara' };

test(
  "an election's STV question goes on a verifiable draft ballot, whose trustees' keys are then made in the ranked group",
  async () => {
    const org = await setUpOrganisation(app(), 'Electing Union');
    const roll = [
      'email,name,branch',
      ...['Kit', 'Lee', 'Hana'].map((n) => `${n.toLowerCase()}@vs.example.org,${n},Leeds`),
    ];
    expect(
      (await org.json('POST', '/api/v1/roll/import', roll.join('\n'), { 'content-type': 'text/csv' })).status,
    ).toBe(200);
    const created = await org.json('POST', '/api/v1/elections', {
      title: 'Treasurer',
      description: 'One seat.',
      seats: 1,
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      threshold: { members: 1, branches: null, combine: 'either' },
      statementMax: 300,
      groups: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // Hana nominates Kit and Lee; each accepts from the link mailed to them.
    const hana = await proposalLinkOf(
      app().db,
      await app()
        .db.selectFrom('members')
        .select(['id', 'organisation_id'])
        .where('email', '=', 'hana@vs.example.org')
        .executeTakeFirstOrThrow(),
    );
    const visitor = new Client(app().url);
    for (const name of ['kit', 'lee']) {
      const nominated = await visitor.json('POST', `/api/v1/member/elections/${id}/nominations`, {
        token: hana,
        nominee: { email: `${name}@vs.example.org` },
      });
      expect(nominated.status).toBe(201);
      const mail = await waitFor(`the nomination mailed to ${name}`, () =>
        smtp().received.find((m) => m.to[0] === `${name}@vs.example.org` && unwrap(m.raw).includes('/n/')),
      );
      const token = /\/n\/([A-Za-z0-9_-]{43})/.exec(unwrap(mail.raw))![1]!;
      const answered = await visitor.json('PUT', '/api/v1/nominee/answer', {
        token,
        accept: true,
        statement: `${name} keeps the books.`,
      });
      expect(answered.status).toBe(200);
    }
    // The clock moves on: nominations close (the table's trigger keeps the rules from anyone else).
    await app()
      .db.transaction()
      .execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await sql`update elections set closes_at = now() - interval '1 second', opens_at = now() - interval '1 day' where id = ${id}`.execute(
          tx,
        );
      });

    // A verifiable draft ballot whose trustees and credential authority made their keys and
    // credentials for its yes/no question alone.
    const verifiable = await org.json('POST', '/api/v1/ballots', {
      title: 'Officers',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
      mode: VERIFIABLE,
    });
    expect(verifiable.status).toBe(201);
    const ballotId = verifiable.body.id as string;
    const organiser = (m: string, p: string, b?: unknown) => org.json(m, p, b);
    await makeTrusteeKeys(app().url, organiser, ballotId, 2, 2);
    const authority = new Client(app().url);
    const asAuthority = {
      authorization: `Bearer ${(await org.json('POST', `/api/v1/ballots/${ballotId}/credential-authority`)).body.token}`,
    };
    const authorityRoll = async () =>
      (await authority.json('GET', '/api/v1/credential-authority/roll', undefined, asAuthority)).body;
    const before = await authorityRoll();
    expect(before).toMatchObject({ group: 'BELENIOS-2048', uploadedGroup: null });
    const made = makeCredentials(
      groupNamed(before.group),
      before.electionUuid,
      before.members.map((m: { memberId: string; branch: string; weight: string }) => ({
        ...m,
        weight: BigInt(m.weight),
      })),
      systemRandom,
    );
    const uploaded = await authority.json(
      'PUT',
      '/api/v1/credential-authority/public-credentials',
      {
        credentials: made.publicCredentials.map((c) => ({
          credential: String(c.credential),
          weight: String(c.weight),
          branch: c.branch,
        })),
      },
      asAuthority,
    );
    expect(uploaded.status).toBe(200);
    expect(await authorityRoll()).toMatchObject({ group: 'BELENIOS-2048', uploadedGroup: 'BELENIOS-2048' });

    // The election goes on it.
    const scheduled = await org.json('POST', `/api/v1/elections/${id}/schedule`, { ballotId });
    expect(scheduled.status === 200 ? 200 : JSON.stringify(scheduled.body)).toBe(200);
    const questions = (await org.json('GET', `/api/v1/ballots/${ballotId}`)).body.questions;
    expect(questions.map((q: { method: string }) => q.method)).toEqual(['yesno', 'stv']);
    const schedules = await app()
      .db.selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'election.schedule')
      .where('subject', '=', id)
      .execute();
    expect(schedules).toHaveLength(1);

    // The authority's roll says the group is now the ranked one, and their credentials were not made in it.
    expect(await authorityRoll()).toMatchObject({ group: 'RFC-3526-2048', uploadedGroup: 'BELENIOS-2048' });

    // The keys and credentials were made in the homomorphic group: the ballot cannot open on
    // them, and says why, both at once.
    const refused = await org.json('POST', `/api/v1/ballots/${ballotId}/open`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(
      /^the ballot cannot open: the public credentials were made in BELENIOS-2048, and the ballot's questions now need RFC-3526-2048 \(a ranked question was added or removed after they were uploaded\): the credential authority must generate and upload the credentials again for RFC-3526-2048; .*; where the questions changed after the trustees made their keys, name the trustees again$/,
    );
    expect((await org.json('GET', `/api/v1/ballots/${ballotId}`)).body.status).toBe('draft');

    // Named again, the trustees make their keys in the ranked group; the credentials still stop it.
    await makeTrusteeKeys(app().url, organiser, ballotId, 2, 2);
    const stillRefused = await org.json('POST', `/api/v1/ballots/${ballotId}/open`, {});
    expect(stillRefused.status).toBe(409);
    expect(stillRefused.body.detail).toBe(
      "the ballot cannot open: the public credentials were made in BELENIOS-2048, and the ballot's questions now need RFC-3526-2048 (a ranked question was added or removed after they were uploaded): the credential authority must generate and upload the credentials again for RFC-3526-2048",
    );
    expect((await org.json('GET', `/api/v1/ballots/${ballotId}`)).body.status).toBe('draft');

    // The authority's roll says which group to make them in; made again in it, the ballot opens.
    await makeMemberCredentials(app().url, organiser, ballotId);
    const recorded = await app()
      .db.selectFrom('ballot_credential_authorities')
      .select('credentials_group')
      .where('ballot_id', '=', ballotId)
      .executeTakeFirstOrThrow();
    expect(recorded.credentials_group).toBe('RFC-3526-2048');
    const opened = await org.json('POST', `/api/v1/ballots/${ballotId}/open`, {});
    expect(opened.status === 200 ? 200 : JSON.stringify(opened.body)).toBe(200);
  },
  scaled(300_000),
);
