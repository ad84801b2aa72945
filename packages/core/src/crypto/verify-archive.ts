import { chainEvent, type EventType, writeSetup } from './archive';
import { type Ballot, type BallotCheck, checkBallot } from './ballot';
import { parsePublicCredential } from './credential';
import { type Election, parseElection } from './election';
import { sha256Hex } from './hash';
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
} from './tally';
import { checkShuffle, mergeNonHomomorphic, nonHomomorphicCiphertexts, parseShuffle, type Shuffle } from './shuffle';
import { checkTrustees, electionPublicKey, parseTrustees, type Trustee, trusteeDecryptionKey } from './trustee';

/**
 * `omov verify` for a verifiable ballot: the Belenios 2.0 archive (`<uuid>.bel`) checked with
 * nothing but its bytes, as `belenios-tool election verify` checks it, and each failure named:
 * the chain of events; the setup (the election's key is the trustees', their proofs hold);
 * every ballot (its signature, its proofs, its credential on the published list); the
 * encrypted tally (the product of each credential's last ballot, raised to its weight); the
 * shuffles of the non-homomorphic (ranked) questions, each trustee's proof of shuffle; each
 * partial decryption (its proofs, against its trustee's key); and the result (what those
 * decryptions give). Pure: no I/O, so it runs wherever the core does.
 */

export type ArchiveCheckName =
  'archive' | 'chain' | 'setup' | 'ballots' | 'encrypted tally' | 'shuffles' | 'partial decryptions' | 'result';
export type ArchiveCheck = { readonly name: ArchiveCheckName; readonly ok: boolean; readonly detail: string };

export type ArchiveVerification = {
  readonly ok: boolean;
  readonly checks: ReadonlyArray<ArchiveCheck>;
  /** The election's uuid and name, once the setup could be read. */
  readonly election?: { readonly uuid: string; readonly name: string };
  /**
   * The totals the archive's Result states, once it is in and holds: per question, blank first
   * where allowed; for a non-homomorphic question, each shuffled ballot's numbers as JSON ("[2,0,1]").
   */
  readonly result?: ReadonlyArray<ReadonlyArray<string>>;
  /**
   * What the server's log commits to, as found in the archive (once the setup could be read):
   * the election's fingerprint, the SHA-256 (hex) of the public credentials list, how many
   * credentials and how many of them cast a ballot, the Setup event's hash, the hash of the
   * EncryptedTally event (the chain's head at the close) and of the Result's data.
   */
  readonly facts?: ArchiveFacts;
};

export type ArchiveFacts = {
  readonly electionHash: string;
  readonly credentialsHash: string;
  readonly credentials: number;
  readonly voters?: number;
  readonly setupEvent: string;
  readonly tallyEvent?: string;
  readonly resultHash?: string;
};

type ArchiveEvent = {
  readonly text: string;
  readonly hash: string;
  readonly type: EventType;
  readonly payload?: string;
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The tar's files in order: name and text; a name not the SHA-256 of its text (but the header) is an error. */
export function readArchiveFiles(bytes: Uint8Array): Array<{ name: string; text: string }> {
  const files: Array<{ name: string; text: string }> = [];
  for (let at = 0; at + 512 <= bytes.length;) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number) =>
      decoder
        .decode(header.subarray(from, from + length))
        .replace(/\0.*$/s, '')
        .trim();
    const name = field(0, 100);
    const size = parseInt(field(124, 12), 8);
    if (!name || !Number.isSafeInteger(size) || at + 512 + size > bytes.length)
      throw new RangeError(`the archive is not a tar file, or is cut short, at byte ${at}`);
    files.push({ name, text: decoder.decode(bytes.subarray(at + 512, at + 512 + size)) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const EVENT_TYPES = new Set<string>([
  'Setup',
  'Ballot',
  'EndBallots',
  'EncryptedTally',
  'Shuffle',
  'EndShuffles',
  'PartialDecryption',
  'Result',
]);

class Failure extends Error {
  constructor(
    readonly check: ArchiveCheckName,
    message: string,
  ) {
    super(message);
  }
}

const fail = (check: ArchiveCheckName, message: string): never => {
  throw new Failure(check, message);
};

const jsonOf = (check: ArchiveCheckName, text: string, what: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* named below */
  }
  return fail(check, `${what} is not a JSON object`);
};

/** The ballots' checks asked of a checker: checkBallot of each text, in order. */
export type BallotsToCheck = { readonly election: Election; readonly texts: ReadonlyArray<string> };
/**
 * Checks ballots as checkBallot does, all at once, and answers checkBallot's result for each, in
 * order: the CLI gives one that spreads them over threads (cli/ballot-threads.ts).
 */
export type BallotsChecker = (ballots: BallotsToCheck) => Promise<ReadonlyArray<BallotCheck>>;

/** The archive's checks, here, in one go. */
export function verifyArchive(bytes: Uint8Array): ArchiveVerification {
  const steps = verifying(bytes);
  for (let step = steps.next(); ;) {
    if (step.done) return step.value;
    const { election, texts } = step.value;
    // Each ballot checked as its turn comes: the first bad one ends the checks.
    step = steps.next((i) => checkBallot(election, texts[i]!));
  }
}

/**
 * The same checks, with the ballots' (most of the work, each independent of the others) handed
 * to `checkBallots`; the result and every message are verifyArchive's.
 */
export async function verifyArchiveWith(bytes: Uint8Array, checkBallots: BallotsChecker): Promise<ArchiveVerification> {
  const steps = verifying(bytes);
  for (let step = steps.next(); ;) {
    if (step.done) return step.value;
    const { election, texts } = step.value;
    const results = await checkBallots({ election, texts });
    if (results.length !== texts.length)
      throw new Error(`the ballots' checker answered ${results.length} checks for ${texts.length} ballots`);
    step = steps.next((i) => results[i]!);
  }
}

/** The checks in order; at the ballots it yields them to be checked and takes back checkBallot's result of the i-th. */
function* verifying(bytes: Uint8Array): Generator<BallotsToCheck, ArchiveVerification, (i: number) => BallotCheck> {
  const checks: ArchiveCheck[] = [];
  const pass = (name: ArchiveCheckName, detail: string) => checks.push({ name, ok: true, detail });
  let election: Election | undefined;
  let stated: ReadonlyArray<ReadonlyArray<string>> | undefined;
  let facts: ArchiveFacts | undefined;
  try {
    // The files: each named by its hash, so none was altered after the archive was written.
    let files;
    try {
      files = readArchiveFiles(bytes);
    } catch (err) {
      return fail('archive', (err as Error).message);
    }
    if (files[0]?.name !== 'BELENIOS') fail('archive', 'the archive does not start with its BELENIOS header');
    const data = new Map<string, string>();
    const events: ArchiveEvent[] = [];
    for (const f of files.slice(1)) {
      const m = /^([0-9a-f]{64})\.(data|event)\.json$/.exec(f.name);
      if (!m) fail('archive', `${f.name} is not a file of a Belenios archive`);
      if (sha256Hex(f.text) !== m![1]) fail('archive', `${f.name} is not the file its name says: it was altered`);
      if (m![2] === 'data') data.set(m![1]!, f.text);
      else {
        const e = jsonOf('chain', f.text, `event ${events.length}`);
        if (typeof e.type !== 'string' || !EVENT_TYPES.has(e.type))
          fail('chain', `event ${events.length} has an unknown type`);
        const payload = e.payload === undefined ? undefined : data.get(String(e.payload));
        if (e.payload !== undefined && payload === undefined)
          fail('chain', `event ${events.length} (${String(e.type)}) names data that is not in the archive before it`);
        events.push({ text: f.text, hash: m![1]!, type: e.type as EventType, payload });
      }
    }
    pass('archive', `${files.length - 1} files, each named by its SHA-256`);

    // The chain: each event names the one before it and its own height, in Belenios's form.
    let parent: string | undefined;
    for (const [height, e] of events.entries()) {
      if (chainEvent(parent, height, e.type, e.payload).text !== e.text)
        fail(
          'chain',
          `event ${height} (${e.type}) does not follow the chain: an event before it was removed or changed`,
        );
      parent = e.hash;
    }
    if (events[0]?.type !== 'Setup') fail('chain', 'the chain does not start with the Setup');
    pass('chain', `${events.length} events, each naming the one before it; head ${parent}`);

    // The setup: the election, its trustees and the public credentials.
    const setup = jsonOf('setup', events[0]!.payload!, 'the Setup');
    const part = (key: string) =>
      data.get(String(setup[key])) ?? fail('setup', `the Setup's ${key} is not in the archive`);
    const [electionText, trusteesText, credentialsText] = [part('election'), part('trustees'), part('credentials')];
    if (writeSetup(electionText, trusteesText, credentialsText) !== events[0]!.payload)
      fail('setup', 'the Setup is not in canonical form');
    let trustees: Trustee[];
    const weights = new Map<bigint, bigint>();
    try {
      election = parseElection(electionText);
      trustees = parseTrustees(trusteesText);
      const lines = JSON.parse(credentialsText) as unknown;
      if (!Array.isArray(lines)) throw new RangeError('the public credentials are not a JSON list');
      for (const line of lines) {
        const c = parsePublicCredential(election.group, String(line));
        if (weights.has(c.credential)) throw new RangeError('a public credential is listed twice');
        weights.set(c.credential, c.weight);
      }
    } catch (err) {
      return fail('setup', (err as Error).message);
    }
    const e = election;
    if (!checkTrustees(e.group, trustees)) fail('setup', "a trustee's key or its proof does not verify");
    if (electionPublicKey(e.group, trustees) !== e.publicKey)
      fail('setup', "the election's public key is not the trustees' key");
    facts = {
      electionHash: e.fingerprint,
      credentialsHash: sha256Hex(credentialsText),
      credentials: weights.size,
      setupEvent: events[0]!.hash,
    };
    pass('setup', `election ${e.uuid}, ${trustees.length} trustee entries, ${weights.size} public credentials`);

    // Every ballot: signed by a credential on the list, every proof holding, none twice.
    const cast: Array<{ ballot: Ballot; weight: bigint }> = [];
    const seen = new Set<string>();
    const ballotEvents = [...events.entries()].filter(([, ev]) => ev.type === 'Ballot');
    const checkedBallot = yield { election: e, texts: ballotEvents.map(([, ev]) => ev.payload!) };
    for (const [i, [height]] of ballotEvents.entries()) {
      const checked = checkedBallot(i);
      if (!checked.ok) fail('ballots', `the ballot at height ${height} is refused: ${checked.reason}`);
      if (!checked.ok) continue;
      const weight = weights.get(checked.ballot.credential);
      if (weight === undefined)
        fail('ballots', `the ballot ${checked.tracker} at height ${height} has a credential that is not on the list`);
      if (seen.has(checked.tracker))
        fail('ballots', `the ballot ${checked.tracker} at height ${height} is there twice`);
      seen.add(checked.tracker);
      cast.push({ ballot: checked.ballot, weight: weight! });
    }
    const counted = lastBallots(cast);
    facts = { ...facts!, voters: counted.length };
    pass(
      'ballots',
      `${cast.length} ballots, signatures and proofs holding; ${counted.length} counted (each credential's last)`,
    );

    // The tally, partial decryptions and result, once the ballot is closed.
    const tallyEvent = events.find((x) => x.type === 'EncryptedTally');
    if (!tallyEvent) return done();
    const sized = jsonOf('encrypted tally', tallyEvent.payload!, 'the EncryptedTally');
    const tallyText =
      data.get(String(sized.encrypted_tally)) ?? fail('encrypted tally', 'the encrypted tally is not in the archive');
    const totalWeight = counted.reduce((n, c) => n + c.weight, 0n);
    const expected = writeEncryptedTally(encryptedTally(e, counted));
    if (tallyText !== expected)
      fail(
        'encrypted tally',
        'the encrypted tally is not the product of the counted ballots: a ballot was removed, added or altered after it was counted, or the tally was changed',
      );
    if (writeSizedEncryptedTally(counted.length, totalWeight, tallyText) !== tallyEvent.payload)
      fail('encrypted tally', `the tally does not state ${counted.length} ballots of total weight ${totalWeight}`);
    facts = { ...facts!, tallyEvent: tallyEvent.hash };
    pass('encrypted tally', `the product of the ${counted.length} counted ballots, total weight ${totalWeight}`);

    const encrypted = parseEncryptedTally(tallyText);
    // The shuffles: each trustee's re-encryption and permutation of the ranked questions' ballots, with its proof.
    const shuffleEvents = events.filter((x) => x.type === 'Shuffle');
    const nh = nonHomomorphicCiphertexts(e, encrypted);
    let tally = encrypted;
    if (nh.length === 0 && shuffleEvents.length > 0) fail('shuffles', 'there is a shuffle but no question to shuffle');
    if (nh.length > 0) {
      let current = nh;
      const shufflers: number[] = [];
      for (const sEvent of shuffleEvents) {
        const o = jsonOf('shuffles', sEvent.payload!, 'a Shuffle');
        const owner = Number(o.owner);
        if (!Number.isInteger(owner) || owner < 1)
          fail('shuffles', `a shuffle names no trustee (owner ${String(o.owner)})`);
        const text =
          data.get(String(o.payload)) ?? fail('shuffles', `trustee ${owner}'s shuffle is not in the archive`);
        let s: Shuffle | undefined;
        try {
          s = parseShuffle(text);
        } catch (err) {
          fail('shuffles', `trustee ${owner}'s shuffle: ${(err as Error).message}`);
        }
        if (!checkShuffle(e, current, s!))
          fail('shuffles', `the shuffle of trustee ${owner} does not verify: its proof of shuffle fails`);
        current = s!.ciphertexts;
        shufflers.push(owner);
      }
      const decrypting = events.some((x) => x.type === 'PartialDecryption' || x.type === 'EndShuffles');
      if (decrypting && shufflers.length === 0)
        fail('shuffles', 'the ranked ballots are decrypted without being shuffled: each could be linked to its voter');
      tally = mergeNonHomomorphic(e, encrypted, current);
      pass(
        'shuffles',
        shufflers.length === 0
          ? 'none yet'
          : `${shufflers.length}, each proof of shuffle holding (trustees ${shufflers.join(', ')})`,
      );
    }
    const owned = [];
    for (const pdEvent of events.filter((x) => x.type === 'PartialDecryption')) {
      const o = jsonOf('partial decryptions', pdEvent.payload!, 'a PartialDecryption');
      const owner = Number(o.owner);
      const text =
        data.get(String(o.payload)) ??
        fail('partial decryptions', `trustee ${owner}'s partial decryption is not in the archive`);
      try {
        const pd = parsePartialDecryption(text);
        if (!checkPartialDecryption(e, tally, trusteeDecryptionKey(trustees, owner), pd))
          throw new RangeError(`the partial decryption of trustee ${owner} does not verify`);
        owned.push({ owner, partialDecryption: pd });
      } catch (err) {
        fail('partial decryptions', (err as Error).message);
      }
    }
    pass(
      'partial decryptions',
      `${owned.length}, each proof holding against its trustee's key (${owned.map((o) => o.owner).join(', ')})`,
    );

    const resultEvent = events.find((x) => x.type === 'Result');
    if (!resultEvent) return done();
    let computed;
    try {
      computed = writeResult(computeResult(e, tally, totalWeight, trustees, owned));
    } catch (err) {
      return fail('result', (err as Error).message);
    }
    if (computed !== resultEvent.payload) fail('result', 'the result is not what the partial decryptions give');
    facts = { ...facts!, resultHash: sha256Hex(computed) };
    stated = (JSON.parse(computed) as { result: Array<Array<number | string | number[]>> }).result.map((r) =>
      r.map((x) => (Array.isArray(x) ? JSON.stringify(x) : String(x))),
    );
    pass('result', "the result is what the trustees' partial decryptions give");
    return done();
  } catch (err) {
    if (!(err instanceof Failure)) throw err;
    checks.push({ name: err.check, ok: false, detail: err.message });
    return done();
  }

  function done(): ArchiveVerification {
    return {
      ok: checks.every((c) => c.ok),
      checks,
      ...(election ? { election: { uuid: election.uuid, name: election.name } } : {}),
      ...(stated ? { result: stated } : {}),
      ...(facts ? { facts } : {}),
    };
  }
}

/** The checks as lines of text, each passed or failed with what it found. */
export function formatArchiveVerification(v: ArchiveVerification): string {
  const lines = v.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (v.election) lines.unshift(`Belenios archive of election ${v.election.uuid} (${v.election.name})`);
  if (v.result) lines.push(`Result: ${v.result.map((r) => `[${r.join(', ')}]`).join(' ')}`);
  lines.push(v.ok ? 'Every check passes.' : 'A check FAILS: this archive is not a sound record of the election.');
  return `${lines.join('\n')}\n`;
}

/** True for a file that starts as a Belenios archive does (a tar whose first file is BELENIOS). */
export const isBeleniosArchive = (bytes: Uint8Array): boolean =>
  bytes.length >= 512 && decoder.decode(bytes.subarray(0, 9)) === 'BELENIOS\0';
