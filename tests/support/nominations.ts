import { sql } from 'kysely';
import { ballotTimes, Client, proposalLinkOf, type TestApp } from './app';
import { type SmtpSink, waitFor } from './smtp';

/**
 * An election with nominations put on a new draft ballot through the server, as members and
 * nominees would (docs/elections.md, "Nominations"): one seat, one member's nomination
 * enough; `nominator` nominates each of `nominees` (email: the statement they accept with),
 * each accepts from the link mailed to them; then the clock moves past the nominations'
 * close (below the service, as the table's trigger keeps the times from anyone else) and the
 * office puts it on a draft ballot beside a yes/no question.
 */
export async function electionOnBallot(
  app: TestApp,
  smtp: SmtpSink,
  org: Client,
  title: string,
  nominator: string,
  nominees: Record<string, string>,
): Promise<{ electionId: string; ballotId: string; questionId: string; otherQuestionId: string }> {
  const created = await org.json('POST', '/api/v1/elections', {
    title,
    description: 'One seat.',
    seats: 1,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    threshold: { members: 1, branches: null, combine: 'either' },
    statementMax: 300,
    groups: [],
  });
  if (created.status !== 201) throw new Error(`the election was not created: ${JSON.stringify(created.body)}`);
  const electionId = created.body.id as string;
  const linkOf = async (email: string) =>
    proposalLinkOf(
      app.db,
      await app.db
        .selectFrom('members')
        .select(['id', 'organisation_id'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow(),
    );
  const visitor = new Client(app.url);
  const token = await linkOf(nominator);
  const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
  for (const [email, statement] of Object.entries(nominees)) {
    const r = await visitor.json('POST', `/api/v1/member/elections/${electionId}/nominations`, {
      token,
      nominee: { email },
    });
    if (r.status !== 201) throw new Error(`${email} was not nominated: ${JSON.stringify(r.body)}`);
    const mail = await waitFor(`the nomination mailed to ${email}`, () =>
      smtp.received.find((m) => m.to[0] === email && /\/n\/[A-Za-z0-9_-]{43}/.test(unfolded(m.raw))),
    );
    const answered = await visitor.json('PUT', '/api/v1/nominee/answer', {
      token: /\/n\/([A-Za-z0-9_-]{43})/.exec(unfolded(mail.raw))![1],
      accept: true,
      statement,
      groups: [],
    });
    if (answered.status !== 200) throw new Error(`${email} did not accept: ${JSON.stringify(answered.body)}`);
  }
  await app.db.transaction().execute(async (tx) => {
    await sql`set local session_replication_role = replica`.execute(tx);
    await sql`update elections set closes_at = now() - interval '1 second', opens_at = now() - interval '1 day' where id = ${electionId}`.execute(
      tx,
    );
  });
  const ballot = await org.json('POST', '/api/v1/ballots', {
    title: `${title} ballot`,
    ...ballotTimes(),
    questions: [{ title: 'Adopt the report?', method: 'yesno' }],
  });
  const ballotId = ballot.body.id as string;
  const scheduled = await org.json('POST', `/api/v1/elections/${electionId}/schedule`, { ballotId });
  if (scheduled.status !== 200) throw new Error(`the election was not scheduled: ${JSON.stringify(scheduled.body)}`);
  const questions = (await org.json('GET', `/api/v1/ballots/${ballotId}`)).body.questions as Array<{
    id: string;
    title: string;
  }>;
  return {
    electionId,
    ballotId,
    questionId: questions.find((q) => q.title === title)!.id,
    otherQuestionId: questions.find((q) => q.title === 'Adopt the report?')!.id,
  };
}
