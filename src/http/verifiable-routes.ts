import { z } from 'zod';
import { MAX_TRUSTEES } from '@omov/core/domain/ballot';
import { type Certificate, type Polynomial, polynomialJson } from '@omov/core/crypto/dkg';
import { signedMessageJson, type TrusteePublicKey, trusteePublicKeyJson } from '@omov/core/crypto/trustee';
import type { AppContext } from '../services/context';
import * as trusteesService from '../services/trustees';
import * as credentialsService from '../services/credentials';
import { type ApiRoute, route } from './api-routes';
import { bearerOf } from './auth';

/**
 * A verifiable ballot's trustees and credential authority (docs/verifiable.md): the organiser
 * names them and gets their tokens; each then calls /trustee or /credential-authority with
 * their own token as "Authorization: Bearer …" (never the organiser's session), to hand over
 * what `omov trustee` and `omov credentials` print.
 */
const TRUSTEE_AUTH = 'with the trustee\'s own token as "Authorization: Bearer …"';
const AUTHORITY_AUTH = 'with the credential authority\'s own token as "Authorization: Bearer …"';

const published = z.object({
  ballotId: z.string(),
  electionUuid: z.string(),
  credentialAuthority: z.string(),
  credentials: z.array(z.string()).describe('the public credentials as Belenios lists them: "credential,weight"'),
  byBranch: z.array(z.object({ branch: z.string(), credentials: z.number().int() })),
});

const task = z.object({
  ballotId: z.string(),
  title: z.string(),
  position: z.number().int().describe("this trustee's number, 1 … n, in the order of the key generation"),
  name: z.string(),
  trustees: z.number().int(),
  threshold: z.number().int(),
  group: z.string(),
  next: z.enum(['certificate', 'polynomial', 'verification-key', 'waiting', 'done']),
  certificates: z.array(z.unknown()).nullable().describe("every trustee's certificate, once all are in"),
  polynomials: z.array(z.unknown()).nullable().describe("every trustee's polynomial, once all are in"),
  publicKey: z.string().nullable().describe("the election's public key, once every verification key is in"),
});

/** A step's parsed body as the service takes it: the route's schema has parsed it into that step's type. */
function submission(
  step: 'certificate' | 'polynomial' | 'verification-key',
  body: unknown,
): trusteesService.TrusteeSubmission {
  if (step === 'certificate') return { kind: step, certificate: body as Certificate };
  if (step === 'polynomial') return { kind: step, polynomial: body as Polynomial };
  return { kind: step, verificationKey: body as TrusteePublicKey };
}

/** The public credentials' upload: a whole roll's, beyond the API's 1 MB, and still bounded. */
export const PUBLIC_CREDENTIALS_LIMIT = 64 * 1024 * 1024;

const trusteeName = z.string().trim().min(1).max(200);
/** A trustee by name only (their token is answered to pass on) or with an email (their link is mailed). */
const namedTrustee = z.union([trusteeName, z.object({ name: trusteeName, email: z.email().max(320) })]);

export function verifiableRoutes(ctx: AppContext): ApiRoute[] {
  const idParams = z.object({ id: z.uuid() });
  return [
    route({
      method: 'post',
      path: '/ballots/:id/trustees',
      tag: 'verifiable',
      auth: true,
      status: 201,
      summary:
        "Name a verifiable draft's trustees, replacing any named before. A trustee given an email is mailed their link and their token is shown to nobody; for any other, the answer holds their secret token, once, to pass on",
      params: idParams,
      body: z.object({ names: z.array(namedTrustee).min(1).max(MAX_TRUSTEES) }),
      response: z.object({
        trustees: z.array(
          z.object({
            position: z.number().int(),
            name: z.string(),
            token: z.string().nullable().describe('null when the link was mailed'),
            mailedTo: z.string().nullable(),
          }),
        ),
      }),
      handler: async ({ principal, params, body }) => ({
        trustees: await trusteesService.inviteTrustees(
          ctx,
          principal,
          params.id,
          body.names.map((t) => (typeof t === 'string' ? { name: t, email: null } : { name: t.name, email: t.email })),
        ),
      }),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/trustees',
      tag: 'verifiable',
      auth: true,
      summary: "Where a verifiable ballot's key generation stands: which trustee has handed over what",
      params: idParams,
      response: z.object({
        threshold: z.number().int(),
        trustees: z.array(
          z.object({
            position: z.number().int(),
            name: z.string(),
            certificate: z.boolean(),
            polynomial: z.boolean(),
            verificationKey: z.boolean(),
          }),
        ),
        publicKey: z.string().nullable(),
      }),
      handler: async ({ principal, params }) => trusteesService.trusteeProgress(ctx, principal, params.id),
    }),
    route({
      method: 'get',
      path: '/trustee',
      tag: 'verifiable',
      auth: false,
      summary: `A trustee's task: the next step, and every trustee's messages it needs (${TRUSTEE_AUTH})`,
      response: task,
      handler: async ({ req }) => trusteesService.trusteeTask(ctx, bearerOf(req)),
    }),
    // The three steps' messages, each as `omov trustee` prints it.
    ...(
      [
        ['certificate', 'Step 1', 'certificate', signedMessageJson],
        ['polynomial', 'Step 2', 'polynomial', polynomialJson],
        ['verification-key', 'Step 3', 'key', trusteePublicKeyJson],
      ] as const
    ).map(([step, n, command, schema]) =>
      route({
        method: 'put',
        path: `/trustee/${step}`,
        tag: 'verifiable',
        auth: false,
        summary: `${n}: the trustee's ${step.replace('-', ' ')}, as "omov trustee ${command}" prints it (${TRUSTEE_AUTH})`,
        body: schema as z.ZodType<unknown>,
        response: task,
        handler: async ({ req, body }) =>
          trusteesService.submitTrusteeMessage(ctx, bearerOf(req), submission(step, body)),
      }),
    ),
    route({
      method: 'post',
      path: '/ballots/:id/credential-authority',
      tag: 'verifiable',
      auth: true,
      status: 201,
      summary:
        "Make a verifiable draft's credential authority a token (replacing any before, and their credentials): mailed in their link when an email is given (and then shown to nobody), otherwise answered once to pass on",
      params: idParams,
      body: z.object({ email: z.email().max(320).optional() }).optional(),
      response: z.object({
        token: z.string().nullable().describe('null when the link was mailed'),
        mailedTo: z.string().nullable(),
        electionUuid: z.string(),
      }),
      handler: async ({ principal, params, body }) =>
        credentialsService.inviteCredentialAuthority(ctx, principal, params.id, body?.email ?? null),
    }),
    route({
      method: 'get',
      path: '/credential-authority/roll',
      tag: 'verifiable',
      auth: false,
      summary: `The roll to make credentials from: each eligible member's id, branch and weight, no names or emails (${AUTHORITY_AUTH})`,
      response: z.object({
        ballotId: z.string(),
        title: z.string(),
        credentialAuthority: z.string(),
        electionUuid: z.string(),
        group: z.string(),
        members: z.array(z.object({ memberId: z.string(), branch: z.string(), weight: z.string() })),
      }),
      handler: async ({ req }) => credentialsService.credentialRoll(ctx, bearerOf(req)),
    }),
    route({
      method: 'put',
      path: '/credential-authority/public-credentials',
      tag: 'verifiable',
      auth: false,
      summary: `The public credentials, as "omov credentials generate" writes them; checked against the roll branch by branch (${AUTHORITY_AUTH})`,
      // About 660 bytes a credential: 64 MB holds a roll of some 95,000 members.
      jsonLimit: PUBLIC_CREDENTIALS_LIMIT,
      body: z.object({
        credentials: z.array(z.object({ credential: z.string(), weight: z.string(), branch: z.string() })).min(1),
      }),
      response: published,
      handler: async ({ req, body }) =>
        credentialsService.uploadPublicCredentials(ctx, bearerOf(req), body.credentials),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/public-credentials',
      tag: 'verifiable',
      auth: false,
      summary:
        "A verifiable ballot's public credentials and each branch's count (public, before the ballot opens, so that branches can check their own)",
      params: idParams,
      response: published,
      handler: async ({ params }) => credentialsService.publishedCredentials(ctx, params.id),
    }),
  ];
}
