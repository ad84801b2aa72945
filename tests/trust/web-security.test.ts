import { sql } from 'kysely';
import { createSetupLink } from '../../src/services/auth';
import { privacyProblems } from '../../src/services/safety';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/machine';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

describe('headers', () => {
  test('a strict CSP, no referrer, no framing, no sniffing on every page', async () => {
    for (const path of ['/', '/signin', `/v/${'A'.repeat(43)}`, '/link', '/api/docs']) {
      const res = await fetch(app.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
  test('voting pages are never cached', async () => {
    const res = await fetch(`${app.url}/v/${'A'.repeat(43)}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
  test('session cookies are HttpOnly, SameSite and Secure outside development', async () => {
    const link = await createSetupLink(app.ctx);
    const res = await fetch(`${app.url}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        setupToken: link.split('/setup/')[1],
        organisationName: 'Cookie Co',
        name: 'C',
        email: 'cookie@example.org',
        password: 'a long enough password',
      }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('omov_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i);
  });
});

describe('bodies', () => {
  test("a stranger's upload to a route that needs signing in is refused 401 before it is read, however large", async () => {
    const big = `email,name,branch\n${'x@example.org,X,North\n'.repeat(1_000_000)}`; // ≈ 23 MB, beyond the 20 MB an organiser may send
    const res = await fetch(`${app.url}/api/v1/roll/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: big,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/sign in/);
  });
  test('the bounce webhook takes a message of at most 2 MB', async () => {
    const res = await fetch(`${app.url}/api/v1/mail-events/dsn`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', authorization: 'Bearer x' },
      body: `Subject: x\r\n\r\n${'y'.repeat(3_000_000)}`,
    });
    expect(res.status).toBe(413);
  });
});

describe('CSRF', () => {
  test('pre-session forms need the form cookie echoed; voting forms need their token', async () => {
    const noToken = await fetch(`${app.url}/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.org&password=x',
    });
    expect(noToken.status).toBe(403);
    const c = new Client(app.url);
    const form = await (await c.request('GET', '/signin')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
    const ok = await c.form('/signin', [
      ['csrf', csrf],
      ['email', 'nobody@example.org'],
      ['password', 'wrong wrong wrong'],
    ]);
    expect(ok.status).toBe(401);
    // Another client's token is no good with this client's cookie.
    const other = new Client(app.url);
    await other.request('GET', '/signin');
    expect(
      (
        await other.form('/signin', [
          ['csrf', csrf],
          ['email', 'x@example.org'],
          ['password', 'y'],
        ])
      ).status,
    ).toBe(403);
  });
  test('a signed-in JSON request from another site is refused', async () => {
    const org = await setUpOrganisation(app);
    const r = await org.json(
      'POST',
      '/api/v1/ballots',
      { title: 'X', ...ballotTimes(), questions: [{ title: 'Q', method: 'yesno' }] },
      { origin: 'https://evil.example' },
    );
    expect(r.status).toBe(403);
  });
  test('organiser forms refuse a missing or wrong token', async () => {
    const org = await setUpOrganisation(app);
    const b = (
      await org.json('POST', '/api/v1/ballots', {
        title: 'X',
        ...ballotTimes(),
        questions: [{ title: 'Q', method: 'yesno' }],
      })
    ).body;
    const r = await org.form(`/ballots/${b.id}/open`, [['csrf', 'forged']]);
    expect(r.status).toBe(403);
    expect((await org.json('GET', `/api/v1/ballots/${b.id}`)).body.status).toBe('draft');
  });
});

describe('rate limits (kept in PostgreSQL, shared by instances)', () => {
  test('sign-in attempts for one email are limited, and the refusal says when to retry', async () => {
    const c = new Client(app.url);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await c.request('POST', '/api/v1/session', { email: 'target@example.org', password: 'guess guess guess' });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
  test('the limit holds across two instances of the server', async () => {
    const second = await startTestApp({ db: { db: app.db, url: app.dbUrl } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const to = i % 2 === 0 ? app.url : second.url;
        statuses.push(
          (await new Client(to).json('POST', '/api/v1/link-requests', { email: 'shared@example.org' })).status,
        );
      }
      expect(statuses).toEqual([202, 202, 202, 429]);
    } finally {
      await second.stop();
    }
  });
  test('guessing voting links from one address is limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++)
      statuses.push(
        (await fetch(`${app.url}/v/${String(i).padStart(43, 'Q')}`, { headers: { 'x-forwarded-for': '203.0.113.9' } }))
          .status,
      );
    expect(statuses.slice(0, 60).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(60)).toEqual([429, 429]);
  });
});

describe('the link request never tells whether an address is on a roll', () => {
  test('same answer for a member and a stranger', async () => {
    const org = await setUpOrganisation(app);
    await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nknown@example.org,Known,B\n', {
      'content-type': 'text/csv',
    });
    const b = (
      await org.json('POST', '/api/v1/ballots', {
        title: 'X',
        ...ballotTimes(),
        questions: [{ title: 'Q', method: 'yesno' }],
      })
    ).body;
    await org.json('POST', `/api/v1/ballots/${b.id}/open`);
    const known = await new Client(app.url).json('POST', '/api/v1/link-requests', { email: 'known@example.org' });
    const stranger = await new Client(app.url).json('POST', '/api/v1/link-requests', { email: 'stranger@example.org' });
    expect(known).toEqual(stranger);
    // The member's link was in fact replaced (issue number 2), after the answer.
    const issued = await waitFor('the replaced link', async () => {
      const row = await app.db
        .selectFrom('voting_tokens')
        .select('issue_number')
        .where('ballot_id', '=', b.id)
        .executeTakeFirstOrThrow();
      return row.issue_number > 1 ? row.issue_number : undefined;
    });
    expect(issued).toBe(2);
  });
});

describe('audit log', () => {
  test('every action is logged in a chain the application cannot rewrite', async () => {
    const org = await setUpOrganisation(app);
    await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nx@example.org,X,B\n', {
      'content-type': 'text/csv',
    });
    const b = (
      await org.json('POST', '/api/v1/ballots', {
        title: 'Logged',
        ...ballotTimes(),
        questions: [{ title: 'Q', method: 'yesno' }],
      })
    ).body;
    await org.json('POST', `/api/v1/ballots/${b.id}/open`);
    await org.json('POST', `/api/v1/ballots/${b.id}/close`);
    const log = (await org.json('GET', '/api/v1/audit-log')).body;
    expect(log.chain).toBe('intact');
    expect(log.entries.map((e: { action: string }) => e.action)).toEqual([
      'organisation.create',
      'roll.import',
      'ballot.create',
      'ballot.open',
      'ballot.commit-open',
      'ballot.close',
    ]);
    expect(log.entries[5].details.boxRoot).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      sql`update audit_log set action = 'nothing' where action = 'ballot.open'`.execute(app.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(app.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(app.db)).rejects.toThrow(/append-only/);
  });
});

describe('unsafe PostgreSQL settings', () => {
  test('commit timestamps and statement logging are named as problems', () => {
    expect(
      privacyProblems({
        track_commit_timestamp: 'off',
        log_statement: 'none',
        log_min_duration_statement: '-1',
        log_duration: 'off',
      }),
    ).toEqual([]);
    const p = privacyProblems({
      track_commit_timestamp: 'on',
      log_statement: 'all',
      log_min_duration_statement: '0',
      log_duration: 'on',
    });
    expect(p).toHaveLength(4);
  });
});

describe('setup and invitation links', () => {
  test('work once, and not after seven days', async () => {
    const old = await createSetupLink(app.ctx);
    await sql`update setup_links set created_at = now() - interval '8 days' where used_at is null`.execute(app.db);
    const fresh = await createSetupLink(app.ctx);
    const body = (link: string, email: string) => ({
      setupToken: link.split('/setup/')[1],
      organisationName: 'Org',
      name: 'N',
      email,
      password: 'a long enough password',
    });
    const expired = await new Client(app.url).json('POST', '/api/v1/setup', body(old, 'old@example.org'));
    expect(expired.status).toBe(404);
    expect(expired.body.detail).toMatch(/expired/);
    expect((await new Client(app.url).json('POST', '/api/v1/setup', body(fresh, 'fresh@example.org'))).status).toBe(
      201,
    );
    expect((await new Client(app.url).json('POST', '/api/v1/setup', body(fresh, 'again@example.org'))).status).toBe(
      404,
    );
  });
});

describe('public pages with an id in the path', () => {
  test('a malformed id is a plain 404, never a database error', async () => {
    for (const path of [
      '/results/not-a-uuid',
      '/board/not-a-uuid',
      `/board/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
    ]) {
      expect((await fetch(app.url + path)).status).toBe(404);
    }
  });
});
