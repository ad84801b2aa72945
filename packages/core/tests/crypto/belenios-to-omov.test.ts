import fs from 'node:fs';
import path from 'node:path';
import { checkBallot, parseBallot } from '../../src/crypto/ballot';
import { isCredential, parsePublicCredential, publicCredential } from '../../src/crypto/credential';
import { parseElection } from '../../src/crypto/election';
import { sha256B64 } from '../../src/crypto/hash';
import {
  checkPartialDecryption,
  computeResult,
  encryptedTally,
  lastBallots,
  parseEncryptedTally,
  parsePartialDecryption,
  writeEncryptedTally,
  writeResult,
  writeSizedEncryptedTally,
} from '../../src/crypto/tally';
import {
  checkTrusteePublicKey,
  checkTrustees,
  electionPublicKey,
  parseTrustees,
  type Trustee,
  type TrusteePublicKey,
} from '../../src/crypto/trustee';
import { chainEvent, type EventType, writeArchive } from '../../src/crypto/archive';
import { archiveEntries, belenios, requireBeleniosTool, tempDir } from './support';

/**
 * Known answers from belenios-tool 2.0: it sets up an election (credentials, two trustees,
 * a yes/no, a single choice that allows blank and an approval question), casts ballots,
 * tallies and decrypts; omov's code must accept every piece and reach the same result.
 */
const questions = {
  description: 'Known-answer test: “quotes”, accents (é) and emoji 🗳',
  name: 'Conférence annuelle',
  questions: [
    { answers: ['Yes', 'No'], min: 1, max: 1, question: 'Adopt the motion?' },
    { answers: ['Ada', 'Ben', 'Cy'], blank: true, min: 1, max: 1, question: 'Chair?' },
    { answers: ['A', 'B', 'C', 'D'], min: 0, max: 3, question: 'Approve up to three' },
  ],
};
const votes = [
  [
    [1, 0],
    [0, 1, 0, 0],
    [1, 0, 1, 0],
  ],
  [
    [0, 1],
    [1, 0, 0, 0],
    [0, 0, 0, 0],
  ], // blank for the chair
  [
    [1, 0],
    [0, 0, 0, 1],
    [1, 1, 1, 0],
  ],
  [
    [0, 1],
    [0, 1, 0, 0],
    [0, 1, 0, 0],
  ],
  [
    [0, 1],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ], // the first voter again: replaces their first ballot
];
const voterOf = [0, 1, 2, 3, 0];

let dir: string;
let uuid: string;
let privateCredentials: string[];
let ballotTexts: string[];

beforeAll(() => {
  requireBeleniosTool();
  dir = tempDir('belenios-kat');
  uuid = belenios(dir, ['setup', 'generate-token']).trim();
  // The third voter weighs 3: ballots count as many times as their weight.
  fs.writeFileSync(path.join(dir, 'voters.txt'), 'a@x,a\nb@x,b\nc@x,c,3\nd@x,d\n');
  belenios(dir, ['setup', 'generate-credentials', '--uuid', uuid, '--group', 'BELENIOS-2048', '--file', 'voters.txt']);
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.pubcreds')) fs.renameSync(path.join(dir, f), path.join(dir, 'public_creds.json'));
    if (f.endsWith('.privcreds')) fs.renameSync(path.join(dir, f), path.join(dir, 'private_creds.txt'));
  }
  const privcreds = fs.readFileSync(path.join(dir, 'private_creds.txt'), 'utf8').trim().split('\n');
  const byLogin = new Map(privcreds.map((l) => [l.split(' ')[0]!.split(',')[1]!, l.split(' ')[1]!]));
  privateCredentials = ['a', 'b', 'c', 'd'].map((login) => byLogin.get(login)!);
  belenios(dir, ['setup', 'generate-trustee-key', '--group', 'BELENIOS-2048']);
  belenios(dir, ['setup', 'generate-trustee-key', '--group', 'BELENIOS-2048']);
  const pubkeys = fs.readdirSync(dir).filter((f) => f.endsWith('.pubkey'));
  fs.writeFileSync(
    path.join(dir, 'public_keys.jsons'),
    pubkeys.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join(''),
  );
  belenios(dir, ['setup', 'make-trustees']);
  fs.writeFileSync(path.join(dir, 'questions.json'), JSON.stringify(questions));
  belenios(dir, ['setup', 'make-election', '--uuid', uuid, '--group', 'BELENIOS-2048', '--template', 'questions.json']);
  belenios(dir, ['archive', 'init']);
  ballotTexts = votes.map((vote, i) => {
    const credFile = path.join(dir, 'cred.txt');
    fs.writeFileSync(credFile, privateCredentials[voterOf[i]!]!);
    fs.writeFileSync(path.join(dir, 'vote.json'), JSON.stringify(vote));
    const text = belenios(dir, [
      'election',
      'generate-ballot',
      '--privcred',
      'cred.txt',
      '--ballot',
      'vote.json',
    ]).trim();
    belenios(dir, ['archive', 'add-event', '--type=Ballot'], text);
    return text;
  });
  belenios(dir, ['archive', 'add-event', '--type=EndBallots']);
  belenios(
    dir,
    ['archive', 'add-event', '--type=EncryptedTally'],
    belenios(dir, ['election', 'compute-encrypted-tally']),
  );
  pubkeys.forEach((pub, z) => {
    const priv = pub.replace(/\.pubkey$/, '.privkey');
    const pd = belenios(dir, ['election', 'decrypt', '--privkey', priv, '--trustee-id', String(z + 1)]);
    belenios(dir, ['archive', 'add-event', '--type=PartialDecryption'], pd);
  });
  belenios(dir, ['archive', 'add-event', '--type=Result'], belenios(dir, ['election', 'compute-result']));
  belenios(dir, ['election', 'verify']);
}, 300_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function singleKeys(trustees: Trustee[]): TrusteePublicKey[] {
  return trustees.map((t) => {
    if (t.kind !== 'Single') throw new Error('a Single trustee was expected');
    return t.key;
  });
}

/** The archive's data files, in order, and its events. */
function archive() {
  const entries = archiveEntries(path.join(dir, `${uuid}.bel`));
  const data = new Map(
    entries.filter((e) => e.name.endsWith('.data.json')).map((e) => [e.name.split('.')[0]!, e.text]),
  );
  const events = entries
    .filter((e) => e.name.endsWith('.event.json'))
    .map((e) => JSON.parse(e.text) as { type: string; payload?: string });
  const payloads = (type: string) => events.filter((e) => e.type === type).map((e) => data.get(e.payload!)!);
  const setup = JSON.parse(payloads('Setup')[0]!) as { election: string; trustees: string; credentials: string };
  return { data, payloads, setup };
}

describe('belenios-tool 2.0 → omov', () => {
  test('the election: parsed from its exact text, fingerprint as in the ballots, key = product of the trustees’ keys', () => {
    const { data, setup } = archive();
    const election = parseElection(data.get(setup.election)!);
    expect(election.uuid).toBe(uuid);
    expect(election.questions.map((q) => [q.answers.length, q.min, q.max, q.blank])).toEqual([
      [2, 1, 1, false],
      [3, 1, 1, true],
      [4, 0, 3, false],
    ]);
    expect(election.description).toBe(questions.description);
    for (const text of ballotTexts) expect(parseBallot(text).electionHash).toBe(election.fingerprint);
    const trustees = parseTrustees(data.get(setup.trustees)!);
    expect(trustees).toHaveLength(2);
    expect(checkTrustees(election.group, trustees)).toBe(true);
    expect(electionPublicKey(election.group, trustees)).toBe(election.publicKey);
    // A trustee key with a proof for another key does not pass.
    const [k1, k2] = singleKeys(trustees);
    expect(checkTrusteePublicKey(election.group, { publicKey: k1!.publicKey, pok: k2!.pok })).toBe(false);
  });

  test('credentials: each private credential is well formed and derives a public credential on the list', () => {
    const { data, setup } = archive();
    const election = parseElection(data.get(setup.election)!);
    const lines = JSON.parse(data.get(setup.credentials)!) as string[];
    const published = lines.map((l) => parsePublicCredential(election.group, l));
    expect(published.map((p) => p.weight).sort()).toEqual([1n, 1n, 1n, 3n]);
    for (const [i, c] of privateCredentials.entries()) {
      expect(isCredential(c)).toBe(true);
      const pub = publicCredential(election.group, uuid, c);
      expect(published.find((p) => p.credential === pub)?.weight).toBe(i === 2 ? 3n : 1n);
    }
    expect(isCredential(privateCredentials[0]!.replace(/.$/, (ch) => (ch === '2' ? '3' : '2')))).toBe(false);
  });

  test('ballots: every ballot belenios-tool made verifies, with the tracker belenios-tool computes', () => {
    const { data, setup } = archive();
    const election = parseElection(data.get(setup.election)!);
    for (const text of ballotTexts) {
      const check = checkBallot(election, text);
      expect(check).toMatchObject({ ok: true });
      expect(check.ok && check.tracker).toBe(belenios(dir, ['sha256-b64'], text).trim());
      expect(check.ok && check.tracker).toBe(sha256B64(text));
    }
  });

  test('ballots: a changed ballot is refused, and says why', () => {
    const { data, setup } = archive();
    const election = parseElection(data.get(setup.election)!);
    const text = ballotTexts[1]!;
    const b = JSON.parse(text);
    type ProofJson = { challenge: string; response: string };
    type BallotJson = {
      credential: string;
      answers: { choices: { alpha: string; beta: string }[]; blank_proof: ProofJson[] }[];
      signature?: { proof: ProofJson };
    };
    const edit = (f: (x: BallotJson) => void) => {
      const copy = JSON.parse(text) as BallotJson;
      f(copy);
      return JSON.stringify(copy);
    };
    const bump = (s: string) => (BigInt(s) + 1n).toString();
    expect(
      checkBallot(
        election,
        edit((x) => (x.answers[0]!.choices[0]!.beta = bump(x.answers[0]!.choices[0]!.beta))),
      ).ok,
    ).toBe(false);
    expect(
      checkBallot(
        election,
        edit((x) => (x.answers[1]!.blank_proof[0]!.response = bump(x.answers[1]!.blank_proof[0]!.response))),
      ),
    ).toEqual({
      ok: false,
      reason: 'the signature is for other contents',
    });
    // Without the private credential nobody can sign again: a changed signature fails.
    expect(
      checkBallot(
        election,
        edit((x) => (x.signature!.proof.response = bump(x.signature!.proof.response))),
      ),
    ).toEqual({
      ok: false,
      reason: 'the signature does not verify with the ballot’s credential',
    });
    expect(
      checkBallot(
        election,
        edit((x) => (x.credential = (JSON.parse(ballotTexts[0]!) as BallotJson).credential)),
      ).ok,
    ).toBe(false);
    expect(
      checkBallot(
        election,
        edit((x) => delete x.signature),
      ),
    ).toEqual({ ok: false, reason: 'the ballot is not signed' });
    expect(checkBallot(election, `${text} `)).toEqual({
      ok: false,
      reason: 'the ballot is not written in canonical form',
    });
    expect(b.answers).toHaveLength(3);
  });

  test('tally: the same encrypted tally, belenios-tool’s partial decryptions verify, the same result', () => {
    const { data, setup, payloads } = archive();
    const election = parseElection(data.get(setup.election)!);
    const trustees = parseTrustees(data.get(setup.trustees)!);
    const lines = JSON.parse(data.get(setup.credentials)!) as string[];
    const weights = new Map(
      lines.map((l) => parsePublicCredential(election.group, l)).map((p) => [p.credential, p.weight]),
    );
    const counted = lastBallots(ballotTexts.map((t) => ({ ballot: parseBallot(t) }))).map(({ ballot }) => ({
      ballot,
      weight: weights.get(ballot.credential)!,
    }));
    expect(counted).toHaveLength(4);
    const tally = encryptedTally(election, counted);
    const tallyText = writeEncryptedTally(tally);
    const sized = JSON.parse(payloads('EncryptedTally')[0]!) as { encrypted_tally: string };
    expect(data.get(sized.encrypted_tally)).toBe(tallyText);
    expect(payloads('EncryptedTally')[0]).toBe(writeSizedEncryptedTally(4, 6n, tallyText));

    const owned = payloads('PartialDecryption').map((t) => JSON.parse(t) as { owner: number; payload: string });
    const pds = owned.sort((a, b) => a.owner - b.owner).map((o) => parsePartialDecryption(data.get(o.payload)!));
    const keys = singleKeys(trustees);
    pds.forEach((pd, z) => expect(checkPartialDecryption(election, tally, keys[z]!.publicKey, pd)).toBe(true));
    // Trustee 2's share checked against trustee 1's key fails, and the count names the trustee.
    expect(checkPartialDecryption(election, parseEncryptedTally(tallyText), keys[0]!.publicKey, pds[1]!)).toBe(false);
    expect(() =>
      computeResult(election, tally, 6n, trustees, [
        { owner: 1, partialDecryption: pds[1]! },
        { owner: 2, partialDecryption: pds[0]! },
      ]),
    ).toThrow('the partial decryption of trustee 1 does not verify');
    expect(() => computeResult(election, tally, 6n, trustees, [{ owner: 1, partialDecryption: pds[0]! }])).toThrow(
      'trustee 2 has not decrypted',
    );

    const result = computeResult(
      election,
      tally,
      6n,
      trustees,
      pds.map((partialDecryption, z) => ({ owner: z + 1, partialDecryption })),
    );
    // Counted: a's second ballot, b, c (weight 3), d. Yes: c = 3; no: a + b + d = 3. Chair: blank b, Ada d,
    // Ben a, Cy c. Approvals: A c, B c + d, C c, D a.
    expect(result).toEqual([
      [3n, 3n],
      [1n, 1n, 1n, 3n],
      [3n, 4n, 3n, 1n],
    ]);
    expect(writeResult(result)).toBe(payloads('Result')[0]);
  });
});

test('archive: omov writes belenios-tool’s own archive byte for byte, from its events and data', () => {
  const belFile = path.join(dir, `${uuid}.bel`);
  const entries = archiveEntries(belFile);
  const header = JSON.parse(entries[0]!.text) as { timestamp: string };
  const events: { event: string; data: string[] }[] = [];
  let data: string[] = [];
  for (const e of entries.slice(1)) {
    if (e.name.endsWith('.data.json')) data.push(e.text);
    else {
      events.push({ event: e.text, data });
      data = [];
    }
  }
  // Each event is the one its parent, height, type and payload make (every payload here is new, so written just before).
  let parent: string | undefined;
  events.forEach((e, height) => {
    const { type } = JSON.parse(e.event) as { type: EventType };
    const chained = chainEvent(parent, height, type, type === 'EndBallots' ? undefined : e.data[e.data.length - 1]);
    expect(chained.text).toBe(e.event);
    parent = chained.hash;
  });
  expect(Buffer.from(writeArchive(Number(header.timestamp), events)).equals(fs.readFileSync(belFile))).toBe(true);
});
