import path from 'node:path';
import type { AppContext } from '../../services/context';
import type { PageRoute } from '../page-routes';
import { devOutboxRoutes } from './dev-outbox';
import { auditorPageRoutes } from './auditor';
import { accountPageRoutes } from './organiser/account';
import { ballotPageRoutes } from './organiser/ballot';
import { builderPageRoutes } from './organiser/builder';
import { emailPageRoutes } from './organiser/emails';
import { organisationPageRoutes } from './organiser/organisation';
import { rollPageRoutes } from './organiser/roll';
import { statementPageRoutes } from './organiser/statements';
import { electionPageRoutes } from './elections';
import { nominationPageRoutes } from './nominations';
import { positionPageRoutes } from './positions';
import { proposalPageRoutes } from './proposals';
import { publicPageRoutes } from './public';
import { votingPageRoutes } from './voting/routes';
import { verifiablePageRoutes } from './verifiable';

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
 *   organiser/statements.ts    a ballot's case for and against each question, with who writes each
 *   organiser/emails.ts        a ballot's emails: their wording, as members get them, a test copy
 *   auditor.ts                 how to run omov verify
 *   proposals.ts               members' proposals: the member's own page, public pages, the office's
 *   positions.ts               branch meetings' positions: the secretary's own page, the office's list of secretaries
 *   nominations.ts             elections with nominations: the public page, nominating, the nominee's answer
 *   elections.ts               the office's elections: set one, put a closed one on a ballot
 *   verifiable.ts              the trustee's and the credential authority's pages (these need JavaScript)
 */
export function pageRoutes(ctx: AppContext): PageRoute[] {
  return [
    ...votingPageRoutes(ctx),
    ...accountPageRoutes(ctx),
    ...organisationPageRoutes(ctx),
    ...rollPageRoutes(ctx),
    ...builderPageRoutes(ctx),
    ...ballotPageRoutes(ctx),
    ...statementPageRoutes(ctx),
    ...emailPageRoutes(ctx),
    ...auditorPageRoutes(ctx),
    ...proposalPageRoutes(ctx),
    ...positionPageRoutes(ctx),
    ...electionPageRoutes(ctx),
    ...nominationPageRoutes(ctx),
    ...publicPageRoutes(ctx),
    ...verifiablePageRoutes(ctx),
    ...(ctx.config.env === 'development' ? devOutboxRoutes(ctx, path.join(ctx.config.dataDir, 'outbox')) : []),
  ];
}
