/**
 * The mix-net's cost (issue 11, item 5): one trustee's shuffle of a ranked question's ballots,
 * with its Terelius–Wikström proof, and the check of that proof, by omov, reported per 1,000
 * ballots; with `--belenios`, belenios-tool 2.0's `election shuffle` on the same ciphertexts
 * (an archive of the same ballots) for comparison. Run: `npm run build && node
 * dist/bench/support/mixnet.js [--ballots N] [--belenios]`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  chainEvent,
  type ArchiveEntry,
  writeArchive,
  writeCredentialList,
  writeSetup,
} from '@omov/core/crypto/archive';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken, publicCredential } from '@omov/core/crypto/credential';
import { makeElection, nonHomomorphicQuestion } from '@omov/core/crypto/election';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import type { BranchTallies } from '@omov/core/crypto/branch-tally';
import { poolInputs, poolShuffle, poolShuffleSteps } from '@omov/core/crypto/pool-shuffle';
import { checkShuffle, nonHomomorphicCiphertexts, shuffle, shuffleChecks } from '@omov/core/crypto/shuffle';
import { encryptedTally, writeEncryptedTally, writeSizedEncryptedTally } from '@omov/core/crypto/tally';
import { electionPublicKey, generateTrusteeKey, type Trustee, writeTrustees } from '@omov/core/crypto/trustee';
import { BallotCheckers } from '../../src/services/ballot-checkers';

export type MixnetFigures = {
  ballots: number;
  shuffleMs: number;
  checkMs: number;
  shufflePer1000s: number;
  checkPer1000s: number;
  beleniosShuffleMs?: number;
};

/** N ballots of a 5-option ranked question, in RFC-3526-2048, and the encrypted tally's row of them. */
function rankedBallots(ballots: number) {
  const G = groupNamed('RFC-3526-2048');
  const key = generateTrusteeKey(G, systemRandom);
  const trustees: Trustee[] = [{ kind: 'Single', key: key.publicKey }];
  const election = makeElection(
    {
      uuid: generateToken(systemRandom),
      name: 'Mix-net benchmark',
      description: '',
      questions: [nonHomomorphicQuestion('Rank', ['A', 'B', 'C', 'D', 'E'])],
    },
    G,
    electionPublicKey(G, trustees),
  );
  const credentials = Array.from({ length: ballots }, () => generateCredential(systemRandom));
  const cast = credentials.map((c, i) =>
    encryptBallot(
      election,
      c,
      [[1 + (i % 5), 1 + ((i + 1) % 5), 1 + ((i + 2) % 5), 1 + ((i + 3) % 5), 1 + ((i + 4) % 5)]],
      systemRandom,
    ),
  );
  const tally = encryptedTally(
    election,
    cast.map((b) => ({ ballot: b.ballot, weight: 1n })),
  );
  const input = nonHomomorphicCiphertexts(election, tally);
  return { G, trustees, election, credentials, cast, tally, input };
}

export function measureMixnet(ballots: number, withBelenios: boolean): MixnetFigures {
  const { G, trustees, election, credentials, cast, tally, input } = rankedBallots(ballots);
  let t = performance.now();
  const s = shuffle(election, input, systemRandom);
  const shuffleMs = performance.now() - t;
  t = performance.now();
  if (!checkShuffle(election, input, s)) throw new Error('the shuffle does not check');
  const checkMs = performance.now() - t;
  const figures: MixnetFigures = {
    ballots,
    shuffleMs: Math.round(shuffleMs),
    checkMs: Math.round(checkMs),
    shufflePer1000s: Math.round((shuffleMs / ballots) * 1000) / 1000,
    checkPer1000s: Math.round((checkMs / ballots) * 1000) / 1000,
  };
  if (!withBelenios) return figures;

  // The same ballots in an archive, for belenios-tool's own shuffle.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-mixnet-bench-'));
  try {
    const trusteesText = writeTrustees(trustees);
    const credentialsText = writeCredentialList(
      credentials.map((c) => ({ credential: publicCredential(G, election.uuid, c), weight: 1n })),
    );
    const entries: ArchiveEntry[] = [];
    let parent: string | undefined;
    const add = (type: Parameters<typeof chainEvent>[2], data: string[]) => {
      const e = chainEvent(parent, entries.length, type, data.length ? data[data.length - 1] : undefined);
      entries.push({ event: e.text, data });
      parent = e.hash;
    };
    add('Setup', [
      election.raw,
      trusteesText,
      credentialsText,
      writeSetup(election.raw, trusteesText, credentialsText),
    ]);
    for (const b of cast) add('Ballot', [b.text]);
    add('EndBallots', []);
    const tallyText = writeEncryptedTally(tally);
    add('EncryptedTally', [tallyText, writeSizedEncryptedTally(ballots, BigInt(ballots), tallyText)]);
    fs.writeFileSync(path.join(dir, `${election.uuid}.bel`), writeArchive(Math.floor(Date.now() / 1000), entries));
    t = performance.now();
    execFileSync('/usr/bin/belenios-tool', ['election', 'shuffle', '--dir', dir, '--trustee-id', '1'], {
      stdio: 'ignore',
      env: { ...process.env, BELENIOS_USE_URANDOM: '1' },
      maxBuffer: 1 << 30,
    });
    figures.beleniosShuffleMs = Math.round(performance.now() - t);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

export type ServerCheckFigures = { checkers: number; checkMs: number; loopMaxDelayMs: number };

/**
 * The server's check of one trustee's shuffle of N ranked ballots in two pools of branches
 * (even and odd places), as checkShuffleOf runs it: the whole-list proof and the two pool
 * proofs, through the ballot checker threads (BallotCheckers) of each size in `sizes` (0: on
 * the event loop); with the event loop's longest delay meanwhile.
 */
export async function measureServerCheck(ballots: number, sizes: number[]): Promise<ServerCheckFigures[]> {
  const { election, input } = rankedBallots(ballots);
  const section = {
    pools: [0, 1].map((odd) => {
      const positions = [input[0]!.flatMap((_, i) => (i % 2 === odd ? [i] : []))];
      return { name: odd ? 'Odd' : 'Even', ballots: positions[0]!.length, positions };
    }),
  } as unknown as Pick<BranchTallies, 'pools'>;
  const made = poolShuffle(election, input, poolInputs(section, 0)!, systemRandom);
  const whole = shuffleChecks(input, made.shuffle)!;
  const pools = poolShuffleSteps(section, 0, input, made.shuffle.ciphertexts, made.pools).map((s) => s.check!);
  const figures: ServerCheckFigures[] = [];
  for (const checkers of sizes) {
    const pool = new BallotCheckers(checkers);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    // The histogram's first tick sets its clock: only a delay after it counts.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const t = performance.now();
    const holds = await Promise.all([
      pool.checkShuffleProofs(election, whole),
      pool.checkShuffleProofs(election, pools),
    ]);
    const checkMs = performance.now() - t;
    // A loop held by the check sees its delay when the histogram's timer next fires.
    await new Promise((resolve) => setTimeout(resolve, 50));
    delay.disable();
    await pool.close();
    if (!holds.flat().every(Boolean)) throw new Error('the shuffle does not check');
    figures.push({ checkers, checkMs: Math.round(checkMs), loopMaxDelayMs: Math.round(delay.max / 1e6) });
  }
  return figures;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--ballots');
  const ballots = at >= 0 ? Number(args[at + 1]) : 1000;
  const f = measureMixnet(ballots, args.includes('--belenios'));
  const load = os.loadavg()[0]!.toFixed(1);
  process.stdout.write(`${JSON.stringify({ ...f, loadAverage: Number(load) })}\n`);
}
