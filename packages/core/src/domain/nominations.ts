import { z } from 'zod';
import { textRule } from './text';
import { qualifies, THRESHOLD_COMBINATIONS, type Threshold } from './proposals';
import { drawOrder } from '../tally/lot';
import { MAX_BALANCE_RULES } from '../methods/stv';
import type { StvRules } from '../tally/types';

/**
 * Elections with nominations (docs/elections.md, "Nominations"): the election's rules, who
 * stands, and the STV question its candidates become. Pure: the services bring the counts,
 * the database's clock and the random seed.
 */

export const ELECTION_TITLE_MAX = 200;
export const ELECTION_TEXT_MAX = 5000;
/** A candidate's statement is their option's description on the ballot, whose limit is 2,000 characters. */
export const CANDIDATE_STATEMENT_MAX = 2000;
/** The STV rules an election's question may be counted by. */
export const ELECTION_RULES = ['scottish', 'meek', 'ers97'] as const satisfies readonly StvRules[];

const line = (max: number) => z.string().check(textRule).trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 time with a zone, e.g. 2026-12-01T09:00:00Z');

/** A balance group: candidates declare at nomination which groups they are in. */
export const electionGroupSchema = z
  .object({
    group: line(100).describe('the group\'s name, as candidates declare it: "women", "North"'),
    min: z.number().int().min(0).max(100).optional().describe('at least this many seats to the group'),
    max: z.number().int().min(0).max(100).optional().describe('at most this many seats to the group'),
  })
  .refine((r) => r.min !== undefined || r.max !== undefined, {
    message: 'a balance rule needs a minimum or a maximum',
    path: ['min'],
  })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    message: 'the minimum cannot be above the maximum',
    path: ['max'],
  });
export type ElectionGroup = z.output<typeof electionGroupSchema>;

export const electionInputSchema = z
  .object({
    title: line(ELECTION_TITLE_MAX).describe('the committee, as the ballot question will name it'),
    description: z.string().check(textRule).trim().max(ELECTION_TEXT_MAX).default(''),
    seats: z.number().int().min(1).max(100),
    rules: z
      .enum(ELECTION_RULES)
      .default('scottish')
      .describe("the STV rules the candidates' question is counted by: scottish (by default), meek or ers97"),
    opensAt: instant.describe('when nominations open'),
    closesAt: instant.describe('when nominations close'),
    threshold: z
      .object({
        members: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .nullable()
          .describe("members' nominations a nominee needs; null: no such threshold"),
        branches: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .nullable()
          .describe("branches' nominations (through their secretaries) a nominee needs; null: no such threshold"),
        combine: z.enum(THRESHOLD_COMBINATIONS).default('either'),
      })
      .refine((t) => t.members !== null || t.branches !== null, {
        message: "set at least one threshold: members' nominations or branches' nominations",
        path: ['members'],
      }),
    k: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(5)
      .describe('branches with fewer nominating members than this are pooled'),
    statementMax: z
      .number()
      .int()
      .min(100)
      .max(CANDIDATE_STATEMENT_MAX)
      .default(1000)
      .describe("the longest a candidate's statement may be, in characters"),
    groups: z.array(electionGroupSchema).max(MAX_BALANCE_RULES).default([]).describe('the balance rules'),
  })
  .superRefine((e, ctx) => {
    if (Date.parse(e.closesAt) <= Date.parse(e.opensAt))
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'nominations must close after they open' });
    const seen = new Set<string>();
    e.groups.forEach((g, i) => {
      if (seen.has(g.group.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'group'],
          message: `the group "${g.group}" is there twice`,
        });
      seen.add(g.group.toLowerCase());
      if (g.min !== undefined && g.min > e.seats)
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'min'],
          message: `${g.group}: at least ${g.min} of ${e.seats} seats cannot be met`,
        });
    });
  });
export type ElectionInput = z.output<typeof electionInputSchema>;

/** What the nominee says when they accept: their statement and the groups they declare. */
export function acceptanceSchema(statementMax: number, groups: readonly string[]) {
  return z.object({
    statement: z
      .string()
      .check(textRule)
      // A browser posts a textarea's line breaks as CRLF, and counts each as one character: so do we. Paragraphs stay.
      .overwrite((s) => s.replace(/\r\n?/g, '\n'))
      .trim()
      .min(1, 'write a statement for the members')
      .max(statementMax, `at most ${statementMax} characters`),
    groups: z
      .array(z.string())
      .max(MAX_BALANCE_RULES)
      .default([])
      .superRefine((gs, ctx) =>
        gs.forEach((g, i) => {
          if (!groups.includes(g))
            ctx.addIssue({
              code: 'custom',
              path: [i],
              message: `"${g}" is not one of the election's groups (${groups.join(', ') || 'none'})`,
            });
        }),
      ),
  });
}

export const NOMINEE_STATUSES = ['pending', 'accepted', 'declined'] as const;
export type NomineeStatus = (typeof NOMINEE_STATUSES)[number];

/** The election's threshold as the proposals' rule reads it: members' nominations are its supporters. */
export function thresholdOfElection(t: ElectionInput['threshold']): Threshold {
  return { supporters: t.members, branches: t.branches, combine: t.combine };
}

/** Whether a nominee's nominations reach the threshold. */
export function nominationsReach(t: ElectionInput['threshold'], n: { members: number; branches: number }): boolean {
  return qualifies(thresholdOfElection(t), { supporters: n.members, branches: n.branches });
}

export type Nominee = {
  id: string;
  name: string;
  branch: string;
  status: NomineeStatus;
  statement: string | null;
  groups: string[];
  members: number;
  branches: number;
};

/**
 * The candidates: the nominees who accepted and whose nominations reach the threshold, each
 * with the label the ballot names them by (their name; with their branch when two share a
 * name).
 */
export function candidatesOf(
  t: ElectionInput['threshold'],
  nominees: readonly Nominee[],
): Array<Nominee & { label: string }> {
  const standing = nominees.filter((n) => n.status === 'accepted' && nominationsReach(t, n));
  const names = new Map<string, number>();
  for (const n of standing) names.set(n.name.toLowerCase(), (names.get(n.name.toLowerCase()) ?? 0) + 1);
  return standing.map((n) => ({
    ...n,
    label: (names.get(n.name.toLowerCase()) ?? 0) > 1 ? `${n.name} (${n.branch})` : n.name,
  }));
}

/**
 * The candidates' order on the ballot: drawn by lot from a seed drawn at random when
 * nominations close and committed in the audit log, so that anyone can redraw it. Candidates
 * enter the draw sorted by label.
 */
export function drawCandidates<T extends { label: string }>(
  candidates: readonly T[],
  seed: string,
  electionId: string,
): T[] {
  const sorted = [...candidates].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return drawOrder(sorted, seed, `nominations:${electionId}`);
}

/**
 * The STV question the candidates become, counted by the election's rules, in their drawn order: each candidate's statement
 * is their option's description; each group is a balance rule naming its candidates. A
 * group's minimum above its candidates standing is lowered to that number (and said in
 * `notes`); a group with no candidate standing has no rule.
 */
export function electionQuestion(
  e: Pick<ElectionInput, 'title' | 'description' | 'seats' | 'groups'> & { rules?: StvRules | undefined },
  ordered: ReadonlyArray<{ label: string; statement: string | null; groups: readonly string[] }>,
) {
  const notes: string[] = [];
  const balance = e.groups.flatMap((g) => {
    const candidates = ordered.filter((c) => c.groups.includes(g.group)).map((c) => c.label);
    if (candidates.length === 0) {
      notes.push(`${g.group}: no candidate of the group is standing, so the group has no rule`);
      return [];
    }
    let min = g.min;
    if (min !== undefined && min > candidates.length) {
      notes.push(
        `${g.group}: at least ${min} seats asked, ${candidates.length} of the group standing, so at least ${candidates.length}`,
      );
      min = candidates.length;
    }
    return [
      {
        group: g.group,
        candidates,
        ...(min !== undefined ? { min } : {}),
        ...(g.max !== undefined ? { max: g.max } : {}),
      },
    ];
  });
  return {
    question: {
      title: e.title,
      description: e.description,
      method: 'stv' as const,
      // An election set before it had rules (the log's election.create without them) is counted by the Scottish rules.
      settings: { seats: e.seats, rules: e.rules ?? 'scottish', ...(balance.length ? { balance } : {}) },
      options: ordered.map((c) => ({ label: c.label, description: c.statement ?? '' })),
    },
    notes,
  };
}
