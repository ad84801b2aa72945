import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encryptBallot, parseBallot, writeBallot } from '@omov/core/crypto/ballot';
import { generateCredential } from '@omov/core/crypto/credential';
import { parseElection } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { chainEvent } from '@omov/core/crypto/archive';
import { readArchiveFiles } from '@omov/core/crypto/verify-archive';
import { storedResults } from '@omov/core/record/record';
import { verifyRecord } from '@omov/core/record/verify';
import { ballotTimes, Client, setUpOrganisation, startTestApp, type TestApp } from '../support/app';
import { omov } from '../support/cli';
import {
  beleniosOnArchive,
  BELENIOS_TOOL,
  cli,
  credentialsByCli,
  trusteeApi,
  trusteeKeysByCli,
} from '../support/verifiable-cli';
import { scaled, waitFor } from '../support/machine';
import { startSmtpSink } from '../support/smtp';

/**
 * A whole verifiable election over HTTP and the CLI (docs/verifiable.md): three trustees
 * (any two decrypt) make the key with `omov trustee`, the credential authority makes the
 * credentials with `omov credentials generate`, members vote with `omov vote`; forged,
 * unsigned, replayed and foreign ballots are refused; at the close two trustees decrypt, the
 * result is what was cast, and belenios-tool 2.0, which nobody here wrote, verifies the
 * archive the server publishes and computes the same result. A ballot written into the
 * database by someone who holds no credential is caught by belenios-tool and by omov.
 */
let app: TestApp;
let org: Client;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '');
/** The message to the auditor, through the SMTP sink, that holds `text` (in its plain-text part). */
const auditorMail = (text: string) =>
  waitFor(`the auditor's mail holding ${text}`, () =>
    smtp.received.find((m) => m.to[0] === 'aud@example.org' && unfolded(m.raw).includes(text)),
  );
/** This ballot's log entry of `action`, as the database holds it. */
const logEntry = (id: string, action: string) =>
  app.db
    .selectFrom('audit_log')
    .select(['position', 'hash', 'details'])
    .where('subject', '=', id)
    .where('action', '=', action)
    .executeTakeFirst() as Promise<{ position: number; hash: string; details: Record<string, unknown> } | undefined>;
let dir: string;
const anyone = () => new Client(app.url);
// 20 members: North 12, South 8, one of whom weighs 2.
const ROLL = [
  'email,name,branch,weight',
  ...Array.from({ length: 12 }, (_, i) => `n${i}@example.org,North ${i},North,1`),
  ...Array.from({ length: 8 }, (_, i) => `s${i}@example.org,South ${i},South,${i === 0 ? 2 : 1}`),
].join('\n');

beforeAll(async () => {
  if (!fs.existsSync(BELENIOS_TOOL)) throw new Error(`${BELENIOS_TOOL} is missing: apt-get install belenios-tool`);
  smtp = await startSmtpSink();
  app = await startTestApp({ smtpUrl: smtp.url });
  org = await setUpOrganisation(app);
  // An auditor of every ballot, who is mailed the commitments at the open and the close.
  const before = smtp.received.length;
  expect(
    (await org.json('POST', '/api/v1/staff-invitations', { email: 'aud@example.org', role: 'auditor' })).status,
  ).toBe(202);
  const invite = await waitFor('invitation', () =>
    smtp.received.slice(before).find((m) => m.to[0] === 'aud@example.org'),
  );
  const setupToken = /\/setup\/([A-Za-z0-9_-]{43})/.exec(unfolded(invite.raw))![1]!;
  const joined = await anyone().json('POST', '/api/v1/setup', {
    setupToken,
    name: 'Aud Itor',
    password: 'a long auditor password',
  });
  expect(joined.status).toBe(201);
  expect(
    (await org.json('POST', '/api/v1/roll/import', `${ROLL}\n`, { 'content-type': 'text/csv' })).status,
  ).toBeLessThan(300);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verifiable-'));
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);
const trustee = (token: string) => trusteeApi(app, token);

/** A verifiable ballot made ready to open: trustees' key by `omov trustee`, credentials by `omov credentials`. */
async function readyBallot(name: string, questions: unknown[], trustees: number, threshold: number) {
  const created = await org.json('POST', '/api/v1/ballots', {
    title: name,
    questions,
    ...ballotTimes(),
    mode: { kind: 'verifiable', trustees, threshold, credentialAuthority: 'Cara' },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const file = (n: string) => at(`${name}-${n}`);
  const { tokens } = await trusteeKeysByCli(app, org, id, file, ['Ann', 'Bob', 'Cy'].slice(0, trustees), threshold);

  // Not open yet: the credentials are missing.
  const early = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
  expect(early.status).toBe(409);
  expect(early.body.detail).toBe(
    'a verifiable ballot opens once the credential authority has uploaded the public credentials',
  );
  // The member ids are the authority's to match with addresses; here, the test's.
  const credentials = [...(await credentialsByCli(app, org, id, file)).credentials.values()];
  return { id, tokens, credentials, file };
}

const vote = (id: string, credential: string, answers: string, ...more: string[]) =>
  omov('vote', '--server', app.url, '--ballot', id, '--credential', credential, '--answers', answers, ...more);

/** Writes the archive the server publishes into its own directory and runs belenios-tool there. */
const verifyArchive = (id: string, name: string, args = ['election', 'verify']) =>
  beleniosOnArchive(app, id, at(`archive-${name}`), args);

/** The archive verifyArchive saved under `name`. */
const archiveFile = (name: string) => {
  const where = at(`archive-${name}`);
  return path.join(
    where,
    fs.readdirSync(where).find((f) => f.endsWith('.bel'))!,
  );
};

/**
 * The election record of the decrypted ballot `id`: `omov verify` passes it, naming the
 * archive's checks and omov's (the counts from the archive's totals, the log's commitments);
 * an altered ballot in the archive, or an altered result, fails naming what.
 */
async function recordChecks(id: string, totals: number[][]) {
  const r = await org.request('GET', `/api/v1/ballots/${id}/record`);
  expect(r.status).toBe(200);
  const text = await r.text();
  const record = JSON.parse(text);
  expect(record.format).toBe('omov-verifiable-record/1');
  const archive = Buffer.from(
    await (await anyone().request('GET', `/api/v1/ballots/${id}/belenios-archive`)).arrayBuffer(),
  );
  // The very archive the server publishes, and the record names its hash.
  expect(Buffer.from(record.archive.base64, 'base64').equals(archive)).toBe(true);
  expect(record.archive.sha256).toBe(createHash('sha256').update(archive).digest('hex'));
  fs.writeFileSync(at('record.json'), text);
  const [opened, closed] = [await logEntry(id, 'ballot.open'), await logEntry(id, 'ballot.close')];
  const verified = await omov('verify', at('record.json'));
  expect(verified.code).toBe(0);
  for (const line of [
    'PASS  V1    format',
    'PASS  V18   archive',
    'PASS  V8    results hash',
    'PASS  V9.1',
    'PASS  V9.2',
    'PASS  V10   audit log',
    'PASS  V19   commitment: archive',
    'PASS  V23   branch figures',
  ])
    expect(verified.out).toContain(line);
  expect(verified.out).toContain('VERIFIED: all 8 checks pass');
  // V19 prints what the auditor was mailed at the open and the close, to compare.
  const v19 = verified.out.split('\n').find((l) => l.includes('V19'))!;
  expect(v19).toContain(`election fingerprint ${String(opened!.details.election)}`);
  expect(v19).toContain(`board at the close ${String(closed!.details.head)}`);
  const failing = (v: ReturnType<typeof verifyRecord>) =>
    v.checks.filter((c) => c.verdict === 'FAIL').map((c) => ({ id: c.id, problems: c.problems }));

  // A ballot altered inside the archive (the record's hash of the archive recomputed to match).
  const files = readArchiveFiles(archive);
  const ballot = files.find((f) => f.name.endsWith('.data.json') && f.text.includes('"credential"'))!;
  const altered = Buffer.from(archive);
  const at0 = altered.indexOf(ballot.text) + ballot.text.indexOf('"credential":"') + '"credential":"'.length;
  altered[at0] = altered[at0] === 0x31 ? 0x32 : 0x31;
  const tampered = {
    ...record,
    archive: {
      ...record.archive,
      base64: altered.toString('base64'),
      sha256: createHash('sha256').update(altered).digest('hex'),
    },
  };
  const v1 = verifyRecord(tampered);
  expect(v1.ok).toBe(false);
  expect(failing(v1)).toContainEqual({
    id: 'V18',
    problems: [`archive: ${ballot.name} is not the file its name says: it was altered`],
  });
  // The same archive with the record's hash left as it was: the hash names it too.
  const v1b = verifyRecord({ ...tampered, archive: { ...tampered.archive, sha256: record.archive.sha256 } });
  expect(failing(v1b).find((c) => c.id === 'V18')!.problems[0]).toMatch(
    /^archive\.sha256 is [0-9a-f]{64}, but the archive hashes to /,
  );

  // A published result altered, its hash recomputed: the count from the archive names the question.
  const results = structuredClone(record.results);
  results[0].options[0].votes = String(totals[0]![1]! + 1);
  const v2 = verifyRecord({ ...record, results, resultsHash: storedResults(results).hash });
  expect(v2.ok).toBe(false);
  expect(failing(v2).map((c) => c.id)).toEqual(['V9.1', 'V19']);
  expect(failing(v2)[0]!.problems[0]).toContain(
    `but the archive's result is ${totals[0]!.slice(1).join(', ')} with ${totals[0]![0]} blank`,
  );
  // Without the hash recomputed, the results hash fails as well.
  expect(failing(verifyRecord({ ...record, results })).map((c) => c.id)).toEqual(['V8', 'V9.1']);
  // With the log's entries rewritten after the fact, the chain breaks.
  const log = structuredClone(record.auditLog);
  const close = log.find((e: { action: string; subject: string }) => e.action === 'ballot.close' && e.subject === id);
  close.details.counted += 1;
  expect(failing(verifyRecord({ ...record, auditLog: log })).map((c) => c.id)).toEqual(['V10', 'V19']);
}

const QUESTIONS = [
  { title: 'Adopt the budget?', method: 'yesno' },
  {
    title: 'Approve the candidates',
    method: 'approval',
    options: [{ label: 'Ada' }, { label: 'Ben' }, { label: 'Cy' }],
  },
];

test(
  'a verifiable election end to end: cast with omov vote, counted by the trustees, verified by belenios-tool',
  async () => {
    const { id, tokens, credentials, file } = await readyBallot('main', QUESTIONS, 3, 2);
    const opened = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ electorate: 20, invitationsQueued: 0 });

    // election.json is public, and its fingerprint is in the log.
    const electionText = await (await anyone().request('GET', `/api/v1/ballots/${id}/election.json`)).text();
    const election = parseElection(electionText);
    expect(election.questions).toEqual([
      { question: 'Adopt the budget?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
      { question: 'Approve the candidates', answers: ['Ada', 'Ben', 'Cy'], min: 1, max: 3, blank: true },
    ]);
    expect(election.credentialAuthority).toBe('Cara');
    const log = JSON.stringify((await org.json('GET', '/api/v1/audit-log')).body);
    expect(log).toContain(election.fingerprint);
    // The auditor is mailed the fingerprint, the credentials' hash and the log entry of the open.
    const openEntry = (await logEntry(id, 'ballot.open'))!;
    const openMail = unfolded((await auditorMail(election.fingerprint)).raw);
    expect(openMail).toContain(String(openEntry.details.credentials));
    expect(openMail).toContain(String(openEntry.details.setupEvent));
    expect(openMail).toContain(openEntry.hash);

    // Who votes what. The weight of each credential is the roll's: find the one that weighs 2.
    const published = (await anyone().json('GET', `/api/v1/ballots/${id}/public-credentials`)).body;
    const heavy = new Set(
      published.credentials.filter((c: string) => c.endsWith(',2')).map((c: string) => c.split(',')[0]),
    );
    const { publicCredential } = await import('@omov/core/crypto/credential');
    const weightOf = (c: string) => (heavy.has(String(publicCredential(election.group, election.uuid, c))) ? 2 : 1);
    const choices = ['1;1', '1;1,2', '2;3', 'blank;2,3', '1;blank', '2;1,2,3'];
    const votes = credentials.slice(0, 18).map((c, i) => ({ credential: c, answers: choices[i % choices.length]! }));
    const trackers: string[] = [];
    for (const v of votes) {
      const r = await vote(id, v.credential, v.answers);
      expect(r).toMatchObject({ code: 0 });
      trackers.push(r.out.trim());
    }
    // Member 0 votes again: the later ballot replaces the earlier.
    const again = await vote(id, votes[0]!.credential, '2;3');
    expect(again.code).toBe(0);
    expect(again.err).toContain('your earlier ballot no longer counts');
    votes[0] = { ...votes[0]!, answers: '2;3' };

    // Two ballots with one credential at once: both are on the board, only the later counts.
    const racer = credentials[18]!;
    const [r1, r2] = [
      encryptBallot(
        election,
        racer,
        [
          [0, 1, 0],
          [0, 1, 0, 0],
        ],
        systemRandom,
      ),
      encryptBallot(
        election,
        racer,
        [
          [0, 0, 1],
          [0, 0, 1, 0],
        ],
        systemRandom,
      ),
    ];
    const raced = await Promise.all(
      [r1, r2].map((b) =>
        anyone().json('POST', `/api/v1/ballots/${id}/verifiable-ballots`, b.text, {
          'content-type': 'application/json',
        }),
      ),
    );
    expect(raced.map((r) => r.status)).toEqual([201, 201]);
    expect(raced.filter((r) => r.body.replaced)).toHaveLength(1);
    const later = raced[0]!.body.height > raced[1]!.body.height ? 0 : 1;
    votes.push({ credential: racer, answers: later === 0 ? '1;1' : '2;2' });

    // --out writes a ballot without casting it.
    const outFile = file('unsent.json');
    const unsent = await vote(id, credentials[19]!, '1;1', '--out', outFile);
    expect(unsent.code).toBe(0);
    const unsentText = fs.readFileSync(outFile, 'utf8').trim();
    expect(
      (
        await anyone().json(
          'GET',
          `/api/v1/ballots/${id}/verifiable-board?tracker=${encodeURIComponent(unsent.out.trim())}`,
        )
      ).body.ballots,
    ).toEqual([]);

    // Refusals, each saying why.
    const post = (text: string) =>
      anyone().json('POST', `/api/v1/ballots/${id}/verifiable-ballots`, text, { 'content-type': 'application/json' });
    const replay = await post(r1.text);
    expect(replay.status).toBe(409);
    expect(replay.body.detail).toBe('this very ballot is on the board already: a ballot is cast once');
    const parsed = parseBallot(unsentText);
    const { signature: _, ...unsigned } = parsed;
    const notSigned = await post(writeBallot(unsigned));
    expect(notSigned.status).toBe(422);
    expect(notSigned.body.detail).toBe('the ballot is refused: the ballot is not signed');
    const forged = JSON.parse(unsentText);
    forged.answers[0].overall_proof[0].response = '1';
    const forgedR = await post(JSON.stringify(forged));
    expect(forgedR.status).toBe(422);
    expect(forgedR.body.detail).toMatch(/^the ballot is refused: (the signature is for other contents|a proof)/);
    const foreign = encryptBallot(
      election,
      generateCredential(systemRandom),
      [
        [0, 1, 0],
        [1, 0, 0, 0],
      ],
      systemRandom,
    );
    const foreignR = await post(foreign.text);
    expect(foreignR.status).toBe(422);
    expect(foreignR.body.detail).toBe(
      "the ballot is refused: its credential is not on the ballot's list of public credentials",
    );
    const otherElection = parseElection(electionText.replace('"Adopt the budget?"', '"Adopt another budget?"'));
    const elsewhere = await post(
      encryptBallot(
        otherElection,
        credentials[19]!,
        [
          [0, 1, 0],
          [1, 0, 0, 0],
        ],
        systemRandom,
      ).text,
    );
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.detail).toBe('the ballot is refused: the ballot is for another election');

    // The board: every accepted ballot with its tracker, in a chain; a member finds theirs.
    const board = (await anyone().json('GET', `/api/v1/ballots/${id}/verifiable-board`)).body;
    expect(board.ballots).toHaveLength(18 + 1 + 2);
    expect(board.electionHash).toBe(election.fingerprint);
    const mine = await anyone().json(
      'GET',
      `/api/v1/ballots/${id}/verifiable-board?tracker=${encodeURIComponent(trackers[3]!)}`,
    );
    expect(mine.body.ballots).toHaveLength(1);
    expect(mine.body.ballots[0].tracker).toBe(trackers[3]);
    // The same search without JavaScript, on the board's page.
    const pageR = await anyone().request('GET', `/verifiable-board/${id}?tracker=${encodeURIComponent(trackers[3]!)}`);
    expect(pageR.status).toBe(200);
    expect(await pageR.text()).toContain(`Found: the ballot with tracker ${trackers[3]} is on the board.`);
    // The board is append-only, whoever writes to the database.
    await expect(
      app.db.deleteFrom('verifiable_events').where('ballot_id', '=', id).where('height', '=', 1).execute(),
    ).rejects.toThrow(/append-only/);
    expect(await verifyArchive(id, 'open')).toMatchObject({ code: 0 });

    // The close: the encrypted tally; no results until the trustees decrypt.
    expect((await org.json('POST', `/api/v1/ballots/${id}/close`)).status).toBeLessThan(300);
    // The auditor is mailed the board's head (the EncryptedTally event) and the log entry of the close.
    const closeEntry = (await logEntry(id, 'ballot.close'))!;
    const head = String(closeEntry.details.head);
    const closeMail = unfolded((await auditorMail(head)).raw);
    expect(closeMail).toContain(closeEntry.hash);
    expect(closeMail).toContain('ballots are on its public board, and 19 are counted');
    expect((await post(foreign.text)).status).toBe(409);
    expect((await org.json('GET', `/api/v1/ballots/${id}/results`)).status).toBe(409);
    const task = (await trustee(tokens[0]!).get()).body;
    expect(task).toMatchObject({ next: 'decrypt', election: electionText });
    fs.writeFileSync(file('election.json'), task.election);
    fs.writeFileSync(file('tally.json'), task.encryptedTally);
    fs.writeFileSync(file('pools.json'), task.branchTallies);
    const decrypt = (n: number) =>
      cli(
        'trustee',
        'decrypt',
        '--key',
        file(`t${n}.key`),
        '--election',
        file('election.json'),
        '--tally',
        file('tally.json'),
        '--pools',
        file('pools.json'),
      );
    const pd1 = JSON.parse(await decrypt(1));
    // A trustee who sends another's partial decryption is refused and named.
    const wrong = await trustee(tokens[2]!).put('partial-decryption', pd1);
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toBe(
      'the partial decryption of trustee 3 does not verify: it was not made with their key share for this tally',
    );
    expect((await trustee(tokens[0]!).put('partial-decryption', pd1)).body.next).toBe('done');
    expect((await trustee(tokens[0]!).put('partial-decryption', pd1)).status).toBe(409);
    expect((await org.json('GET', `/api/v1/ballots/${id}/results`)).status).toBe(409);
    const pd3 = JSON.parse(await decrypt(3));
    expect((await trustee(tokens[2]!).put('partial-decryption', pd3)).status).toBe(200);

    // The result is what was cast, weights included.
    const expected = { yes: 0, no: 0, yesNoBlank: 0, ada: 0, ben: 0, cy: 0, approvalBlank: 0 };
    for (const v of votes) {
      const w = weightOf(v.credential);
      const [q1, q2] = v.answers.split(';');
      if (q1 === 'blank') expected.yesNoBlank += w;
      else if (q1 === '1') expected.yes += w;
      else expected.no += w;
      if (q2 === 'blank') expected.approvalBlank += w;
      else for (const n of q2!.split(',')) expected[(['ada', 'ben', 'cy'] as const)[Number(n) - 1]!] += w;
    }
    const results = await org.json('GET', `/api/v1/ballots/${id}/results`);
    expect(results.status).toBe(200);
    // Turnout from the board: 19 credentials voted (one twice, counted once), of 20.
    expect(results.body.turnout).toMatchObject({ eligible: 20, voted: 19 });
    const [budget, candidates] = results.body.questions;
    expect(budget.options).toEqual([
      { option: 'Yes', votes: String(expected.yes) },
      { option: 'No', votes: String(expected.no) },
    ]);
    expect(budget.abstentions).toBe(String(expected.yesNoBlank));
    expect(candidates.options).toEqual([
      { option: 'Ada', votes: String(expected.ada) },
      { option: 'Ben', votes: String(expected.ben) },
      { option: 'Cy', votes: String(expected.cy) },
    ]);
    expect(candidates.abstentions).toBe(String(expected.approvalBlank));

    // belenios-tool accepts the archive and computes the same result.
    expect(await verifyArchive(id, 'closed')).toMatchObject({ code: 0, err: '' });
    const computed = await verifyArchive(id, 'closed', ['election', 'compute-result']);
    expect(computed.code).toBe(0);
    expect(JSON.parse(computed.out)).toEqual({
      result: [
        [expected.yesNoBlank, expected.yes, expected.no],
        [expected.approvalBlank, expected.ada, expected.ben, expected.cy],
      ],
    });
    // omov verify, on the same file, passes every check and states the same result.
    const ours = await omov('verify', archiveFile('closed'), '--format', 'json');
    expect(ours.code).toBe(0);
    expect(JSON.parse(ours.out)).toMatchObject({
      ok: true,
      result: [
        [expected.yesNoBlank, expected.yes, expected.no].map(String),
        [expected.approvalBlank, expected.ada, expected.ben, expected.cy].map(String),
      ],
    });

    // The election record carries the archive; omov verify checks it and omov's own counts.
    await recordChecks(id, [
      [expected.yesNoBlank, expected.yes, expected.no],
      [expected.approvalBlank, expected.ada, expected.ben, expected.cy],
    ]);

    // No private credential, key share or token is anywhere the office can read.
    const everything = JSON.stringify([
      await app.db.selectFrom('verifiable_events').selectAll().where('ballot_id', '=', id).execute(),
      await app.db.selectFrom('audit_log').selectAll().execute(),
    ]);
    for (const c of credentials) expect(everything).not.toContain(c);
    for (const t of tokens) expect(everything).not.toContain(t);
  },
  scaled(600_000),
);

test(
  'a ballot written into the database by someone with no credential is caught by belenios-tool and by omov',
  async () => {
    const { id, credentials } = await readyBallot('inserted', [QUESTIONS[0]], 1, 1);
    expect((await org.json('POST', `/api/v1/ballots/${id}/open`, {})).status).toBe(200);
    expect((await vote(id, credentials[0]!, '1')).code).toBe(0);
    const election = parseElection(await (await anyone().request('GET', `/api/v1/ballots/${id}/election.json`)).text());

    // The office, as database superuser, appends a well-formed ballot signed by a credential of its own.
    const stuffed = encryptBallot(election, generateCredential(systemRandom), [[0, 1, 0]], systemRandom);
    const last = await app.db
      .selectFrom('verifiable_events')
      .select(['height', 'hash'])
      .where('ballot_id', '=', id)
      .orderBy('height', 'desc')
      .executeTakeFirstOrThrow();
    const e = chainEvent(last.hash, last.height + 1, 'Ballot', stuffed.text);
    await app.db
      .insertInto('verifiable_events')
      .values({
        ballot_id: id,
        height: last.height + 1,
        type: 'Ballot',
        event: e.text,
        hash: e.hash,
        data: [stuffed.text],
        credential: String(stuffed.ballot.credential),
        tracker: stuffed.tracker,
      })
      .execute();

    const checked = await verifyArchive(id, 'inserted');
    expect(checked.code).not.toBe(0);
    expect(checked.err).toContain(`error while casting ballot ${stuffed.tracker}: invalid credential`);
    const ours = await omov('verify', archiveFile('inserted'));
    expect(ours.code).toBe(1);
    expect(ours.out).toContain(
      `FAIL ballots: the ballot ${stuffed.tracker} at height ${last.height + 1} has a credential that is not on the list`,
    );
    const close = await org.json('POST', `/api/v1/ballots/${id}/close`);
    expect(close.status).toBe(409);
    expect(close.body.detail).toBe(
      `the board fails omov's check, so the ballot cannot be counted: the ballot at height ${last.height + 1} has a credential that is not on the list`,
    );
    expect((await org.json('GET', `/api/v1/ballots/${id}`)).body.status).toBe('open');
  },
  scaled(300_000),
);

test(
  'the opening checks again that the public credentials fit the roll, and names the branches that differ',
  async () => {
    const { id } = await readyBallot('refit', [QUESTIONS[0]], 1, 1);
    // After the upload, a member of North moves to South (the roll as the office keeps it).
    const n0 = (await org.json('GET', '/api/v1/members?search=n0%40example.org')).body[0];
    const moved = { email: n0.email, name: n0.name, branch: 'South', weight: '1' };
    expect((await org.json('PUT', `/api/v1/members/${n0.id}`, moved)).status).toBeLessThan(300);
    try {
      const refused = await org.json('POST', `/api/v1/ballots/${id}/open`, {});
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toBe(
        'the public credentials no longer fit the roll, so the ballot cannot open: ' +
          'North has 11 eligible members with these weights, and 12 credentials; ' +
          'South has 9 eligible members with these weights, and 8 credentials; ' +
          'the credential authority must make and upload them again',
      );
      expect((await org.json('GET', `/api/v1/ballots/${id}`)).body.status).toBe('draft');
    } finally {
      await org.json('PUT', `/api/v1/members/${n0.id}`, { ...moved, branch: 'North' });
    }
  },
  scaled(300_000),
);
