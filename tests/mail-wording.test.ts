import { readEml } from '../src/mail/eml';
import { linkIn, waitFor } from './support/smtp';
import { appWithSmtpPerFile, ballotTimes, Client, setUpOrganisation } from './support/app';
import { postVote, tokensOf } from './support/integrity';

/**
 * A ballot's own wording of its emails, through a real SMTP server on loopback: the subject,
 * the opening and the contact address reach the members; organisers' text is plain text
 * with known placeholders only; a re-issued link says it replaces the earlier one, which no
 * longer works; a test copy is marked in its subject, not in the organisation's name.
 */
const { app, smtp } = appWithSmtpPerFile();

const mailsTo = (to: string) => smtp().received.filter((m) => m.to[0] === to);

test('own subject, opening and contact reach members; re-issued links say they replace the old one', async () => {
  const org = await setUpOrganisation(app(), 'Wording <Union>');
  const csv = ['email,name,branch', 'ada@example.org,Ada <b>Lovelace</b>,North', 'bob@example.org,Bob,South'].join(
    '\n',
  );
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Rule book',
      ...ballotTimes(),
      questions: [{ title: 'Adopt?', method: 'yesno' }],
    })
  ).body;

  // Unknown placeholders, a two-line subject and a bad address: refused, naming the field, nothing saved.
  const bad = await org.json('PUT', `/api/v1/ballots/${ballot.id}/mail`, {
    invitation: { subject: 'Vote {{link}}\nnow', opening: 'Hello {{ secret }}' },
    replyTo: 'not an address',
  });
  expect(bad.status).toBe(422);
  const said = JSON.stringify(bad.body);
  expect(said).toContain('{{link}} is not a placeholder');
  expect(said).toContain('must be one line');
  expect(said).toContain('must be an email address');
  expect((await org.json('GET', `/api/v1/ballots/${ballot.id}/mail`)).body.replyTo).toBeNull();
  const tooLong = await org.json('PUT', `/api/v1/ballots/${ballot.id}/mail`, {
    reminder: { opening: 'x'.repeat(2001) },
  });
  expect(tooLong.status).toBe(422);

  const wording = {
    invitation: {
      subject: 'Have your say, {{memberName}}: {{ballotTitle}}',
      opening: 'The committee asks every member to vote on <b>{{ballotTitle}}</b>.\nIt matters.',
    },
    reminder: { subject: 'Last call: {{ballotTitle}} closes {{closesAt}}', opening: null },
    replyTo: 'office@wording.example.org',
  };
  const saved = await org.json('PUT', `/api/v1/ballots/${ballot.id}/mail`, wording);
  expect(saved.status).toBe(200);
  expect(saved.body).toEqual({ ...wording, confirmVotes: false });

  // The test copy: the real invitation, "[TEST]" first in its subject, the organisation's name untouched.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/test-email`)).status).toBe(202);
  await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  await waitFor('two invitations and the test', () =>
    mailsTo('ada@example.org').length && mailsTo('bob@example.org').length && smtp().received.length >= 3
      ? true
      : undefined,
  );
  const test = smtp().received.find((m) => readEml(m.raw).subject.startsWith('[TEST] '))!;
  expect(readEml(test.raw).subject).toBe('[TEST] Have your say, Olive Organiser: Rule book');
  expect(readEml(test.raw).text).toContain('tell Wording <Union> by replying');

  const ada = mailsTo('ada@example.org')[0]!;
  const mail = readEml(ada.raw);
  expect(mail.subject).toBe('Have your say, Ada <b>Lovelace</b>: Rule book');
  expect(mail.text).toMatch(/The committee asks every member to vote on <b>Rule book<\/b>\.\r?\nIt matters\./);
  expect(mail.text).toContain('Questions about this ballot: office@wording.example.org');
  // The auditors' report form for this ballot, for a link that says "already used" or "not valid".
  expect(mail.text).toContain(
    `tell the ballot's auditors (the people who check the ballot for the members): ${app().url}/report/${ballot.id}`,
  );
  expect(readEml(test.raw).text).toContain(`/report/${ballot.id}`);
  // The API, like the page, can send the reminder as the test instead; anything else is named.
  const wrongKind = await org.json('POST', `/api/v1/ballots/${ballot.id}/test-email`, { kind: 'notice' });
  expect(wrongKind.status).toBe(422);
  expect(wrongKind.body.errors).toEqual([{ path: 'kind', message: 'choose "invitation" or "reminder"' }]);
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/test-email`, { kind: 'reminder' })).status).toBe(202);
  const testReminder = await waitFor('the test reminder', () =>
    smtp().received.find((m) => readEml(m.raw).subject.startsWith('[TEST] Last call')),
  );
  expect(testReminder.to).toEqual(test.to);
  expect(readEml(testReminder.raw).subject).toMatch(/^\[TEST\] Last call: Rule book closes /);
  expect(mail.text).not.toContain('replaces the one we sent you earlier');
  // Organisers' text is never markup in the HTML part.
  expect(mail.html).toContain('vote on &lt;b&gt;Rule book&lt;/b&gt;');
  expect(mail.html).not.toContain('<b>Lovelace');
  expect(ada.raw).toMatch(/^Reply-To: office@wording\.example\.org$/m);

  // Re-issue: the new email says it replaces the earlier one, and the earlier link dies.
  const oldLink = linkIn(ada.raw);
  const members = (await org.json('GET', '/api/v1/members?search=ada')).body as Array<{ id: string; email: string }>;
  const adaId = members.find((m) => m.email === 'ada@example.org')!.id;
  expect((await org.request('POST', `/api/v1/ballots/${ballot.id}/electorate/${adaId}/reissue`)).status).toBe(204);
  const again = await waitFor('the new link', () => mailsTo('ada@example.org')[1]);
  const second = readEml(again.raw);
  expect(second.text).toContain('This link replaces the one we sent you earlier: that link no longer works.');
  expect(second.html).toContain('This link replaces the one we sent you earlier');
  expect(linkIn(again.raw)).not.toBe(oldLink);
  const dead = await new Client(app().url).request('GET', oldLink);
  expect(dead.status).toBeGreaterThanOrEqual(400);
  expect((await new Client(app().url).request('GET', linkIn(again.raw))).status).toBe(200);

  // The reminder: its own subject, the default opening.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/reminders`)).status).toBe(200);
  const reminder = await waitFor('a reminder', () =>
    mailsTo('bob@example.org').find((m) => readEml(m.raw).subject.startsWith('Last call')),
  );
  expect(readEml(reminder.raw).text).toContain(
    'Wording <Union> has not yet received your vote in its ballot: Rule book.',
  );

  // Closed: the wording can no longer change.
  await org.json('POST', `/api/v1/ballots/${ballot.id}/close`);
  const late = await org.json('PUT', `/api/v1/ballots/${ballot.id}/mail`, wording);
  expect(late.status).toBe(409);
  expect(JSON.stringify(late.body)).toContain('its emails can be changed until it closes');
});

test('"your vote is in": only where the voter list is shown; queued at cast, no receipt, no answers', async () => {
  const org = await setUpOrganisation(app(), 'Confirm Union');
  const csv = ['email,name,branch', 'cara@example.org,Cara,North', 'dev@example.org,Dev,North'].join('\n');
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const make = async (voterListVisible: boolean) =>
    (
      await org.json('POST', '/api/v1/ballots', {
        title: voterListVisible ? 'Shown' : 'Aggregate',
        ...ballotTimes(),
        voterListVisible,
        receiptPolicy: 'choices',
        questions: [{ title: 'Agree?', method: 'yesno' }],
      })
    ).body as { id: string; questions: Array<{ id: string }> };
  const aggregate = await make(false);
  const refused = await org.json('PUT', `/api/v1/ballots/${aggregate.id}/mail`, { confirmVotes: true });
  expect(refused.status).toBe(422);
  expect(JSON.stringify(refused.body)).toContain('only for a ballot that shows its voter list');

  const shown = await make(true);
  expect((await org.json('PUT', `/api/v1/ballots/${shown.id}/mail`, { confirmVotes: true })).status).toBe(200);
  await org.json('POST', `/api/v1/ballots/${shown.id}/open`);
  await waitFor('the invitations', () =>
    mailsTo('cara@example.org').length && mailsTo('dev@example.org').length ? true : undefined,
  );
  const tokens = await tokensOf(app().db, shown.id, 'test-secret-0123456789-0123456789-abcdef');
  const cast = await postVote(app().url, tokens[0]!.token, { [shown.questions[0]!.id]: { kind: 'choice', option: 0 } });
  expect(cast.status).toBe(201);
  const confirmation = await waitFor('the confirmation', () =>
    smtp().received.find((m) => readEml(m.raw).subject.includes('your vote in "Shown" is in')),
  );
  const text = readEml(confirmation.raw).text;
  expect(text).toContain('was received at');
  expect(confirmation.raw).not.toContain(cast.body.receipt!);
  expect(text).not.toMatch(/Yes|No\b/);
  // The queue row names no member and no vote: only the address it goes to.
  const rows = await app()
    .db.selectFrom('mail_outbox')
    .select(['member_id', 'payload'])
    .where('kind', '=', 'vote-confirmation')
    .execute();
  expect(rows).toHaveLength(1);
  expect(rows[0]!.member_id).toBeNull();
  expect(JSON.stringify(rows[0]!.payload)).not.toContain(cast.body.receipt!);

  // Through the voting page too (which passes the ballot's flag it read with the link).
  const voter = new Client(app().url);
  const page = await (await voter.request('GET', `/v/${tokens[1]!.token}`)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  expect(
    (
      await voter.form(`/v/${tokens[1]!.token}`, [
        ['csrf', csrf],
        ['step', 'cast'],
        ['q_0', '0'],
      ])
    ).status,
  ).toBe(201);
  expect(
    await app().db.selectFrom('mail_outbox').select('id').where('kind', '=', 'vote-confirmation').execute(),
  ).toHaveLength(2);
});
