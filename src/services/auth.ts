import argon2 from 'argon2';
import { z } from 'zod';
import * as data from '../data/organisations';
import type { Principal } from '../data/organisations';
import { hashSecret, newSecret, SECRET_PATTERN } from '../secrets';
import type { AppContext } from './context';
import { invalid, ServiceError } from './errors';

/** argon2id with the OWASP Password Storage Cheat Sheet's first recommended parameters. */
export const PASSWORD_HASHING = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// Verified against when the email is unknown, so that sign-in takes as long either way.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= argon2.hash('not a password of anyone', PASSWORD_HASHING));

export const passwordSchema = z.string().min(12, 'must be at least 12 characters').max(256);

export const setupInputSchema = z.object({
  organisationName: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  password: passwordSchema,
});
export type SetupInput = z.infer<typeof setupInputSchema>;

/** A one-time link that creates an organisation and its first organiser. */
export async function createSetupLink(ctx: AppContext): Promise<string> {
  const token = newSecret();
  await data.insertSetupLink(ctx.db, hashSecret(token));
  return `${ctx.config.publicUrl}/setup/${token}`;
}

/** On first start, when nobody can sign in yet, a setup link to print. */
export async function firstStartSetupLink(ctx: AppContext): Promise<string | undefined> {
  if ((await data.countOrganisers(ctx.db)) > 0) return undefined;
  return createSetupLink(ctx);
}

export async function isSetupTokenUsable(ctx: AppContext, token: string): Promise<boolean> {
  return SECRET_PATTERN.test(token) && data.isSetupLinkUsable(ctx.db, hashSecret(token));
}

export async function completeSetup(ctx: AppContext, token: string, input: SetupInput): Promise<{ organisationId: string; organiserId: string; sessionId: string }> {
  if (!SECRET_PATTERN.test(token)) throw new ServiceError('not-found', 'this setup link is not valid or has been used');
  const passwordHash = await argon2.hash(input.password, PASSWORD_HASHING);
  const created = await ctx.db.transaction().execute(async (tx) => {
    if (!(await data.useSetupLink(tx, hashSecret(token)))) {
      throw new ServiceError('not-found', 'this setup link is not valid or has been used');
    }
    if (await data.findOrganiserByEmail(tx, input.email)) {
      throw invalid('an organiser with this email already exists', [{ path: 'email', message: 'already in use' }]);
    }
    const org = await data.insertOrganisation(tx, input.organisationName);
    const organiser = await data.insertOrganiser(tx, { organisationId: org.id, email: input.email, name: input.name, passwordHash });
    return { organisationId: org.id, organiserId: organiser.id };
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
export async function signIn(ctx: AppContext, email: string, password: string): Promise<{ sessionId: string; principal: Principal }> {
  const organiser = await data.findOrganiserByEmail(ctx.db, email);
  const hash = organiser?.password_hash ?? (await getDummyHash());
  const ok = await argon2.verify(hash, password).catch(() => false);
  if (!organiser || !ok) throw new ServiceError('unauthenticated', 'wrong email or password');
  if (argon2.needsRehash(organiser.password_hash, PASSWORD_HASHING)) {
    await data.updateOrganiserPasswordHash(ctx.db, organiser.id, await argon2.hash(password, PASSWORD_HASHING));
  }
  const sessionId = await startSession(ctx, organiser.id);
  return {
    sessionId,
    principal: { organiserId: organiser.id, organisationId: organiser.organisation_id, email: organiser.email, name: organiser.name },
  };
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

/** API tokens for scripts; the token is shown once, only its hash is kept. */
export async function createApiToken(ctx: AppContext, p: Principal, name: string) {
  const token = newSecret();
  const row = await data.insertApiToken(ctx.db, p.organiserId, name, hashSecret(token));
  return { id: row.id, name: row.name, createdAt: row.created_at, token: `${API_TOKEN_PREFIX}${token}` };
}

export const listApiTokens = (ctx: AppContext, p: Principal) => data.listApiTokens(ctx.db, p.organiserId);

export async function revokeApiToken(ctx: AppContext, p: Principal, id: string): Promise<void> {
  if (!(await data.deleteApiToken(ctx.db, p.organiserId, id))) throw new ServiceError('not-found', 'API token not found');
}
