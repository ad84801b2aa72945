/**
 * `omov verify` against `belenios-tool election verify` on the same Belenios archive (issue 11's
 * goal: ours at least as fast). Each is run as the auditor runs it, a process of its own, `runs`
 * times; the median wall time of each is kept. bench/verifiable.ts calls verifyRatio on the
 * archive of its election; run alone (`node dist/bench/support/verify-ratio.js [FILE.bel |
 * --ballots N]`) it measures a given archive, or one it makes of N ballots.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
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

export type VerifyRatio = { omovMs: number; beleniosMs: number; ratio: number; runs: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(run: () => void): number {
  const t = performance.now();
  run();
  return performance.now() - t;
}

/** Times both verifiers on `archive` (a .bel file); ratio = omov's time / belenios-tool's (below 1: omov is faster). */
export function verifyRatio(archive: string, runs = 3): VerifyRatio {
  // belenios-tool reads the directory; the file alone in one, as its verify expects.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verify-ratio-'));
  try {
    const copy = path.join(dir, path.basename(archive));
    fs.copyFileSync(archive, copy);
    const omov: number[] = [];
    const belenios: number[] = [];
    for (let i = 0; i < runs; i++) {
      omov.push(timed(() => execFileSync(process.execPath, [OMOV, 'verify', copy], { stdio: 'ignore' })));
      belenios.push(
        timed(() => execFileSync(BELENIOS_TOOL, ['election', 'verify', '--dir', dir], { stdio: 'ignore' })),
      );
    }
    const omovMs = median(omov);
    const beleniosMs = median(belenios);
    return { omovMs, beleniosMs, ratio: omovMs / beleniosMs, runs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An archive of a closed, decrypted election of `ballots` ballots (one trustee, two questions), for running alone. */
export function sampleArchive(ballots: number, file: string): void {
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
    ...cast.map((b) => ({ type: 'Ballot' as const, data: [b.text] })),
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

if (require.main === module) {
  const args = process.argv.slice(2);
  let archive = args[0];
  let made: string | undefined;
  if (!archive || archive === '--ballots') {
    const n = Number(args[1] ?? 200);
    made = fs.mkdtempSync(path.join(os.tmpdir(), 'omov-verify-sample-'));
    archive = path.join(made, 'sample.bel');
    sampleArchive(n, archive);
    console.log(`sample archive: ${n} ballots`);
  }
  const r = verifyRatio(archive);
  console.log(
    `omov verify ${r.omovMs.toFixed(0)} ms, belenios-tool election verify ${r.beleniosMs.toFixed(0)} ms ` +
      `(median of ${r.runs}): ratio ${r.ratio.toFixed(2)} (below 1: omov is faster)`,
  );
  if (made) fs.rmSync(made, { recursive: true, force: true });
}
