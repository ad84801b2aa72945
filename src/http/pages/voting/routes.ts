import type { Response } from 'express';
import express from 'express';
import type { AppContext } from '../../../services/context';
import { ServiceError } from '../../../services/errors';
import { type BallotForVoter, CastRefused, cast, viewLink } from '../../../services/voting';
import { html } from '../../html';
import { messages as t } from '../../messages';
import { type PageRoute, pageRoute } from '../../page-routes';
import { page } from '../layout';
import { clientAddress } from '../../auth';
import { pristinePaper } from './cache';
import { answersFromForm, csrfFor, type FormValues } from './form';
import {
  ballotPaperBody,
  branchPositionsBlock,
  optionOrder,
  receiptPage,
  refusalPage,
  reviewPage,
  statementsBlock,
  VOTE_SCRIPT,
  statePage,
} from './view';
import { type Statements, statementsForPaper } from '../../../services/proposals';
import { paperSeed } from '../../../services/questions';

/**
 * The member's voting pages: GET shows the ballot paper (and never uses the link up);
 * POST "review" shows the answers back; POST "cast" with the confirmation casts. Works
 * without JavaScript: radio buttons, checkboxes, numbered selects. public/vote.js only
 * adds tap-to-rank and a live count of marks. The link's token stays in the path, never
 * in a redirect.
 */

/** The paper as posted back: the cached untouched paper when nothing is filled in, else built with the member's values. */
function formPage(
  ctx: AppContext,
  token: string,
  b: BallotForVoter,
  form: FormValues,
  problems: Map<string, string>,
  statements: Statements,
  branch: string,
): string | Buffer {
  const said = html`${branchPositionsBlock(b.questions, branch)}${statementsBlock(b.questions, statements, paperSeed(ctx.keys, token))}`;
  if (problems.size === 0 && Object.keys(form).length === 0)
    return pristinePaper(b, csrfFor(ctx, token), optionOrder(ctx, token, b), said.toString());
  return page({
    title: `${problems.size ? `${t.formProblems} ` : ''}${b.title}`,
    site: b.organisationName,
    head: VOTE_SCRIPT,
    body: ballotPaperBody(
      b,
      { method: 'post', csrf: csrfFor(ctx, token), statements: said },
      form,
      problems,
      optionOrder(ctx, token, b),
    ),
  });
}

/** For any page reached by a member's personal link (the voting paper, the proposals page). */
export function voterHeaders(res: Response): void {
  // A voting page must not leak its URL (the token) to other sites, nor be cached.
  res.set('Referrer-Policy', 'no-referrer');
  res.set('Cache-Control', 'no-store');
  res.set('X-Robots-Tag', 'noindex');
}

export function votingPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/v/:token',
      who: 'voting link',
      summary: "The member's ballot paper (looking never uses the link up)",
      handler: async ({ req, res }) => {
        voterHeaders(res);
        const token = String(req.params.token);
        const s = await viewLink(ctx, token, clientAddress(req));
        if (s.state !== 'open') {
          const r = refusalPage(ctx, s.state, 'ballot' in s ? s.ballot : undefined);
          return void res.status(r.status).type('html').send(r.body);
        }
        res
          .type('html')
          .send(formPage(ctx, token, s.ballot, {}, new Map(), await statementsForPaper(ctx, s.ballot), s.branch));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/v/:token',
      who: 'voting link',
      summary: "The member's paper posted back: edit, review, or cast",
      parsers: [express.urlencoded({ extended: false, limit: '100kb' })],
      csrf: { check: 'voting link' },
      handler: async ({ req, res }) => {
        voterHeaders(res);
        const token = String(req.params.token);
        const form = (req.body ?? {}) as FormValues;
        const s = await viewLink(ctx, token, clientAddress(req));
        if (s.state !== 'open') {
          const r = refusalPage(ctx, s.state, 'ballot' in s ? s.ballot : undefined);
          return void res.status(r.status).type('html').send(r.body);
        }
        const b = s.ballot;
        if (
          typeof form.csrf !== 'string' ||
          form.csrf !== csrfFor(ctx, token) ||
          req.headers['sec-fetch-site'] === 'cross-site'
        ) {
          return void res
            .status(403)
            .type('html')
            .send(
              statePage(
                t.expiredTitle,
                [html`<p>${t.expiredBody}</p><p><a href="/v/${token}">${t.expiredLink}</a></p>`],
                b,
              ),
            );
        }
        const { answers, problems } = answersFromForm(b.questions, form);
        if (form.step === 'edit' || problems.size) {
          return void res
            .status(problems.size ? 422 : 200)
            .type('html')
            .send(formPage(ctx, token, b, form, problems, await statementsForPaper(ctx, b), s.branch));
        }
        if (form.step !== 'cast') return void res.type('html').send(reviewPage(ctx, token, b, answers, form));
        try {
          const { receipt } = await cast(ctx, token, answers, clientAddress(req), {
            ballotId: b.id,
            questions: b.questions,
            voterListVisible: b.voterListVisible,
            ...s.link,
          });
          res
            .status(201)
            .type('html')
            .send(receiptPage(ctx, b, receipt));
        } catch (err) {
          if (err instanceof CastRefused) {
            const r = refusalPage(ctx, err.link, b);
            return void res.status(r.status).type('html').send(r.body);
          }
          if (err instanceof ServiceError && err.kind === 'invalid') {
            const again = new Map(err.issues.map((i) => [i.path.replace(/^answers\./, ''), t.problemOther(i.message)]));
            return void res
              .status(422)
              .type('html')
              .send(formPage(ctx, token, b, form, again, await statementsForPaper(ctx, b), s.branch));
          }
          throw err;
        }
      },
    }),
  ];
}
