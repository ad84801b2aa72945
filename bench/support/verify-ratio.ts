/**
 * `omov verify` against `belenios-tool election verify` on the same Belenios archive (issue 11's
 * goal: ours at least as fast). Each is run as the auditor runs it, a process of its own, `runs`
 * times; the median wall time of each is kept. bench/verifiable.ts calls verifyRatio on the
 * archive of its election; run alone (`node dist/bench/support/verify-ratio.js [FILE.bel |
 * --ballots N] [--jobs N] [--runs N]`) it measures a given archive, or one it makes of N ballots.
 * omov runs with --jobs N (every core by default) and with --jobs 1; belenios-tool has one
 * thread. Wall and CPU time (of all of a verifier's threads) are reported, with the load average.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chainEvent, writeArchive, writeCredentialList, writeSetup } from '@omov/core/crypto/archive';
import { encryptBallot } from '@omov/core/crypto/ballot';
import { generateCredential, generateToken, publicCredential } from '@omov/core/crypto/credential';
import { makeElection } from '@omov/core/crypto/election';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import {
  computeResult,
  encryptedTally,
  partialDecrypt,
  writeEncryptedTally,
  writeOwned,
  writePartialDecryption,
  writeResult,
  writeSizedEncryptedTally,
} from '@omov/core/crypto/tally';
import { electionPublicKey, generateTrusteeKey, type Trustee, writeTrustees } from '@omov/core/crypto/trustee';

const BELENIOS_TOOL = '/usr/bin/belenios-tool';
const OMOV = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');

/** One verifier's median wall time and median CPU time (user + system, all its threads), in ms. */
export type Timing = { wallMs: number; cpuMs: number | undefined };
/**
 * omov verify with `jobs` threads (every core), and with one; belenios-tool (one thread).
 * ratio = omov's wall time / belenios-tool's (below 1: omov is faster); ratio1 the same with one thread.
 */
export type VerifyRatio = {
  omov: Timing;
  omov1: Timing;
  belenios: Timing;
  ratio: number;
  ratio1: number;
  jobs: number;
  runs: number;
  /** The 1-minute load average before and after. */
  load: [number, number];
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU time of this process's children that have ended, in ms (Linux's /proc; undefined elsewhere). */
function childrenCpuMs(): number | undefined {
  try {
    // Fields after the command's ")": cutime and cstime are the 14th and 15th, in clock ticks (100 a second).
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function timed(run: () => void): { wallMs: number; cpuMs: number | undefined } {
  const cpu = childrenCpuMs();
  const t = performance.now();
  run();
  const wallMs = performance.now() - t;
  const after = childrenCpuMs();
  return { wallMs, cpuMs: cpu === undefined || after === undefined ? undefined : after - cpu };
}

const medianTiming = (ts: Timing[]): Timing => ({
  wallMs: median(ts.map((t) => t.wallMs)),
  cpuMs: ts.some((t) => t.cpuMs === undefined) ? undefined : median(ts.map((t) => t.cpuMs!)),
});

/** Times both verifiers on `archive` (a .bel file), `runs` rounds of the three, interleaved. */
export function verifyRatio(archive: string, runs = 3, jobs = os.availableParallelism()): VerifyRatio {
  // belenios-tool reads the directory; the file alone in one, as its verify expects.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verify-ratio-'));
  const loadBefore = os.loadavg()[0]!;
  try {
    const copy = path.join(dir, path.basename(archive));
    fs.copyFileSync(archive, copy);
    const omov: Timing[] = [];
    const omov1: Timing[] = [];
    const belenios: Timing[] = [];
    const verify = (n: number) => () =>
      execFileSync(process.execPath, [OMOV, 'verify', '--jobs', String(n), copy], { stdio: 'ignore' });
    for (let i = 0; i < runs; i++) {
      omov.push(timed(verify(jobs)));
      omov1.push(timed(verify(1)));
      belenios.push(
        timed(() => execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', dir], { stdio: 'ignore' })),
      );
    }
    const [o, o1, b] = [medianTiming(omov), medianTiming(omov1), medianTiming(belenios)];
    return {
      omov: o,
      omov1: o1,
      belenios: b,
      ratio: o.wallMs / b.wallMs,
      ratio1: o1.wallMs / b.wallMs,
      jobs,
      runs,
      load: [loadBefore, os.loadavg()[0]!],
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as lines, for the benchmarks' output. */
export function formatVerifyRatio(r: VerifyRatio): string[] {
  const s = (t: Timing) =>
    `${(t.wallMs / 1000).toFixed(2)} s` + (t.cpuMs === undefined ? '' : ` (CPU ${(t.cpuMs / 1000).toFixed(2)} s)`);
  return [
    `omov verify, ${r.jobs} threads: ${s(r.omov)}; 1 thread: ${s(r.omov1)}; belenios-tool election verify (1 thread): ${s(r.belenios)}`,
    `ratio omov / belenios-tool (median of ${r.runs}, wall time; below 1: omov is faster): ${r.ratio.toFixed(2)} with ${r.jobs} threads, ${r.ratio1.toFixed(2)} with 1; load average ${r.load[0].toFixed(1)} before, ${r.load[1].toFixed(1)} after, ${os.availableParallelism()} cores`,
  ];
}

/**
 * An archive of a closed, decrypted election of `ballots` ballots (one trustee, two questions),
 * for running alone; with `alter`, the ballot of that index (0 first) has its first ciphertext
 * changed after it was counted, so its signature no longer holds (the tests' tampered archive).
 */
export function sampleArchive(ballots: number, file: string, opts: { alter?: number } = {}): void {
  const G = groupNamed('BELENIOS-2048');
  const key = generateTrusteeKey(G, systemRandom);
  const trustees: Trustee[] = [{ kind: 'Single', key: key.publicKey }];
  const uuid = generateToken(systemRandom);
  const election = makeElection(
    {
      uuid,
      name: 'verify ratio',
      description: '',
      questions: [
        { question: 'Adopt?', answers: ['Yes', 'No'], min: 1, max: 1, blank: true },
        { question: 'Approve', answers: ['A', 'B', 'C'], min: 1, max: 3, blank: true },
      ],
    },
    G,
    electionPublicKey(G, trustees),
  );
  const credentials = Array.from({ length: ballots }, () => generateCredential(systemRandom));
  const list = writeCredentialList(credentials.map((c) => ({ credential: publicCredential(G, uuid, c), weight: 1n })));
  const trusteesText = writeTrustees(trustees);
  const cast = credentials.map((c, i) =>
    encryptBallot(
      election,
      c,
      [
        [0, i % 2, 1 - (i % 2)],
        [0, 1, i % 3 === 0 ? 1 : 0, 0],
      ],
      systemRandom,
    ),
  );
  const tally = encryptedTally(
    election,
    cast.map((b) => ({ ballot: b.ballot, weight: 1n })),
  );
  const tallyText = writeEncryptedTally(tally);
  const pd = partialDecrypt(election, tally, key.privateKey, systemRandom);
  const pdText = writePartialDecryption(pd);
  const result = computeResult(election, tally, BigInt(ballots), trustees, [{ owner: 1, partialDecryption: pd }]);
  const steps: Array<{ type: Parameters<typeof chainEvent>[2]; data: string[] }> = [
    { type: 'Setup', data: [election.raw, trusteesText, list, writeSetup(election.raw, trusteesText, list)] },
    ...cast.map((b, i) => ({ type: 'Ballot' as const, data: [i === opts.alter ? altered(b.text) : b.text] })),
    { type: 'EndBallots', data: [] },
    { type: 'EncryptedTally', data: [tallyText, writeSizedEncryptedTally(ballots, BigInt(ballots), tallyText)] },
    { type: 'PartialDecryption', data: [pdText, writeOwned(1, pdText)] },
    { type: 'Result', data: [writeResult(result)] },
  ];
  let parent: string | undefined;
  const entries = steps.map((s, height) => {
    const e = chainEvent(parent, height, s.type, s.type === 'EndBallots' ? undefined : s.data[s.data.length - 1]);
    parent = e.hash;
    return { event: e.text, data: s.data };
  });
  fs.writeFileSync(file, writeArchive(Math.floor(Date.now() / 1000), entries));
}

/** A ballot's text with the first alpha (of its first answer's first choice) multiplied by 4 in the group. */
function altered(text: string): string {
  const alpha = /"alpha":"([0-9]+)"/.exec(text)![1]!;
  const G = groupNamed('BELENIOS-2048');
  return text.replace(`"alpha":"${alpha}"`, `"alpha":"${(BigInt(alpha) * 4n) % G.p}"`);
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { ballots: { type: 'string' }, jobs: { type: 'string' }, runs: { type: 'string' } },
  });
  let archive = positionals[0];
  let made: string | undefined;
  if (!archive) {
    const n = Number(values.ballots ?? 200);
    made = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verify-sample-'));
    archive = path.join(made, 'sample.bel');
    sampleArchive(n, archive);
    console.log(`sample archive: ${n} ballots`);
  }
  const r = verifyRatio(
    archive,
    Number(values.runs ?? 3),
    values.jobs === undefined ? os.availableParallelism() : Number(values.jobs),
  );
  for (const line of formatVerifyRatio(r)) console.log(line);
  if (made) fs.rmSync(made, { recursive: true, force: true });
}
