import { z } from 'zod';
import type { AppContext } from '../services/context';
import * as positions from '../services/positions';
import { type ApiRoute, route } from './api-routes';
import { clientAddress } from './auth';

/**
 * Branch meetings' positions (docs/proposals.md, "Branch positions"). Organisers name a
 * secretary per branch, who is mailed a personal link; the secretary records, with the
 * link's token in the body (never in a URL), their meeting's position on each question of a
 * draft ballot. Nobody else can: staff have no route that writes a position, and once the
 * ballot opens every write is refused (409).
 */

const secretaryToken = z.string().describe("the branch secretary's link token (from the link's path, /s/…)");

const secretaryView = z.object({
  branchId: z.string(),
  branch: z.string(),
  name: z.string(),
  email: z.string(),
  namedAt: z.date(),
  namedBy: z.string(),
  linkExpiresAt: z
    .date()
    .describe("when the secretary's link stops working (SECRETARY_LINK_DAYS after they were named)"),
});

const positionView = z.object({
  questionId: z.string(),
  branchId: z.string(),
  branch: z.string(),
  position: z.string().nullable().describe('the option the meeting supported (its label); null: it took no position'),
  attendance: z.number().int().describe('how many attended the meeting'),
  recordedAt: z.date(),
});

const secretaryBallot = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  opensAt: z.date(),
  open: z.boolean().describe('whether positions can still be recorded (a draft); fixed once it opens'),
  questions: z.array(
    z.object({
      id: z.string(),
      position: z.number().int(),
      title: z.string(),
      description: z.string(),
      method: z.string(),
      options: z.array(z.string()),
      amendments: z
        .array(z.object({ id: z.string(), title: z.string(), option: z.string() }))
        .optional()
        .describe("on an amended motion: its amendments on the ballot, each with its variant's option"),
      unamended: z.string().optional().describe("on an amended motion: the option meaning 'for the motion unamended'"),
      against: z
        .string()
        .nullable()
        .optional()
        .describe("on an amended motion: the option meaning 'against' (the motion falls)"),
      recorded: z
        .object({ position: z.string().nullable(), attendance: z.number().int(), recordedAt: z.date() })
        .optional()
        .describe("this branch's position, when one is recorded"),
    }),
  ),
});

export function positionRoutes(ctx: AppContext): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/branch-secretaries',
      tag: 'positions',
      auth: true,
      summary: "The branches' secretaries, who record their branch meetings' positions",
      response: z.array(secretaryView),
      handler: async ({ principal }) => positions.listSecretaries(ctx, principal),
    }),
    route({
      method: 'put',
      path: '/branch-secretaries',
      tag: 'positions',
      auth: true,
      summary:
        "Name a branch's secretary (organisers): they are mailed a personal link to record the branch meeting's positions; naming again mails a new link and the old one stops working",
      body: z.object({
        branch: z.string().min(1).max(200).describe("the branch's name"),
        name: z.string().trim().min(1).max(200),
        email: z.email(),
      }),
      response: secretaryView,
      handler: async ({ principal, body }) => positions.nameSecretary(ctx, principal, body),
    }),
    route({
      method: 'delete',
      path: '/branch-secretaries/:branch',
      tag: 'positions',
      auth: true,
      summary:
        "Withdraw a branch's secretary (organisers): their link stops working at once; the positions they recorded stay",
      params: z.object({ branch: z.string().min(1).max(200).describe("the branch's name") }),
      handler: async ({ principal, params }) => {
        await positions.withdrawSecretary(ctx, principal, params.branch);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/ballots/:id/positions',
      tag: 'positions',
      auth: true,
      summary: "The branch meetings' positions recorded on a ballot's questions (fixed once it opens)",
      params: z.object({ id: z.uuid() }),
      response: z.object({ fixed: z.boolean(), positions: z.array(positionView) }),
      handler: async ({ principal, params }) => positions.ballotPositions(ctx, principal, params.id),
    }),
    route({
      method: 'post',
      path: '/secretary',
      tag: 'positions',
      auth: false,
      summary:
        "A branch secretary's own view, with their link's token: the draft and open ballots, and their branch's positions on each question",
      body: z.object({ token: secretaryToken }),
      response: z.object({
        secretary: z.object({ name: z.string(), branch: z.string(), organisationName: z.string() }),
        ballots: z.array(secretaryBallot),
      }),
      handler: async ({ body, req }) => positions.secretaryPage(ctx, body.token, clientAddress(req)),
    }),
    route({
      method: 'put',
      path: '/secretary/positions',
      tag: 'positions',
      auth: false,
      summary:
        "A branch secretary records (or changes) their branch meeting's position on a question of a draft ballot and its attendance; refused with 409 once the ballot has opened. In the audit log",
      body: z.object({
        token: secretaryToken,
        ballotId: z.uuid(),
        questionId: z.uuid(),
        position: z
          .string()
          .nullable()
          .optional()
          .describe(
            "the label of the option the meeting supported (for a yes/no question, Yes or No; on an amended motion, 'The motion as proposed' for the motion unamended, an amendment's variant, or 'None: the motion falls' for against); null: no position. Required unless `amendment` is given",
          ),
        amendment: z
          .uuid()
          .optional()
          .describe(
            'on an amended motion: the id of the amendment whose variant the meeting supported, in place of `position` (422 when it is not an amendment on this question)',
          ),
        attendance: z.number().int().min(0).max(1_000_000).describe('how many attended the meeting'),
      }),
      response: positionView,
      handler: async ({ body, req }) =>
        positions.recordPosition(ctx, body.token, clientAddress(req), {
          ballotId: body.ballotId,
          questionId: body.questionId,
          ...(body.position !== undefined ? { position: body.position } : {}),
          ...(body.amendment !== undefined ? { amendment: body.amendment } : {}),
          attendance: body.attendance,
        }),
    }),
  ];
}
