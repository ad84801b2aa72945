/** Writing up the stages of an STV count as Rounds. */
import type { Round, Transfer } from '../types';
import type { PreparedBallots } from './ballots';
import { show, type Fixed, type Scale } from './fixed';
import type { TieContext } from './ties';
import type { Balance } from './balance';

/** What happened in one stage, collected while it runs. */
export class StageLog {
  readonly elected: number[] = [];
  readonly excluded: number[] = [];
  readonly notes: string[] = [];
  readonly transfers: Transfer[] = [];
}

export interface RoundFigures {
  readonly number: number;
  /** Votes by candidate index (withdrawn candidates are left out of the round). */
  readonly votes: ReadonlyArray<Fixed>;
  readonly exhausted: Fixed;
  readonly loss: Fixed;
  readonly quota: Fixed;
}

export function writeRound(
  names: ReadonlyArray<string>,
  standing: ReadonlyArray<number>,
  s: Scale,
  f: RoundFigures,
  log: StageLog,
): Round {
  const votes: Record<string, string> = {};
  for (const c of standing) votes[names[c]!] = show(f.votes[c]!, s);
  return {
    number: f.number,
    votes,
    exhausted: show(f.exhausted, s),
    loss: show(f.loss, s),
    quota: show(f.quota, s),
    ...(log.transfers.length ? { transfers: log.transfers } : {}),
    elected: log.elected.map((c) => names[c]!),
    excluded: log.excluded.map((c) => names[c]!),
    note: log.notes.join(' '),
  };
}

/** Per-candidate amounts of one transfer, summed as the ballots move. */
export class TransferSum {
  readonly to: Fixed[];
  readonly got: Uint8Array;
  exhausted: Fixed = 0n;
  constructor(n: number) {
    this.to = new Array<Fixed>(n).fill(0n);
    this.got = new Uint8Array(n);
  }
  add(c: number, v: Fixed): void {
    this.to[c] = this.to[c]! + v;
    this.got[c] = 1;
  }
  total(): Fixed {
    let t = 0n;
    for (const v of this.to) t += v;
    return t;
  }
  write(names: ReadonlyArray<string>, s: Scale, from: number, kind: 'surplus' | 'exclusion', value?: Fixed): Transfer {
    const to: Record<string, string> = {};
    for (let c = 0; c < this.to.length; c++) if (this.got[c]) to[names[c]!] = show(this.to[c]!, s);
    return {
      from: names[from]!,
      kind,
      ...(value !== undefined ? { value: show(value, s) } : {}),
      to,
      exhausted: show(this.exhausted, s),
    };
  }
}

export const nameList = (names: ReadonlyArray<string>, cs: ReadonlyArray<number>): string => {
  const ns = cs.map((c) => names[c]!);
  return ns.length <= 2 ? ns.join(' and ') : `${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}`;
};

/** What every rule set's counter receives. */
export interface CountSetup {
  readonly names: ReadonlyArray<string>;
  /** Candidates standing (not withdrawn), by index, ascending. */
  readonly standing: ReadonlyArray<number>;
  readonly seats: number;
  readonly ballots: PreparedBallots;
  readonly ties: TieContext;
  /** Balance rules to keep. */
  readonly balance?: Balance | undefined;
}

/** What every counter returns (index.ts adds the common fields). */
export interface CountOutcome {
  readonly elected: ReadonlyArray<number>;
  readonly rounds: ReadonlyArray<Round>;
  readonly notes: ReadonlyArray<string>;
  readonly summary: Readonly<Record<string, string | boolean | null>>;
}
