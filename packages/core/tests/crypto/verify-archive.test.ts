import fs from 'node:fs';
import path from 'node:path';
import { chainEvent, type EventType, writeArchive, writeCredentialList, writeSetup } from '../../src/crypto/archive';
import { encryptBallot, type HomomorphicAnswer, type Plaintext } from '../../src/crypto/ballot';
import { generateCredential, generateToken, publicCredential } from '../../src/crypto/credential';
import { makeElection } from '../../src/crypto/election';
import { groupNamed } from '../../src/crypto/group';
import {
  computeResult,
  encryptedTally,
  lastBallots,
  partialDecrypt,
  writeEncryptedTally,
  writeOwned,
  writePartialDecryption,
  writeResult,
  writeSizedEncryptedTally,
} from '../../src/crypto/tally';
import { electionPublicKey, generateTrusteeKey, type Trustee, writeTrustees } from '../../src/crypto/trustee';
import { verifyArchive, verifyArchiveWith } from '../../src/crypto/verify-archive';
import { BallotThreads } from '../../src/cli/ballot-threads';
import { belenios, requireBeleniosTool, seededRandom, tempDir } from './support';

/**
 * `omov verify` on a Belenios archive (verify-archive.ts) against belenios-tool, which nobody
 * here wrote: both accept an honest election and both refuse each way of cheating after the
 * fact (a ballot removed, altered or inserted, a wrong partial decryption, an altered file),
 * and omov's verifier names which check fails.
 */
const G = groupNamed('BELENIOS-2048');
const random = seededRandom('verify-archive');
let dir: string;
beforeAll(() => {
  requireBeleniosTool();
  dir = tempDir('verify-archive');
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Step = { type: EventType; data: string[] };

/** The archive of `steps`, chained as the server chains them: each event names its payload, the last of its data. */
function archiveOf(steps: ReadonlyArray<Step>): Uint8Array {
  let parent: string | undefined;
  const entries = steps.map((s, height) => {
    const e = chainEvent(parent, height, s.type, s.type === 'EndBallots' ? undefined : s.data[s.data.length - 1]);
    parent = e.hash;
    return { event: e.text, data: s.data };
  });
  return writeArchive(1_800_000_000, entries);
}

/** belenios-tool election verify on the archive, alone in its own directory: '' when it accepts, else its complaint. */
function beleniosVerify(name: string, bytes: Uint8Array): string {
  const where = path.join(dir, name);
  fs.mkdirSync(where);
  fs.writeFileSync(path.join(where, 'election.bel'), bytes);
  try {
    belenios(where, ['election', 'verify', '--dir', where]);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

// An election of two trustees and five credentials (the last weighs 2); credential 0 votes twice.
const uuid = generateToken(random);
const keys = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
const trustees: Trustee[] = keys.map((k) => ({ kind: 'Single', key: k.publicKey }));
const election = makeElection(
  {
    uuid,
    name: 'Tampering',
    description: '',
    questions: [
      { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
      { question: 'Approve', answers: ['A', 'B', 'C'], min: 1, max: 3, blank: true },
    ],
  },
  G,
  electionPublicKey(G, trustees),
);
const credentials = Array.from({ length: 5 }, () => generateCredential(random));
const weightOf = (i: number) => (i === 4 ? 2n : 1n);
const credentialList = writeCredentialList(
  credentials.map((c, i) => ({ credential: publicCredential(G, uuid, c), weight: weightOf(i) })),
);
const trusteesText = writeTrustees(trustees);
const votes: Array<[number, Plaintext]> = [
  [
    0,
    [
      [0, 0, 1],
      [0, 1, 0, 0],
    ],
  ],
  [
    1,
    [
      [0, 1, 0],
      [0, 1, 1, 0],
    ],
  ],
  [
    2,
    [
      [0, 0, 1],
      [0, 0, 0, 1],
    ],
  ],
  [
    3,
    [
      [1, 0, 0],
      [1, 0, 0, 0],
    ],
  ],
  [
    4,
    [
      [0, 1, 0],
      [0, 1, 1, 1],
    ],
  ],
  [
    0,
    [
      [0, 1, 0],
      [0, 0, 1, 0],
    ],
  ],
];
const cast = votes.map(([who, plain]) => ({ who, ...encryptBallot(election, credentials[who]!, plain, random) }));

/** The steps of the whole election from `ballots`, counted honestly unless told otherwise. */
function election_(
  ballots: ReadonlyArray<{ text: string; ballot: (typeof cast)[number]['ballot']; who: number }>,
  opts: { countedFrom?: typeof ballots; wrongDecryptionBy?: number } = {},
): Step[] {
  const counted = lastBallots(
    (opts.countedFrom ?? ballots).map((b) => ({ ballot: b.ballot, weight: weightOf(b.who) })),
  );
  const tally = encryptedTally(election, counted);
  const tallyText = writeEncryptedTally(tally);
  const totalWeight = counted.reduce((n, c) => n + c.weight, 0n);
  const pds = keys.map((k, i) =>
    partialDecrypt(
      election,
      tally,
      opts.wrongDecryptionBy === i + 1 ? generateTrusteeKey(G, random).privateKey : k.privateKey,
      random,
    ),
  );
  const owned = pds.map((partialDecryption, i) => ({ owner: i + 1, partialDecryption }));
  let resultText: string;
  try {
    resultText = writeResult(computeResult(election, tally, totalWeight, trustees, owned));
  } catch {
    // A cheat who cannot compute the result writes the honest one.
    resultText = writeResult(
      computeResult(
        election,
        tally,
        totalWeight,
        trustees,
        keys.map((k, i) => ({
          owner: i + 1,
          partialDecryption: partialDecrypt(election, tally, k.privateKey, random),
        })),
      ),
    );
  }
  return [
    {
      type: 'Setup',
      data: [election.raw, trusteesText, credentialList, writeSetup(election.raw, trusteesText, credentialList)],
    },
    ...ballots.map((b): Step => ({ type: 'Ballot', data: [b.text] })),
    { type: 'EndBallots', data: [] },
    { type: 'EncryptedTally', data: [tallyText, writeSizedEncryptedTally(counted.length, totalWeight, tallyText)] },
    ...pds.map((pd, i): Step => {
      const text = writePartialDecryption(pd);
      return { type: 'PartialDecryption', data: [text, writeOwned(i + 1, text)] };
    }),
    { type: 'Result', data: [resultText] },
  ];
}

const failed = (bytes: Uint8Array) => verifyArchive(bytes).checks.find((c) => !c.ok);

test('an honest election passes omov verify and belenios-tool, with the result of the last ballots', () => {
  const bytes = archiveOf(election_(cast));
  const v = verifyArchive(bytes);
  expect(v.checks.map((c) => [c.name, c.ok])).toEqual([
    ['archive', true],
    ['chain', true],
    ['setup', true],
    ['ballots', true],
    ['encrypted tally', true],
    ['partial decryptions', true],
    ['result', true],
  ]);
  expect(v.ok).toBe(true);
  // Blank first. Credential 0's second ballot replaced its first; credential 4 weighs 2.
  expect(v.result).toEqual([
    ['1', '4', '1'],
    ['1', '3', '4', '3'],
  ]);
  expect(v.checks.find((c) => c.name === 'ballots')!.detail).toBe(
    "6 ballots, signatures and proofs holding; 5 counted (each credential's last)",
  );
  expect(beleniosVerify('honest', bytes)).toBe('');
});

test('a ballot removed after the count is caught by both verifiers', () => {
  const bytes = archiveOf(
    election_(
      cast.filter((_, i) => i !== 2),
      { countedFrom: cast },
    ),
  );
  expect(failed(bytes)).toMatchObject({ name: 'encrypted tally' });
  expect(failed(bytes)!.detail).toContain('not the product of the counted ballots');
  expect(beleniosVerify('removed', bytes)).not.toBe('');
});

test('an altered ballot is caught by both verifiers', () => {
  const b = cast[1]!;
  const alpha = String((b.ballot.answers[0] as HomomorphicAnswer).choices[0]!.alpha);
  const altered = { ...b, text: b.text.replace(alpha, String((BigInt(alpha) * 4n) % G.p)) };
  const bytes = archiveOf(
    election_(
      cast.map((x) => (x === b ? altered : x)),
      { countedFrom: cast },
    ),
  );
  expect(failed(bytes)).toMatchObject({ name: 'ballots' });
  expect(failed(bytes)!.detail).toMatch(/^the ballot at height 2 is refused/);
  expect(beleniosVerify('altered', bytes)).not.toBe('');
});

/** A ballot cast with a credential not on the list (counted as credential 3's weight). */
const outsiderBallot = () => ({
  who: 3,
  ...encryptBallot(
    election,
    generateCredential(random),
    [
      [0, 1, 0],
      [0, 1, 0, 0],
    ],
    random,
  ),
});

test('a ballot inserted with a credential not on the list is caught by both verifiers', () => {
  const stuffed = outsiderBallot();
  const bytes = archiveOf(election_([...cast, stuffed]));
  expect(failed(bytes)).toEqual({
    name: 'ballots',
    ok: false,
    detail: `the ballot ${stuffed.tracker} at height 7 has a credential that is not on the list`,
  });
  expect(beleniosVerify('inserted', bytes)).toContain('invalid credential');
});

test("a trustee's wrong partial decryption is named by both verifiers", () => {
  const bytes = archiveOf(election_(cast, { wrongDecryptionBy: 2 }));
  expect(failed(bytes)).toEqual({
    name: 'partial decryptions',
    ok: false,
    detail: 'the partial decryption of trustee 2 does not verify',
  });
  expect(beleniosVerify('wrong-decryption', bytes)).not.toBe('');
});

test('a file of the archive altered in place, or events out of order, is caught', () => {
  const bytes = archiveOf(election_(cast));
  // The first data file after the header: its text changes, its name (its hash) does not.
  const copy = new Uint8Array(bytes);
  // The header file and its block, then the election's header: its text starts at byte 1536.
  const at = 1536 + 2;
  copy[at] = copy[at] === 0x76 ? 0x77 : 0x76;
  expect(failed(copy)).toMatchObject({ name: 'archive' });
  expect(failed(copy)!.detail).toMatch(/was altered$/);

  const steps = election_(cast);
  [steps[1], steps[2]] = [steps[2]!, steps[1]!];
  // Re-chained in another order, the tally (of the last ballot of each credential) no longer holds.
  const swapped = archiveOf([steps[0]!, ...steps.slice(1, 7).reverse(), ...steps.slice(7)]);
  expect(failed(swapped)).toMatchObject({ name: 'encrypted tally' });
  expect(beleniosVerify('reordered', swapped)).not.toBe('');
});

test("the ballots checked over threads (omov verify's --jobs) give verifyArchive's result, naming the same bad ballot", async () => {
  const b = cast[1]!;
  const alpha = String((b.ballot.answers[0] as HomomorphicAnswer).choices[0]!.alpha);
  const altered = { ...b, text: b.text.replace(alpha, String((BigInt(alpha) * 4n) % G.p)) };
  const stuffed = outsiderBallot();
  const archives = {
    honest: archiveOf(election_(cast)),
    // Two faults, the later one (at height 7) in another thread's batch: the first, at height 2, is named.
    'altered and inserted': archiveOf(
      election_([...cast.map((x) => (x === b ? altered : x)), stuffed], { countedFrom: cast }),
    ),
    twice: archiveOf(election_([...cast, cast[3]!])),
    'wrong decryption': archiveOf(election_(cast, { wrongDecryptionBy: 1 })),
  };
  const threads = new BallotThreads(2);
  try {
    for (const [name, bytes] of Object.entries(archives)) {
      const alone = verifyArchive(bytes);
      expect({ name, v: await verifyArchiveWith(bytes, threads.check) }).toEqual({ name, v: alone });
      expect({ name, ok: alone.ok }).toEqual({ name, ok: name === 'honest' });
    }
    expect(verifyArchive(archives['altered and inserted']).checks.find((c) => !c.ok)!.detail).toMatch(
      /^the ballot at height 2 is refused/,
    );
    expect(verifyArchive(archives.twice).checks.find((c) => !c.ok)!.detail).toBe(
      `the ballot ${cast[3]!.tracker} at height 7 is there twice`,
    );
  } finally {
    await threads.close();
  }
});

test('a checker that answers for too few ballots is an error, not a pass', async () => {
  await expect(verifyArchiveWith(archiveOf(election_(cast)), async () => [])).rejects.toThrow(
    "the ballots' checker answered 0 checks for 6 ballots",
  );
});
