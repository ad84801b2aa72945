import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import { startSmtpSink } from '../support/smtp';

/**
 * The credential authority delivers the private credentials by their own route
 * (docs/verifiable.md): `omov credentials send` through their own SMTP server (a real one on
 * loopback here), resumable without sending anyone two, and `omov credentials letters`.
 */
let app: TestApp;
let dir: string;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let privateLines: string[];
const ROLL = [
  'email,name,branch,weight',
  ...Array.from({ length: 5 }, (_, i) => `n${i}@example.org,North ${i},North,1`),
  `s0@example.org,"O'Brien <Sam>",South,2`,
].join('\n');
const at = (name: string) => path.join(dir, name);

beforeAll(async () => {
  app = await startTestApp();
  sink = await startSmtpSink();
  const org = await setUpOrganisation(app);
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${ROLL}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-delivery-'));
  const b = (
    await org.json('POST', '/api/v1/ballots', {
      title: 'Delivery',
      questions: [{ title: 'Adopt?', method: 'yesno' }],
      ...ballotTimes(),
      mode: { kind: 'verifiable', trustees: 1, threshold: 1, credentialAuthority: 'Cara' },
    })
  ).body;
  const token = (await org.json('POST', `/api/v1/ballots/${b.id}/credential-authority`)).body.token;
  const get = (p: string) =>
    new Client(app.url).json('GET', `/api/v1/credential-authority/${p}`, undefined, {
      authorization: `Bearer ${token}`,
    });
  // The organiser's session does not read the addresses: only the authority's token does.
  expect((await org.json('GET', '/api/v1/credential-authority/addresses')).status).toBe(401);
  const addresses = await get('addresses');
  expect(addresses.status).toBe(200);
  expect(addresses.body.members).toHaveLength(6);
  fs.writeFileSync(at('addresses.json'), JSON.stringify(addresses.body));
  fs.writeFileSync(at('roll.json'), JSON.stringify((await get('roll')).body));
  const made = await omov(
    'credentials',
    'generate',
    '--roll',
    at('roll.json'),
    '--private-out',
    at('private.csv'),
    '--public-out',
    at('public.json'),
  );
  expect(made.code).toBe(0);
  privateLines = fs.readFileSync(at('private.csv'), 'utf8').trim().split('\n').slice(1);
});
afterAll(async () => {
  await sink?.close();
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const send = (...more: string[]) =>
  omov(
    'credentials',
    'send',
    '--private',
    at('private.csv'),
    '--addresses',
    at('addresses.json'),
    '--from',
    'cara@authority.example',
    '--smtp-host',
    '127.0.0.1',
    '--smtp-port',
    String(sink.port),
    '--progress',
    at('progress.txt'),
    '--link',
    'https://vote.example/v',
    ...more,
  );

test('send mails each member their own credential through the given SMTP server, and a second run sends nobody two', async () => {
  const dry = await send('--dry-run');
  expect(dry.code).toBe(0);
  expect(dry.out).toContain('Would send 6 message(s)');
  expect(dry.out).toContain('XXX-XXX-XXX-XXX-XXX');
  for (const line of privateLines) expect(dry.out).not.toContain(line.split(',')[1]);
  expect(sink.received).toHaveLength(0);

  // The server refuses every message: nobody is marked sent, and the command says to run it again.
  sink.setRefusing(true);
  const refused = await send();
  expect(refused.code).toBe(2);
  expect(refused.err).toMatch(/failed: .*run the same command again/);
  sink.setRefusing(false);

  // Say one got theirs before a crash: the next run sends the other five, once each.
  const first = privateLines[0]!.split(',')[0]!;
  fs.appendFileSync(at('progress.txt'), `${first}\n`);
  const ok = await send();
  expect(ok.code).toBe(0);
  expect(ok.err).toContain('5 sent now, 6 of 6 in all');
  expect(sink.received).toHaveLength(5);
  const addresses = JSON.parse(fs.readFileSync(at('addresses.json'), 'utf8')).members as Array<{
    memberId: string;
    email: string;
  }>;
  for (const line of privateLines.slice(1)) {
    const [memberId, credential] = line.split(',') as [string, string];
    const email = addresses.find((a) => a.memberId === memberId)!.email;
    const mails = sink.received.filter((m) => m.to.includes(email));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.raw).toContain(credential);
    expect(mails[0]!.raw).toContain('https://vote.example/v');
    expect(mails[0]!.from).toBe('cara@authority.example');
  }
  const again = await send();
  expect(again.code).toBe(0);
  expect(again.err).toContain('0 sent now, 6 of 6 in all');
  expect(sink.received).toHaveLength(5);
});

test('a template with an unknown placeholder or without the credential is refused before anything goes', async () => {
  fs.writeFileSync(at('typo.txt'), 'Subject: Hi {{nmae}}\n\nYours: {{credential}}\n');
  const typo = await send('--template', at('typo.txt'), '--progress', at('other-progress.txt'));
  expect(typo.code).toBe(2);
  expect(typo.err).toContain('{{nmae}} is not a placeholder');
  fs.writeFileSync(at('bare.txt'), 'Subject: Hi\n\nNothing here\n');
  const bare = await send('--template', at('bare.txt'), '--progress', at('other-progress.txt'));
  expect(bare.code).toBe(2);
  expect(bare.err).toContain('must give {{credential}}');
  expect(fs.existsSync(at('other-progress.txt'))).toBe(false);
});

test('letters writes one printable page per member, escaped, readable by the authority only', async () => {
  const made = await omov(
    'credentials',
    'letters',
    '--private',
    at('private.csv'),
    '--addresses',
    at('addresses.json'),
    '--out',
    at('letters.html'),
  );
  expect(made.code).toBe(0);
  const text = fs.readFileSync(at('letters.html'), 'utf8');
  expect(fs.statSync(at('letters.html')).mode & 0o077).toBe(0);
  expect(text.match(/<section class="letter"/g)).toHaveLength(6);
  expect(text).toMatch(/@media print[^}]*\.letter \{[^}]*break-after: page/);
  expect(text).toContain('O&#39;Brien &lt;Sam&gt;');
  expect(text).not.toContain('<Sam>');
  for (const line of privateLines) expect(text).toContain(line.split(',')[1]);
  // Never written over: the letters hold the secrets.
  const again = await omov(
    'credentials',
    'letters',
    '--private',
    at('private.csv'),
    '--addresses',
    at('addresses.json'),
    '--out',
    at('letters.html'),
  );
  expect(again.code).toBe(2);
});
