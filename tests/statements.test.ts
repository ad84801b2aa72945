import { Keyring } from '../src/platform/secrets';
import { LINK_PURPOSE } from '../src/services/invitations';
import { appWithSmtpPerFile, ballotTimes, Client, proposalLinkOf, setUpOrganisation } from './support/app';
import { waitFor } from './support/smtp';
import { escapeHtml } from '../src/http/html';

/**
 * The case for and the case against (docs/proposals.md): the proposer writes a member
 * proposal's case for, the office its case against and both cases of its own questions;
 * neither writes the other's (the office's try is refused and logged); statements survive an
 * edit of the draft and are fixed once it opens; the voting page shows both side by side, and
 * the invitation both, in an order drawn for each member from their link — both orders across
 * members, each member's the same every time and in their email as on their page.
 */
const { app, smtp } = appWithSmtpPerFile();

const MEMBERS = 16;
const FOR = 'Students pay the same dues on a tenth of the income.';
const AGAINST = 'The union’s budget cannot carry the loss.';

/** The HTML part of a raw message, its quoted-printable decoded. */
function htmlPart(raw: string): string {
  const start = raw.indexOf('Content-Type: text/html');
  const body = raw.slice(raw.indexOf('\r\n\r\n', start) + 4);
  const qp = body.slice(0, body.indexOf('\r\n----')).replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < qp.length; i++)
    if (qp[i] === '=' && /^[0-9A-F]{2}$/.test(qp.slice(i + 1, i + 3))) {
      bytes.push(parseInt(qp.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(qp.charCodeAt(i));
  return Buffer.from(bytes).toString('utf8');
}

/** Which side comes first in the part of a voting page about `title`. */
function firstSide(page: string, title: string): 'for' | 'against' {
  const part = page.slice(page.indexOf(`. ${title}</h3>`));
  const f = part.indexOf('<h4>The case for</h4>');
  const a = part.indexOf('<h4>The case against</h4>');
  expect(f).toBeGreaterThan(0);
  expect(a).toBeGreaterThan(0);
  return f < a ? 'for' : 'against';
}

test('each side writes its own case; every member sees both, side by side, in their own stable order', async () => {
  const org = await setUpOrganisation(app(), 'Arguing Union');
  const roll = ['email,name,branch', ...Array.from({ length: MEMBERS }, (_, i) => `c${i}@example.org,C ${i},North`)];
  expect((await org.json('POST', '/api/v1/roll/import', roll.join('\n'), { 'content-type': 'text/csv' })).status).toBe(
    200,
  );
  await org.json('PUT', '/api/v1/proposal-rules', {
    sharePercent: null,
    minBranches: 1,
    windowDays: 7,
    scheduleDays: 7,
  });
  const proposer = await app()
    .db.selectFrom('members')
    .select(['id', 'organisation_id'])
    .where('email', '=', 'c0@example.org')
    .executeTakeFirstOrThrow();
  const token = await proposalLinkOf(app().db, proposer);
  const member = new Client(app().url);
  const { id } = (
    await member.json('POST', '/api/v1/member/proposals', {
      token,
      proposal: { kind: 'motion', title: 'Halve student dues', text: 'Conference halves the dues of students.' },
    })
  ).body as { id: string };
  expect((await member.json('POST', `/api/v1/member/proposals/${id}/start`, { token })).body.stage).toBe('qualified');
  // Equal space: more than the maximum is refused, naming the field.
  const long = await member.json('PUT', `/api/v1/member/proposals/${id}/case-for`, { token, text: 'x'.repeat(2001) });
  expect(long.status).toBe(422);
  expect(long.body.errors[0].path).toMatch(/text/);
  expect((await member.json('PUT', `/api/v1/member/proposals/${id}/case-for`, { token, text: FOR })).status).toBe(200);

  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Dues ballot',
      ...ballotTimes(),
      questions: [{ title: 'Adopt the accounts?', method: 'yesno' }],
    })
  ).body as { id: string; questions: Array<{ id: string }> };
  expect((await org.json('POST', `/api/v1/proposals/${id}/schedule`, { ballotId: ballot.id })).status).toBe(200);
  const questions = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Array<{
    id: string;
    title: string;
  }>;
  const proposalQ = questions.find((q) => q.title === 'Halve student dues')!;
  const officeQ = questions.find((q) => q.title === 'Adopt the accounts?')!;
  const statements = (qid: string) => `/api/v1/ballots/${ballot.id}/questions/${qid}/statements`;

  // The office cannot write the proposers' case for: refused and logged. It writes the case against.
  const taken = await org.json('PUT', statements(proposalQ.id), { for: 'The office’s own case for.' });
  expect(taken.status).toBe(403);
  const log = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{ action: string }>;
  expect(log.some((e) => e.action === 'statement.for-refused')).toBe(true);
  const against = await org.json('PUT', statements(proposalQ.id), { against: AGAINST });
  expect(against.body).toEqual({
    for: { text: FOR, author: 'proposers' },
    against: { text: AGAINST, author: 'office' },
  });
  expect(
    (await org.json('PUT', statements(officeQ.id), { for: 'They balance.', against: 'They were late.' })).status,
  ).toBe(200);

  // An edit of the draft keeps every statement with its question.
  const edited = await org.json('PUT', `/api/v1/ballots/${ballot.id}`, {
    title: 'Dues ballot',
    ...ballotTimes(),
    questions: [
      { title: 'Adopt the accounts?', method: 'yesno' },
      { title: 'Halve student dues', description: 'Conference halves the dues of students.', method: 'yesno' },
    ],
  });
  expect(edited.status).toBe(200);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);

  // Once open, neither side can change its case.
  expect((await member.json('PUT', `/api/v1/member/proposals/${id}/case-for`, { token, text: 'Later.' })).status).toBe(
    409,
  );
  const reopened = (await org.json('GET', `/api/v1/ballots/${ballot.id}`)).body.questions as Array<{
    id: string;
    title: string;
  }>;
  expect((await org.json('PUT', statements(reopened[0]!.id), { against: 'Later.' })).status).toBe(409);

  // Every member's paper shows both cases; across members both orders occur; each member's is stable.
  const keys = new Keyring('test-secret-0123456789-0123456789-abcdef');
  const sealed = await app()
    .db.selectFrom('voting_tokens')
    .innerJoin('members', 'members.id', 'voting_tokens.member_id')
    .select(['voting_tokens.sealed_token', 'members.email'])
    .where('ballot_id', '=', ballot.id)
    .execute();
  const voters = sealed.map((t) => keys.open(LINK_PURPOSE, t.sealed_token!));
  expect(voters).toHaveLength(MEMBERS);
  const orders: string[] = [];
  for (const v of voters) {
    const first = await (await new Client(app().url).request('GET', `/v/${v}`)).text();
    expect(first).toContain(FOR);
    expect(first).toContain(AGAINST);
    expect(first).toContain('Written by the proposers.');
    expect(first).toContain('They were late.');
    const again = await (await new Client(app().url).request('GET', `/v/${v}`)).text();
    expect(firstSide(again, 'Halve student dues')).toBe(firstSide(first, 'Halve student dues'));
    orders.push(firstSide(first, 'Halve student dues'));
  }
  // Each invitation gives both cases in the order of its member's page.
  for (const [i, t] of sealed.entries()) {
    const mail = await waitFor(`the invitation to ${t.email}`, () =>
      smtp().received.find((m) => m.to[0] === t.email && /The case for and against/.test(m.raw.replace(/=\r?\n/g, ''))),
    );
    const unfolded = mail.raw.replace(/=\r?\n/g, '');
    // The part about the proposal's question, in the statements' section.
    const section = unfolded.slice(unfolded.indexOf('in an order drawn for you'));
    const text = section.slice(section.indexOf('Halve student dues'));
    const f = text.indexOf('The case for (written by the proposers)');
    const a = text.indexOf('The case against (written by the office)');
    expect(f).toBeGreaterThan(0);
    expect(a).toBeGreaterThan(0);
    expect(f < a ? 'for' : 'against').toBe(orders[i]);
    // The HTML part: the two side by side, one row with a cell for each, in the same order.
    const html = htmlPart(mail.raw);
    const row = html.slice(html.indexOf('2. Halve student dues</h2>'));
    const table = row.slice(row.indexOf('<table role="presentation" class="statements"'), row.indexOf('</table>'));
    expect(table.match(/<tr>/g)).toHaveLength(1);
    const cells = [...table.matchAll(/<td class="statement" width="50%"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
    expect(cells).toHaveLength(2);
    const [one, two] = orders[i] === 'for' ? cells : [cells[1]!, cells[0]!];
    expect(one).toContain('The case for (written by the proposers)');
    expect(one).toContain(FOR);
    expect(two).toContain('The case against (written by the office)');
    expect(two).toContain(escapeHtml(AGAINST));
    // The style that stacks the cells on a narrow screen.
    expect(html).toMatch(/@media \(max-width: 30em\) \{ td\.statement \{ display: block !important/);
  }
  // With 16 members, both orders occur unless the draw is broken (chance 2 in 65,536).
  expect(new Set(orders)).toEqual(new Set(['for', 'against']));
});
