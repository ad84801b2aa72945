import { requireUuid } from './organiser/params';
import type { Router } from 'express';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import * as results from '../../services/results';
import { html } from '../html';
import { mountAuditorPages } from './auditor';
import { page } from './layout';
import { mountAccountPages } from './organiser/account';
import { mountBallotPages } from './organiser/ballot';
import { mountBuilderPages } from './organiser/builder';
import { mountOrganisationPages } from './organiser/organisation';
import { resultsBody } from './organiser/results';
import { mountRollPages } from './organiser/roll';

/**
 * The organisers' and auditors' pages: everything the JSON API does, for a person, with
 * no documentation needed. Server-rendered, working without JavaScript; one small
 * same-origin script (public/staff.js, at /assets/staff.js) enhances a few things. Every page calls the same services as the API.
 *
 *   organiser/account.ts       setup link, sign-in, sign-out
 *   organiser/organisation.ts  ballots, staff and invitations, API tokens, audit log
 *   organiser/roll.ts          roll import with preview, members, branches, one member
 *   organiser/builder.ts       the ballot builder (create and edit drafts)
 *   organiser/ballot.ts        a ballot: overview, previews, invitations, turnout, results, downloads
 *   auditor.ts                 how to run omov verify
 * and here, the public results page of a published ballot.
 */
export function mountOrganiserPages(router: Router, ctx: AppContext): void {
  mountAccountPages(router, ctx);
  mountOrganisationPages(router, ctx);
  mountRollPages(router, ctx);
  mountBuilderPages(router, ctx);
  mountBallotPages(router, ctx);
  mountAuditorPages(router, ctx);

  router.get('/results/:id', async (req, res) => {
    try {
      const r = await results.publishedResults(ctx, requireUuid(req, 'id'));
      const receipts = (await results.bulletinBoard(ctx, r.ballot.id)).receipts.map((x) => x.receipt);
      res.type('html').send(
        page({
          title: `Results: ${r.ballot.title}`,
          wide: true,
          body: html`<h1>Results: ${r.ballot.title}</h1>${resultsBody(r, { receipts })}`,
        }),
      );
    } catch (err) {
      if (err instanceof ServiceError) {
        return void res
          .status(404)
          .type('html')
          .send(page({ title: 'Not published', body: html`<h1>These results are not published</h1>` }));
      }
      throw err;
    }
  });
}
