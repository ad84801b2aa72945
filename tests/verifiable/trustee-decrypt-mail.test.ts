import { encryptBallot } from '@omov/core/crypto/ballot';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { decryptTally, makeMemberCredentials, makeTrusteeKeys } from '../../bench/support/verifiable';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { startSmtpSink, waitFor } from '../support/smtp';

/**
 * The trustees' mail at tally time (docs/verifiable.md): when a verifiable ballot closes, each
 * trustee invited by email is mailed, through real SMTP on loopback, that their partial
 * decryption is needed, with a link that carries a new token (the server keeps only tokens'
 * hashes); the invitation's link stops working, a trustee named without an email keeps theirs,
 * the new links decrypt, and no token is in any log line.
 */
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let app: TestApp;
let org: Client;
const logLines: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url, logLines });
  org = await setUpOrganisation(app);
  const roll = ['email,name,branch', ...Array.from({ length: 3 }, (_, i) => `m${i}@example.org,Member ${i},North`)];
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${roll.join('\n')}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
const mailsTo = (address: string, subject: RegExp) =>
  smtp.received.filter((m) => m.to.includes(address) && subject.test(unfolded(m.raw)));
const tokenIn = (raw: string) => {
  const m = /https?:\/\/[^\s"<>]+\/trustee#([A-Za-z0-9_-]{43})/.exec(unfolded(raw));
  if (!m) throw new Error('no trustee link in the message');
  return m[1]!;
};
const trusteeTask = (token: string) =>
  new Client(app.url).json('GET', '/api/v1/trustee', undefined, { authorization: `Bearer ${token}` });
const INVITED = /names you trustee/;
const DECRYPT = /sent their partial decryption/;

test('at the close each mailed trustee gets a new link to decrypt; the old one stops working; the new ones count', async () => {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: 'Tally by mail',
    questions: [{ title: 'Adopt?', method: 'yesno' }],
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees: 3, threshold: 2, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const organiser = (method: string, p: string, body?: unknown) => org.json(method, p, body);
  const trustees = await makeTrusteeKeys(app.url, organiser, id, 3, 2, {
    names: [{ name: 'Ann', email: 'ann@example.org' }, 'Bob', { name: 'Cy', email: 'cy@example.org' }],
    tokensOf: async (answered) => {
      await waitFor('the invitations', () =>
        mailsTo('ann@example.org', INVITED).length && mailsTo('cy@example.org', INVITED).length ? true : undefined,
      );
      return [
        tokenIn(mailsTo('ann@example.org', INVITED)[0]!.raw),
        answered[1]!.token!,
        tokenIn(mailsTo('cy@example.org', INVITED)[0]!.raw),
      ];
    },
  });
  const credentials = [...(await makeMemberCredentials(app.url, organiser, id)).values()];
  expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
  // No decryption mail while the ballot is open.
  expect(mailsTo('ann@example.org', DECRYPT)).toHaveLength(0);
  const election = parseElection(await (await org.request('GET', `/api/v1/ballots/${id}/election.json`)).text());
  const ballot = encryptBallot(election, credentials[0]!, [[0, 1, 0]], systemRandom);
  const cast = await org.request('POST', `/api/v1/ballots/${id}/verifiable-ballots`, ballot.text, {
    'content-type': 'application/json',
  });
  expect(cast.status).toBe(201);
  expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBe(204);

  await waitFor('the decryption mails', () =>
    mailsTo('ann@example.org', DECRYPT).length && mailsTo('cy@example.org', DECRYPT).length ? true : undefined,
  );
  const annMail = unfolded(mailsTo('ann@example.org', DECRYPT)[0]!.raw);
  expect(annMail).toContain('trustee 1 of 3');
  expect(annMail).toContain('once 2 of the trustees');
  expect(annMail).toContain('Tally by mail');
  const [annOld, bobToken, cyOld] = trustees.tokens as [string, string, string];
  const annNew = tokenIn(annMail);
  const cyNew = tokenIn(mailsTo('cy@example.org', DECRYPT)[0]!.raw);
  expect(new Set([annOld, annNew, cyOld, cyNew]).size).toBe(4);
  // The invitations' links no longer open anything; the new ones, and Bob's unchanged one, lead to the decryption.
  expect((await trusteeTask(annOld)).status).toBe(401);
  expect((await trusteeTask(cyOld)).status).toBe(401);
  for (const [token, position] of [
    [annNew, 1],
    [bobToken, 2],
    [cyNew, 3],
  ] as const)
    expect((await trusteeTask(token)).body).toMatchObject({ position, next: 'decrypt' });
  // Bob has no address: nothing is sent in his name. Each mailed trustee gets one mail.
  expect(smtp.received.filter((m) => DECRYPT.test(unfolded(m.raw)))).toHaveLength(2);
  // The log says who was mailed, never with what.
  const log = (await org.json('GET', '/api/v1/audit-log')).body;
  expect(JSON.stringify(log)).toContain('trustees.decrypt-mailed');

  // Ann (by her new link) and Cy decrypt: the result is computed.
  await decryptTally(app.url, { tokens: [annNew, cyNew], keys: [trustees.keys[0]!, trustees.keys[2]!] }, 2);
  const results = await org.json('GET', `/api/v1/ballots/${id}/results`);
  expect(results.status).toBe(200);

  const lines = logLines.join('\n');
  for (const token of [annOld, annNew, cyOld, cyNew, bobToken]) expect(lines).not.toContain(token);
});
