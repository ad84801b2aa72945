import { z } from 'zod';
import type { AuditEntry } from '../domain/audit';
import type { DelegateSettingsInput } from '../domain/ballot';
import type { UnitFacts } from '../domain/count';
import { type Ballot, parseBallot } from '../crypto/ballot';
import {
  branchOfCredential,
  branchTalliesProblem,
  parseBranchTallies,
  parsePoolDecryptions,
  poolDecryptionProblem,
  poolResults,
} from '../crypto/branch-tally';
import { parsePublicCredential } from '../crypto/credential';
import { parsePoolProofs, poolInputs, poolShuffleProblem } from '../crypto/pool-shuffle';
import { nonHomomorphicCiphertexts, parseShuffle, type Shuffle } from '../crypto/shuffle';
import { type Election, parseElection } from '../crypto/election';
import { sha256Hex } from '../crypto/hash';
import { type EncryptedTally, lastBallots, parseEncryptedTally } from '../crypto/tally';
import { parseTrustees, type Trustee, trusteeDecryptionKey } from '../crypto/trustee';
import { readArchiveFiles } from '../crypto/verify-archive';
import type { BranchFigures } from './verifiable';
import type { Check } from './verify';

/**
 * The branch figures in a verifiable ballot's record (docs/election-record.md, V23): the
 * pools of branches and their encrypted sub-tallies as stored at the close, and each
 * trustee's decryptions of them. `omov verify` checks them against the Belenios archive
 * (each sub-tally the product of its pool's counted ballots, the pools as the office mode
 * pools those counts, their product the archive's tally, every decryption's proof) and
 * gives the pools' decrypted totals to the recount (V9.n), which counts the branch figures
 * and the delegate comparison from them. Pure: no I/O.
 */
export type BranchSection = {
  /** The section's text, as stored at the close (its SHA-256 is the close entry's `branchTallies`). */
  section: string;
  /** Each trustee's partial decryptions of the pools (a JSON list in the pools' order), by their number. */
  decryptions: Array<{ owner: number; pools: string }>;
  /** Each shuffling trustee's pool proofs (crypto/pool-shuffle.ts), by their number; absent without ranked pools. */
  shuffles?: Array<{ owner: number; pools: string }>;
  /** The voting units fixed at the close: the pools, with their members on the roll and their electorate. */
  units: UnitFacts[];
};

export const branchSectionSchema = z.object({
  section: z.string(),
  decryptions: z.array(z.object({ owner: z.number().int().min(1), pools: z.string() })),
  shuffles: z.array(z.object({ owner: z.number().int().min(1), pools: z.string() })).optional(),
  units: z.array(z.object({ name: z.string(), branches: z.array(z.string()), pooled: z.boolean() }).loose()),
});

/** What the archive holds that the section is checked against. */
type ArchiveParts = {
  election: Election;
  trustees: Trustee[];
  credentials: bigint[];
  counted: Array<{ ballot: Ballot; weight: bigint }>;
  tally: EncryptedTally;
  /** The trustees whose partial decryptions are in the archive, in its order. */
  owners: number[];
  /** The archive's shuffles, in order, each with its trustee. */
  shuffles: Array<{ owner: number; shuffle: Shuffle }>;
};

/** The archive's parts, read without checking them again (V18 does). */
function archiveParts(bytes: Uint8Array): ArchiveParts {
  const files = readArchiveFiles(bytes).slice(1);
  const data = new Map<string, string>();
  const events: Array<{ type: string; payload?: string }> = [];
  for (const f of files) {
    const m = /^([0-9a-f]{64})\.(data|event)\.json$/.exec(f.name);
    if (!m) throw new RangeError(`${f.name} is not a file of a Belenios archive`);
    if (m[2] === 'data') data.set(m[1]!, f.text);
    else {
      const e = JSON.parse(f.text) as { type: string; payload?: string };
      events.push({ type: e.type, payload: e.payload === undefined ? undefined : data.get(e.payload) });
    }
  }
  const payloadOf = (type: string) => events.find((e) => e.type === type)?.payload;
  const setup = JSON.parse(payloadOf('Setup') ?? '{}') as Record<string, string>;
  const part = (key: string) => {
    const text = data.get(setup[key] ?? '');
    if (text === undefined) throw new RangeError(`the archive's Setup has no ${key}`);
    return text;
  };
  const election = parseElection(part('election'));
  const weights = new Map(
    (JSON.parse(part('credentials')) as string[]).map((line) => {
      const c = parsePublicCredential(election.group, line);
      return [c.credential, c.weight] as const;
    }),
  );
  const cast = events
    .filter((e) => e.type === 'Ballot')
    .map((e) => {
      const ballot = parseBallot(e.payload!);
      return { ballot, weight: weights.get(ballot.credential) ?? 0n };
    });
  const sized = JSON.parse(payloadOf('EncryptedTally') ?? 'null') as { encrypted_tally: string } | null;
  const tallyText = sized && data.get(sized.encrypted_tally);
  if (!tallyText) throw new RangeError('the archive holds no encrypted tally');
  return {
    election,
    trustees: parseTrustees(part('trustees')),
    credentials: [...weights.keys()],
    counted: lastBallots(cast),
    tally: parseEncryptedTally(tallyText),
    owners: events
      .filter((e) => e.type === 'PartialDecryption')
      .map((e) => (JSON.parse(e.payload!) as { owner: number }).owner),
    shuffles: events
      .filter((e) => e.type === 'Shuffle')
      .map((e) => {
        const owned = JSON.parse(e.payload!) as { owner: number; payload: string };
        return { owner: owned.owner, shuffle: parseShuffle(data.get(owned.payload) ?? '') };
      }),
  };
}

/**
 * V23: the record's branch section against its archive and log. Returns the check and, when
 * it passes, the pools' decrypted totals for the recount.
 */
export function checkBranchSection(
  branches: BranchSection,
  archive: Uint8Array,
  ballot: { id: string; delegates: DelegateSettingsInput | null },
  log: ReadonlyArray<AuditEntry>,
): { check: Check; figures: BranchFigures | undefined } {
  const problems: string[] = [];
  let figures: BranchFigures | undefined;
  let summary = '';
  try {
    const a = archiveParts(archive);
    const section = parseBranchTallies(a.election, branches.section);
    const problem = branchTalliesProblem(a.election, a.counted, a.tally, section);
    if (problem) problems.push(problem);
    // Every public credential of the archive under exactly one branch, and no other.
    const branchOf = branchOfCredential(section);
    const listed = new Set(a.credentials);
    if (branchOf.size !== listed.size || [...branchOf.keys()].some((c) => !listed.has(c)))
      problems.push(
        `the section lists ${branchOf.size} credentials by branch, but the archive's public credentials are ${listed.size} others`,
      );
    // The units are the pools, each with the public credentials of its branches as its electorate.
    section.pools.forEach((p, i) => {
      const u = branches.units[i];
      const electorate = p.branches.reduce((n, b) => n + (section.credentials[b]?.length ?? 0), 0);
      if (!u || u.name !== p.name || u.pooled !== p.pooled || u.branches.join('\n') !== p.branches.join('\n'))
        problems.push(`unit ${i + 1} is not the pool "${p.name}"`);
      else if (u.electorate !== electorate)
        problems.push(
          `unit "${u.name}" states an electorate of ${u.electorate}, but its branches hold ${electorate} credentials`,
        );
    });
    if (branches.units.length !== section.pools.length)
      problems.push(`${branches.units.length} units for ${section.pools.length} pools`);
    // The close's log entry names this very section.
    const close = log.filter((e) => e.subject === ballot.id && e.action === 'ballot.close');
    const stated = (close[0]?.details as Record<string, unknown> | undefined)?.branchTallies;
    if (stated !== sha256Hex(branches.section))
      problems.push(
        `the log's ballot.close entry records branchTallies ${String(stated)}, but the section hashes to ${sha256Hex(branches.section)}`,
      );
    // Each trustee who decrypted the tally decrypted the pools, with proofs that hold.
    const byOwner = new Map(branches.decryptions.map((d) => [d.owner, d.pools]));
    const owned = a.owners.map((owner) => {
      const text = byOwner.get(owner);
      if (text === undefined) {
        problems.push(`trustee ${owner} decrypted the tally but the section has no decryption of the pools by them`);
        return { owner, pools: [] };
      }
      const pools = parsePoolDecryptions(text);
      const wrong = poolDecryptionProblem(a.election, section, trusteeDecryptionKey(a.trustees, owner), pools);
      if (wrong) problems.push(`the partial decryption of trustee ${owner} does not verify: ${wrong}`);
      return { owner, pools };
    });
    // Each shuffle kept the pools apart: its trustee's pool proofs hold against the lists before it.
    const rankedPools = poolInputs(section, 0) !== undefined;
    if (rankedPools) {
      const proofsOf = new Map((branches.shuffles ?? []).map((d) => [d.owner, d.pools]));
      let before = nonHomomorphicCiphertexts(a.election, a.tally);
      a.shuffles.forEach(({ owner, shuffle }, index) => {
        const text = proofsOf.get(owner);
        if (text === undefined) problems.push(`trustee ${owner} shuffled but the section has no pool proofs by them`);
        else {
          const wrong = poolShuffleProblem(
            a.election,
            section,
            index,
            before,
            shuffle.ciphertexts,
            parsePoolProofs(text),
          );
          if (wrong) problems.push(`the shuffle of trustee ${owner} does not keep the pools apart: ${wrong}`);
        }
        before = shuffle.ciphertexts;
      });
    }
    if (!problems.length) {
      figures = {
        units: branches.units,
        totals: poolResults(a.election, section, a.trustees, owned),
        voters: section.pools.map((p) => p.ballots),
        delegates: ballot.delegates,
        ...(rankedPools ? { rankedPools } : {}),
      };
      summary = `${section.pools.length} pools under k = ${section.k} (${section.pools.map((p) => `${p.name}: ${p.ballots}`).join('; ')}), each sub-tally the product of its counted ballots, together the archive's tally; trustees ${a.owners.join(', ')} decrypted each with proofs that hold`;
      if (rankedPools)
        summary += `; the ${a.shuffles.length} shuffles of the ranked questions each kept the pools apart, with a proof per pool that holds`;
    }
  } catch (err) {
    problems.push(`the branch figures cannot be checked: ${(err as Error).message}`);
  }
  return {
    check: {
      id: 'V23',
      name: 'branch figures',
      verdict: problems.length ? 'FAIL' : 'PASS',
      summary: problems.length ? "the pools' sub-tallies or their decryptions are not what the archive gives" : summary,
      problems,
    },
    figures,
  };
}
