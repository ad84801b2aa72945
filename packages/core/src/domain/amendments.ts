import { z } from 'zod';
import type { Pairwise } from '../tally/methods/condorcet';
import { rat, ratToReadable } from '../tally/rational';

/**
 * Amendments voted on as a conference would (docs/proposals.md#amendments-the-agenda): a
 * sequential pairwise agenda, computed from the members' pairwise preferences on the
 * ranked question across the variants. Pure: the services bring the pairwise matrix.
 *
 * Variants are numbered as the ranked question's options: `original` is the proposal's own
 * text, the amendments are the others. The agenda puts each amendment, in the declared
 * order, against the text as it stands (at first the original); the winner of each step is
 * the text as it stands for the next. A tied step keeps the text as it stands (an amendment
 * needs more votes for than against, as at a conference). With `rejection` set (the option
 * "none of these": the motion falls), the last step puts the text as amended against it.
 */

/** The most amendments for which every order is computed (8! = 40,320 orders). */
export const MAX_AGENDA_AMENDMENTS = 8;

export interface AgendaStep {
  /** the variant standing at this step (the text as it stands) */
  readonly standing: number;
  /** the amendment (or, at the last step, the rejection) put against it */
  readonly challenger: number;
  /** members preferring the challenger, and the text as it stands, scaled by the matrix's den */
  readonly forChallenger: bigint;
  readonly forStanding: bigint;
  readonly winner: number;
}

export interface AgendaRun {
  readonly order: ReadonlyArray<number>;
  readonly steps: ReadonlyArray<AgendaStep>;
  /** the variant adopted (or `rejection`, if the motion fell) */
  readonly outcome: number;
}

export interface AgendaSetup {
  readonly original: number;
  /** the qualifying amendments, in any order */
  readonly amendments: ReadonlyArray<number>;
  /** the option meaning "the motion falls", voted on last; null: no such step */
  readonly rejection: number | null;
}

/** Checks that a declared order names each amendment exactly once; throws a RangeError naming what is wrong. */
export function checkAgendaOrder(setup: AgendaSetup, order: ReadonlyArray<number>): void {
  const wanted = new Set(setup.amendments);
  const seen = new Set<number>();
  for (const a of order) {
    if (!wanted.has(a)) throw new RangeError(`order: ${a} is not one of the amendments`);
    if (seen.has(a)) throw new RangeError(`order: amendment ${a} is named twice`);
    seen.add(a);
  }
  if (seen.size !== wanted.size) throw new RangeError('order: every amendment must be named once');
}

/** The agenda in one declared order. */
export function runAgenda(setup: AgendaSetup, order: ReadonlyArray<number>, pw: Pairwise): AgendaRun {
  checkAgendaOrder(setup, order);
  const steps: AgendaStep[] = [];
  let standing = setup.original;
  const challengers = setup.rejection === null ? order : [...order, setup.rejection];
  for (const challenger of challengers) {
    const forChallenger = pw.at(challenger, standing);
    const forStanding = pw.at(standing, challenger);
    const winner = forChallenger > forStanding ? challenger : standing;
    steps.push({ standing, challenger, forChallenger, forStanding, winner });
    standing = winner;
  }
  return { order: order.slice(), steps, outcome: standing };
}

export interface OrderAnalysis {
  /** the declared order's run */
  readonly declared: AgendaRun;
  /** each outcome reached by some order, with the orders reaching it (lexicographic order), declared outcome first */
  readonly outcomes: ReadonlyArray<{ readonly outcome: number; readonly orders: ReadonlyArray<ReadonlyArray<number>> }>;
  /** true when some other order would have adopted another text */
  readonly orderMatters: boolean;
}

/**
 * The sequential agenda under every order of the amendments: which orders give which
 * outcome, and whether the declared order could have changed it.
 */
export function analyseAgendaOrders(
  setup: AgendaSetup,
  declaredOrder: ReadonlyArray<number>,
  pw: Pairwise,
): OrderAnalysis {
  if (setup.amendments.length > MAX_AGENDA_AMENDMENTS)
    throw new RangeError(`amendments: at most ${MAX_AGENDA_AMENDMENTS} for the analysis of every order`);
  const declared = runAgenda(setup, declaredOrder, pw);
  const byOutcome = new Map<number, number[][]>();
  for (const order of permutations([...setup.amendments].sort((a, b) => a - b))) {
    const { outcome } = runAgenda(setup, order, pw);
    const list = byOutcome.get(outcome) ?? [];
    list.push(order);
    byOutcome.set(outcome, list);
  }
  const outcomes = [...byOutcome.entries()]
    .map(([outcome, orders]) => ({ outcome, orders }))
    .sort((a, b) => (a.outcome === declared.outcome ? -1 : b.outcome === declared.outcome ? 1 : a.outcome - b.outcome));
  return { declared, outcomes, orderMatters: outcomes.length > 1 };
}

/** Every order of `items`, in lexicographic order of positions. */
function permutations(items: ReadonlyArray<number>): number[][] {
  if (items.length <= 1) return [items.slice()];
  const out: number[][] = [];
  items.forEach((first, i) => {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) out.push([first, ...tail]);
  });
  return out;
}

/* The agenda as a ranked question declares it, and its result as stored. */

/**
 * The agenda a ranked (Schulze) question declares in its settings (`settings.agenda`): which
 * of its options is the original text, which are the amendments, which means "the motion
 * falls", and the order in which the conference's agenda takes the amendments. Option
 * numbers are positions in the question's options, from 0. Committed at open with the
 * question, so the order is fixed before anyone votes.
 */
export const agendaSettingsSchema = z
  .object({
    original: z.number().int().min(0).describe("the option that is the motion's own text"),
    amendments: z
      .array(z.number().int().min(0))
      .min(1)
      .max(MAX_AGENDA_AMENDMENTS)
      .describe('the options that are amendments (each a whole replacement text)'),
    rejection: z.number().int().min(0).nullable().describe('the option "none: the motion falls", voted on last'),
    order: z.array(z.number().int().min(0)).describe('the declared order in which the agenda takes the amendments'),
  })
  .describe('the sequential agenda of an amended motion (docs/proposals.md#amendments)');
export type AgendaSettings = z.output<typeof agendaSettingsSchema>;

/** What is wrong with a declared agenda for a question of `options` options, or null. */
export function agendaIssue(a: AgendaSettings, options: number): string | null {
  const all = [a.original, ...a.amendments, ...(a.rejection === null ? [] : [a.rejection])];
  if (all.some((i) => i >= options)) return `every option number must be below ${options}`;
  if (new Set(all).size !== all.length)
    return 'the original, the amendments and the rejection must be distinct options';
  try {
    checkAgendaOrder(a, a.order);
  } catch (err) {
    return (err as Error).message;
  }
  return null;
}

/** One step of the agenda as results show it: labels, and members' figures as exact numbers. */
export interface AgendaStepResult {
  readonly standing: string;
  readonly challenger: string;
  readonly forChallenger: string;
  readonly forStanding: string;
  readonly winner: string;
}

/** The sequential agenda beside the Condorcet count, as stored with a question's result. */
export interface AgendaResult {
  /** the amendments' labels in the declared order */
  readonly declaredOrder: ReadonlyArray<string>;
  readonly steps: ReadonlyArray<AgendaStepResult>;
  /** the text adopted by the declared agenda, or the rejection's label */
  readonly outcome: string;
  /** each outcome some order reaches, with the orders (as labels), the declared outcome first */
  readonly outcomes: ReadonlyArray<{ readonly outcome: string; readonly orders: ReadonlyArray<ReadonlyArray<string>> }>;
  /** true when some other order of the amendments would have adopted another text */
  readonly orderMatters: boolean;
}

/** The agenda's result from the question's pairwise counts, in labels and exact figures. */
export function agendaResult(a: AgendaSettings, labels: ReadonlyArray<string>, pw: Pairwise): AgendaResult {
  const analysis = analyseAgendaOrders(a, a.order, pw);
  const label = (i: number) => labels[i]!;
  const figure = (x: bigint) => ratToReadable(rat(x, pw.den));
  return {
    declaredOrder: a.order.map(label),
    steps: analysis.declared.steps.map((s) => ({
      standing: label(s.standing),
      challenger: label(s.challenger),
      forChallenger: figure(s.forChallenger),
      forStanding: figure(s.forStanding),
      winner: label(s.winner),
    })),
    outcome: label(analysis.declared.outcome),
    outcomes: analysis.outcomes.map((o) => ({ outcome: label(o.outcome), orders: o.orders.map((x) => x.map(label)) })),
    orderMatters: analysis.orderMatters,
  };
}

/* An amended question with options: the version question, and the question over every version's options. */

/**
 * The settings of the question over the union of an amended question's options
 * (docs/proposals.md#amendments-to-a-question): which question on the ballot asks "which
 * version?" (by its title), and, for each of that question's options (the versions, in its
 * order), the positions of this question's options that the version holds. Members rank the
 * union; at the count, the options outside the adopted version are struck from each ranking,
 * and each member's highest-ranked option still standing is their vote (the proposal's
 * method, one choice).
 */
export const versionsSettingsSchema = z
  .object({
    question: z.string().min(1).describe('the title of the question on the ballot that asks which version'),
    options: z
      .array(z.array(z.number().int().min(0)).min(2))
      .min(2)
      .max(MAX_AGENDA_AMENDMENTS + 1)
      .describe("for each version (the version question's options, in order), the options of this question it holds"),
  })
  .describe('an amended question: its options are the union of its versions, counted over the adopted one');
export type VersionsSettings = z.output<typeof versionsSettingsSchema>;

/** What is wrong with a question's declared versions, for a question of `options` options, or null. */
export function versionsIssue(v: VersionsSettings, options: number): string | null {
  for (const [i, list] of v.options.entries()) {
    if (list.some((o) => o >= options)) return `version ${i + 1}: every option number must be below ${options}`;
    if (new Set(list).size !== list.length) return `version ${i + 1}: an option is named twice`;
  }
  const used = new Set(v.options.flat());
  if (used.size !== options) return 'every option must belong to some version';
  return null;
}

/**
 * The union of the versions' option lists, in order of first appearance (the original's
 * first), and each version's options as positions in it. Labels differing only in case are
 * one option, spelled as it first appears (a ballot question's options must differ in more).
 */
export function unionOfVersions(versions: ReadonlyArray<ReadonlyArray<string>>): {
  union: string[];
  positions: number[][];
} {
  const union: string[] = [];
  const positions = versions.map((list) =>
    list.map((label) => {
      const at = union.findIndex((u) => u.toLowerCase() === label.toLowerCase());
      if (at >= 0) return at;
      union.push(label);
      return union.length - 1;
    }),
  );
  return { union, positions };
}

/**
 * A ranking with the options outside `standing` struck: the member's highest-ranked option
 * still standing, or null when they ranked none of them.
 */
export function firstStanding(ranking: ReadonlyArray<number>, standing: ReadonlySet<number>): number | null {
  for (const o of ranking) if (standing.has(o)) return o;
  return null;
}

/** The versions' count as stored with the union question's result. */
export interface VersionsResult {
  /** the version question's title */
  readonly question: string;
  /** the version the declared agenda adopted (its label on the version question): the options counted */
  readonly adopted: string;
  /** the version the Condorcet count (Schulze) elected */
  readonly condorcet: string;
  /** the options struck from every ranking, as they are not in the adopted version */
  readonly struck: ReadonlyArray<string>;
  /** when Schulze elected another version: what this question's result would have been under it */
  readonly otherwise: {
    readonly version: string;
    readonly struck: ReadonlyArray<string>;
    readonly options: ReadonlyArray<{ readonly option: string; readonly votes: string }>;
    readonly elected: ReadonlyArray<string>;
  } | null;
}
