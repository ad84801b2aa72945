import { z } from 'zod';
import { MAX_TRUSTEES } from '@omov/core/domain/ballot';
import { polynomialJson } from '@omov/core/crypto/dkg';
import { signedMessageJson, trusteePublicKeyJson } from '@omov/core/crypto/trustee';
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
        "Name a verifiable draft's trustees, replacing any named before; answers each one's secret token, once, to pass on to them",
      params: idParams,
      body: z.object({ names: z.array(z.string().trim().min(1).max(200)).min(1).max(MAX_TRUSTEES) }),
      response: z.object({
        trustees: z.array(z.object({ position: z.number().int(), name: z.string(), token: z.string() })),
      }),
      handler: async ({ principal, params, body }) => ({
        trustees: await trusteesService.inviteTrustees(ctx, principal, params.id, body.names),
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
    route({
      method: 'put',
      path: '/trustee/certificate',
      tag: 'verifiable',
      auth: false,
      summary: `Step 1: the trustee's certificate, as "omov trustee certificate" prints it (${TRUSTEE_AUTH})`,
      body: signedMessageJson,
      response: task,
      handler: async ({ req, body }) =>
        trusteesService.submitTrusteeMessage(ctx, bearerOf(req), { kind: 'certificate', certificate: body }),
    }),
    route({
      method: 'put',
      path: '/trustee/polynomial',
      tag: 'verifiable',
      auth: false,
      summary: `Step 2: the trustee's polynomial, as "omov trustee polynomial" prints it (${TRUSTEE_AUTH})`,
      body: polynomialJson,
      response: task,
      handler: async ({ req, body }) =>
        trusteesService.submitTrusteeMessage(ctx, bearerOf(req), { kind: 'polynomial', polynomial: body }),
    }),
    route({
      method: 'put',
      path: '/trustee/verification-key',
      tag: 'verifiable',
      auth: false,
      summary: `Step 3: the trustee's verification key, as "omov trustee key" prints it (${TRUSTEE_AUTH})`,
      body: trusteePublicKeyJson,
      response: task,
      handler: async ({ req, body }) =>
        trusteesService.submitTrusteeMessage(ctx, bearerOf(req), { kind: 'verification-key', verificationKey: body }),
    }),
    route({
      method: 'post',
      path: '/ballots/:id/credential-authority',
      tag: 'verifiable',
      auth: true,
      status: 201,
      summary:
        "Make a verifiable draft's credential authority a token (replacing any before, and their credentials), to pass on to them",
      params: idParams,
      response: z.object({ token: z.string(), electionUuid: z.string() }),
      handler: async ({ principal, params }) => credentialsService.inviteCredentialAuthority(ctx, principal, params.id),
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
