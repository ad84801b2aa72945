import { type Member, normaliseWeight } from '@omov/core/domain/member';
import * as roll from '../data/roll';
import type { Principal } from '../data/organisations';
import { requireOrganiser, requireRollVisible } from './access';
import { record } from './audit';
import type { AppContext } from './context';
import { conflict, notFound } from './errors';

/**
 * One member at a time, between imports: look a member up, correct them, add one who
 * joined, remove one who left. Each change is logged. Ballots already open keep the
 * electorate (branch and weight) they were opened with. A member's fields and their
 * limits are @omov/core/domain/member's.
 */

/** PostgreSQL's unique_violation: another current member has this email or number. */
function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

export async function getMember(ctx: AppContext, p: Principal, id: string): Promise<roll.MemberRow> {
  requireRollVisible(p);
  const m = await roll.findMember(ctx.db, p.organisationId, id);
  if (!m) throw notFound('member');
  return m;
}

export async function updateMember(ctx: AppContext, p: Principal, id: string, input: Member): Promise<void> {
  requireOrganiser(p);
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await roll.lockRoll(tx, p.organisationId);
      const before = await roll.findMember(tx, p.organisationId, id);
      if (!before) throw notFound('member');
      const branchIds = await roll.ensureBranches(tx, p.organisationId, [input.branch]);
      const after: roll.MemberValues = {
        branchId: branchIds.get(input.branch)!,
        email: input.email,
        name: input.name,
        memberNumber: input.memberNumber,
        weight: input.weight,
        joinedOn: input.joinedOn,
      };
      const changed: string[] = (['email', 'name', 'memberNumber', 'weight', 'joinedOn'] as const).filter(
        (k) => (k === 'weight' ? normaliseWeight(before.weight) : (before[k] ?? null)) !== (after[k] ?? null),
      );
      if (before.branch !== input.branch) changed.push('branch');
      await roll.updateMember(tx, id, after);
      await record(tx, p, 'member.edit', null, { memberId: id, fields: changed });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('another current member already has this email address or member number');
    throw err;
  }
}

export async function addMember(ctx: AppContext, p: Principal, input: Member): Promise<void> {
  requireOrganiser(p);
  try {
    await ctx.db.transaction().execute(async (tx) => {
      await roll.lockRoll(tx, p.organisationId);
      const branchIds = await roll.ensureBranches(tx, p.organisationId, [input.branch]);
      await roll.insertMembers(tx, p.organisationId, [
        {
          branchId: branchIds.get(input.branch)!,
          email: input.email,
          name: input.name,
          memberNumber: input.memberNumber,
          weight: input.weight,
          joinedOn: input.joinedOn,
        },
      ]);
      await record(tx, p, 'member.add', null, { email: input.email, branch: input.branch });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('another current member already has this email address or member number');
    throw err;
  }
}

export async function removeMember(ctx: AppContext, p: Principal, id: string): Promise<void> {
  requireOrganiser(p);
  await ctx.db.transaction().execute(async (tx) => {
    await roll.lockRoll(tx, p.organisationId);
    const m = await roll.findMember(tx, p.organisationId, id);
    if (!m) throw notFound('member');
    await roll.markMembersRemoved(tx, [id]);
    await record(tx, p, 'member.remove', null, { memberId: id });
  });
}
