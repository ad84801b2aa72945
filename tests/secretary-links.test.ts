import { sql } from 'kysely';
import { appWithSmtpPerFile, Client, setUpOrganisation } from './support/app';
import { rollCsv } from './support/integrity';
import { waitFor } from './support/smtp';

/**
 * A branch secretary's link is a bearer credential that travels by email, so it does not
 * last for ever: it works for SECRETARY_LINK_DAYS (30 here) after the secretary is named, the
 * mail and the organiser's list say until when, and the organiser can withdraw a secretary,
 * which stops the link at once. Expiry is tested by moving the naming back in the database.
 */
const { app, smtp } = appWithSmtpPerFile({ settings: { SECRETARY_LINK_DAYS: '30' } });
const DAY = 86_400_000;

function secretaryLink(raw: string): string {
  const m = /https?:\/\/[^\s"<>]+\/s\/([A-Za-z0-9_-]{43})/.exec(raw.replace(/=\r?\n/g, ''));
  if (!m) throw new Error('no secretary link in the message');
  return m[1]!;
}

async function named(org: Client, branch: string): Promise<{ token: string; body: Record<string, unknown> }> {
  const email = `sec-${branch.toLowerCase()}@example.org`;
  const before = smtp().received.length;
  const r = await org.json('PUT', '/api/v1/branch-secretaries', { branch, name: `${branch} Sec`, email });
  expect(r.status).toBe(200);
  const mail = await waitFor(`the link mailed to ${email}`, () =>
    smtp()
      .received.slice(before)
      .find((m) => m.to[0] === email),
  );
  expect(mail.raw.replace(/=\r?\n/g, '')).toMatch(/link works until \d/);
  return { token: secretaryLink(mail.raw), body: r.body as Record<string, unknown> };
}

test('a secretary link works for the configured days, says so, and stops once expired or withdrawn', async () => {
  const org = await setUpOrganisation(app(), 'Link Union');
  const imported = await org.json('POST', '/api/v1/roll/import', rollCsv({ Leeds: 3, York: 3 }), {
    'content-type': 'text/csv',
  });
  expect(imported.status).toBe(200);
  const secretary = new Client(app().url);
  const view = (token: string) => secretary.json('POST', '/api/v1/secretary', { token });

  const leeds = await named(org, 'Leeds');
  const expires = new Date(leeds.body.linkExpiresAt as string).getTime();
  const namedAt = new Date(leeds.body.namedAt as string).getTime();
  expect(expires - namedAt).toBe(30 * DAY);
  expect((await view(leeds.token)).status).toBe(200);

  // 31 days later (the naming moved back): refused with 403, saying when it expired; the page says the same.
  await sql`update branch_secretaries set named_at = now() - interval '31 days'
    where branch_id = (select id from branches where name = 'Leeds')`.execute(app().db);
  const expired = await view(leeds.token);
  expect(expired.status).toBe(403);
  expect(expired.body.detail).toMatch(/^this branch secretary link expired at .+: ask the organisation/);
  expect(JSON.stringify(expired.body)).not.toContain(leeds.token);
  const page = await secretary.request('GET', `/s/${leeds.token}`);
  expect(page.status).toBe(403);
  expect(await page.text()).toContain('this branch secretary link expired');
  const list = await org.json('GET', '/api/v1/branch-secretaries');
  expect(new Date(list.body[0].linkExpiresAt).getTime()).toBeLessThan(Date.now());
  expect(await (await org.request('GET', '/secretaries')).text()).toMatch(/<strong>expired<\/strong>/);

  // Named again: a new link that works; the expired one stays refused.
  const again = await named(org, 'Leeds');
  expect(again.token).not.toBe(leeds.token);
  expect((await view(again.token)).status).toBe(200);
  expect((await view(leeds.token)).status).toBe(404);

  // Withdrawn: the link stops at once, the log says who and which branch, never the link.
  const york = await named(org, 'York');
  expect((await view(york.token)).status).toBe(200);
  expect((await org.json('DELETE', '/api/v1/branch-secretaries/York')).status).toBe(204);
  expect((await view(york.token)).status).toBe(404);
  const log = JSON.stringify((await org.json('GET', '/api/v1/audit-log')).body);
  expect(log).toContain('branch-secretary.withdraw');
  expect(log).not.toContain(york.token);
  expect((await org.json('GET', '/api/v1/branch-secretaries')).body.map((s: { branch: string }) => s.branch)).toEqual([
    'Leeds',
  ]);

  // Withdrawing twice, or a branch that does not exist: 404 and 422 naming the field; strangers: 401.
  expect((await org.json('DELETE', '/api/v1/branch-secretaries/York')).status).toBe(404);
  const unknown = await org.json('DELETE', '/api/v1/branch-secretaries/Yrok');
  expect(unknown.status).toBe(422);
  expect(unknown.body.errors[0].path).toBe('branch');
  expect((await secretary.json('DELETE', '/api/v1/branch-secretaries/Leeds')).status).toBe(401);
});

test('the organiser withdraws a secretary from the secretaries page', async () => {
  const org = await setUpOrganisation(app(), 'Page Union');
  await org.json('POST', '/api/v1/roll/import', rollCsv({ Hull: 2 }), { 'content-type': 'text/csv' });
  const hull = await named(org, 'Hull');
  const page = await (await org.request('GET', '/secretaries')).text();
  expect(page).toContain('works for 30 days after they are named');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
  const posted = await org.request(
    'POST',
    '/secretaries/withdraw',
    new URLSearchParams([
      ['csrf', csrf],
      ['branch', 'Hull'],
    ]).toString(),
    { 'content-type': 'application/x-www-form-urlencoded' },
  );
  expect(posted.status).toBe(303);
  expect(posted.headers.get('location')).toBe('/secretaries?done=secretary-withdrawn');
  expect((await new Client(app().url).json('POST', '/api/v1/secretary', { token: hull.token })).status).toBe(404);
});
