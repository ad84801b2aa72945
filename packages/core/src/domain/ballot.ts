import { z } from 'zod';
import { canonicalZone, isTimeZone } from './zones';
import { eligibilitySchema } from './eligibility';
import { agendaIssue, type AgendaSettings, versionsIssue, type VersionsSettings } from './amendments';
import './plain';
import type { BranchPosition } from './positions';
import { type AnyMethod, isMethod, type Method, METHOD_LIST, methodOf, type SettingsOf } from '../methods/index';

/**
 * What a ballot and its questions look like at the boundary (API and forms), and what a
 * member's answer to each kind of question looks like. Shared by validation, the
 * OpenAPI document and the voting page.
 */

const option = z.object({
  label: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
});
export type OptionInput = { label: string; description: string };

const base = {
  title: z.string().trim().min(1).max(300),
  description: z.string().max(5000).default(''),
};
const opts = (min: number) => z.array(option).min(min, `Give at least ${min} options`).max(200);

const apportionmentMethod = z.enum([
  'hamilton',
  'droop',
  'dhondt',
  'sainte-lague',
  'modified-sainte-lague',
  'huntington-hill',
  'adams',
]);
const fraction = z
  .string()
  .trim()
  .regex(/^(\d+\/[1-9]\d*|\d*\.\d+|[01])$/, 'Write a share as a fraction such as 1/2 or a decimal such as 0.5');
const fractionValue = (s: string): number => {
  const [a, b] = s.split('/');
  return b === undefined ? Number(a) : Number(a) / Number(b);
};

const branchName = z.string().trim().min(1).max(200);

const delegateCommon = {
  basis: z.enum(['members', 'electorate', 'turnout']).default('members').describe('what delegates are shared by'),
  rule: z
    .enum(['bloc', 'proportional', 'weighted', 'stv', 'attendees'])
    .default('bloc')
    .describe("how a branch's delegates vote (attendees: as the majority of its meeting's attendees would)"),
  min: z.number().int().min(0).optional(),
  max: z.number().int().min(1).optional(),
  splitMethod: apportionmentMethod
    .optional()
    .describe("proportional rule: how a branch's delegates are split among options"),
  extras: z
    .array(
      z.object({
        label: z.string().trim().min(1).max(100).describe('who is counted, in the rule book\'s words: "women"'),
        atLeast: z.number().int().min(1).max(10000000),
        delegates: z.number().int().min(1).max(1000).default(1),
        counts: z
          .record(z.string().trim().min(1).max(200), z.number().int().min(0).max(10000000))
          .describe("the organiser's count per branch, by branch name (omov holds no gender or age)"),
      }),
    )
    .max(10)
    .optional()
    .describe('extra delegates for branches with at least so many women, young members, …'),
  attendance: z
    .record(z.string().trim().min(1).max(200), z.number().int().min(0).max(10000000))
    .optional()
    .describe(
      "rule attendees: how many attended each branch's meeting, by branch name, as the organiser counted them (every branch that votes)",
    ),
  affiliates: z
    .array(
      z
        .object({
          name: z
            .string()
            .trim()
            .min(1)
            .max(200)
            .describe("the delegation, e.g. an affiliated union or a women's section"),
          delegates: z
            .number()
            .int()
            .min(1)
            .max(100000)
            .optional()
            .describe('its delegates, as the organiser enters them (or give `members`)'),
          members: z
            .number()
            .int()
            .min(1)
            .max(100000000)
            .optional()
            .describe(
              'its affiliated membership, as the organiser enters it: it then gets delegates by the model as a branch of that size would, split in proportion to its mandate (not with fixed numbers)',
            ),
          mandate: z
            .record(z.string().trim().min(1).max(200), z.number().int().min(0).max(100000))
            .describe(
              'its delegate votes per option, by option label (delegates not mandated abstain); with `members`, the shares its delegates are split in',
            ),
        })
        .refine((a) => (a.delegates === undefined) !== (a.members === undefined), {
          message: 'Give an affiliated delegation either its delegates or its affiliated membership',
          path: ['delegates'],
        }),
    )
    .min(1)
    .max(50)
    .optional()
    .describe('delegations that are not branches, voting beside them as their mandates say'),
  balance: z
    .object({
      label: z.string().trim().min(1).max(100).describe('who the rule is about, in the rule book\'s words: "women"'),
      share: fraction
        .refine((x) => fractionValue(x) > 0 && fractionValue(x) <= 1, 'The share must be above 0 and at most 1')
        .describe('the least share of each delegation, e.g. 1/2'),
      counts: z
        .record(branchName, z.number().int().min(0).max(10000000))
        .describe("the organiser's count of them among each branch's members (omov holds no gender)"),
    })
    .optional()
    .describe("a balance within each branch's delegation: who the delegates are, not how they vote"),
  regions: z
    .object({
      of: z
        .record(branchName, z.string().trim().min(1).max(200))
        .refine((r) => Object.keys(r).length > 0, 'Give each branch its region')
        .describe("each branch's region, by branch name"),
      seats: z.number().int().min(1).max(100000).describe('delegates to the national conference'),
      method: apportionmentMethod
        .default('sainte-lague')
        .describe(
          'how the national delegates are shared among the regions by their members (and split, in proportion)',
        ),
      vote: z
        .enum(['bloc', 'proportional'])
        .default('bloc')
        .describe("a region's national delegates vote as a bloc for its conference's decision, or in proportion to it"),
    })
    .optional()
    .describe(
      'regional tiers: branch delegates meet in regional conferences, which send delegates to the national one',
    ),
};

/**
 * A members' council chosen by lot: `council` ballots drawn from the box (stratified by
 * voting unit if asked) decide by the question's own method. The draw's seed is
 * SHA-256(`seed`, NUL, SHA-256 of the box's ballots), so it is fixed by the declaration and
 * the votes together (packages/core/src/delegates/sortition.ts).
 */
export const councilSchema = z.object({
  method: z.literal('sortition'),
  council: z.number().int().min(1).max(100000).describe('members of the council: ballots drawn from the box'),
  stratified: z
    .boolean()
    .default(false)
    .describe('draw from each voting unit in proportion to its ballots, not from the box as a whole'),
  seed: z
    .string()
    .trim()
    .min(8, 'Give a seed of at least 8 characters')
    .max(200)
    .describe("the organiser's seed, committed with the declaration before the ballot opens"),
});

/** How the ballot is also counted as a delegate conference would have decided it. */
export const delegateSettingsSchema = z
  .union([
    z.object({ ...delegateCommon, method: apportionmentMethod, seats: z.number().int().min(1).max(100000) }),
    z.object({
      ...delegateCommon,
      method: z.literal('bands'),
      bands: z.array(z.object({ upTo: z.number().int().min(1), delegates: z.number().int().min(0) })).min(1),
      beyond: z
        .object({ every: z.number().int().min(1), delegates: z.number().int().min(1), orPart: z.boolean().optional() })
        .optional(),
    }),
    z.object({
      ...delegateCommon,
      method: z.literal('fixed'),
      numbers: z
        .record(z.string().trim().min(1).max(200), z.number().int().min(0).max(100000))
        .refine((r) => Object.keys(r).length > 0, 'Give at least one branch its number of delegates')
        .describe("each branch's delegates, by branch name (a pool of small branches gets the sum of its branches')"),
    }),
    councilSchema,
  ])
  .refine((d) => d.method === 'sortition' || d.min === undefined || d.max === undefined || d.min <= d.max, {
    message: 'The least number of delegates for a branch must not be above the most',
    path: ['min'],
  })
  .refine((d) => d.method === 'sortition' || d.rule !== 'attendees' || d.attendance !== undefined, {
    message: "Delegates chosen by meeting attendees need each branch's attendance",
    path: ['attendance'],
  });
export type DelegateSettingsInput = z.infer<typeof delegateSettingsSchema>;

/**
 * How the conference decides once its delegates' votes are known (packages/core/src/delegates/procedures.ts):
 * by the ballot's own method; by exhaustive ballot; by a majority requirement (saying what
 * happens when no option has it); or by a sectional card vote, each section counting for its share.
 */
export const procedureSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('method') }).describe("the ballot's own counting method"),
  z
    .object({
      kind: z.literal('exhaustive'),
      majorityOf: z
        .enum(['cast', 'all'])
        .default('cast')
        .describe('cast: more than half of the votes cast in the round; all: more than half of all delegate votes'),
    })
    .describe('exhaustive ballot: vote again, eliminating the last, until an option has a majority'),
  z
    .object({
      kind: z.literal('majority'),
      required: fraction.default('1/2').describe('the leading option needs more than this share of the votes cast'),
      otherwise: z
        .enum(['no decision', 'run-off'])
        .default('no decision')
        .describe('what happens when no option has it: nothing is decided, or a run-off between the leading two'),
    })
    .refine((m) => fractionValue(m.required) < 1, {
      message: 'The required share must be below 1',
      path: ['required'],
    }),
  z
    .object({
      kind: z.literal('card'),
      sections: z
        .array(
          z.object({
            name: z.string().trim().min(1).max(200),
            weight: fraction.describe("the section's share of the result, e.g. 1/2"),
            branches: z
              .array(z.string().trim().min(1).max(200))
              .max(10000)
              .describe("the section's branches; none for every branch no other section names"),
          }),
        )
        .min(2, 'A card vote needs at least two sections')
        .max(20),
    })
    .superRefine((c, ctx) => {
      const total = c.sections.reduce((a, s) => a + fractionValue(s.weight), 0);
      if (Math.abs(total - 1) > 1e-9)
        ctx.addIssue({ code: 'custom', path: ['sections'], message: "The sections' weights must add up to 1" });
      if (c.sections.filter((s) => s.branches.length === 0).length > 1)
        ctx.addIssue({
          code: 'custom',
          path: ['sections'],
          message: 'Only one section can take every branch the others do not name',
        });
      const seen = new Set<string>();
      c.sections.forEach((s, i) =>
        s.branches.forEach((b, j) => {
          if (seen.has(b))
            ctx.addIssue({
              code: 'custom',
              path: ['sections', i, 'branches', j],
              message: `The branch "${b}" is in two sections`,
            });
          seen.add(b);
        }),
      );
    }),
]);
export type Procedure = z.infer<typeof procedureSchema>;

/** The most comparisons a question may declare. */
export const MAX_COMPARISONS = 10;

/**
 * A delegate conference declared for one question before the ballot opens: who gets how
 * many delegates and how they vote (`model`), and how the conference decides (`procedure`).
 * Committed at open with the questions, so nobody can choose one after seeing the result.
 */
export const comparisonSchema = z.object({
  label: z.string().trim().max(200).default('').describe('a short name, shown with the comparison'),
  model: delegateSettingsSchema,
  procedure: procedureSchema.default({ kind: 'method' }),
  mandates: z
    .enum(['majority', 'abstain'])
    .optional()
    .describe(
      "also count this conference with its delegates mandated by their branch meetings' positions (a single-winner question with positions): a branch without a position follows its members' majority (`majority`) or abstains (`abstain`), as declared here before opening",
    ),
});
export type DeclaredComparison = z.infer<typeof comparisonSchema>;
export const comparisonsSchema = z
  .array(comparisonSchema)
  .max(MAX_COMPARISONS, `Declare at most ${MAX_COMPARISONS} comparisons for a question`);

/** One method's question: its settings default as a whole where every setting has a default. */
function questionOf(d: AnyMethod) {
  const defaults = d.settings.safeParse({});
  return z.object({
    ...base,
    method: z.literal(d.name),
    // A motion's options are Yes and No, added when it is stored.
    ...(d.motion ? {} : { options: opts(2) }),
    settings: defaults.success ? d.settings.default(defaults.data) : d.settings,
    comparisons: comparisonsSchema
      .optional()
      .describe(
        "delegate conferences declared for this question; when given, they replace the ballot's `delegates` for it",
      ),
  });
}

/** A question as given to the API, its settings typed by its method. */
export type QuestionInput = {
  [M in Method]: {
    title: string;
    description: string;
    method: M;
    settings: SettingsOf<M>;
    /** Absent for a motion (Yes and No). */
    options?: OptionInput[];
    comparisons?: DeclaredComparison[];
  };
}[Method];

/**
 * The comparisons that cannot apply to a question of this method: STV within the branch
 * needs ranked ballots, meeting attendees a single choice; a council by lot takes no procedure. Paths are relative to the question's comparisons.
 */
export function comparisonMethodIssues(
  method: Method,
  comparisons: ReadonlyArray<DeclaredComparison> | undefined,
  options?: ReadonlyArray<string>,
): Array<{ path: Array<string | number>; message: string }> {
  const name = methodOf(method).labels.name;
  return (comparisons ?? []).flatMap((c, j) => [
    ...(c.model.method !== 'sortition' && c.model.rule === 'stv' && methodOf(method).answer !== 'ranking'
      ? [
          {
            path: [j, 'model', 'rule'],
            message: `STV within the branch needs ranked ballots: it does not apply to a ${name} question`,
          },
        ]
      : []),
    ...(c.model.method !== 'sortition' && c.model.rule === 'attendees' && methodOf(method).answer !== 'choice'
      ? [
          {
            path: [j, 'model', 'rule'],
            message: `Delegates chosen by meeting attendees follow a majority of single choices: it does not apply to a ${name} question`,
          },
        ]
      : []),
    ...(c.model.method !== 'sortition' &&
    (c.model.affiliates || c.model.regions) &&
    (c.model.rule === 'weighted' || c.model.rule === 'attendees')
      ? [
          {
            path: [j, 'model', 'rule'],
            message:
              'Affiliated delegations and regional tiers count delegate votes: declare them with the bloc, proportional or STV rule',
          },
        ]
      : []),
    ...(c.model.method !== 'sortition' &&
    c.model.basis === 'turnout' &&
    (c.model.affiliates ?? []).some((a) => a.members !== undefined)
      ? [
          {
            path: [j, 'model', 'affiliates'],
            message:
              'Delegates shared by turnout cannot size an affiliated delegation by its membership (it has no voters): give its delegates',
          },
        ]
      : []),
    ...(c.model.method === 'fixed' && (c.model.affiliates ?? []).some((a) => a.members !== undefined)
      ? [
          {
            path: [j, 'model', 'affiliates'],
            message: 'With fixed numbers per branch, give each affiliated delegation its delegates, not its membership',
          },
        ]
      : []),
    ...(c.model.method !== 'sortition' && c.model.affiliates && c.model.regions
      ? [
          {
            path: [j, 'model', 'regions'],
            message: 'Declare affiliated delegations or regional tiers in one comparison, not both',
          },
        ]
      : []),
    ...(c.model.method !== 'sortition' && c.model.regions && c.procedure.kind !== 'method'
      ? [
          {
            path: [j, 'procedure', 'kind'],
            message: "Regional tiers decide by the question's own method at each tier: declare no other procedure",
          },
        ]
      : []),
    ...(c.model.method !== 'sortition' && options
      ? (c.model.affiliates ?? []).flatMap((a, k) => [
          ...Object.keys(a.mandate)
            .filter((o) => !options.includes(o))
            .map((o) => ({
              path: [j, 'model', 'affiliates', k, 'mandate', o],
              message: `The mandate of ${a.name} names "${o}", which is not an option of this question`,
            })),
          ...(a.delegates !== undefined && Object.values(a.mandate).reduce((n, v) => n + v, 0) > a.delegates
            ? [
                {
                  path: [j, 'model', 'affiliates', k, 'mandate'],
                  message: `The mandate of ${a.name} gives more delegate votes than its ${a.delegates} delegates`,
                },
              ]
            : []),
        ])
      : []),
    ...(c.model.method === 'sortition' && c.procedure.kind !== 'method'
      ? [
          {
            path: [j, 'procedure', 'kind'],
            message: "A council chosen by lot decides by the question's own method: declare no other procedure",
          },
        ]
      : []),
  ]);
}

export const questionInputSchema = z
  .discriminatedUnion(
    'method',
    METHOD_LIST.map((d) => questionOf(d as AnyMethod)) as unknown as [
      ReturnType<typeof questionOf>,
      ...ReturnType<typeof questionOf>[],
    ],
  )
  .superRefine((q, ctx) => {
    const d = methodOf(q.method);
    const options = (q as { options?: OptionInput[] }).options;
    if (!options) return;
    const labels = options.map((o) => o.label.toLowerCase());
    labels.forEach((l, i) => {
      if (labels.indexOf(l) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['options', i, 'label'],
          message: `The option "${options[i]!.label}" is there twice`,
        });
    });
    for (const issue of comparisonMethodIssues(
      q.method,
      (q as { comparisons?: DeclaredComparison[] }).comparisons,
      options.map((o) => o.label),
    ))
      ctx.addIssue({ code: 'custom', path: ['comparisons', ...issue.path], message: issue.message });
    for (const issue of d.optionIssues?.(
      q.settings as never,
      options.map((o) => o.label),
    ) ?? [])
      ctx.addIssue({ code: 'custom', path: ['settings', ...issue.path], message: issue.message });
    const agenda = (q.settings as { agenda?: AgendaSettings }).agenda;
    const agendaProblem = agenda ? agendaIssue(agenda, options.length) : null;
    if (agendaProblem) ctx.addIssue({ code: 'custom', path: ['settings', 'agenda'], message: agendaProblem });
    const versions = (q.settings as { versions?: VersionsSettings }).versions;
    const versionsProblem = versions ? versionsIssue(versions, options.length) : null;
    if (versionsProblem) ctx.addIssue({ code: 'custom', path: ['settings', 'versions'], message: versionsProblem });
    const seats = d.seats(q.settings);
    if (d.seatsBelowOptions && seats >= options.length && options.length >= 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['settings', 'seats'],
        message: `${seats} seats need more than ${seats} options`,
      });
    }
  }) as unknown as z.ZodType<QuestionInput, unknown>;

export const DEFAULT_DELEGATES: DelegateSettingsInput = {
  basis: 'members',
  rule: 'bloc',
  method: 'sainte-lague',
  seats: 100,
};

/**
 * The methods a verifiable ballot counts homomorphically (the encrypted marks are multiplied
 * and only the totals decrypted); a score question is written as one Belenios question per
 * option, its answers the scores (crypto/score.ts). Ranked methods are counted too, through
 * the verifiable mix-net (crypto/shuffle.ts, docs/verifiable.md): VERIFIABLE_METHODS.
 */
export const HOMOMORPHIC_METHODS: ReadonlyArray<Method> = ['yesno', 'plurality', 'approval', 'score'];

/**
 * The most scores a verifiable ballot's score questions may offer in all (each option's 0 to
 * its highest score): every score is its own ciphertext with its proof in every ballot, about
 * 1.7 kB and several milliseconds of the server's check each, and a ballot must fit the API's
 * 1 MB. 120 is, for example, 10 options scored 0 to 10, or 3 questions of 4 options scored 0 to 9.
 */
export const MAX_VERIFIABLE_SCORES = 120;

/** The most trustees a verifiable ballot may have: each one's key share is checked at every count. */
export const MAX_TRUSTEES = 20;

/**
 * How a ballot protects its votes (docs/verifiable.md). `office`: sealed by the server, which
 * the office runs and must be trusted. `verifiable`: encrypted to a key the `trustees` share
 * (any `threshold` of them can decrypt the totals), and signed with credentials that the named
 * `credentialAuthority`, not the office, generates: anyone can check the count with belenios-tool.
 */
export const ballotModeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('office') }),
  z
    .object({
      kind: z.literal('verifiable'),
      trustees: z.number().int().min(1).max(MAX_TRUSTEES).describe('how many trustees share the decryption key'),
      threshold: z
        .number()
        .int()
        .min(1)
        .max(MAX_TRUSTEES)
        .describe('how many of the trustees are needed to decrypt the totals'),
      credentialAuthority: z
        .string()
        .trim()
        .min(1, 'Name the credential authority: the person, not the organiser, who makes the credentials')
        .max(200)
        .describe("the person, apart from the office, who generates the members' credentials"),
      revoting: z
        .boolean()
        .default(true)
        .describe(
          'whether a member may cast again with the same credential, the later ballot replacing the earlier (as in Belenios); when false a second ballot is refused',
        ),
    })
    .refine((m) => m.threshold <= m.trustees, {
      message: 'The threshold cannot be above the number of trustees',
      path: ['threshold'],
    }),
]);
export type BallotMode = z.infer<typeof ballotModeSchema>;
export const OFFICE_MODE: BallotMode = { kind: 'office' };
/** True for a method whose ballots are rankings (IRV, STV, Borda, the Condorcet methods). */
export const isRankingMethod = (m: Method): boolean => methodOf(m).answer === 'ranking';
/** What a verifiable ballot counts: the homomorphic methods, and ranked ones through the mix-net. */
export const isVerifiableMethod = (m: Method): boolean => HOMOMORPHIC_METHODS.includes(m) || isRankingMethod(m);
export const VERIFIABLE_METHOD_MESSAGE =
  'A verifiable ballot counts yes/no, single-choice, approval, score and ranked questions (ranked ones through the verifiable mix-net); a block vote is not counted verifiably yet';

/**
 * Why a ballot of this mode cannot count a question of this method (VERIFIABLE_METHOD_MESSAGE),
 * or undefined when it can: checked where a ballot is made or edited, and where a member
 * proposal or an election is put on one.
 */
export const methodRefused = (mode: Pick<BallotMode, 'kind'>, method: Method): string | undefined =>
  mode.kind === 'verifiable' && !isVerifiableMethod(method) ? VERIFIABLE_METHOD_MESSAGE : undefined;

const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 time with a zone, e.g. 2026-12-01T09:00:00Z');

export const ballotInputSchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    description: z.string().max(10000).default(''),
    opensAt: instant,
    closesAt: instant,
    questions: z.array(questionInputSchema).min(1, 'Add at least one question').max(50),
    k: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(10)
      .describe(
        'vote figures are published per branch only for branches with at least k voters; smaller ones are pooled',
      ),
    receiptPolicy: z
      .enum(['inclusion', 'choices'])
      .default('inclusion')
      .describe(
        'inclusion: the bulletin board lists receipt codes only; choices: each receipt with the answers recorded under it',
      ),
    voterListVisible: z
      .boolean()
      .default(false)
      .describe('let organisers see which members have voted (off by default; the election record says when it is on)'),
    reminderHours: z
      .array(
        z
          .number()
          .int()
          .min(1)
          .max(24 * 60),
      )
      .max(5)
      .default([72, 24])
      .describe('automatic reminders to members who have not voted, this many hours before closing'),
    eligibility: eligibilitySchema.nullable().default(null).describe('who may vote: null for all current members'),
    randomiseOptions: z
      .boolean()
      .default(false)
      .describe('show each voter the options in their own random order, against ballot-order bias'),
    delegates: delegateSettingsSchema
      .nullable()
      .default(DEFAULT_DELEGATES)
      .refine((d) => d === null || (d.method !== 'sortition' && d.rule !== 'attendees'), {
        message:
          'A council by lot, or delegates chosen by meeting attendees, are declared per question (its comparisons), not for the whole ballot',
      })
      .refine(
        (d) => d === null || d.method === 'sortition' || (!d.affiliates && !d.balance && !d.regions),
        'Affiliated delegations, a balance within delegations and regional tiers are declared per question (its comparisons), not for the whole ballot',
      )
      .describe('the delegate-conference model the ballot is compared with; null for none'),
    timeZone: z
      .string()
      .refine(isTimeZone, 'Choose a time zone by its IANA name, such as Europe/London')
      .transform(canonicalZone)
      .default('UTC')
      .describe('the time zone the times are shown in, in emails and on the voting pages (an IANA name)'),
    mode: ballotModeSchema
      .default(OFFICE_MODE)
      .describe(
        "office (the default): votes sealed by the server; verifiable: encrypted to the trustees' key and signed with credentials (docs/verifiable.md)",
      ),
  })
  .superRefine((b, ctx) => {
    if (Date.parse(b.closesAt) <= Date.parse(b.opensAt)) {
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'The closing time must be after the opening time' });
    }
    if (b.mode.kind === 'verifiable') {
      let scores = 0;
      b.questions.forEach((q, i) => {
        const refused = methodRefused(b.mode, q.method);
        if (refused) ctx.addIssue({ code: 'custom', path: ['questions', i, 'method'], message: refused });
        const options = (q as { options?: OptionInput[] }).options;
        const max = (q.settings as { maxScore?: number } | undefined)?.maxScore;
        if (q.method !== 'score' || !options || max === undefined) return;
        scores += options.length * (max + 1);
        if (scores > MAX_VERIFIABLE_SCORES)
          ctx.addIssue({
            code: 'custom',
            path: ['questions', i, 'settings', 'maxScore'],
            message: `A verifiable ballot's score questions can offer at most ${MAX_VERIFIABLE_SCORES} scores in all (each option's 0 to the highest score: every one is encrypted with its proof in each ballot); with this question they offer ${scores}`,
          });
      });
    }
  });
export type BallotInput = z.infer<typeof ballotInputSchema>;

/** An answer as stored in the ballot box: option positions (0-based), never member data. */
export type Answer =
  | { kind: 'abstain' }
  | { kind: 'choice'; option: number }
  | { kind: 'marks'; options: number[] }
  | { kind: 'ranking'; options: number[] }
  | { kind: 'scores'; scores: Array<number | null> };

export const answerSchema: z.ZodType<Answer> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('abstain') }),
  z.object({ kind: z.literal('choice'), option: z.number().int().min(0) }),
  z.object({ kind: z.literal('marks'), options: z.array(z.number().int().min(0)) }),
  z.object({ kind: z.literal('ranking'), options: z.array(z.number().int().min(0)) }),
  z.object({ kind: z.literal('scores'), scores: z.array(z.number().int().min(0).nullable()) }),
]);

/** A question as the services see it once stored: its settings parsed, typed by its method. */
export type Question = {
  [M in Method]: {
    id: string;
    position: number;
    title: string;
    description: string;
    method: M;
    settings: SettingsOf<M>;
    options: Array<{ id: string; position: number; label: string; description: string }>;
    /** Declared before opening; absent (or empty) when the question has none of its own. */
    comparisons?: DeclaredComparison[];
    /**
     * Branch meetings' positions on it, by branch name (an option's label, or null for no
     * position), recorded before opening and committed with the question; absent when none.
     */
    positions?: BranchPosition[];
  };
}[Method];

/** Branch meetings' positions as a question holds them (checked against its options by checkPositions). */
const positionsSchema = z.array(
  z.object({ branch: z.string(), position: z.string().nullable(), attendance: z.number().int().min(0) }).strict(),
);

/** A stored question that no longer reads: an unknown method, or settings its method refuses. */
export class StoredQuestionError extends Error {}

/**
 * A question as stored (method and settings as written) parsed once into its type. Settings
 * that no longer parse are an error naming the question, never a silent default.
 */
export function storedQuestion(
  row: Omit<Question, 'method' | 'settings' | 'comparisons' | 'positions'> & {
    method: string;
    settings: unknown;
    comparisons?: unknown;
    positions?: unknown;
  },
): Question {
  const name = `question ${row.position + 1} ("${row.title}", ${row.id})`;
  if (!isMethod(row.method))
    throw new StoredQuestionError(`${name}: unknown counting method ${JSON.stringify(row.method)}`);
  const parsed = methodOf(row.method).settings.safeParse(row.settings ?? {});
  if (!parsed.success)
    throw new StoredQuestionError(
      `${name}: its ${row.method} settings do not read: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')}`,
    );
  const { comparisons: declared, positions: recorded, ...rest } = row;
  const positions = positionsSchema.safeParse(recorded ?? []);
  if (!positions.success)
    throw new StoredQuestionError(
      `${name}: its branch positions do not read: ${positions.error.issues.map((i) => `${i.path.join('.') || 'positions'}: ${i.message}`).join('; ')}`,
    );
  const comparisons = comparisonsSchema.safeParse(declared ?? []);
  if (!comparisons.success)
    throw new StoredQuestionError(
      `${name}: its declared comparisons do not read: ${comparisons.error.issues.map((i) => `${i.path.join('.') || 'comparisons'}: ${i.message}`).join('; ')}`,
    );
  // A question without comparisons of its own reads as it did before they existed (its committed definition is unchanged).
  return {
    ...rest,
    method: row.method,
    settings: parsed.data,
    ...(comparisons.data.length ? { comparisons: comparisons.data } : {}),
    ...(positions.data.length ? { positions: positions.data } : {}),
  } as Question;
}

/**
 * Checks an answer against its question; returns a reason when it is not valid. The
 * voting page and the API both go through here.
 */
export function answerProblem(q: Question, a: Answer): string | null {
  if (a.kind === 'abstain') return null;
  const d = methodOf(q.method);
  if (a.kind !== d.answer) return `this question takes a ${d.answer} answer`;
  const n = q.options.length;
  const limits = d.limits(q.settings, n);
  const inRange = (i: number) => i >= 0 && i < n;
  switch (a.kind) {
    case 'choice':
      return inRange(a.option) ? null : 'unknown option';
    case 'marks': {
      if (!a.options.every(inRange)) return 'unknown option';
      if (new Set(a.options).size !== a.options.length) return 'an option is marked twice';
      const max = limits.marks ?? n;
      if (a.options.length > max) return `mark at most ${max}`;
      if (a.options.length === 0) return 'mark at least one option, or abstain';
      return null;
    }
    case 'ranking': {
      if (!a.options.every(inRange)) return 'unknown option';
      if (new Set(a.options).size !== a.options.length) return 'an option is ranked twice';
      if (a.options.length === 0) return 'rank at least one option, or abstain';
      return null;
    }
    case 'scores': {
      const max = limits.score;
      if (max === undefined) throw new RangeError(`method ${q.method} takes scores but gives no highest score`);
      if (a.scores.length !== n) return `give a score (or none) for each of the ${n} options`;
      if (a.scores.some((s) => s !== null && (s < 0 || s > max))) return `scores go from 0 to ${max}`;
      if (a.scores.every((s) => s === null)) return 'score at least one option, or abstain';
      return null;
    }
  }
}

export const YES_NO_OPTIONS = [
  { label: 'Yes', description: '' },
  { label: 'No', description: '' },
];

/** A vote in the opened ballot box: its voting unit, weight, receipt code and answers by question id. */
/** A vote as the box holds it after close. Under the `inclusion` receipt policy it carries no receipt: the receipts are kept apart. */
export type StoredVote = { unit: string; weight: string; receipt?: string; answers: Record<string, Answer> };
