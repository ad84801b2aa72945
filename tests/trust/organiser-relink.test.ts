import { appWithSmtpPerFile, ballotTimes, setUpOrganisation } from '../support/app';
import { linkIn, waitFor } from '../support/smtp';

/**
 * An attack that succeeds in the office mode, and what it leaves behind: an organiser
 * changes a member's email to an address of their own while the ballot is open, asks for
 * a new link, and votes with it. No check of the record can tell; what shows it is the
 * audit log (the member's edit and the re-issue, by that organiser) and the member, whose
 * own link now says "not valid" and points to the report form.
 */
const { app, smtp } = appWithSmtpPerFile();

test("an organiser can vote in a member's place by changing their email, and the log and the member's dead link show it", async () => {
  const org = await setUpOrganisation(app(), 'Relink Union');
  const csv = 'email,name,branch\nvictim@example.org,Vic Tim,North\nother@example.org,Ot Her,North';
  expect((await org.json('POST', '/api/v1/roll/import', csv, { 'content-type': 'text/csv' })).status).toBe(200);
  const ballot = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Relinked',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body as { id: string; questions: Array<{ id: string }> };
  expect((await org.json('POST', `/api/v1/ballots/${ballot.id}/open`)).status).toBe(200);
  const own = await waitFor('the victim’s invitation', () =>
    smtp().received.find((m) => m.to[0] === 'victim@example.org'),
  );
  const victimLink = linkIn(own.raw);

  const victim = (await org.json('GET', '/api/v1/members?search=victim@')).body[0] as { id: string };
  const edited = await org.request('PUT', `/api/v1/members/${victim.id}`, {
    email: 'organiser-inbox@example.org',
    name: 'Vic Tim',
    branch: 'North',
  });
  expect(edited.status).toBeLessThan(300);
  expect((await org.request('POST', `/api/v1/ballots/${ballot.id}/electorate/${victim.id}/reissue`)).status).toBe(204);
  const stolen = await waitFor('the re-issued link', () =>
    smtp().received.find((m) => m.to[0] === 'organiser-inbox@example.org'),
  );
  const token = linkIn(stolen.raw).split('/v/')[1]!;
  const cast = await org.json('POST', '/api/v1/vote', {
    token,
    answers: { [ballot.questions[0]!.id]: { kind: 'choice', option: 0 } },
  });
  expect(cast.status).toBe(201);

  // The member's own link is dead, and its page leads to the auditors.
  const page = await fetch(victimLink);
  expect(page.status).toBe(404);
  expect(await page.text()).toContain('href="/report"');
  // The log names the member edited (their email among the fields) and the re-issue, both by the organiser.
  const entries = (await org.json('GET', '/api/v1/audit-log')).body.entries as Array<{
    actor: string;
    action: string;
    details: Record<string, unknown>;
  }>;
  const edit = entries.find((e) => e.action === 'member.edit')!;
  const reissue = entries.find((e) => e.action === 'link.reissue')!;
  expect(edit.details).toMatchObject({ memberId: victim.id, fields: ['email'] });
  expect(reissue.details).toMatchObject({ memberId: victim.id });
  expect(edit.actor).toBe(reissue.actor);
});
