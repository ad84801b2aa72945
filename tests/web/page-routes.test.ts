import type { Router } from 'express';
import { apiRoutes } from '../../src/http/api';
import { createApp } from '../../src/http/app';
import type { PageRoute } from '../../src/http/page-routes';
import { pageRoutes } from '../../src/http/pages';
import { ballotTimes, Client, joinByInvitation, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { startSmtpSink } from '../support/smtp';

/**
 * The page route table (src/http/pages/index.ts) walked route by route: it names every
 * route Express has, every staff page sends a stranger to sign in, every organiser-only
 * page refuses an auditor, and every page for roll readers refuses an auditor of one ballot.
 */

let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let organiser: Client;
let auditor: Client;
let ballotAuditor: Client;
let ballot: { id: string; questions: Array<{ id: string }> };
let memberId: string;
let table: PageRoute[];

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  table = pageRoutes(app.ctx);
  organiser = await setUpOrganisation(app, 'Table Union');
  await organiser.json('POST', '/api/v1/roll/import', 'email,name,branch\na@example.org,A,North\n', {
    'content-type': 'text/csv',
  });
  memberId = ((await organiser.json('GET', '/api/v1/members')).body as Array<{ id: string }>)[0]!.id;
  ballot = (
    await organiser.json('POST', '/api/v1/ballots', {
      title: 'Draft',
      ...ballotTimes(),
      questions: [{ title: 'Agree?', method: 'yesno' }],
    })
  ).body;
  auditor = await joinByInvitation(app, smtp, organiser, { role: 'auditor' }, 'auditor@example.org');
  ballotAuditor = await joinByInvitation(
    app,
    smtp,
    organiser,
    { role: 'auditor', ballotId: ballot.id },
    'ballot-auditor@example.org',
  );
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

/** "get /path" for every route Express has, through the routers mounted on the app. */
function expressRoutes(router: Router, prefix = ''): string[] {
  type Layer = {
    rawPath?: string;
    route?: { path: string; methods: Record<string, boolean> };
    handle: { stack?: Layer[] };
  };
  return (router.stack as unknown as Layer[]).flatMap((layer) => {
    if (layer.route)
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m} ${prefix}${layer.route!.path}`);
    if (layer.handle.stack) {
      const at = layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : '';
      return expressRoutes(layer.handle as unknown as Router, prefix + at);
    }
    return []; // middleware: helmet, the logger, /assets, identify, the 404 and error pages
  });
}

/** A path of the table with its parameters filled in: this organisation's ballot, member and question. */
function fill(path: string): string {
  return path
    .replace('/roll/members/:id', `/roll/members/${memberId}`)
    .replace('/api-tokens/:id', `/api-tokens/${ballot.id}`)
    .replace(':qid', ballot.questions[0]!.id)
    .replace(':id', ballot.id)
    .replace(':token', 'x'.repeat(43))
    .replace(':file', 'x.eml');
}

const csrfOf = async (c: Client) =>
  /name="csrf" value="([^"]+)"/.exec(await (await c.request('GET', '/staff')).text())![1]!;

/** A refusal is a 401 or 403, or being sent to sign in; anything else (a draft's page redirecting to its overview) is shown. */
const refusedOrShown = (res: Response) =>
  res.status === 401 || res.status === 403 || res.headers.get('location')?.startsWith('/signin') ? 'refused' : 'shown';

const signedInOnly = (r: PageRoute) => r.who === 'staff' || r.who === 'roll reader' || r.who === 'organiser';

test('the table names every route Express has, and Express has every route of the table', () => {
  const declared = [
    ...table.map((r) => `${r.method} ${r.path}`),
    ...apiRoutes(app.ctx).map((r) => `${r.method} /api/v1${r.path}`),
    // The app's own: the API's document and its page, and the health check.
    'get /api/v1/openapi.json',
    'get /api/docs',
    'get /healthz',
  ];
  const mounted = expressRoutes(createApp(app.ctx).router as unknown as Router);
  expect(mounted.filter((r) => !declared.includes(r))).toEqual([]);
  expect(declared.filter((r) => !mounted.includes(r))).toEqual([]);
  expect(new Set(mounted).size).toBe(mounted.length);
});

test('every staff page sends a stranger to sign in', async () => {
  const stranger = new Client(app.url);
  const routes = table.filter(signedInOnly);
  expect(routes.length).toBeGreaterThan(30);
  for (const r of routes) {
    const path = fill(r.path);
    const res =
      r.method === 'get'
        ? await stranger.request('GET', path)
        : await stranger.request('POST', path, 'csrf=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(`${r.method} ${r.path}: ${res.status} ${res.headers.get('location')}`).toBe(
      `${r.method} ${r.path}: 303 ${r.method === 'get' ? `/signin?${new URLSearchParams({ next: path }).toString()}` : '/signin'}`,
    );
  }
});

test('every organiser-only page refuses an auditor; the others are open to them', async () => {
  // Auditors change nothing: every staff form is for organisers, but revoking an API token of their own.
  expect(
    table.filter((r) => r.method === 'post' && signedInOnly(r) && r.who !== 'organiser').map((r) => r.path),
  ).toEqual(['/api-tokens/:id/revoke']);
  const csrf = await csrfOf(auditor);
  const organiserOnly = table.filter((r) => r.who === 'organiser');
  expect(organiserOnly.map((r) => `${r.method} ${r.path}`)).toEqual(
    expect.arrayContaining(['get /ballots/new', 'post /ballots/:id/open', 'post /staff/invite', 'get /roll/import']),
  );
  for (const r of organiserOnly) {
    const res =
      r.method === 'get'
        ? await auditor.request('GET', fill(r.path))
        : await auditor.request('POST', fill(r.path), new URLSearchParams({ csrf, confirm: 'yes' }).toString(), {
            'content-type': 'application/x-www-form-urlencoded',
          });
    const body = await res.text();
    expect(`${r.method} ${r.path}: ${res.status}`).toBe(`${r.method} ${r.path}: 403`);
    expect(body).toContain('auditors have read-only access');
  }
  // The staff pages that only read are theirs too (the services still decide what each shows).
  for (const r of table.filter((x) => x.method === 'get' && (x.who === 'staff' || x.who === 'roll reader'))) {
    const res = await auditor.request('GET', fill(r.path));
    expect(`${r.method} ${r.path}: ${refusedOrShown(res)}`).toBe(`${r.method} ${r.path}: shown`);
  }
});

test("every page of the roll refuses an auditor of one ballot, who still reads their ballot's pages", async () => {
  const rollPages = table.filter((r) => r.who === 'roll reader');
  expect(rollPages.map((r) => r.path)).toEqual(expect.arrayContaining(['/roll', '/roll/members', '/roll/members/:id']));
  for (const r of rollPages) {
    const res = await ballotAuditor.request('GET', fill(r.path));
    expect(`${r.path}: ${res.status}`).toBe(`${r.path}: 403`);
    expect(await res.text()).toContain('an auditor of one ballot cannot read the member roll');
  }
  expect((await ballotAuditor.request('GET', `/ballots/${ballot.id}`)).status).toBe(200);
});

test('the organiser is let through every page meant for staff', async () => {
  for (const r of table.filter((x) => x.method === 'get' && signedInOnly(x))) {
    const res = await organiser.request('GET', fill(r.path));
    expect(`${r.method} ${r.path}: ${refusedOrShown(res)}`).toBe(`${r.method} ${r.path}: shown`);
  }
});
