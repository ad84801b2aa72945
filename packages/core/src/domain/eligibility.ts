import { z } from 'zod';

/**
 * Who may vote in a ballot: current members, narrowed by the ballot's rule (branches,
 * joined before a date). The rule is written here; it is applied in one place only, the
 * query that draws the electorate (src/data/roll.ts, `listEligibleMembers`), which opening
 * a ballot, counting a draft's electorate and adding a member to an open one all ask.
 */
export const eligibilitySchema = z.object({
  branches: z.array(z.string().min(1)).min(1).optional().describe('only members of these branches (by name)'),
  joinedBefore: z.iso
    .date()
    .optional()
    .describe('only members who joined before this date (YYYY-MM-DD); a member with no joining date did not'),
});
export type Eligibility = z.infer<typeof eligibilitySchema>;

/** A ballot's rule on who may vote, in words: "members of the branches Leeds, Bristol who joined before 2020-01-01". */
export function eligibilityInWords(e: Eligibility | null | undefined): string {
  if (!e || (!e.branches?.length && !e.joinedBefore)) return 'every current member';
  const branches = e.branches?.length
    ? `members of ${e.branches.length === 1 ? 'the branch' : 'the branches'} ${e.branches.join(', ')}`
    : 'current members';
  return `${branches}${e.joinedBefore ? ` who joined before ${e.joinedBefore}` : ''}`;
}
