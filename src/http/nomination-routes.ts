import { z } from 'zod';
import { CANDIDATE_STATEMENT_MAX, ELECTION_RULES, electionInputSchema } from '@omov/core/domain/nominations';
import type { AppContext } from '../services/context';
import * as nominations from '../services/nominations';
import { type ApiRoute, route } from './api-routes';
import { clientAddress } from './auth';

/**
 * Elections with nominations (docs/elections.md, "Nominations"). Organisers set an election
 * and, once nominations have closed, put it on a draft ballot; they cannot add or drop a
 * candidate (refused, and logged). Members nominate with their proposals link's token,
 * branch secretaries with theirs, and a nominee answers with their own: every token in the
 * body, never in a URL. Anyone reads an election, its nominees who accepted and their
 * counts of nominations (pooled under k); never who nominated.
 */

const idParams = z.object({ id: z.uuid() });
const memberToken = z.string().describe("the member's proposals link token (from the link's path, /p/…)");
const secretaryToken = z.string().describe("the branch secretary's link token (from the link's path, /s/…)");
const nomineeToken = z.string().describe("the nominee's link token (from the link's path, /n/…)");

const target = z
  .union([
    z.object({ nomineeId: z.uuid().describe('a nominee who has accepted') }),
    z.object({ email: z.email().describe("a current member's address, as the roll has it: a new nominee") }),
  ])
  .describe('whom to nominate: a nominee already standing, or a member by their address');

const groupView = z.object({ group: z.string(), min: z.number().int().optional(), max: z.number().int().optional() });

export const electionView = z.object({
  id: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  title: z.string(),
  description: z.string(),
  seats: z.number().int(),
  rules: z.enum(ELECTION_RULES).describe("the STV rules the candidates' question is counted by"),
  opensAt: z.date(),
  closesAt: z.date(),
  stage: z
    .enum(['upcoming', 'open', 'closed', 'scheduled'])
    .describe('upcoming: nominations not yet open; closed: nominations closed, not yet on a ballot'),
  threshold: z.object({
    members: z.number().int().nullable(),
    branches: z.number().int().nullable(),
    combine: z.enum(['either', 'both']),
  }),
  k: z.number().int(),
  statementMax: z.number().int(),
  groups: z.array(groupView).describe('the balance rules: each candidate declares their groups when they accept'),
  nominees: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        branch: z.string(),
        statement: z.string().nullable(),
        groups: z.array(z.string()),
        members: z.number().int().describe("members' nominations"),
        branches: z.number().int().describe("branches' nominations, through their secretaries"),
        nominatingBranches: z.array(z.string()),
        byBranch: z
          .array(z.object({ name: z.string(), supporters: z.number().int(), pooled: z.boolean() }))
          .describe("members' nominations per branch, branches under k pooled"),
        reaches: z.boolean().describe('whether the nominations reach the threshold'),
      }),
    )
    .describe('the nominees who accepted; who nominated them is never shown'),
  pending: z.number().int().describe('nominees who have not answered yet'),
  declined: z.number().int(),
  candidates: z
    .array(z.object({ nomineeId: z.string(), label: z.string(), statement: z.string(), groups: z.array(z.string()) }))
    .nullable()
    .describe('once on a ballot: the candidates, in the order drawn'),
  orderSeed: z
    .string()
    .nullable()
    .describe("the random seed the candidates' order was drawn from (core: drawCandidates)"),
  ballotId: z.string().nullable(),
});

const nominatorPage = z.object({
  who: z.object({
    name: z.string(),
    branch: z.string(),
    organisationName: z.string(),
    kind: z.enum(['member', 'branch']),
  }),
  elections: z.array(
    electionView.extend({ nominated: z.array(z.string()).describe('the nominees this member (or branch) nominated') }),
  ),
});

const nominated = z.object({ nomineeId: z.string(), name: z.string(), isNew: z.boolean() });

const nomineePage = z.object({
  nominee: z.object({
    id: z.string(),
    name: z.string(),
    branch: z.string(),
    status: z.enum(['pending', 'accepted', 'declined']),
    statement: z.string().nullable(),
    groups: z.array(z.string()),
    members: z.number().int(),
    branches: z.number().int(),
  }),
  election: electionView,
  open: z.boolean().describe('whether the nominee may still answer'),
});

export function nominationRoutes(ctx: AppContext): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/elections',
      tag: 'nominations',
      auth: true,
      summary: "The organisation's elections with nominations",
      response: z.array(electionView),
      handler: async ({ principal }) => nominations.staffElections(ctx, principal),
    }),
    route({
      method: 'post',
      path: '/elections',
      tag: 'nominations',
      auth: true,
      status: 201,
      summary:
        'Set an election to a committee (organisers): its seats, STV rules, nomination period, threshold and balance groups, fixed from then on. When nominations open (at once, or at the opening time), every current member is mailed so, with their own link',
      body: electionInputSchema,
      response: electionView,
      handler: async ({ principal, body }) => nominations.createElection(ctx, principal, body),
    }),
    route({
      method: 'get',
      path: '/elections/:id/public',
      tag: 'nominations',
      auth: false,
      summary:
        'An election as anyone may see it: its rules, the nominees who accepted with their statements and counts of nominations (pooled under k), and once on a ballot its candidates in their drawn order',
      params: idParams,
      response: electionView,
      handler: async ({ params }) => nominations.publicElection(ctx, params.id),
    }),
    route({
      method: 'post',
      path: '/elections/:id/schedule',
      tag: 'nominations',
      auth: true,
      summary:
        "Put an election whose nominations have closed on a draft ballot, or on a new draft ballot of its own (organisers): the nominees who accepted and reached the threshold become an STV question's options, in an order drawn from a random seed committed in the audit log, with the groups as balance rules",
      params: idParams,
      body: z.union([
        z.object({ ballotId: z.uuid().describe('a draft ballot: the election goes on it as its last question') }),
        z.object({
          ballot: z
            .object({
              title: z.string(),
              opensAt: z.string().describe('ISO 8601 time with a zone'),
              closesAt: z.string().describe('ISO 8601 time with a zone'),
              timeZone: z.string().optional(),
            })
            .describe('a new draft ballot, with the election as its one question'),
        }),
      ]),
      response: electionView,
      handler: async ({ principal, params, body }) => nominations.scheduleElection(ctx, principal, params.id, body),
    }),
    route({
      method: 'post',
      path: '/elections/:id/candidates',
      tag: 'nominations',
      auth: true,
      summary: 'Add a candidate: always refused (409), and the attempt is entered in the audit log',
      params: idParams,
      body: z.record(z.string(), z.unknown()),
      handler: async ({ principal, params, body }) =>
        nominations.refuseCandidateChange(ctx, principal, params.id, { add: body }),
    }),
    route({
      method: 'delete',
      path: '/elections/:id/candidates/:nomineeId',
      tag: 'nominations',
      auth: true,
      summary: 'Drop a candidate: always refused (409), and the attempt is entered in the audit log',
      params: z.object({ id: z.uuid(), nomineeId: z.uuid() }),
      handler: async ({ principal, params }) =>
        nominations.refuseCandidateChange(ctx, principal, params.id, { drop: params.nomineeId }),
    }),
    route({
      method: 'post',
      path: '/member/elections',
      tag: 'nominations',
      auth: false,
      summary:
        "A member's view of their organisation's elections, with their proposals link's token: whom they nominated",
      body: z.object({ token: memberToken }),
      response: nominatorPage,
      handler: async ({ body, req }) => nominations.memberElections(ctx, body.token, clientAddress(req)),
    }),
    route({
      method: 'post',
      path: '/member/elections/:id/nominations',
      tag: 'nominations',
      auth: false,
      status: 201,
      summary:
        "A member nominates, with their proposals link's token, once per nominee (a second time is refused with 409). A member named by their address for the first time is mailed a link to accept or decline",
      params: idParams,
      body: z.object({ token: memberToken, nominee: target }),
      response: nominated,
      handler: async ({ params, body, req }) =>
        nominations.nominateAsMember(ctx, body.token, clientAddress(req), params.id, body.nominee),
    }),
    route({
      method: 'post',
      path: '/secretary/elections',
      tag: 'nominations',
      auth: false,
      summary: "A branch secretary's view of the elections, with their link's token: whom their branch nominated",
      body: z.object({ token: secretaryToken }),
      response: nominatorPage,
      handler: async ({ body, req }) => nominations.branchElections(ctx, body.token, clientAddress(req)),
    }),
    route({
      method: 'post',
      path: '/secretary/elections/:id/nominations',
      tag: 'nominations',
      auth: false,
      status: 201,
      summary:
        "A branch secretary nominates for their branch, with their link's token, once per nominee (a branch's nomination is public)",
      params: idParams,
      body: z.object({ token: secretaryToken, nominee: target }),
      response: nominated,
      handler: async ({ params, body, req }) =>
        nominations.nominateAsBranch(ctx, body.token, clientAddress(req), params.id, body.nominee),
    }),
    route({
      method: 'post',
      path: '/nominee',
      tag: 'nominations',
      auth: false,
      summary: "A nominee's own view, with their link's token: the election, their nominations and their answer",
      body: z.object({ token: nomineeToken }),
      response: nomineePage,
      handler: async ({ body, req }) => nominations.nomineePage(ctx, body.token, clientAddress(req)),
    }),
    route({
      method: 'put',
      path: '/nominee/answer',
      tag: 'nominations',
      auth: false,
      summary: `A nominee accepts, with their statement (at most the election's statementMax, up to ${CANDIDATE_STATEMENT_MAX} characters) and the groups they declare, or declines; they may change their answer until nominations close. In the audit log`,
      body: z.object({
        token: nomineeToken,
        accept: z.boolean(),
        statement: z.string().optional(),
        groups: z.array(z.string()).optional(),
      }),
      response: nomineePage,
      handler: async ({ body, req }) =>
        nominations.answerNomination(ctx, body.token, clientAddress(req), {
          accept: body.accept,
          statement: body.statement,
          groups: body.groups,
        }),
    }),
  ];
}
