import fs from 'node:fs';
import path from 'node:path';
import { checkBallot, encryptBallot, type Plaintext, rankingProblem } from '../../src/crypto/ballot';
import { generateCredential, generateToken, publicCredential } from '../../src/crypto/credential';
import { makeElection, nonHomomorphicQuestion, parseElection } from '../../src/crypto/election';
import { groupDecode, groupEncode, groupNamed } from '../../src/crypto/group';
import {
  checkShuffle,
  mergeNonHomomorphic,
  nonHomomorphicCiphertexts,
  parseShuffle,
  shuffle,
  writeShuffle,
} from '../../src/crypto/shuffle';
import {
  checkPartialDecryption,
  computeResult,
  encryptedTally,
  parseEncryptedTally,
  parsePartialDecryption,
  partialDecrypt,
  writeEncryptedTally,
  writeOwned,
  writePartialDecryption,
  writeResult,
  writeSizedEncryptedTally,
} from '../../src/crypto/tally';
import {
  electionPublicKey,
  generateTrusteeKey,
  parseTrustees,
  type Trustee,
  writeTrusteePublicKey,
  writeTrustees,
} from '../../src/crypto/trustee';
import { verifyArchive } from '../../src/crypto/verify-archive';
import { type ArchiveEntry, chainEvent, type EventType, writeArchive } from '../../src/crypto/archive';
import { archiveEntries, belenios, requireBeleniosTool, seededRandom, tempDir } from './support';

/**
 * Non-homomorphic (ranked) questions and the mix-net, against belenios-tool 2.0 in both
 * directions: its ballots, shuffles, partial decryptions and result check in omov; omov's
 * ballots, shuffles and partial decryptions check in belenios-tool (`election verify`), each
 * in the same archive as the other's; a bad shuffle is named by both verifiers.
 */
const G = groupNamed('RFC-3526-2048');
const random = seededRandom('mix-net');

const dirs: string[] = [];
const newDir = (name: string) => {
  const d = tempDir(name);
  dirs.push(d);
  return d;
};
beforeAll(() => requireBeleniosTool());
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// A yes/no question (homomorphic) and a ranked one: each ballot gives each candidate's rank, 1 first, 0 unranked.
const votes: Plaintext[] = [
  [
    [1, 0],
    [1, 2, 3],
  ],
  [
    [0, 1],
    [3, 1, 2],
  ],
  [
    [1, 0],
    [2, 0, 1],
  ],
  [
    [1, 0],
    [0, 0, 0],
  ],
];
const sortedRankings = (rows: ReadonlyArray<ReadonlyArray<number>>) => rows.map((r) => r.join(',')).sort();

test('group_encode and group_decode are inverse for small numbers, and the code is an element', () => {
  for (const v of [[0, 0, 0], [1, 2, 3], [255, 0, 7], Array.from({ length: 40 }, (_, i) => i % 9)]) {
    const x = groupEncode(G, v);
    expect(groupDecode(G, v.length, x)).toEqual(v);
    expect(G.field.pow(x, G.q)).toBe(1n);
  }
  expect(() => groupEncode(groupNamed('BELENIOS-2048'), [1])).toThrow(/cannot encode/);
});

test('a ranking is 1, 2, 3, … without ties or gaps; 0 is unranked', () => {
  expect(rankingProblem([1, 2, 3])).toBeUndefined();
  expect(rankingProblem([0, 1, 0])).toBeUndefined();
  expect(rankingProblem([0, 0, 0])).toBeUndefined();
  expect(rankingProblem([1, 1, 2])).toMatch(/none repeated/);
  expect(rankingProblem([1, 3, 0])).toMatch(/none skipped/);
  expect(rankingProblem([4, 1, 2])).toMatch(/from 0/);
});

test('belenios-tool → omov: its ranked ballots, shuffles, partial decryptions and result all check in omov', () => {
  const dir = newDir('mix-belenios');
  const uuid = belenios(dir, ['setup', 'generate-token']).trim();
  fs.writeFileSync(path.join(dir, 'voters.txt'), 'a@x,a\nb@x,b\nc@x,c\nd@x,d\n');
  belenios(dir, ['setup', 'generate-credentials', '--uuid', uuid, '--group', 'RFC-3526-2048', '--file', 'voters.txt']);
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.pubcreds')) fs.renameSync(path.join(dir, f), path.join(dir, 'public_creds.json'));
    if (f.endsWith('.privcreds')) fs.renameSync(path.join(dir, f), path.join(dir, 'private_creds.txt'));
  }
  const privcreds = fs.readFileSync(path.join(dir, 'private_creds.txt'), 'utf8').trim().split('\n');
  const byLogin = new Map(privcreds.map((l) => [l.split(' ')[0]!.split(',')[1]!, l.split(' ')[1]!]));
  belenios(dir, ['setup', 'generate-trustee-key', '--group', 'RFC-3526-2048']);
  belenios(dir, ['setup', 'generate-trustee-key', '--group', 'RFC-3526-2048']);
  const pubkeys = fs.readdirSync(dir).filter((f) => f.endsWith('.pubkey'));
  fs.writeFileSync(
    path.join(dir, 'public_keys.jsons'),
    pubkeys.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join(''),
  );
  belenios(dir, ['setup', 'make-trustees']);
  const template = {
    description: 'Ranked known answers',
    name: 'Ranked',
    questions: [
      { answers: ['Yes', 'No'], min: 1, max: 1, question: 'Adopt?' },
      { type: 'NonHomomorphic', value: { answers: ['Ada', 'Ben', 'Cy'], question: 'Rank the candidates' } },
    ],
  };
  fs.writeFileSync(path.join(dir, 'questions.json'), JSON.stringify(template));
  belenios(dir, ['setup', 'make-election', '--uuid', uuid, '--group', 'RFC-3526-2048', '--template', 'questions.json']);
  belenios(dir, ['archive', 'init']);
  const election = parseElection(fs.readFileSync(path.join(dir, 'election.json'), 'utf8').trim());
  expect(election.questions[1]).toMatchObject({ answers: ['Ada', 'Ben', 'Cy'], nonHomomorphic: {} });
  // omov writes the same election text from the same parameters.
  expect(makeElection(election, G, election.publicKey).raw).toBe(election.raw);

  votes.forEach((vote, i) => {
    fs.writeFileSync(path.join(dir, 'cred.txt'), byLogin.get('abcd'[i]!)!);
    fs.writeFileSync(path.join(dir, 'vote.json'), JSON.stringify(vote));
    const text = belenios(dir, [
      'election',
      'generate-ballot',
      '--privcred',
      'cred.txt',
      '--ballot',
      'vote.json',
    ]).trim();
    expect(checkBallot(election, text)).toMatchObject({ ok: true });
    // An altered proof of the ranked answer is refused.
    const broken = JSON.parse(text) as { answers: Array<{ proof?: { response: string } }> };
    broken.answers[1]!.proof!.response = String((BigInt(broken.answers[1]!.proof!.response) + 1n) % G.q);
    expect(checkBallot(election, JSON.stringify(broken))).toMatchObject({ ok: false });
    belenios(dir, ['archive', 'add-event', '--type=Ballot'], text);
  });
  belenios(dir, ['archive', 'add-event', '--type=EndBallots']);
  const [tallyText, sized] = belenios(dir, ['election', 'compute-encrypted-tally']).trim().split('\n') as [
    string,
    string,
  ];
  belenios(dir, ['archive', 'add-event', '--type=EncryptedTally'], `${tallyText}\n${sized}\n`);
  const tally = parseEncryptedTally(tallyText);

  let current = nonHomomorphicCiphertexts(election, tally);
  for (const z of [1, 2]) {
    const out = belenios(dir, ['election', 'shuffle', '--trustee-id', String(z)]);
    const [shuffleText] = out.trim().split('\n') as [string];
    const s = parseShuffle(shuffleText);
    expect(writeShuffle(s)).toBe(shuffleText);
    expect(checkShuffle(election, current, s)).toBe(true);
    // Against the wrong input (the tally's rows when this is the second shuffle, or a row reversed), it fails.
    expect(checkShuffle(election, [[...current[0]!].reverse().slice(1)], s)).toBe(false);
    current = s.ciphertexts;
    belenios(dir, ['archive', 'add-event', '--type=Shuffle'], out);
  }
  belenios(dir, ['archive', 'add-event', '--type=EndShuffles']);
  const merged = mergeNonHomomorphic(election, tally, current);
  const trustees: Trustee[] = parseTrustees(fs.readFileSync(path.join(dir, 'trustees.json'), 'utf8').trim());
  const owned = pubkeys.map((pub, z) => {
    const pdText = belenios(dir, [
      'election',
      'decrypt',
      '--privkey',
      pub.replace(/\.pubkey$/, '.privkey'),
      '--trustee-id',
      String(z + 1),
    ]);
    belenios(dir, ['archive', 'add-event', '--type=PartialDecryption'], pdText);
    const pd = parsePartialDecryption(pdText.trim().split('\n')[0]!);
    const t = trustees[z]!;
    expect(t.kind === 'Single' && checkPartialDecryption(election, merged, t.key.publicKey, pd)).toBe(true);
    return { owner: z + 1, partialDecryption: pd };
  });
  const resultText = belenios(dir, ['election', 'compute-result']).trim();
  const result = computeResult(election, merged, 4n, trustees, owned);
  expect(writeResult(result)).toBe(resultText);
  expect(result[0]).toEqual([3n, 1n]);
  expect(sortedRankings(result[1] as number[][])).toEqual(sortedRankings(votes.map((v) => v[1]!)));
  belenios(dir, ['archive', 'add-event', '--type=Result'], resultText);
  expect(belenios(dir, ['election', 'verify'])).toBe('');

  const v = verifyArchive(fs.readFileSync(path.join(dir, `${uuid}.bel`)));
  expect(v.checks.filter((c) => !c.ok)).toEqual([]);
  expect(v.checks.map((c) => c.name)).toContain('shuffles');
  expect(v.result?.[1]).toHaveLength(4);
}, 600_000);

/** An election made by omov with a ranked question, two Single trustees made by omov, four ballots cast by omov. */
function omovElection(dir: string) {
  const uuid = generateToken(random);
  const keys = [generateTrusteeKey(G, random), generateTrusteeKey(G, random)];
  const trustees: Trustee[] = keys.map((t) => ({ kind: 'Single' as const, key: t.publicKey }));
  fs.writeFileSync(
    path.join(dir, 'public_keys.jsons'),
    keys.map((t) => writeTrusteePublicKey(t.publicKey) + '\n').join(''),
  );
  const election = makeElection(
    {
      uuid,
      name: 'Ranked by omov',
      description: 'omov makes the ballots and a shuffle; belenios-tool checks them',
      questions: [
        { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: false },
        nonHomomorphicQuestion('Rank the candidates', ['Ada', 'Ben', 'Cy']),
      ],
    },
    G,
    electionPublicKey(G, trustees),
  );
  const credentials = votes.map(() => generateCredential(random));
  fs.writeFileSync(path.join(dir, 'election.json'), election.raw);
  fs.writeFileSync(path.join(dir, 'trustees.json'), writeTrustees(trustees));
  fs.writeFileSync(
    path.join(dir, 'public_creds.json'),
    JSON.stringify(credentials.map((c) => String(publicCredential(G, uuid, c)))),
  );
  belenios(dir, ['archive', 'init']);
  const ballots = votes.map((v, i) => encryptBallot(election, credentials[i]!, v, random));
  for (const b of ballots) belenios(dir, ['archive', 'add-event', '--type=Ballot'], b.text);
  belenios(dir, ['archive', 'add-event', '--type=EndBallots']);
  const tally = encryptedTally(
    election,
    ballots.map((b) => ({ ballot: b.ballot, weight: 1n })),
  );
  const tallyText = writeEncryptedTally(tally);
  const sized = writeSizedEncryptedTally(4, 4n, tallyText);
  // belenios-tool computes the same encrypted tally (the ranked question's ciphertexts sorted as it sorts them).
  expect(belenios(dir, ['election', 'compute-encrypted-tally'])).toBe(`${tallyText}\n${sized}\n`);
  belenios(dir, ['archive', 'add-event', '--type=EncryptedTally'], `${tallyText}\n${sized}\n`);
  return { uuid, election, keys, trustees, tally };
}

test('omov → belenios-tool: omov’s ranked ballots, its shuffle and its partial decryptions pass election verify', () => {
  const dir = newDir('mix-omov');
  const { uuid, election, keys, trustees, tally } = omovElection(dir);
  // Trustee 1 shuffles with omov, trustee 2 with belenios-tool (which reads omov's shuffle as its input).
  const s1 = shuffle(election, nonHomomorphicCiphertexts(election, tally), random);
  const s1Text = writeShuffle(s1);
  belenios(dir, ['archive', 'add-event', '--type=Shuffle'], `${s1Text}\n${writeOwned(1, s1Text)}\n`);
  expect(belenios(dir, ['election', 'verify'])).toBe('');
  const out = belenios(dir, ['election', 'shuffle', '--trustee-id', '2']);
  const s2 = parseShuffle(out.trim().split('\n')[0]!);
  expect(checkShuffle(election, s1.ciphertexts, s2)).toBe(true);
  belenios(dir, ['archive', 'add-event', '--type=Shuffle'], out);
  belenios(dir, ['archive', 'add-event', '--type=EndShuffles']);

  const merged = mergeNonHomomorphic(election, tally, s2.ciphertexts);
  const owned = keys.map((k, z) => {
    const pd = partialDecrypt(election, merged, k.privateKey, random);
    const text = writePartialDecryption(pd);
    belenios(dir, ['archive', 'add-event', '--type=PartialDecryption'], `${text}\n${writeOwned(z + 1, text)}\n`);
    return { owner: z + 1, partialDecryption: pd };
  });
  const result = computeResult(election, merged, 4n, trustees, owned);
  expect(belenios(dir, ['election', 'compute-result']).trim()).toBe(writeResult(result));
  expect(sortedRankings(result[1] as number[][])).toEqual(sortedRankings(votes.map((v) => v[1]!)));
  belenios(dir, ['archive', 'add-event', '--type=Result'], writeResult(result));
  expect(belenios(dir, ['election', 'verify'])).toBe('');
  const v = verifyArchive(fs.readFileSync(path.join(dir, `${uuid}.bel`)));
  expect(v.checks.filter((c) => !c.ok)).toEqual([]);
  // The ranked ballots are not decrypted in the order they were cast: the archive's list is the last shuffle's.
  expect(archiveEntries(path.join(dir, `${uuid}.bel`)).length).toBeGreaterThan(10);
}, 600_000);

/** The archive's files with one more event (and its data) chained at the end, written as belenios-tool writes it. */
function withEvent(files: { name: string; text: string }[], type: EventType, data: string[]): Uint8Array {
  const timestamp = Number((JSON.parse(files[0]!.text) as { timestamp: string }).timestamp);
  const entries: ArchiveEntry[] = [];
  let pending: string[] = [];
  let last: string | undefined;
  for (const f of files.slice(1)) {
    if (f.name.endsWith('.data.json')) pending.push(f.text);
    else {
      entries.push({ event: f.text, data: pending });
      pending = [];
      last = f.name.split('.')[0];
    }
  }
  const event = chainEvent(last, entries.length, type, data[data.length - 1]);
  return writeArchive(timestamp, [...entries, { event: event.text, data }]);
}

test('a bad shuffle is named by both verifiers', () => {
  const dir = newDir('mix-bad');
  const { uuid, election, tally } = omovElection(dir);
  const input = nonHomomorphicCiphertexts(election, tally);
  const good = shuffle(election, input, random);
  // The shuffler swaps in a ciphertext of their own (a fresh encryption of "Cy first") for the first output.
  const forged = encryptBallot(
    election,
    generateCredential(random),
    [
      [1, 0],
      [2, 3, 1],
    ],
    random,
  ).ballot.answers[1]!;
  const bad = {
    ...good,
    ciphertexts: [[(forged as { choice: (typeof input)[0][0] }).choice, ...good.ciphertexts[0]!.slice(1)]],
  };
  expect(checkShuffle(election, input, good)).toBe(true);
  expect(checkShuffle(election, input, bad)).toBe(false);
  const text = writeShuffle(bad);
  // belenios-tool, given an archive that holds it, refuses the archive.
  const entries = archiveEntries(path.join(dir, `${uuid}.bel`));
  const bel = withEvent(entries, 'Shuffle', [text, writeOwned(1, text)]);
  const badDir = newDir('mix-bad-archive');
  fs.writeFileSync(path.join(badDir, `${uuid}.bel`), bel);
  expect(() => belenios(badDir, ['election', 'verify'])).toThrow(/belenios-tool election verify failed/);
  // omov's verifier names the trustee.
  const v = verifyArchive(bel);
  expect(v.ok).toBe(false);
  expect(v.checks.find((c) => c.name === 'shuffles')).toMatchObject({
    ok: false,
    detail: expect.stringMatching(/shuffle of trustee 1 does not verify/),
  });
  // The good shuffle, in the same place, passes both.
  const goodText = writeShuffle(good);
  const fine = withEvent(entries, 'Shuffle', [goodText, writeOwned(1, goodText)]);
  fs.writeFileSync(path.join(badDir, `${uuid}.bel`), fine);
  expect(belenios(badDir, ['election', 'verify'])).toBe('');
  expect(verifyArchive(fine).ok).toBe(true);
}, 600_000);
