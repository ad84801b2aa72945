import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../../services/context';
import { html } from '../html';
import { type PageRoute, pageRoute } from '../page-routes';
import { auditorPageRoutes } from './auditor';
import { page } from './layout';
import { accountPageRoutes } from './organiser/account';
import { ballotPageRoutes } from './organiser/ballot';
import { builderPageRoutes } from './organiser/builder';
import { organisationPageRoutes } from './organiser/organisation';
import { rollPageRoutes } from './organiser/roll';
import { publicPageRoutes } from './public';
import { votingPageRoutes } from './voting/routes';

/**
 * Every page route, in one table (the JSON API's is http/api.ts; both are mounted in http/app.ts). Server-rendered, working
 * without JavaScript; one small same-origin script for staff (public/staff.js) and one
 * for the paper (public/vote.js) enhance a few things. Every page calls the same services
 * as the API.
 *
 *   voting/                    the member's paper, review and receipt, by the link in the email
 *   public.ts                  the bulletin board, published results, "send me a new link"
 *   organiser/account.ts       setup link, sign-in, sign-out
 *   organiser/organisation.ts  ballots, staff and invitations, API tokens, audit log
 *   organiser/roll.ts          roll import with preview, members, branches, one member
 *   organiser/builder.ts       the ballot builder (create and edit drafts)
 *   organiser/ballot.ts        a ballot: overview, previews, invitations, turnout, results, downloads
 *   auditor.ts                 how to run omov verify
 */
export function pageRoutes(ctx: AppContext): PageRoute[] {
  return [
    ...votingPageRoutes(ctx),
    ...accountPageRoutes(ctx),
    ...organisationPageRoutes(ctx),
    ...rollPageRoutes(ctx),
    ...builderPageRoutes(ctx),
    ...ballotPageRoutes(ctx),
    ...auditorPageRoutes(ctx),
    ...publicPageRoutes(ctx),
    ...(ctx.config.env === 'development' ? devOutboxRoutes(path.join(ctx.config.dataDir, 'outbox')) : []),
  ];
}

/** Development only: the messages written to the outbox folder, to click voting links locally. */
function devOutboxRoutes(dir: string): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/dev/outbox',
      who: 'anyone',
      summary: 'Development: the messages in the outbox folder',
      handler: async ({ res }) => {
        const files = (await fs.readdir(dir).catch(() => [] as string[]))
          .filter((f) => f.endsWith('.eml'))
          .sort()
          .reverse()
          .slice(0, 200);
        res.type('html').send(
          page({
            title: 'Outbox',
            body: html`<h1>Outbox (development)</h1><p class="hint">Messages written to ${dir}. Newest first.</p>
<ul>${files.map((f) => html`<li><a href="/dev/outbox/${f}">${f}</a></li>`)}</ul>`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/dev/outbox/:file',
      who: 'anyone',
      summary: 'Development: one message of the outbox, as text',
      handler: async ({ req, res }) => {
        const file = path.basename(String(req.params.file));
        if (!file.endsWith('.eml')) return void res.status(404).end();
        const text = await fs.readFile(path.join(dir, file), 'utf8').catch(() => undefined);
        if (text === undefined) return void res.status(404).end();
        res.type('text/plain').send(text);
      },
    }),
  ];
}
