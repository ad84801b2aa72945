import { z } from 'zod';
import { textRule } from './text';
import { poolBranches } from './pooling';
import { drawOrder } from '../tally/lot';

/**
 * Member proposals (docs/proposals.md): the organisation's rules, when a proposal
 * qualifies, and what its public page may say. Pure: the services bring the counts and
 * the database's clock.
 */

/** How the two thresholds combine when both are set. */
export const THRESHOLD_COMBINATIONS = ['either', 'both'] as const;

export const proposalRulesSchema = z
  .object({
    sharePercent: z
      .number()
      .gt(0)
      .max(100)
      .nullable()
      .describe(
        'supporters needed, as a share of the members on the roll when the proposal starts; null: no such threshold',
      ),
    minBranches: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .nullable()
      .describe('supporters needed in at least this many branches; null: no such threshold'),
    combine: z
      .enum(THRESHOLD_COMBINATIONS)
      .default('either')
      .describe('with both thresholds set: either one is enough, or both are needed'),
    windowDays: z.number().int().min(1).max(366).describe('how long a proposal gathers support once started'),
    scheduleDays: z
      .number()
      .int()
      .min(1)
      .max(366)
      .describe('within how many days of qualifying the office must put a proposal on a ballot'),
    k: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe('branches with fewer supporters than this are shown pooled'),
    amendmentDays: z
      .number()
      .int()
      .min(1)
      .max(366)
      .nullable()
      .default(null)
      .describe(
        'how many days members may table amendments to a motion once it qualifies (the office then has scheduleDays more to put it on a ballot); null: no amendments',
      ),
  })
  .refine((r) => r.sharePercent !== null || r.minBranches !== null, {
    message: 'set at least one threshold: a share of members or a number of branches',
    path: ['sharePercent'],
  });

export type ProposalRules = z.output<typeof proposalRulesSchema>;

/** What a proposal needs to qualify, fixed when it starts (the rules then in force, the roll then). */
export type Threshold = {
  /** Supporters needed in all; null when the rules set no share. */
  supporters: number | null;
  /** Branches with at least one supporter needed; null when the rules set none. */
  branches: number | null;
  combine: (typeof THRESHOLD_COMBINATIONS)[number];
};

/** The threshold of a proposal started under `rules` when the roll held `members` members. */
export function thresholdOf(rules: ProposalRules, members: number): Threshold {
  return {
    // Whole supporters, rounded up: 5% of 30 members is 2 supporters, not 1.5.
    supporters:
      rules.sharePercent === null ? null : Math.max(1, Math.ceil((rules.sharePercent * members) / 100 - 1e-9)),
    branches: rules.minBranches,
    combine: rules.combine,
  };
}

export type Support = { supporters: number; branches: number };

/** Whether the support reaches the threshold. */
export function qualifies(t: Threshold, s: Support): boolean {
  const met = [
    t.supporters === null ? null : s.supporters >= t.supporters,
    t.branches === null ? null : s.branches >= t.branches,
  ].filter((x): x is boolean => x !== null);
  if (met.length === 0) return false;
  return t.combine === 'both' ? met.every(Boolean) : met.some(Boolean);
}

/**
 * Stored kinds: an amendment replaces its parent motion's text in full; `against` is a
 * members' case against their parent proposal, the first to qualify on the ballot.
 */
export type ProposalKind = 'motion' | 'question' | 'amendment' | 'against';

/** Stored stages: the member drafts, gathers support, it qualifies, the office schedules it. */
export const PROPOSAL_STATUSES = ['draft', 'gathering', 'qualified', 'scheduled'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/**
 * What a page says about a proposal: the stored stage, or what time has made of it — a
 * proposal whose window closed short of support has lapsed; a qualified one the office has
 * not scheduled by its date is overdue.
 */
export type ProposalStage = ProposalStatus | 'lapsed' | 'overdue';

export function stageOf(
  p: {
    status: ProposalStatus;
    closesAt: Date | null;
    scheduleBy: Date | null;
    /** Marked by the scheduler when the event ran; until then the window and the date say it. */
    lapsedAt?: Date | null;
    overdueAt?: Date | null;
  },
  now: Date,
): ProposalStage {
  if (p.status === 'gathering' && (p.lapsedAt || (p.closesAt && now >= p.closesAt))) return 'lapsed';
  if (p.status === 'qualified' && (p.overdueAt || (p.scheduleBy && now >= p.scheduleBy))) return 'overdue';
  return p.status;
}

/** Supporter counts per branch as the public may see them: branches under k pooled, as results are. */
export function publicSupport(
  counts: ReadonlyArray<{ branch: string; supporters: number }>,
  k: number,
): Array<{ name: string; supporters: number; pooled: boolean }> {
  const by = new Map(counts.map((c) => [c.branch, c.supporters]));
  return poolBranches(
    counts.map((c) => ({ branch: c.branch, voters: c.supporters })),
    k,
  ).map((u) => ({
    name: u.name,
    supporters: u.branches.reduce((n, b) => n + (by.get(b) ?? 0), 0),
    pooled: u.pooled,
  }));
}

export const PROPOSAL_TITLE_MAX = 200;
export const PROPOSAL_TEXT_MAX = 5000;
export const PROPOSAL_OPTIONS_MAX = 20;

const line = (max: number) => z.string().check(textRule).trim().min(1).max(max);

/**
 * A member's proposal: a motion (title and text, voted Yes or No), or a question with its
 * options (each member picks one). Its wording becomes the ballot's question unchanged.
 */
export const proposalInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('motion'),
    title: line(PROPOSAL_TITLE_MAX),
    text: line(PROPOSAL_TEXT_MAX),
  }),
  z
    .object({
      kind: z.literal('question'),
      title: line(PROPOSAL_TITLE_MAX),
      text: line(PROPOSAL_TEXT_MAX),
      options: z
        .array(line(PROPOSAL_TITLE_MAX))
        .min(2, 'a question needs at least two options')
        .max(PROPOSAL_OPTIONS_MAX),
    })
    .refine((q) => new Set(q.options.map((o) => o.toLowerCase())).size === q.options.length, {
      message: 'an option is there twice',
      path: ['options'],
    }),
]);

export type ProposalInput = z.output<typeof proposalInputSchema>;

/**
 * An amendment's text goes on the ballot word for word as its option's description, whose
 * limit is 2,000 characters; its title goes into the option's label after "Amendment N: ".
 */
export const AMENDMENT_TITLE_MAX = 150;
export const AMENDMENT_TEXT_MAX = 2000;

/**
 * An amendment to a qualified motion: a replacement of its text, in full. To a question with
 * options: the question's text as amended (the same text if only the options change) and a
 * replacement of its whole option list (options added, removed or reworded).
 */
export const amendmentInputSchema = z
  .object({
    title: line(AMENDMENT_TITLE_MAX).describe('a short name for the amendment, shown as "Amendment N: title"'),
    text: line(AMENDMENT_TEXT_MAX).describe(
      "the whole text of the motion as amended (it replaces the text); for a question, the question's text as amended",
    ),
    options: z
      .array(line(PROPOSAL_TITLE_MAX))
      .min(2, 'a question needs at least two options')
      .max(PROPOSAL_OPTIONS_MAX)
      .optional()
      .describe(
        "an amendment to a question: its whole option list as amended (it replaces the list); none for a motion's",
      ),
  })
  .refine((a) => !a.options || new Set(a.options.map((o) => o.toLowerCase())).size === a.options.length, {
    message: 'an option is there twice',
    path: ['options'],
  });
export type AmendmentInput = z.output<typeof amendmentInputSchema>;

/** The ballot's words for the variants of an amended motion (docs/proposals.md#amendments). */
export const VARIANT_WORDS = {
  original: 'The motion as proposed',
  originalDescription: 'The text above, unamended.',
  amendment: (n: number, title: string) => `Amendment ${n}: ${title}`,
  rejection: 'None: the motion falls',
  rejectionDescription: 'None of these texts: the motion is not adopted.',
  /** An amended question: the question asking which version, and its first option. */
  versionQuestion: (title: string) => `Which version of the question: ${title}`,
  versionDescription:
    'Rank the versions of the question below. The version adopted (by the declared agenda, as a conference would vote) decides which options of the question below are counted: the others are struck from every ranking, and a member’s vote passes to their highest-ranked option still standing.',
  originalQuestion: 'The question as proposed',
  /** A version's description on the version question: its text and its options. */
  versionOptions: (text: string, options: ReadonlyArray<string>) => `${text}\n\nOptions: ${options.join('; ')}`,
} as const;

/** The case for and the case against a question: the same maximum length for both. */
export const STATEMENT_MAX = 2000;
export const STATEMENT_SIDES = ['for', 'against'] as const;
export type StatementSide = (typeof STATEMENT_SIDES)[number];
export const statementText = z.string().check(textRule).trim().min(1).max(STATEMENT_MAX);
/** A members' case against is stored as a proposal with this title (its text is the statement). */
export const CASE_AGAINST_TITLE = 'The case against';

/** The order in which a member sees a question's two statements, drawn from their paper's seed: the page and the email agree. */
export const statementOrder = (seed: string, questionId: string): StatementSide[] =>
  drawOrder(STATEMENT_SIDES, seed, `statements ${questionId}`);
