import { z } from 'zod';
import {
  PROPOSAL_STATUSES,
  amendmentInputSchema,
  proposalInputSchema,
  proposalRulesSchema,
  STATEMENT_MAX,
  statementText,
} from '@omov/core/domain/proposals';
import type { AppContext } from '../services/context';
import * as proposals from '../services/proposals';
import { type ApiRoute, route } from './api-routes';
import { clientAddress } from './auth';

/**
 * Member proposals (docs/proposals.md). A member acts with their own proposals link's token,
 * sent in the body (never in a URL); the office sets the rules and schedules qualified
 * proposals, and cannot reword or withdraw one (both are refused and logged); anyone reads
 * a started proposal and its support per branch (pooled under k).
 */

const idParams = z.object({ id: z.uuid() });
const memberToken = z.string().describe("the member's proposals link token (from the link's path, /p/…)");

const rulesView = z.object({
  id: z.string(),
  sharePercent: z.number().nullable(),
  minBranches: z.number().int().nullable(),
  combine: z.enum(['either', 'both']),
  windowDays: z.number().int(),
  scheduleDays: z.number().int(),
  k: z.number().int(),
  amendmentDays: z.number().int().nullable().describe('days to table amendments once a motion qualifies; null: none'),
  setAt: z.date(),
  setBy: z.string(),
});

export const proposalView = z.object({
  id: z.string(),
  kind: z
    .enum(['motion', 'question', 'amendment', 'against'])
    .describe(
      "amendment: a replacement of its motion's text, in full, or of its question's options (parentId names the motion or question); against: a members' case against the proposal parentId names",
    ),
  parentId: z.string().nullable().describe('the motion an amendment amends, or the proposal a case against answers'),
  amendmentsCloseAt: z
    .date()
    .nullable()
    .describe("a qualified motion's amendment period: members may table amendments until then"),
  amendmentsOpen: z.boolean().describe('whether members may table amendments to it now'),
  title: z.string(),
  text: z.string(),
  options: z.array(z.string()).nullable(),
  stage: z
    .enum([...PROPOSAL_STATUSES, 'lapsed', 'overdue'])
    .describe(
      'lapsed: its window closed short of support; overdue: qualified, and the office has not put it on a ballot in time',
    ),
  startedAt: z.date().nullable(),
  closesAt: z.date().nullable().describe('when its window to gather support closes'),
  qualifiedAt: z.date().nullable(),
  scheduleBy: z.date().nullable().describe('by when the office must put it on a ballot'),
  ballotId: z.string().nullable(),
  needs: z
    .object({
      supporters: z.number().int().nullable(),
      branches: z.number().int().nullable(),
      combine: z.enum(['either', 'both']),
    })
    .nullable()
    .describe('what it needs to qualify, fixed when it started by the rules then in force and the roll then'),
  supporters: z.number().int(),
  branches: z.number().int().describe('branches with at least one supporter'),
  caseFor: z.string().nullable().describe("the proposers' case for, shown beside the question on the ballot"),
  tabledBy: z
    .string()
    .nullable()
    .describe("the branch that tabled an amendment through its secretary; null: a member's"),
  amends: z
    .object({ title: z.string(), text: z.string(), options: z.array(z.string()) })
    .nullable()
    .describe("an amendment to a question: the question's own wording, to compare its options with; null otherwise"),
  caseAgainst: z
    .object({ id: z.string(), text: z.string(), qualifiedAt: z.date() })
    .nullable()
    .describe("the members' case against: the first to qualify, shown on the ballot in place of the office's"),
  caseAgainstOpen: z.boolean().describe('whether members may write, start or support a case against it now'),
  question: z
    .object({
      ballotId: z.string().nullable().describe('null once its draft ballot was deleted'),
      ballotTitle: z.string().nullable(),
      questionId: z.string().nullable().describe('null once the question left its draft ballot'),
      title: z.string().nullable(),
    })
    .nullable()
    .describe('a case against a question the office put on a draft ballot: that ballot and question; null for others'),
  k: z.number().int().describe('branches with fewer supporters than this are pooled'),
  byBranch: z
    .array(z.object({ name: z.string(), supporters: z.number().int(), pooled: z.boolean() }))
    .describe("supporters per branch; branches under the rules' k pooled"),
  rules: z.object({ id: z.string(), setAt: z.date() }).describe('the rules it is judged by'),
});

const officeQuestionView = z.object({
  ballotId: z.string(),
  ballotTitle: z.string(),
  questionId: z.string(),
  title: z.string(),
  description: z.string(),
  options: z.array(z.string()),
  caseAgainst: z
    .object({ id: z.string(), text: z.string(), qualifiedAt: z.date() })
    .nullable()
    .describe("the members' case against it: the first to qualify, shown on the ballot in place of the office's"),
  caseAgainstOpen: z.boolean().describe('whether members may write, start or support a case against it now'),
});

const statementView = z.object({ text: z.string(), author: z.enum(['office', 'proposers', 'members']) });

const memberProposal = proposalView.extend({
  signed: z.boolean(),
  mine: z.boolean(),
  outside: z
    .string()
    .nullable()
    .describe(
      'why this member may not support it: a case against a question of a ballot whose eligibility rule leaves them out (null: nothing stops them)',
    ),
});

export function proposalRoutes(ctx: AppContext): ApiRoute[] {
  /** A member's step on one proposal, with nothing but their token in the body. */
  const memberAct = (path: string, summary: string, act: typeof proposals.signProposal, status?: 201) =>
    route({
      method: 'post',
      path,
      tag: 'proposals',
      auth: false,
      ...(status ? { status } : {}),
      summary,
      params: idParams,
      body: z.object({ token: memberToken }),
      response: memberProposal,
      handler: async ({ params, body, req }) => act(ctx, body.token, clientAddress(req), params.id),
    });
  return [
    route({
      method: 'get',
      path: '/proposal-rules',
      tag: 'proposals',
      auth: true,
      summary: "The organisation's rules for member proposals: the one in force, and every earlier version",
      response: z.object({ inForce: rulesView.nullable(), history: z.array(rulesView) }),
      handler: async ({ principal }) => proposals.getRules(ctx, principal),
    }),
    route({
      method: 'put',
      path: '/proposal-rules',
      tag: 'proposals',
      auth: true,
      summary:
        'Set the rules for member proposals (organisers). They apply to proposals started from now on; a proposal is judged by the rules in force when it started. Every change is in the audit log',
      body: proposalRulesSchema,
      response: rulesView,
      handler: async ({ principal, body }) => proposals.setRules(ctx, principal, body),
    }),
    route({
      method: 'post',
      path: '/proposal-links',
      tag: 'proposals',
      auth: true,
      status: 202,
      summary: 'Mail every current member their own proposals link (organisers)',
      response: z.object({ queued: z.number().int() }),
      handler: async ({ principal }) => proposals.sendProposalLinks(ctx, principal),
    }),
    route({
      method: 'post',
      path: '/proposal-link-requests',
      tag: 'proposals',
      auth: false,
      status: 202,
      summary:
        'A member asks for their proposals link by email. The answer is the same whether or not the address is on a roll',
      body: z.object({ email: z.email() }),
      response: z.object({ message: z.string() }),
      handler: async ({ body, req }) => {
        await proposals.requestProposalLink(ctx, body.email, clientAddress(req));
        return { message: 'If this address is on a roll, a proposals link is on its way.' };
      },
    }),
    route({
      method: 'get',
      path: '/proposals',
      tag: 'proposals',
      auth: true,
      summary: "The organisation's started proposals (drafts are the members' own)",
      response: z.array(proposalView),
      handler: async ({ principal }) => proposals.staffProposals(ctx, principal),
    }),
    route({
      method: 'patch',
      path: '/proposals/:id',
      tag: 'proposals',
      auth: true,
      summary: "Reword a member's proposal: always refused (409), and the attempt is entered in the audit log",
      params: idParams,
      body: z.record(z.string(), z.unknown()),
      handler: async ({ principal, params, body }) => proposals.refuseRewording(ctx, principal, params.id, body),
    }),
    route({
      method: 'delete',
      path: '/proposals/:id',
      tag: 'proposals',
      auth: true,
      summary: "Withdraw a member's proposal: always refused (403), and the attempt is entered in the audit log",
      params: idParams,
      handler: async ({ principal, params }) => proposals.refuseWithdrawal(ctx, principal, params.id),
    }),
    route({
      method: 'post',
      path: '/proposals/:id/schedule',
      tag: 'proposals',
      auth: true,
      summary:
        "Put a qualified proposal on a draft ballot (organisers): it becomes the ballot's last question, in the proposal's words, which later edits of the ballot must keep",
      params: idParams,
      body: z.object({ ballotId: z.uuid() }),
      response: proposalView,
      handler: async ({ principal, params, body }) =>
        proposals.scheduleProposal(ctx, principal, params.id, body.ballotId),
    }),
    route({
      method: 'get',
      path: '/proposals/:id/public',
      tag: 'proposals',
      auth: false,
      summary:
        'A started proposal as anyone may see it: its wording, stage and support per branch (pooled under k); never who supported it',
      params: idParams,
      response: proposalView.extend({ organisationId: z.string(), organisationName: z.string() }),
      handler: async ({ params }) => proposals.publicProposal(ctx, params.id),
    }),
    route({
      method: 'post',
      path: '/member/proposals',
      tag: 'proposals',
      auth: false,
      status: 201,
      summary:
        "A member drafts a proposal with their proposals link's token: a motion (title and text) or a question with its options",
      body: z.object({ token: memberToken, proposal: proposalInputSchema }),
      response: z.object({ id: z.string() }),
      handler: async ({ body, req }) => proposals.draftProposal(ctx, body.token, clientAddress(req), body.proposal),
    }),
    route({
      method: 'post',
      path: '/member/proposals/:id/amendments',
      tag: 'proposals',
      auth: false,
      status: 201,
      summary:
        "A member drafts an amendment to a qualified motion or question during its amendment period, with their proposals link's token: a replacement of the motion's text, in full, or of the question's options (and optionally its text). It is then started and signed as a proposal",
      params: idParams,
      body: z.object({ token: memberToken, amendment: amendmentInputSchema }),
      response: z.object({ id: z.string() }),
      handler: async ({ params, body, req }) =>
        proposals.draftAmendment(ctx, body.token, clientAddress(req), params.id, body.amendment),
    }),
    route({
      method: 'post',
      path: '/secretary/amendments',
      tag: 'proposals',
      auth: false,
      status: 201,
      summary:
        "A branch secretary tables an amendment on behalf of their branch, with their link's token, to a motion or a question whose amendment period is open (to a question: with its options as amended). It starts at once and needs members' signatures, with the same threshold as a member's amendment",
      body: z.object({
        token: z.string().describe("the branch secretary's link token (from the link's path, /s/…)"),
        motionId: z.uuid().describe('the motion or question amended'),
        amendment: amendmentInputSchema,
      }),
      response: proposalView,
      handler: async ({ body, req }) =>
        proposals.tableBranchAmendment(ctx, body.token, clientAddress(req), body.motionId, body.amendment),
    }),
    route({
      method: 'post',
      path: '/member/proposals/:id/case-against',
      tag: 'proposals',
      auth: false,
      status: 201,
      summary: `A member (not the proposer) drafts a case against a started proposal, with their proposals link's token (at most ${STATEMENT_MAX} characters, as the case for). It is then started and signed as a proposal, with the same threshold; the first to qualify is the question's case against, in place of the office's`,
      params: idParams,
      body: z.object({ token: memberToken, text: statementText }),
      response: z.object({ id: z.string() }),
      handler: async ({ params, body, req }) =>
        proposals.draftCaseAgainst(ctx, body.token, clientAddress(req), params.id, body.text),
    }),
    route({
      method: 'post',
      path: '/member/ballot-questions',
      tag: 'proposals',
      auth: false,
      summary:
        "The office's own questions on the organisation's draft ballots that the member may vote on (by each ballot's eligibility rule), with a member's proposals link token: each with the members' case against it, if one has qualified, and whether members may still write one",
      body: z.object({ token: memberToken }),
      response: z.array(officeQuestionView),
      handler: async ({ body, req }) => proposals.memberQuestions(ctx, body.token, clientAddress(req)),
    }),
    route({
      method: 'post',
      path: '/member/ballots/:id/questions/:questionId/case-against',
      tag: 'proposals',
      auth: false,
      status: 201,
      summary: `A member drafts a case against a question the office put on a draft ballot, with their proposals link's token (at most ${STATEMENT_MAX} characters). It is then started and signed as a proposal, with the same threshold; the first to qualify is the question's case against, in place of the office's, and the office can then neither write over it nor drop its question. Only members the ballot's eligibility rule includes may draft, start or support one (403 otherwise, saying why)`,
      params: z.object({ id: z.uuid(), questionId: z.uuid() }),
      body: z.object({ token: memberToken, text: statementText }),
      response: z.object({ id: z.string() }),
      handler: async ({ params, body, req }) =>
        proposals.draftCaseAgainstQuestion(
          ctx,
          body.token,
          clientAddress(req),
          params.id,
          params.questionId,
          body.text,
        ),
    }),
    route({
      method: 'put',
      path: '/proposals/:id/agenda-order',
      tag: 'proposals',
      auth: true,
      summary:
        "Declare the order in which the conference's agenda takes a scheduled motion's amendments (organisers), while its ballot is a draft; committed with the question at open",
      params: idParams,
      body: z.object({
        order: z.array(z.uuid()).min(1).describe("every amendment on the ballot, by id, in the agenda's order"),
      }),
      response: z.object({
        questionId: z.string(),
        order: z.array(z.object({ id: z.string(), label: z.string() })),
      }),
      handler: async ({ principal, params, body }) => proposals.setAgendaOrder(ctx, principal, params.id, body.order),
    }),
    memberAct(
      '/member/proposals/:id/start',
      'The proposer starts gathering support: the rules in force now fix its threshold and window, its wording is fixed, and the proposer is its first supporter',
      proposals.startProposal,
    ),
    memberAct(
      '/member/proposals/:id/signatures',
      'A member signs a proposal, once (a second signature is refused with 409). It qualifies by itself when its support reaches the threshold',
      proposals.signProposal,
      201,
    ),
    route({
      method: 'put',
      path: '/member/proposals/:id/case-for',
      tag: 'proposals',
      auth: false,
      summary: `The proposer writes their proposal's case for (at most ${STATEMENT_MAX} characters, as the case against), until the ballot it is on opens`,
      params: idParams,
      body: z.object({ token: memberToken, text: statementText }),
      response: memberProposal,
      handler: async ({ params, body, req }) =>
        proposals.setCaseFor(ctx, body.token, clientAddress(req), params.id, body.text),
    }),
    route({
      method: 'put',
      path: '/ballots/:id/questions/:questionId/statements',
      tag: 'proposals',
      auth: true,
      summary: `The office writes the case for and/or against a question of a draft ballot (at most ${STATEMENT_MAX} characters each; null removes one). On a member proposal's question the case for is the proposers'; on any question the case against is the members' once one has qualified: both refused (403) and logged. An election's question from nominations takes none (409): its candidates' own statements are what members read`,
      params: z.object({ id: z.uuid(), questionId: z.uuid() }),
      body: z.object({ for: statementText.nullable().optional(), against: statementText.nullable().optional() }),
      response: z.object({ for: statementView.optional(), against: statementView.optional() }),
      handler: async ({ principal, params, body }) =>
        proposals.setStatements(ctx, principal, params.id, params.questionId, body),
    }),
  ];
}
