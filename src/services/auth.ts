import argon2 from 'argon2';
import { z } from 'zod';
import * as data from '../data/organisations';
import type { Principal } from '../data/organisations';
import { hashSecret, newSecret, SECRET_PATTERN } from '../platform/secrets';
import { findBallot } from '../data/ballots';
import { enqueue } from '../data/outbox';
import { requireOrganiser } from './access';
import { record } from './audit';
import { consume } from './rate-limits';
import type { AppContext } from './context';
import { invalid, ServiceError } from './errors';

/** argon2id with the OWASP Password Storage Cheat Sheet's first recommended parameters. */
export const PASSWORD_HASHING = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// Verified against when the email is unknown, so that sign-in takes as long either way.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= argon2.hash('not a password of anyone', PASSWORD_HASHING));

export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(256);

/**
 * A setup link either creates an organisation (organisationName needed) or, when it is an
 * invitation into one, lets the invited person join (their email is fixed by the invitation).
 */
export const setupInputSchema = z.object({
  organisationName: z.string().trim().min(1).max(200).optional(),
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320).optional(),
  password: passwordSchema,
});
export type SetupInput = z.infer<typeof setupInputSchema>;

/** A one-time link that creates an organisation and its first organiser. */
export async function createSetupLink(ctx: AppContext): Promise<string> {
  const token = newSecret();
  await data.insertSetupLink(ctx.db, hashSecret(token));
  return `${ctx.config.publicUrl}/setup/${token}`;
}

export const invitationInputSchema = z.object({
  email: z.email().max(320),
  role: z.enum(['organiser', 'auditor']),
  ballotId: z.uuid().nullable().default(null).describe('auditors only: limit the auditor to this ballot'),
});
export type InvitationInput = z.infer<typeof invitationInputSchema>;

/** An organiser invites another organiser or an auditor by email; the link works once. */
export async function inviteStaff(ctx: AppContext, p: Principal, input: InvitationInput): Promise<void> {
  requireOrganiser(p);
  if (input.role === 'organiser' && input.ballotId)
    throw invalid('organisers act on the whole organisation', [{ path: 'ballotId', message: 'only for auditors' }]);
  const token = newSecret();
  await ctx.db.transaction().execute(async (tx) => {
    if (input.ballotId && !(await findBallot(tx, p.organisationId, input.ballotId)))
      throw new ServiceError('not-found', 'ballot not found');
    await data.insertSetupLink(tx, hashSecret(token), {
      organisationId: p.organisationId,
      role: input.role,
      ballotId: input.ballotId,
      email: input.email,
    });
    const org = await data.findOrganisation(tx, p.organisationId);
    await enqueue(tx, [
      {
        organisationId: p.organisationId,
        ballotId: input.ballotId,
        memberId: null,
        kind: 'staff-invitation',
        recipient: input.email,
        payload: {
          organisationName: org?.name ?? '',
          inviterName: p.name,
          role:
            input.role === 'auditor' ? (input.ballotId ? 'an auditor of one ballot' : 'an auditor') : 'an organiser',
        },
        sealedSecret: ctx.keys.seal(SETUP_PURPOSE, token),
      },
    ]);
    await record(tx, p, 'staff.invite', input.ballotId, { email: input.email, role: input.role });
  });
  ctx.mailQueued();
}

export const SETUP_PURPOSE = 'setup-link';

export const listStaff = (ctx: AppContext, p: Principal) => data.listStaff(ctx.db, p.organisationId);

/** Invitations sent and not yet taken up: organisers see them, with a way to revoke each. */
export async function listPendingInvitations(ctx: AppContext, p: Principal) {
  requireOrganiser(p);
  return data.listPendingInvitations(ctx.db, p.organisationId);
}

/** Revokes an invitation not yet taken up: its link stops working at once. */
export async function revokeInvitation(ctx: AppContext, p: Principal, id: string): Promise<void> {
  requireOrganiser(p);
  if (!/^[0-9a-f]{64}$/.test(id)) throw new ServiceError('not-found', 'invitation not found');
  await ctx.db.transaction().execute(async (tx) => {
    const pending = (await data.listPendingInvitations(tx, p.organisationId)).find((i) => i.id === id);
    if (!pending || !(await data.deletePendingInvitation(tx, p.organisationId, id)))
      throw new ServiceError('not-found', 'invitation not found, or already taken up');
    await record(tx, p, 'staff.invite.revoke', pending.ballotId, { email: pending.email, role: pending.role });
  });
}

export async function describeSetupLink(ctx: AppContext, token: string): Promise<data.SetupLink | undefined> {
  if (!SECRET_PATTERN.test(token)) return undefined;
  return data.findUsableSetupLink(ctx.db, hashSecret(token));
}

/** On first start, when nobody can sign in yet, a setup link to print. */
export async function firstStartSetupLink(ctx: AppContext): Promise<string | undefined> {
  if ((await data.countStaff(ctx.db)) > 0) return undefined;
  return createSetupLink(ctx);
}

export async function completeSetup(
  ctx: AppContext,
  token: string,
  input: SetupInput,
): Promise<{ organisationId: string; organiserId: string; sessionId: string }> {
  if (!SECRET_PATTERN.test(token) || !(await data.findUsableSetupLink(ctx.db, hashSecret(token)))) {
    // Checked before the (deliberately slow) password hash, so junk links cost nothing.
    throw new ServiceError('not-found', 'this setup link is not valid, has expired or has been used');
  }
  const passwordHash = await argon2.hash(input.password, PASSWORD_HASHING);
  const created = await ctx.db.transaction().execute(async (tx) => {
    const link = await data.useSetupLink(tx, hashSecret(token));
    if (!link) throw new ServiceError('not-found', 'this setup link is not valid, has expired or has been used');
    const email = link.email ?? input.email;
    if (!email) throw invalid('an email address is needed', [{ path: 'email', message: 'is required' }]);
    if (await data.findStaffByEmail(tx, email)) {
      throw invalid('an account with this email already exists', [{ path: 'email', message: 'already in use' }]);
    }
    let organisationId = link.organisationId;
    if (!organisationId) {
      if (!input.organisationName)
        throw invalid('name the organisation', [{ path: 'organisationName', message: 'is required' }]);
      organisationId = (await data.insertOrganisation(tx, input.organisationName)).id;
    }
    const organiser = await data.insertStaff(tx, {
      organisationId,
      email,
      name: input.name,
      passwordHash,
      role: link.role,
      ballotId: link.ballotId,
    });
    const p: Principal = {
      organiserId: organiser.id,
      organisationId,
      email,
      name: input.name,
      role: link.role,
      ballotId: link.ballotId,
    };
    await record(
      tx,
      p,
      link.organisationId ? 'staff.join' : 'organisation.create',
      link.ballotId,
      link.organisationId ? { role: link.role } : { name: input.organisationName },
    );
    return { organisationId, organiserId: organiser.id };
  });
  const sessionId = await startSession(ctx, created.organiserId);
  return { ...created, sessionId };
}

async function startSession(ctx: AppContext, organiserId: string): Promise<string> {
  const sessionId = newSecret();
  await data.insertSession(ctx.db, hashSecret(sessionId), organiserId, ctx.config.sessionHours);
  return sessionId;
}

/** Returns a new session id, or throws the same error whether the email or the password was wrong. */
export async function signIn(
  ctx: AppContext,
  email: string,
  password: string,
  address: string,
): Promise<{ sessionId: string; principal: Principal }> {
  await consume(ctx, 'signInPerAddress', address);
  await consume(ctx, 'signInPerEmail', email);
  const account = await data.findStaffByEmail(ctx.db, email);
  const hash = account?.password_hash ?? (await getDummyHash());
  const ok = await argon2.verify(hash, password).catch(() => false);
  if (!account || !ok) throw new ServiceError('unauthenticated', 'wrong email or password');
  if (argon2.needsRehash(account.password_hash, PASSWORD_HASHING)) {
    await data.updateStaffPasswordHash(ctx.db, account.id, await argon2.hash(password, PASSWORD_HASHING));
  }
  const sessionId = await startSession(ctx, account.id);
  const principal: Principal = {
    organiserId: account.id,
    organisationId: account.organisation_id,
    email: account.email,
    name: account.name,
    role: account.role,
    ballotId: account.ballot_id,
  };
  await record(ctx.db, principal, 'session.sign-in');
  return { sessionId, principal };
}

export async function signOut(ctx: AppContext, sessionId: string): Promise<void> {
  if (SECRET_PATTERN.test(sessionId)) await data.deleteSession(ctx.db, hashSecret(sessionId));
}

export async function principalFromSession(ctx: AppContext, sessionId: string): Promise<Principal | undefined> {
  if (!SECRET_PATTERN.test(sessionId)) return undefined;
  return data.findSessionPrincipal(ctx.db, hashSecret(sessionId));
}

const API_TOKEN_PREFIX = 'omov_';

export async function principalFromApiToken(ctx: AppContext, bearer: string): Promise<Principal | undefined> {
  if (!bearer.startsWith(API_TOKEN_PREFIX)) return undefined;
  const token = bearer.slice(API_TOKEN_PREFIX.length);
  if (!SECRET_PATTERN.test(token)) return undefined;
  return data.findApiTokenPrincipal(ctx.db, hashSecret(token));
}

/**
 * API tokens for scripts; the token is shown once, only its hash is kept. Only organisers
 * make them: auditors change nothing, and a token is a new way in.
 */
export async function createApiToken(ctx: AppContext, p: Principal, name: string) {
  requireOrganiser(p);
  const token = newSecret();
  const row = await ctx.db.transaction().execute(async (tx) => {
    const r = await data.insertApiToken(tx, p.organiserId, name, hashSecret(token));
    await record(tx, p, 'api-token.create', null, { name, id: r.id });
    return r;
  });
  return { id: row.id, name: row.name, createdAt: row.created_at, token: `${API_TOKEN_PREFIX}${token}` };
}

export const listApiTokens = (ctx: AppContext, p: Principal) => data.listApiTokens(ctx.db, p.organiserId);

export async function revokeApiToken(ctx: AppContext, p: Principal, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await data.deleteApiToken(tx, p.organiserId, id))) throw new ServiceError('not-found', 'API token not found');
    await record(tx, p, 'api-token.revoke', null, { id });
  });
}

export const RESET_PURPOSE = 'password-reset';
/** How long a "forgot password" link works. */
export const RESET_MINUTES = 60;

/**
 * "Forgot password": mails a one-time link to the address if an account has it. The
 * answer never depends on whether one does: the work happens after the caller has been
 * answered. Only the link's hash is stored; the email carries it sealed until it is sent.
 */
export async function requestPasswordReset(ctx: AppContext, email: string, address: string): Promise<void> {
  await consume(ctx, 'resetRequestPerAddress', address);
  await consume(ctx, 'resetRequestPerEmail', email.toLowerCase());
  setImmediate(() => {
    void (async () => {
      const account = await data.findStaffByEmail(ctx.db, email);
      if (!account) return;
      const token = newSecret();
      await ctx.db.transaction().execute(async (tx) => {
        await data.insertPasswordReset(tx, hashSecret(token), account.id, RESET_MINUTES);
        await enqueue(tx, [
          {
            organisationId: account.organisation_id,
            ballotId: null,
            memberId: null,
            kind: 'password-reset',
            recipient: account.email,
            payload: { name: account.name, minutes: String(RESET_MINUTES) },
            sealedSecret: ctx.keys.seal(RESET_PURPOSE, token),
          },
        ]);
        await record(
          tx,
          { system: 'password reset by email', organisationId: account.organisation_id },
          'password.reset-request',
          null,
          { email: account.email },
        );
      });
      ctx.mailQueued();
    })().catch((err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'password reset request failed'));
  });
}

const RESET_GONE = 'this link is not valid, has expired or has been used: ask for a new one';

export async function resetLinkUsable(ctx: AppContext, token: string): Promise<boolean> {
  return SECRET_PATTERN.test(token) && data.findUsablePasswordReset(ctx.db, hashSecret(token));
}

/** Sets a new password by a reset link (once), and signs the account out everywhere. */
export async function resetPassword(ctx: AppContext, token: string, password: string): Promise<void> {
  if (!(await resetLinkUsable(ctx, token))) throw new ServiceError('not-found', RESET_GONE);
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success)
    throw invalid(`password ${parsed.error.issues[0]!.message}`, [
      { path: 'password', message: parsed.error.issues[0]!.message },
    ]);
  const passwordHash = await argon2.hash(password, PASSWORD_HASHING);
  await ctx.db.transaction().execute(async (tx) => {
    const who = await data.usePasswordReset(tx, hashSecret(token));
    if (!who) throw new ServiceError('not-found', RESET_GONE);
    await data.updateStaffPasswordHash(tx, who.organiserId, passwordHash);
    await data.deleteSessionsOf(tx, who.organiserId);
    await record(
      tx,
      { system: 'password reset by email', organisationId: who.organisationId },
      'password.reset',
      null,
      {
        email: who.email,
      },
    );
  });
}
