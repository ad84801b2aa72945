import { sql } from 'kysely';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from '../support/app';
import { scaled, waitFor } from '../support/machine';

/**
 * An election with nominations is counted by STV, a ranked method, which a verifiable ballot
 * cannot count yet (docs/verifiable.md): over HTTP, putting its candidates on a verifiable
 * draft ballot is refused (409, saying why) and writes nothing, and an office ballot takes it.
 * (A new ballot of its own is always an office ballot: its schedule takes no mode.)
 */
const { app, smtp } = appWithSmtpPerFile();
const unwrap = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
const VERIFIABLE = { kind: 'verifiable', trustees: 2, threshold: 2, credentialAuthority: 'Cara' };

test(
  "an election's STV question cannot go on a verifiable ballot: 409, saying why, nothing written",
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

    // A verifiable draft ballot: refused, saying why; the ballot keeps its one question, no schedule is logged.
    const verifiable = await org.json('POST', '/api/v1/ballots', {
      title: 'Officers',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
      mode: VERIFIABLE,
    });
    expect(verifiable.status).toBe(201);
    const refused = await org.json('POST', `/api/v1/elections/${id}/schedule`, { ballotId: verifiable.body.id });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(
      /^an election is counted by STV, a ranked method, and this ballot is verifiable\. A verifiable ballot counts only yes\/no, single-choice, approval and score questions for now.*: put it on an office ballot$/,
    );
    expect((await org.json('GET', `/api/v1/ballots/${verifiable.body.id}`)).body.questions).toHaveLength(1);
    const schedules = await app()
      .db.selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'election.schedule')
      .where('subject', '=', id)
      .execute();
    expect(schedules).toEqual([]);

    // An office ballot takes it.
    const office = await org.json('POST', '/api/v1/ballots', {
      title: 'Officers (office)',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    });
    const scheduled = await org.json('POST', `/api/v1/elections/${id}/schedule`, { ballotId: office.body.id });
    expect(scheduled.status).toBe(200);
    const questions = (await org.json('GET', `/api/v1/ballots/${office.body.id}`)).body.questions;
    expect(questions.map((q: { method: string }) => q.method)).toEqual(['yesno', 'stv']);
  },
  scaled(300_000),
);
