import { z } from 'zod';
import { answerSchema, ballotInputSchema, ballotModeSchema, comparisonsSchema } from '@omov/core/domain/ballot';
import { BALLOT_STATUSES } from '@omov/core/domain/lifecycle';
import { TEXT_ENCODINGS } from '@omov/core/csv/decode';
import { DATE_ORDERS, memberSchema } from '@omov/core/domain/member';
import { eligibilitySchema } from '@omov/core/domain/eligibility';
import { auditEntrySchema } from '@omov/core/domain/audit';
import * as audit from '../services/audit';
import * as auth from '../services/auth';
import * as exportsService from '../services/exports';
import * as mailEvents from '../services/mail-events';
import * as members from '../services/members';
import * as preview from '../services/preview';
import * as problemReports from '../services/problem-reports';
import * as ballotsService from '../services/ballots';
import type { AppContext } from '../services/context';
import * as invitations from '../services/invitations';
import * as results from '../services/results';
import * as rollService from '../services/roll';
import * as voting from '../services/voting';
import { type ApiRoute, idempotencyKey, route } from './api-routes';
import { recordRoutes } from './record-routes';
import { verifiableRoutes } from './verifiable-routes';
import { nominationRoutes } from './nomination-routes';
import { positionRoutes } from './position-routes';
import { proposalRoutes } from './proposal-routes';
import { bearerOf, clientAddress } from './auth';
import { clearSessionCookie, readCookie, SESSION_COOKIE, setSessionCookie } from './cookies';

const uuid = z.uuid();
const idParams = z.object({ id: uuid });
const memberParams = z.object({ id: uuid, memberId: uuid });

/** A ballot as stored: what the list and the single ballot both return. */
const ballotSummary = z.object({
  id: z.string(),
  organisationId: z.string(),
  title: z.string(),
  description: z.string(),
  status: z.enum(BALLOT_STATUSES),
  opensAt: z.date(),
  closesAt: z.date(),
  openedAt: z.date().nullable(),
  closedAt: z.date().nullable(),
  publishedAt: z.date().nullable(),
  timeZone: z.string().describe('the zone the times are shown in to members and staff'),
  k: z.number(),
  receiptPolicy: z.enum(['inclusion', 'choices']),
  voterListVisible: z.boolean(),
  reminderHours: z.array(z.number()),
  delegateSettings: z.unknown().describe('the delegate-conference model (the "delegates" of the input); null for none'),
  eligibility: eligibilitySchema.nullable(),
  randomiseOptions: z.boolean(),
  invitationsAt: z.date().nullable().describe('when the invitations are, or were, to be sent'),
  units: z.unknown().describe('set at close: the voting units (branches of at least k voters; smaller ones pooled)'),
  boxRoot: z.string().nullable().describe('set at close: the Merkle root of the ballot box'),
  mode: ballotModeSchema.describe('office: votes sealed by the server; verifiable: see docs/verifiable.md'),
});
const ownWording = z.object({ subject: z.string().nullable(), opening: z.string().nullable() });
const mailWording = z.object({
  invitation: ownWording,
  reminder: ownWording,
  replyTo: z.string().nullable(),
  confirmVotes: z.boolean(),
});
const ballotView = ballotSummary.extend({
  questions: z.array(
    z.object({
      id: z.string(),
      position: z.number(),
      title: z.string(),
      description: z.string(),
      method: z.string(),
      settings: z.record(z.string(), z.unknown()),
      options: z.array(z.object({ id: z.string(), position: z.number(), label: z.string(), description: z.string() })),
      comparisons: z
        .array(z.record(z.string(), z.unknown()))
        .optional()
        .describe(
          'the delegate comparisons declared for this question, as declared (absent when it has none): label, model, procedure',
        ),
      positions: z
        .array(z.object({ branch: z.string(), position: z.string().nullable(), attendance: z.number().int() }))
        .optional()
        .describe(
          "branch meetings' positions on this question (an option's label, or null for no position), recorded by the branches' secretaries; fixed and committed at open (absent when none)",
        ),
    }),
  ),
});
const turnoutSchema = z.object({
  eligible: z.number(),
  voted: z.number(),
  percent: z.string(),
  byBranch: z.array(
    z.object({
      branch: z.string().describe('the branch, or the name of a pool of branches with fewer than k voters'),
      branches: z.array(z.string()),
      pooled: z.boolean(),
      eligible: z.number(),
      voted: z.number(),
      percent: z.string(),
    }),
  ),
});
const resultsSchema = z.object({
  ballot: z.object({
    id: z.string(),
    title: z.string(),
    status: z.enum(BALLOT_STATUSES),
    opensAt: z.string(),
    closesAt: z.string(),
    k: z.number(),
    boxRoot: z.string().nullable(),
    resultsHash: z
      .string()
      .describe(
        'the SHA-256 of the results as counted and stored at close (canonical JSON of questions), as in the election record',
      ),
  }),
  units: z
    .array(z.object({ name: z.string(), branches: z.array(z.string()), pooled: z.boolean() }))
    .describe('the voting units: branches of at least k voters, and pools of the smaller ones'),
  turnout: turnoutSchema,
  questions: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      method: z.string(),
      options: z.array(z.record(z.string(), z.unknown())).describe('per option: its label and its figure'),
      figure: z.enum(['votes', 'marks', 'first preferences', 'total score']),
      abstentions: z.string(),
      elected: z.array(z.string()),
      count: z
        .record(z.string(), z.unknown())
        .describe('the whole count as the counting engine gives it: rounds, transfers, ties, pairwise matrix'),
      byUnit: z.array(z.record(z.string(), z.unknown())).describe('the same figures per voting unit'),
      conference: z
        .record(z.string(), z.unknown())
        .nullable()
        .describe(
          "the OMOV result beside the ballot's delegate conference (margins, flips, voting power); null without a delegate model, or when the question declares its own comparisons",
        ),
      comparisons: z
        .array(z.record(z.string(), z.unknown()))
        .optional()
        .describe(
          "each declared comparison: its declaration, its plain-language description, the conference's count (as `conference`), the procedure's decision and whether it agrees with the members, and (as `flip`) the smallest flips of the conference and of the members' vote with their replayed witnesses; present when the question declares comparisons",
        ),
      robustness: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(
          "how many declared comparisons, and how many of the standard sweep of seven common models, agree with the members (with each lot-dependent one's probability)",
        ),
      positions: z
        .record(z.string(), z.unknown())
        .optional()
        .describe(
          "branch by branch, the meeting's position beside the branch members' own votes (rows; pooled branches show only their pool's votes, in pools) and the summary; on an amended motion each row's and pool's `procedures` also give what its members decided by the agenda in the declared order and by the Condorcet winner, each compared with the position (a pooled branch: not compared), and the summary's `procedures` counts the matches; present when the question has positions",
        ),
      agenda: z
        .object({
          declaredOrder: z.array(z.string()).describe("the amendments' labels in the order declared before opening"),
          steps: z
            .array(
              z.object({
                standing: z.string(),
                challenger: z.string(),
                forChallenger: z.string(),
                forStanding: z.string(),
                winner: z.string(),
              }),
            )
            .describe(
              'each step of the declared agenda: the text as it stands against the next amendment (last: the motion falls), with the members preferring each',
            ),
          outcome: z.string().describe('the text the declared agenda adopts, or "None: the motion falls"'),
          outcomes: z
            .array(z.object({ outcome: z.string(), orders: z.array(z.array(z.string())) }))
            .describe(
              'every outcome some order of the amendments reaches, with those orders; the declared outcome first',
            ),
          orderMatters: z.boolean().describe('whether another order of the amendments would have adopted another text'),
        })
        .optional()
        .describe(
          "an amended motion's ranked question: the conference's sequential agenda computed from the members' rankings, beside the Condorcet (Schulze) count in `elected`",
        ),
      versions: z
        .object({
          question: z.string().describe('the title of the question that asked which version'),
          adopted: z.string().describe("the version its declared agenda adopted: this question's options counted"),
          condorcet: z.string().describe('the version the ranked count (Schulze) elected'),
          struck: z
            .array(z.string())
            .describe('the options struck from every ranking, not being in the adopted version'),
          otherwise: z
            .object({
              version: z.string(),
              struck: z.array(z.string()),
              options: z.array(z.object({ option: z.string(), votes: z.string() })),
              elected: z.array(z.string()),
            })
            .nullable()
            .describe('when Schulze elected another version: this question counted over its options instead'),
        })
        .optional()
        .describe(
          "an amended question's options, ranked across every version: counted by the proposal's method (one choice: each member's highest-ranked option still standing) over the adopted version's options",
        ),
    }),
  ),
});
/** A member of the roll as the API shows one. */
const memberRowSchema = z.object({
  id: z.string(),
  branchId: z.string(),
  branch: z.string(),
  email: z.string(),
  name: z.string(),
  memberNumber: z.string().nullable(),
  weight: z.string(),
  joinedOn: z.string().nullable(),
});
const importReportSchema = z.object({
  applied: z.boolean().describe('false for a dry run'),
  rows: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  removed: z.number().int(),
  branches: z.object({
    existing: z.number().int(),
    new: z.array(z.string()),
    nearDuplicates: z
      .array(z.array(z.string()))
      .describe('branch names in the file, or the file and the roll, that look like one branch written differently'),
  }),
  keptColumns: z
    .array(z.enum(['member_number', 'weight', 'joined']))
    .describe('optional columns the file leaves out, in which members keep their values'),
  clearedColumns: z
    .array(z.object({ column: z.enum(['member_number', 'weight', 'joined']), members: z.number().int() }))
    .describe('optional columns the file leaves out that this import clears (clearOmitted=true)'),
  destructive: z
    .array(z.string())
    .describe(
      'why the import needs confirmDestructive=true: it removes more than a tenth of the roll, or clears a column',
    ),
  changes: z.object({
    added: z.array(z.object({ line: z.number().int(), email: z.string(), name: z.string(), branch: z.string() })),
    updated: z.array(z.object({ line: z.number().int(), email: z.string(), fields: z.array(z.string()) })),
    removed: z.array(z.object({ email: z.string(), name: z.string(), branch: z.string() })),
  }),
});
const progressSchema = z.object({
  queued: z.number(),
  sending: z.number(),
  sent: z.number(),
  failed: z.number(),
  bounced: z.number(),
});

/** Every route of the JSON API, under /api/v1. */
export function apiRoutes(ctx: AppContext): ApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/setup',
      tag: 'organisation',
      auth: false,
      status: 201,
      summary: 'Create the organisation and its first organiser from a one-time setup link',
      body: auth.setupInputSchema.extend({ setupToken: z.string() }),
      response: z.object({ organisationId: z.string(), organiserId: z.string() }),
      handler: async ({ body, res }) => {
        const { setupToken, ...input } = body;
        const r = await auth.completeSetup(ctx, setupToken, input);
        setSessionCookie(res, ctx.config, r.sessionId);
        return { organisationId: r.organisationId, organiserId: r.organiserId };
      },
    }),
    route({
      method: 'post',
      path: '/session',
      tag: 'organisation',
      auth: false,
      summary: 'Sign in with email and password (sets the session cookie)',
      body: z.object({ email: z.string().min(1), password: z.string().min(1) }),
      response: z.object({ organiserId: z.string(), organisationId: z.string(), email: z.string(), name: z.string() }),
      handler: async ({ body, req, res }) => {
        const r = await auth.signIn(ctx, body.email, body.password, clientAddress(req));
        setSessionCookie(res, ctx.config, r.sessionId);
        return r.principal;
      },
    }),
    route({
      method: 'delete',
      path: '/session',
      tag: 'organisation',
      auth: false,
      summary: 'Sign out',
      handler: async ({ req, res }) => {
        const sid = readCookie(req, SESSION_COOKIE);
        if (sid) await auth.signOut(ctx, sid);
        clearSessionCookie(res, ctx.config);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/me',
      tag: 'organisation',
      auth: true,
      summary: 'Who is signed in',
      response: z.object({
        organiserId: z.string(),
        organisationId: z.string(),
        email: z.string(),
        name: z.string(),
        role: z.enum(['organiser', 'auditor']),
        ballotId: z.string().nullable().describe('an auditor of one ballot: that ballot'),
      }),
      handler: async ({ principal }) => principal,
    }),
    route({
      method: 'post',
      path: '/api-tokens',
      tag: 'organisation',
      auth: true,
      status: 201,
      summary: 'Create an API token for scripts (shown once)',
      body: z.object({ name: z.string().trim().min(1).max(100) }),
      response: z.object({ id: z.string(), name: z.string(), createdAt: z.date(), token: z.string() }),
      handler: async ({ principal, body }) => auth.createApiToken(ctx, principal, body.name),
    }),
    route({
      method: 'get',
      path: '/api-tokens',
      tag: 'organisation',
      auth: true,
      summary: 'List your API tokens (never the tokens themselves)',
      response: z.array(
        z.object({ id: z.string(), name: z.string(), created_at: z.date(), last_used_at: z.date().nullable() }),
      ),
      handler: async ({ principal }) => auth.listApiTokens(ctx, principal),
    }),
    route({
      method: 'delete',
      path: '/api-tokens/:id',
      tag: 'organisation',
      auth: true,
      summary: 'Revoke an API token',
      params: idParams,
      handler: async ({ principal, params }) => {
        await auth.revokeApiToken(ctx, principal, params.id);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/roll/import',
      tag: 'roll',
      auth: true,
      textBody: 'csv',
      summary:
        'Import the member roll from CSV (columns email,name,branch[,member_number,weight,joined]); all or nothing',
      query: z.object({
        dryRun: z.enum(['true', 'false']).default('false'),
        encoding: z
          .enum(TEXT_ENCODINGS)
          .default('utf-8')
          .describe('the encoding the file was saved in; bytes that are not UTF-8 are refused with their line'),
        dateOrder: z
          .enum(DATE_ORDERS)
          .optional()
          .describe('how dates other than YYYY-MM-DD are written: dmy (31/12/2024) or mdy (12/31/2024)'),
        clearOmitted: z
          .enum(['true', 'false'])
          .default('false')
          .describe(
            'true: clear the optional columns (member_number, weight, joined) the file leaves out; by default members keep their values',
          ),
        confirmDestructive: z
          .enum(['true', 'false'])
          .default('false')
          .describe(
            'true: apply an import that removes more than a tenth of the roll or clears a column; without it such an import is refused (409) naming the counts',
          ),
      }),
      body: z.custom<AsyncIterable<Uint8Array>>(
        (b) => typeof b === 'object' && b !== null && Symbol.asyncIterator in b,
        {
          error: 'send the file as text/csv',
        },
      ),
      response: importReportSchema,
      handler: async ({ principal, body, query }) =>
        rollService.importRoll(ctx, principal, body, {
          dryRun: query.dryRun === 'true',
          clearOmitted: query.clearOmitted === 'true',
          confirmDestructive: query.confirmDestructive === 'true',
          encoding: query.encoding,
          dateOrder: query.dateOrder,
        }),
    }),
    route({
      method: 'get',
      path: '/members',
      tag: 'roll',
      auth: true,
      summary: 'Search the member roll',
      response: z.array(memberRowSchema),
      query: z.object({
        search: z.string().max(200).optional(),
        branchId: uuid.optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
        offset: z.coerce.number().int().min(0).default(0),
      }),
      handler: async ({ principal, query }) => rollService.searchMembers(ctx, principal, query),
    }),
    route({
      method: 'post',
      path: '/members',
      tag: 'roll',
      auth: true,
      status: 201,
      summary: 'Add one member to the roll',
      body: memberSchema,
      response: z.object({ added: z.string().describe('the email address added') }),
      handler: async ({ principal, body }) => {
        await members.addMember(ctx, principal, body);
        return { added: body.email };
      },
    }),
    route({
      method: 'get',
      path: '/members/:id',
      tag: 'roll',
      auth: true,
      summary: 'One member of the roll',
      params: idParams,
      response: memberRowSchema,
      handler: async ({ principal, params }) => members.getMember(ctx, principal, params.id),
    }),
    route({
      method: 'put',
      path: '/members/:id',
      tag: 'roll',
      auth: true,
      summary: 'Change one member (email, name, branch, number, weight, joined)',
      params: idParams,
      body: memberSchema,
      handler: async ({ principal, params, body }) => {
        await members.updateMember(ctx, principal, params.id, body);
        return undefined;
      },
    }),
    route({
      method: 'delete',
      path: '/members/:id',
      tag: 'roll',
      auth: true,
      summary: 'Remove one member from the roll',
      params: idParams,
      handler: async ({ principal, params }) => {
        await members.removeMember(ctx, principal, params.id);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/branches',
      tag: 'roll',
      auth: true,
      summary: 'Branches, with their current membership',
      response: z.array(z.object({ id: z.string(), name: z.string(), members: z.number().int() })),
      handler: async ({ principal }) => rollService.listBranches(ctx, principal),
    }),
    route({
      method: 'post',
      path: '/branches/merge',
      tag: 'roll',
      auth: true,
      summary:
        'Merge one branch into another (its members move; drafts naming it name the other); refused (409) while an open ballot uses either',
      body: z.object({
        from: z.string().min(1).describe('the branch that goes, e.g. "leeds"'),
        into: z.string().min(1).describe('the branch its members join, e.g. "Leeds"'),
      }),
      response: z.object({
        from: z.string(),
        into: z.string(),
        members: z.number().describe('members moved'),
        drafts: z.number().describe('draft ballots whose rule now names the branch merged into'),
      }),
      handler: async ({ principal, body }) => rollService.mergeBranches(ctx, principal, body),
    }),
    route({
      method: 'post',
      path: '/ballots',
      tag: 'ballots',
      auth: true,
      status: 201,
      summary: 'Create a draft ballot',
      body: ballotInputSchema,
      response: ballotView,
      handler: async ({ principal, body }) => ballotsService.createBallot(ctx, principal, body),
    }),
    route({
      method: 'get',
      path: '/ballots',
      tag: 'ballots',
      auth: true,
      summary: 'List ballots',
      response: z.array(ballotSummary),
      handler: async ({ principal }) => ballotsService.listBallots(ctx, principal),
    }),
    route({
      method: 'get',
      path: '/ballots/:id',
      tag: 'ballots',
      auth: true,
      summary: 'A ballot with its questions',
      params: idParams,
      response: ballotView,
      handler: async ({ principal, params }) => ballotsService.getBallot(ctx, principal, params.id),
    }),
    route({
      method: 'put',
      path: '/ballots/:id',
      tag: 'ballots',
      auth: true,
      summary: 'Replace a draft ballot (only drafts can be edited)',
      params: idParams,
      body: ballotInputSchema,
      response: ballotView,
      handler: async ({ principal, params, body }) => ballotsService.updateBallot(ctx, principal, params.id, body),
    }),
    route({
      method: 'put',
      path: '/ballots/:id/questions/:questionId/comparisons',
      tag: 'ballots',
      auth: true,
      summary:
        "Declare a question's delegate comparisons, replacing its earlier ones (drafts only: they are committed at open)",
      params: z.object({ id: uuid, questionId: uuid }),
      body: z.object({ comparisons: comparisonsSchema }),
      response: ballotView,
      handler: async ({ principal, params, body }) =>
        ballotsService.declareComparisons(ctx, principal, params.id, params.questionId, body.comparisons),
    }),
    route({
      method: 'delete',
      path: '/ballots/:id',
      tag: 'ballots',
      auth: true,
      summary: 'Delete a draft ballot',
      params: idParams,
      handler: async ({ principal, params }) => {
        await ballotsService.deleteDraft(ctx, principal, params.id);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/ballots/:id/open',
      tag: 'ballots',
      auth: true,
      summary:
        'Open a draft: issue a voting token to every eligible member and queue their invitations (now, or at sendAt)',
      params: idParams,
      body: z
        .object({
          sendAt: z.iso
            .datetime({ offset: true })
            .optional()
            .describe('send the invitations at this time instead of now'),
        })
        .optional(),
      response: z.object({ electorate: z.number(), invitationsQueued: z.number(), invitationsAt: z.string() }),
      handler: async ({ principal, params, body }) =>
        ballotsService.openBallot(ctx, principal, params.id, { sendAt: body?.sendAt }),
    }),
    route({
      method: 'post',
      path: '/ballots/:id/close',
      tag: 'ballots',
      auth: true,
      summary: 'Close an open ballot now',
      params: idParams,
      handler: async ({ principal, params }) => {
        await ballotsService.closeBallot(ctx, principal, params.id);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/ballots/:id/publish',
      tag: 'ballots',
      auth: true,
      summary: 'Publish the results of a closed ballot',
      params: idParams,
      handler: async ({ principal, params }) => {
        await ballotsService.publishBallot(ctx, principal, params.id);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/ballots/:id/electorate/:memberId',
      tag: 'ballots',
      auth: true,
      summary: 'Add a member who joined the roll while the ballot is open to its electorate (and invite them)',
      params: memberParams,
      handler: async ({ principal, params }) => {
        await ballotsService.addToElectorate(ctx, principal, params.id, params.memberId);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/ballots/:id/electorate/:memberId/reissue',
      tag: 'ballots',
      auth: true,
      summary:
        'Send a member a new voting link; the old link stops working. A member who has voted gets a note instead; the answer (204) is the same either way',
      params: memberParams,
      handler: async ({ principal, params }) => {
        await ballotsService.reissueLink(ctx, principal, params.id, params.memberId);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/ballots/:id/reminders',
      tag: 'ballots',
      auth: true,
      summary:
        'Queue a reminder to every member who has not voted yet. With an Idempotency-Key, a repeat of the request sends nothing and answers as the first did; within 30 minutes of the last reminder the request is refused (429, Retry-After)',
      params: idParams,
      headers: z.object({ 'idempotency-key': idempotencyKey.optional() }),
      response: z.object({
        queued: z.number().describe('members the reminder was queued for'),
        repeated: z.boolean().describe('true when this Idempotency-Key was seen before: nothing was sent this time'),
      }),
      handler: async ({ principal, params, headers }) =>
        ballotsService.sendReminders(ctx, principal, params.id, { key: headers['idempotency-key'] }),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/opening',
      tag: 'ballots',
      auth: true,
      summary: 'How far an open in flight has come: members given a link and a queued invitation so far',
      params: idParams,
      response: z.object({
        opening: z
          .object({
            total: z.number().describe('members the open is issuing links to'),
            done: z.number().describe('members given a link and a queued invitation so far'),
            updatedAt: z.date(),
          })
          .nullable()
          .describe('null when no open is in flight (the ballot is open, or still a draft that nobody is opening)'),
      }),
      handler: async ({ principal, params }) => ({
        opening: await ballotsService.openingProgress(ctx, principal, params.id),
      }),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/reminders',
      tag: 'ballots',
      auth: true,
      summary: 'What a reminder sent now would do: how many members it would go to, and any cooldown',
      params: idParams,
      response: z.object({
        recipients: z.number().describe('members who have not voted and hold a live link'),
        lastAt: z.date().nullable().describe('when the last reminder (by hand or automatic) went out'),
        cooldownEndsAt: z
          .date()
          .nullable()
          .describe('until when a reminder by hand is refused; null if one may be sent now'),
      }),
      handler: async ({ principal, params }) => ballotsService.reminderState(ctx, principal, params.id),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/invitations',
      tag: 'ballots',
      auth: true,
      summary:
        'Delivery progress of invitations and reminders (queued, sending, sent, failed) and the failed addresses',
      params: idParams,
      response: z.object({
        progress: z
          .partialRecord(z.enum(['invitation', 'reminder']), progressSchema)
          .describe('per kind of message, for the kinds queued so far'),
        failed: z.array(
          z.object({
            id: z.string(),
            kind: z.string(),
            recipient: z.string(),
            attempts: z.number(),
            status: z.enum(['failed', 'bounced']),
            lastError: z.string().nullable(),
          }),
        ),
      }),
      handler: async ({ principal, params }) => {
        await ballotsService.getBallot(ctx, principal, params.id);
        return {
          progress: await invitations.invitationProgress(ctx, params.id),
          failed: await invitations.failedDeliveries(ctx, params.id),
        };
      },
    }),
    route({
      method: 'get',
      path: '/ballots/:id/turnout',
      tag: 'results',
      auth: true,
      summary: 'Turnout so far, overall and per branch',
      params: idParams,
      response: turnoutSchema,
      handler: async ({ principal, params }) => results.ballotTurnout(ctx, principal, params.id),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/turnout/history',
      tag: 'results',
      auth: true,
      summary: 'How many had voted, minute by minute while the ballot was open (counts only)',
      params: idParams,
      response: z.array(z.object({ at: z.date(), voted: z.number() })),
      handler: async ({ principal, params }) => results.turnoutOverTime(ctx, principal, params.id),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/results',
      tag: 'results',
      auth: true,
      summary:
        'Results of a closed ballot, as counted once at close and stored: turnout and, per question, votes per option and the full count',
      params: idParams,
      response: resultsSchema,
      handler: async ({ principal, params }) => results.ballotResults(ctx, principal, params.id),
    }),
    route({
      method: 'get',
      path: '/published/:id/results',
      tag: 'results',
      auth: false,
      summary: 'Results of a published ballot (public)',
      params: idParams,
      response: resultsSchema,
      handler: async ({ params }) => results.publishedResults(ctx, params.id),
    }),
    route({
      method: 'post',
      path: '/staff-invitations',
      tag: 'organisation',
      auth: true,
      status: 202,
      summary: 'Invite an organiser, or an auditor (of the organisation or of one ballot), by email',
      body: auth.invitationInputSchema,
      response: z.object({ invited: z.string().describe('the email address invited') }),
      handler: async ({ principal, body }) => {
        await auth.inviteStaff(ctx, principal, body);
        return { invited: body.email };
      },
    }),
    route({
      method: 'get',
      path: '/staff',
      tag: 'organisation',
      auth: true,
      summary: 'Organisers and auditors of the organisation',
      response: z.array(
        z.object({
          id: z.string(),
          email: z.string(),
          name: z.string(),
          role: z.enum(['organiser', 'auditor']),
          ballotId: z.string().nullable().describe('an auditor of one ballot: that ballot'),
          createdAt: z.date(),
        }),
      ),
      handler: async ({ principal }) => auth.listStaff(ctx, principal),
    }),
    route({
      method: 'get',
      path: '/audit-log',
      tag: 'organisation',
      auth: true,
      summary: 'The hash-chained log of every organiser and auditor action, and whether its chain is intact',
      response: z.object({
        entries: z.array(auditEntrySchema),
        chain: z
          .enum(['intact', 'BROKEN', 'partial view'])
          .describe("an auditor of one ballot sees that ballot's entries: a partial view, whose chain is not checked"),
      }),
      handler: async ({ principal }) => audit.readLog(ctx, principal),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/voters',
      tag: 'results',
      auth: true,
      summary: 'Which members have voted — only where the ballot switched this on (voterListVisible)',
      params: idParams,
      response: z.array(
        z.object({ memberId: z.string(), email: z.string(), name: z.string(), branch: z.string(), voted: z.boolean() }),
      ),
      handler: async ({ principal, params }) => results.voterList(ctx, principal, params.id),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/board',
      tag: 'results',
      auth: false,
      summary:
        'The bulletin board of a ballot (public), from its opening: the electorate per branch and the number of problems reported; once it has closed, every receipt code, with its answers if the ballot publishes them',
      params: idParams,
      response: z.object({
        ballotId: z.string(),
        title: z.string(),
        policy: z.enum(['inclusion', 'choices']),
        closed: z.boolean().describe('whether voting has closed: receipts and the box root are listed only then'),
        boxRoot: z.string().nullable(),
        electorate: z
          .array(z.object({ branch: z.string(), eligible: z.number().int() }))
          .describe('members in the electorate per branch, as committed to when the ballot opened'),
        problemReports: z
          .number()
          .int()
          .describe('how many problems members have reported to the auditors (entries in the audit log)'),
        receipts: z.array(z.object({ receipt: z.string(), answers: z.record(z.string(), z.unknown()).optional() })),
      }),
      handler: async ({ params }) => results.bulletinBoard(ctx, params.id),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/problem-reports',
      tag: 'results',
      auth: true,
      summary:
        'The problems members reported about a ballot (auditors and organisers), each with its audit log entry; log entries whose report is no longer kept are listed in missingFromStore',
      params: idParams,
      response: z.object({
        reports: z.array(
          z.object({
            id: z.string(),
            receivedAt: z.string(),
            text: z.string(),
            textHash: z.string().describe("SHA-256 of the text, as the audit log's entry holds it"),
            logEntry: z.number().int().nullable(),
            intact: z.boolean().describe('the log has an entry for this report, with the hash of this text'),
          }),
        ),
        logged: z.number().int().describe('how many reports the audit log holds (the count on the bulletin board)'),
        missingFromStore: z.array(z.number().int()).describe('log entries of reports no longer kept'),
      }),
      handler: async ({ principal, params }) => problemReports.listProblemReports(ctx, principal, params.id),
    }),
    route({
      method: 'post',
      path: '/link-requests',
      tag: 'voting',
      auth: false,
      status: 202,
      summary: 'Ask for a new voting link by email. The answer is the same whether or not the address is on a roll',
      body: z.object({ email: z.email() }),
      response: z.object({ message: z.string() }),
      handler: async ({ body, req }) => {
        await ballotsService.requestNewLinks(ctx, body.email, clientAddress(req));
        return { message: 'If this address is on the roll of an open ballot, a new link is on its way.' };
      },
    }),
    route({
      method: 'get',
      path: '/ballots/:id/mail',
      tag: 'ballots',
      auth: true,
      summary:
        "The ballot's own wording of its invitations and reminders (null: the default text), and its contact address",
      params: idParams,
      response: mailWording,
      handler: async ({ principal, params }) => invitations.getWording(ctx, principal, params.id),
    }),
    route({
      method: 'put',
      path: '/ballots/:id/mail',
      tag: 'ballots',
      auth: true,
      summary:
        'Replace the wording of the invitations and reminders (plain text with placeholders) and the contact (Reply-To) address; until the ballot closes. Messages already queued keep their wording',
      params: idParams,
      body: invitations.wordingSchema,
      response: mailWording,
      handler: async ({ principal, params, body }) => invitations.setWording(ctx, principal, params.id, body),
    }),
    route({
      method: 'post',
      path: '/ballots/:id/test-email',
      tag: 'ballots',
      auth: true,
      status: 202,
      summary:
        'Send the invitation (or, with {"kind":"reminder"}, the reminder) of this ballot to yourself, as a test (its link casts nothing)',
      params: idParams,
      body: z
        .object({
          kind: z
            .enum(['invitation', 'reminder'], { error: 'choose "invitation" or "reminder"' })
            .default('invitation')
            .describe('which email to send; the invitation when left out'),
        })
        .optional(),
      response: z.object({ to: z.string().describe('your address, where the test went') }),
      handler: async ({ principal, params, body }) =>
        preview.sendTestEmail(ctx, principal, params.id, body?.kind ?? 'invitation'),
    }),
    route({
      method: 'get',
      path: '/ballots/:id/questions/:questionId/blt',
      tag: 'results',
      auth: true,
      summary: 'The papers of a ranked question in BLT format (closed ballots)',
      params: z.object({ id: uuid, questionId: uuid }),
      response: z.string(),
      responseType: 'text/plain',
      responseDescription: 'The BLT file (a download)',
      handler: async ({ principal, params, res }) => {
        const f = await exportsService.questionBlt(ctx, principal, params.id, params.questionId);
        res
          .status(200)
          .type('text/plain')
          .set('Content-Disposition', `attachment; filename="${f.fileName}"`)
          .send(f.text);
        return undefined;
      },
    }),
    ...recordRoutes(ctx),
    ...verifiableRoutes(ctx),
    ...proposalRoutes(ctx),
    ...positionRoutes(ctx),
    ...nominationRoutes(ctx),
    route({
      method: 'post',
      path: '/mail-events',
      tag: 'organisation',
      auth: false,
      summary:
        "The mail provider's webhook: bounces and complaints after delivery (Authorization: Bearer MAIL_EVENTS_SECRET)",
      body: mailEvents.mailEventsSchema,
      response: z.object({ marked: z.number(), unknown: z.number() }),
      handler: async ({ body, req }) => {
        return mailEvents.reportMailEvents(ctx, bearerOf(req), body);
      },
    }),
    route({
      method: 'post',
      path: '/mail-events/dsn',
      tag: 'organisation',
      auth: false,
      textBody: 'email',
      summary:
        'A bounce message as the mail server returned it (RFC 3464 delivery status notification, as message/rfc822; Authorization: Bearer MAIL_EVENTS_SECRET)',
      body: z.string(),
      response: z.object({
        marked: z.number(),
        unknown: z.number(),
        notFailed: z.number().describe('recipients reported delayed or delivered'),
      }),
      handler: async ({ body, req }) => mailEvents.reportDeliveryStatus(ctx, bearerOf(req), body),
    }),
    route({
      method: 'post',
      path: '/vote',
      tag: 'voting',
      auth: false,
      summary: 'Cast a vote with a voting token (answers by question id; abstaining is {"kind":"abstain"})',
      body: z.object({ token: z.string(), answers: z.record(z.string(), answerSchema) }),
      response: z.object({ receipt: z.string() }),
      status: 201,
      handler: async ({ body, req }) => voting.cast(ctx, body.token, body.answers, clientAddress(req)),
    }),
  ];
}
