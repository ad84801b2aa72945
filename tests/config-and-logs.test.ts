import { ConfigError, loadConfig } from '../src/platform/config';
import { redactUrl } from '../src/platform/logger';
import { startSmtpSink, linkIn, waitFor } from './support/smtp';
import { ballotTimes, Client, setUpOrganisation, startTestApp } from './support/app';
import { dereference } from './support/json-schema';

describe('configuration', () => {
  test('defaults run without any variable', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      smtpUrl: undefined,
      dataDir: './.data',
    });
  });
  test('every bad variable is reported in one error', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SMTP_URL: 'http://mail', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SMTP_URL']);
  });
  test('SOURCE_URL, where the source is published for auditors: an http(s) address or nothing', () => {
    expect(loadConfig({}).sourceUrl).toBeUndefined();
    expect(loadConfig({ SOURCE_URL: 'https://code.example.org/omov' }).sourceUrl).toBe('https://code.example.org/omov');
    expect(() => loadConfig({ SOURCE_URL: 'javascript:alert(1)' })).toThrow(/SOURCE_URL: must be an http\(s\) address/);
  });
  test("the mail provider's limits are read, and a bad one is named", () => {
    expect(loadConfig({}).smtp).toEqual({ connections: 4, messagesPerConnection: 1000, ratePerSecond: 0 });
    expect(
      loadConfig({ SMTP_CONNECTIONS: '2', SMTP_MESSAGES_PER_CONNECTION: '50', SMTP_RATE_PER_SECOND: '14' }).smtp,
    ).toEqual({ connections: 2, messagesPerConnection: 50, ratePerSecond: 14 });
    expect(() => loadConfig({ SMTP_CONNECTIONS: '0', SMTP_RATE_PER_SECOND: 'fast' })).toThrow(
      /SMTP_CONNECTIONS[\s\S]*SMTP_RATE_PER_SECOND/,
    );
  });
  test('production fails closed without a secret or over plain HTTP', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /OMOV_SECRET: required in production[\s\S]*PUBLIC_URL: required/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', OMOV_SECRET: 'x'.repeat(40), PUBLIC_URL: 'http://vote.example.org' }),
    ).toThrow(/must be https/);
    expect(
      loadConfig({ NODE_ENV: 'production', OMOV_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://vote.example.org/' })
        .publicUrl,
    ).toBe('https://vote.example.org');
  });
});

describe('logs', () => {
  test('secret path segments and query values are redacted from URLs', () => {
    expect(redactUrl('/v/abcDEF_123-xyz')).toBe('/v/[redacted]');
    expect(redactUrl('/setup/abc?x=1&token=secret')).toBe('/setup/[redacted]?x=[redacted]&token=[redacted]');
    expect(redactUrl('/api/v1/ballots')).toBe('/api/v1/ballots');
  });

  test('a whole voting flow leaves no token, session id or password in the request log', async () => {
    const lines: string[] = [];
    const smtp = await startSmtpSink();
    const app = await startTestApp({ smtpUrl: smtp.url, logLines: lines });
    try {
      const org = await setUpOrganisation(app);
      await org.json('POST', '/api/v1/roll/import', 'email,name,branch\nlog@example.org,Log,B\n', {
        'content-type': 'text/csv',
      });
      const ballot = (
        await org.json('POST', '/api/v1/ballots', {
          title: 'Logged',
          ...ballotTimes(),
          questions: [{ title: 'Agree?', method: 'yesno' }],
        })
      ).body;
      await org.json('POST', `/api/v1/ballots/${ballot.id}/open`);
      const mail = await waitFor('invitation', () => smtp.received[0]);
      const link = linkIn(mail.raw);
      const token = link.split('/v/')[1]!;
      const voter = new Client(app.url);
      const page = await (await voter.request('GET', link)).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
      await voter.form(link, [
        ['csrf', csrf],
        ['q_0', '0'],
        ['step', 'cast'],
      ]);
      const signIn = new Client(app.url);
      const me = (await org.json('GET', '/api/v1/me')).body;
      await signIn.json('POST', '/api/v1/session', { email: me.email, password: 'correct horse battery staple' });
      const log = lines.join('\n');
      expect(lines.length).toBeGreaterThan(5);
      expect(log).toContain('/v/[redacted]');
      expect(log).not.toContain(token);
      expect(log).not.toContain('correct horse');
      expect(log).not.toMatch(/omov_session=[A-Za-z0-9_-]{43}/);
    } finally {
      await app.close();
      await smtp.close();
    }
  });
});

describe('API description', () => {
  test('the OpenAPI 3.1 document lists every route with its schemas; the docs page renders', async () => {
    const app = await startTestApp();
    try {
      const c = new Client(app.url);
      const res = await c.request('GET', '/api/v1/openapi.json');
      const text = await res.text();
      // Repeated schemas are shared (components.schemas), not copied out at each use: copied, the document was 2.5 MB.
      expect(text.length).toBeLessThan(1_000_000);
      expect(text).toContain('"$ref":"#/components/schemas/');
      const doc = dereference(JSON.parse(text));
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/v1/ballots', '/api/v1/ballots/{id}/open', '/api/v1/roll/import', '/api/v1/vote']),
      );
      const create = doc.paths['/api/v1/ballots'].post;
      expect(create.requestBody.content['application/json'].schema.properties.questions.type).toBe('array');
      expect(doc.paths['/api/v1/ballots/{id}'].get.parameters[0]).toMatchObject({
        name: 'id',
        in: 'path',
        required: true,
      });
      const docs = await c.request('GET', '/api/docs');
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('POST /api/v1/roll/import');
      const missing = await c.json('GET', '/api/v1/nothing-here');
      expect(missing.status).toBe(404);
      expect(missing.body.title).toBe('Not found');
    } finally {
      await app.close();
    }
  });
});
