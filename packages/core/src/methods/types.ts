import type { z } from 'zod';
import type { Election, RankedBallot, ScoreBallot, TallyResult } from '../tally/types';
import type { Rational } from '../tally/rational';

/**
 * What every counting method says about itself, once: how a member answers it, its
 * settings (a zod schema with the defaults), the engine options they map to, its words,
 * the builder's fields and the `omov tally` flags. Every layer (API schema, builder,
 * voting paper, answer check, count, CLI, record verifier, pages) reads these and names no
 * method itself. Plain data and pure functions: no I/O, no HTML.
 */

/** How a member answers: one choice, several marks, a ranking or a score per option. */
export type AnswerKind = 'choice' | 'marks' | 'ranking' | 'scores';

/** The ballot the engine counts for an answer kind. */
export type BallotOf<A extends AnswerKind> = A extends 'scores' ? ScoreBallot : RankedBallot;

/**
 * A setting as the ballot builder shows it; the web layer renders the input from this.
 * `prefill`: a new question (and a blank input) shows the schema's default rather than
 * nothing; otherwise blank means "not set", and the schema's default applies on saving.
 */
export type Field = {
  readonly key: string;
  readonly label: string;
  /** The setting's name in an error summary ("Question 2: highest score"). */
  readonly short: string;
  readonly hint?: string;
  readonly prefill?: boolean;
} & (
  | { readonly input: 'whole'; readonly min?: number; readonly max?: number }
  | { readonly input: 'fraction'; readonly inputmode?: 'decimal' }
  | { readonly input: 'choice'; readonly choices: ReadonlyArray<readonly [value: string, label: string]> }
  | {
      /** Several lines of text, one item a line (STV's balance rules); blank: not set. */
      readonly input: 'lines';
      /** The stored setting as the lines the organiser typed. */
      format(value: unknown): string;
      /** The lines typed, as the setting; or what is wrong, naming the line. */
      parse(
        text: string,
      ): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };
    }
);

/** An `omov tally` flag that sets one engine option. */
export type CliFlag = {
  /** Without the dashes: `max-score`. */
  readonly flag: string;
  /** The engine option it sets. */
  readonly option: string;
  readonly description: string;
  readonly value:
    | 'whole'
    | 'fraction'
    | { readonly choices: ReadonlyArray<string> }
    /** Lines of text read by the method's own parser (several joined by "|" on one line). */
    | {
        readonly lines: (
          text: string,
        ) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };
      };
  readonly required?: boolean;
  /** Another flag this one needs, and why. */
  readonly needs?: { readonly flag: string; readonly why: string };
};

export type MethodLabels = {
  /** In the builder's list and on the results pages: "Score (give each option a score)". */
  readonly name: string;
  /** One line on what the member does and how it is decided. */
  readonly hint: string;
  /** On the printed result sheet (`omov tally`): "Score (range) voting". */
  readonly sheet: string;
  /** What the per-option figure is called: votes, marks, first preferences, total score. */
  readonly figure: 'votes' | 'marks' | 'first preferences' | 'total score';
  /** The column of a count in one round ("Points"); "Votes" when absent. */
  readonly column?: string;
  /** The quota row ("Half of continuing votes"); "Quota" when absent. */
  readonly quota?: string;
  /** The result sheet numbers rounds even when there is only one (IRV, STV). */
  readonly roundsAlways?: boolean;
  /** The words for the engine's `rules` in a result (STV's). */
  readonly rules?: Readonly<Record<string, string>>;
};

/** The answer check's limits for one question. */
export type AnswerLimits = { readonly marks?: number; readonly score?: number };

export interface MethodDescriptor<
  N extends string = string,
  S extends z.ZodObject = z.ZodObject,
  O extends object = object,
  A extends AnswerKind = AnswerKind,
> {
  readonly name: N;
  readonly answer: A;
  /** A motion: its options are Yes and No, fixed, and its outcome is carried or not. */
  readonly motion?: boolean;
  /** Condorcet methods: the pairwise matrix is part of the result. */
  readonly pairwise?: boolean;
  readonly labels: MethodLabels;
  /** The settings, with their defaults; stored settings are parsed by it once, on reading. */
  readonly settings: S;
  /** The number of seats must be below the number of options (not so where every option may win). */
  readonly seatsBelowOptions: boolean;
  readonly fields: ReadonlyArray<Field>;
  readonly cli: ReadonlyArray<CliFlag>;
  /** Places to fill. */
  seats(settings: z.output<S>): number;
  /** The answer check's limits for a question with `options` options. */
  limits(settings: z.output<S>, options: number): AnswerLimits;
  /** The settings in words, for the organiser's summary of the question ("2 seats; scores 0 to 10"). */
  describe(settings: z.output<S>): string[];
  /** The engine's options for these settings; `electorate` is the weight entitled to vote. */
  engine(settings: z.output<S>, electorate: Rational): O;
  /** Engine options that belong to the members' vote only (a quorum), left out when delegates vote. */
  readonly membersOnly?: ReadonlyArray<string>;
  /**
   * Settings that name the question's options (STV's balance rules), checked against the
   * options' labels; paths are relative to the settings.
   */
  optionIssues?(
    settings: z.output<S>,
    labels: ReadonlyArray<string>,
  ): Array<{ path: Array<string | number>; message: string }>;
  /** Counts by the engine. */
  count(election: Election<BallotOf<A>>, seed: string, options: O): TallyResult;
}

/** Declares a method; keeps its literal types so the unions built from the list stay exact. */
export function defineMethod<N extends string, S extends z.ZodObject, O extends object, A extends AnswerKind>(
  d: MethodDescriptor<N, S, O, A>,
): MethodDescriptor<N, S, O, A> {
  return d;
}
