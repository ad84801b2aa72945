import { linkIn, waitFor } from './support/smtp';
import { appWithSmtpPerFile, ballotTimes, Client, setUpOrganisation } from './support/app';

/**
 * The whole flow over HTTP, with real parts: an organiser sets up, imports a roll,
 * creates and opens a ballot; the invitations reach a real SMTP server; each member's
 * link is taken from the received mail and used to vote; the organiser closes the
 * ballot and the result equals what was cast.
 */
const { app, smtp } = appWithSmtpPerFile();

const BRANCHES = ['North', 'South', 'East'];

test('organiser to members to result', async () => {
  const org = await setUpOrganisation(app(), 'Flow Union');
  const members = Array.from({ length: 24 }, (_, i) => ({
    email: `member${i}@example.org`,
    name: `Member ${i}`,
    branch: BRANCHES[i % 3]!,
  }));
  const csv = ['email,name,branch', ...members.map((m) => `${m.email},${m.name},${m.branch}`)].join('\n');
  const imported = await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' });
  expect(imported.status).toBe(200);
  expect(imported.body).toMatchObject({ applied: true, added: 24, updated: 0, removed: 0 });

  const created = await org.json('POST', '/api/v1/ballots', {
    // k = 5: every branch here has 6 or 7 voters, so each is shown on its own.
    title: 'Spring ballot',
    ...ballotTimes(),
    k: 5,
    questions: [
      { title: 'Adopt the new rule book?', method: 'yesno' },
      {
        title: 'Choose the conference city',
        method: 'plurality',
        options: [{ label: 'Leeds' }, { label: 'Bristol' }, { label: 'Glasgow' }],
      },
    ],
  });
  expect(created.status).toBe(201);
  const ballot = created.body;
  const [yesno, city] = ballot.questions;

  const opened = await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
  expect(opened.body).toMatchObject({ electorate: 24, invitationsQueued: 24 });

  await waitFor('24 invitations', () => (smtp().received.length >= 24 ? true : undefined));
  expect(new Set(smtp().received.map((m) => m.to[0])).size).toBe(24);

  // Each member votes by the link in their own email; 20 of 24 vote.
  const cast = { yes: 0, no: 0, abstain: 0, city: [0, 0, 0] };
  const receipts: string[] = [];
  for (const [i, mail] of smtp().received.slice(0, 20).entries()) {
    const link = linkIn(mail.raw);
    expect(link.startsWith(app().url)).toBe(true);
    const voter = new Client(app().url);
    const page = await voter.request('GET', link);
    expect(page.status).toBe(200);
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const yn = i % 5 === 4 ? 'abstain' : i % 3 === 0 ? '1' : '0';
    const c = String(i % 3 === 2 ? 2 : i % 2);
    if (yn === 'abstain') cast.abstain++;
    else if (yn === '0') cast.yes++;
    else cast.no++;
    cast.city[Number(c)]!++;
    const fields: Array<[string, string]> = [
      ['csrf', csrf],
      ['q_0', yn],
      ['q_1', c],
    ];
    const review = await voter.form(link, [...fields, ['step', 'review']]);
    expect(review.status).toBe(200);
    expect(review.text).toContain('Check your vote');
    const done = await voter.form(link, [...fields, ['step', 'cast']]);
    expect(done.status).toBe(201);
    receipts.push(/class="receipt">([^<]+)</.exec(done.text)![1]!);
    // The link is used up: a second visit says so.
    const again = await voter.request('GET', link);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already been used');
  }
  expect(new Set(receipts).size).toBe(20);

  const turnout = await org.json('GET', `/api/v1/ballots/${ballot.id}/turnout`);
  expect(turnout.body.voted).toBe(20);
  expect(turnout.body.eligible).toBe(24);

  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/close`)).status).toBe(204);
  const res = await org.json('GET', `/api/v1/ballots/${ballot.id}/results`);
  expect(res.status).toBe(200);
  const r = res.body;
  expect(r.turnout).toMatchObject({ eligible: 24, voted: 20, percent: '83.3' });
  expect(r.turnout.byBranch.map((b: { branch: string }) => b.branch)).toEqual(['East', 'North', 'South']);
  expect(r.turnout.byBranch.reduce((n: number, b: { voted: number }) => n + b.voted, 0)).toBe(20);
  const q1 = r.questions.find((q: { id: string }) => q.id === yesno.id);
  expect(q1.options).toEqual([
    { option: 'Yes', votes: String(cast.yes) },
    { option: 'No', votes: String(cast.no) },
  ]);
  expect(q1.abstentions).toBe(String(cast.abstain));
  expect(q1.elected).toEqual([cast.yes > cast.no ? 'Yes' : 'No']);
  const q2 = r.questions.find((q: { id: string }) => q.id === city.id);
  expect(q2.options.map((o: { votes: string }) => Number(o.votes))).toEqual(cast.city);
  const top = Math.max(...cast.city);
  const leaders = ['Leeds', 'Bristol', 'Glasgow'].filter((_, i) => cast.city[i] === top);
  expect(q2.elected).toHaveLength(1);
  expect(leaders).toContain(q2.elected[0]);
  // A tie at the top is broken by a recorded lot, never silently.
  expect(q2.count.ties.length > 0).toBe(leaders.length > 1);

  // Published: the public page lists every receipt.
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/publish`)).status).toBe(204);
  const pub = await new Client(app().url).request('GET', `/results/${ballot.id}`);
  const pubHtml = await pub.text();
  for (const code of receipts) expect(pubHtml).toContain(code);
});
