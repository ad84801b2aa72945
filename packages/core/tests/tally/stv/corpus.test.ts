/**
 * The reference corpus (packages/core/tests/fixtures/stv, from Droop's test suite, including the real
 * ballots of the 2007 Glasgow City Council ward elections): every `scottish` and `meek` case
 * in droop/expected.json must elect the listed candidates, step by step, and reproduce
 * Droop's figures for every candidate in every round.
 *
 * Droop breaks a tie that its rules leave to lot by a fixed order: the order of the
 * candidates in the file, or a `[tie ...]` line. Some corpus cases depend on that (e.g. the
 * Scottish SC-Vm-12 count draws X, then Y, for exclusion), so the tests give that order as
 * the election's tie order; the count then takes its lots from it instead of from the seed.
 *
 * Round mapping. Scottish: our stage k is Droop's round k-1 (Droop numbers the first stage
 * 0), except that Droop spends a round transferring a surplus of zero (a candidate who
 * reached the quota exactly), which the Order does not (rule 48(1): only votes exceeding the
 * quota are transferred): those Droop rounds, which change nothing, are skipped. Meek: our
 * round k is Droop's round k; Droop's round 0 (first preferences, no decision) has the
 * figures of our round 1, whose one iteration counts first preferences. Droop's figures
 * for a round are those of its first elect/defeat action (Meek; later actions of the round
 * zero the defeated candidate's vote for display) or its last action (Scottish, after the
 * transfer).
 */
import fs from 'node:fs';
import path from 'node:path';
import { countStv } from '../../../src/tally/stv';
import { parseBlt } from '../../../src/tally/formats/blt';
import type { Election, RankedBallot, Round, StvRules, TallyResult } from '../../../src/tally/types';

// A copy of the corpus kept in the repository (source and licence: fixtures/stv/SOURCE.md).
const CORPUS = path.resolve(__dirname, '../../fixtures/stv');

interface Expected {
  readonly case: string;
  readonly ballots_file: string;
  readonly rules: StvRules;
  readonly seats: number;
  readonly ballots: number;
  readonly elected: string[];
  readonly reference: string;
}

interface DroopCandidateState {
  readonly state: string;
  readonly vote?: string;
}
interface DroopAction {
  readonly round: number;
  readonly tag: string;
  readonly msg: string;
  readonly quota?: string;
  readonly nt_votes?: string;
  readonly residual?: string;
  readonly cstate?: Record<string, DroopCandidateState>;
}
interface DroopCount {
  readonly cdict: Record<string, { readonly name: string }>;
  readonly nballots: number;
  readonly quota: string;
  readonly actions: DroopAction[];
}

const expected: Expected[] = JSON.parse(fs.readFileSync(path.join(CORPUS, 'droop/expected.json'), 'utf8'));

function load(e: Expected): Election<RankedBallot> {
  const election = parseBlt(fs.readFileSync(path.join(CORPUS, e.ballots_file), 'utf8'));
  return election.tieOrder ? election : { ...election, tieOrder: election.candidates.map((_, i) => i) };
}

/** Droop's rounds as [round number, its figures, names elected in it], mapped to ours. */
function droopRounds(d: DroopCount, rules: StvRules): { round: number; state: DroopAction; elected: string[] }[] {
  const byRound = new Map<number, DroopAction[]>();
  for (const a of d.actions) {
    if (!byRound.has(a.round)) byRound.set(a.round, []);
    byRound.get(a.round)!.push(a);
  }
  const out: { round: number; state: DroopAction; elected: string[] }[] = [];
  for (const [round, actions] of [...byRound].sort((a, b) => a[0] - b[0])) {
    const elected = actions.filter((a) => a.tag === 'elect').map((a) => a.msg.slice(a.msg.indexOf(': ') + 2).trim());
    if (rules === 'scottish') {
      if (actions.some((a) => a.tag === 'transfer' && /^Surplus transferred: .* \(0\.00000\)$/.test(a.msg))) {
        expect(elected).toEqual([]); // a zero transfer elects nobody
        continue;
      }
      out.push({ round, state: actions.filter((a) => a.cstate).pop()!, elected });
    } else {
      if (round === 0) continue;
      out.push({ round, state: actions.find((a) => ['elect', 'defeat', 'tie'].includes(a.tag))!, elected });
    }
  }
  return out;
}

function compareVotes(ours: Round, state: DroopAction, d: DroopCount): void {
  for (const [cid, cs] of Object.entries(state.cstate!)) {
    // Droop keeps a trailing space it read inside quotes ("Kieran  Wild "); we trim names.
    const name = d.cdict[cid]!.name.trim();
    if (cs.state === 'withdrawn') {
      expect(ours.votes[name]).toBeUndefined();
      continue;
    }
    expect({ round: ours.number, name, vote: ours.votes[name] }).toEqual({ round: ours.number, name, vote: cs.vote });
  }
}

describe.each(expected.filter((e) => e.rules === 'scottish' || e.rules === 'meek'))('$case ($rules)', (e) => {
  let result: TallyResult;
  let droop: DroopCount;
  beforeAll(() => {
    result = countStv(load(e), e.rules, 'corpus');
    droop = JSON.parse(fs.readFileSync(path.join(CORPUS, e.reference), 'utf8'));
  });

  test('elects the listed candidates, step by step', () => {
    expect(new Set(result.elected)).toEqual(new Set(e.elected));
    expect(result.elected).toHaveLength(e.seats);
    // Our order of election is the order of the rounds; the listed order must agree with it
    // wherever it can (candidates elected in the same round may be listed in any order).
    expect(result.rounds.flatMap((r) => r.elected)).toEqual(result.elected);
    let at = 0;
    for (const r of result.rounds) {
      if (!r.elected.length) continue;
      expect(new Set(e.elected.slice(at, at + r.elected.length))).toEqual(new Set(r.elected));
      at += r.elected.length;
    }
  });

  test("reproduces Droop's figures in every round", () => {
    const theirs = droopRounds(droop, e.rules);
    expect(result.rounds).toHaveLength(theirs.length);
    theirs.forEach((t, i) => {
      const ours = result.rounds[i]!;
      compareVotes(ours, t.state, droop);
      expect(ours.quota).toBe(t.state.quota);
      if (e.rules === 'scottish') expect(ours.exhausted).toBe(t.state.nt_votes);
      else expect(ours.exhausted).toBe(t.state.residual);
      expect(new Set(ours.elected)).toEqual(new Set(t.elected));
    });
    expect(result.summary?.validVotes).toBe(`${droop.nballots}.${'0'.repeat(e.rules === 'meek' ? 9 : 5)}`);
  });

  if (e.rules === 'meek') {
    test("round 1 starts from Droop's first-preference count", () => {
      const begin = droop.actions.find((a) => a.tag === 'begin')!;
      // Round 1 ends at its first iteration, every keep factor 1: the first preferences
      // (it either elects on them, or, with no one elected, has no surplus and defeats).
      compareVotes(result.rounds[0]!, begin, droop);
      expect(begin.quota).toBe(
        `${((BigInt(droop.nballots) * 10n ** 9n) / BigInt(e.seats + 1) + 1n).toString().replace(/(\d{9})$/, '.$1')}`,
      );
    });
  }
});
