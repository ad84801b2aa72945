import { parseElection } from '@omov/core/crypto/election';
import type { AppContext } from '../../services/context';
import { ServiceError } from '../../services/errors';
import { electionJson } from '../../services/verifiable';
import { html } from '../html';
import { idParams, type PageRoute, pageRoute } from '../page-routes';
import { page } from './layout';

/**
 * The pages of a verifiable ballot's trustees, credential authority and members (docs/verifiable.md).
 * Each is reached by the link mailed to that person, with their token in the fragment: the
 * browser never sends it, so the server renders the same page for everyone and the page's
 * script (browser/*.ts, bundled to /assets/app/) reads the token and calls the API with it.
 * These pages need JavaScript, and say so: their work is done in the browser, so that the
 * server receives only public messages.
 */

const needsScript = (cli: string) =>
  html`<noscript><p class="bad">This page needs JavaScript: it does its work in your browser, so that the server
receives only public messages. Without JavaScript, do the same steps with <code>${cli}</code> on your own computer
(see docs/verifiable.md).</p></noscript>`;

/** A page whose body the script fills: a status line that screen readers hear, and a place for problems. */
const scripted = (title: string, intro: string, script: string, cli: string, ballotId?: string) =>
  page({
    title,
    head: html`<script src="/assets/app/${script}.js" defer></script>`,
    body: html`<h1>${title}</h1>
<p>${intro}</p>
${needsScript(cli)}
<p id="${script}-status" role="status"></p>
<p id="${script}-problem" class="bad" role="alert"></p>
<div id="${script}-app"${ballotId ? html` data-ballot="${ballotId}"` : ''}></div>`,
  });

export function verifiablePageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/trustee',
      who: 'anyone',
      summary:
        "A trustee's page: the key generation's steps, run in their browser (their token is in the link's fragment)",
      handler: ({ res }) => {
        res
          .set('Cache-Control', 'no-store')
          .type('html')
          .send(
            scripted(
              "Trustee's page",
              'You hold a share of the key that will decrypt the count of a verifiable ballot. ' +
                'Your keys are made here, in your browser; the server receives only public messages.',
              'trustee',
              'omov trustee',
            ),
          );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/credential-authority',
      who: 'anyone',
      summary:
        "The credential authority's page: credentials made in their browser from the published roll, only the public ones sent (their token is in the link's fragment)",
      handler: ({ res }) => {
        res
          .set('Cache-Control', 'no-store')
          .type('html')
          .send(
            scripted(
              "Credential authority's page",
              'You make the voting credentials of a verifiable ballot. They are made here, in your browser; the server ' +
                'receives only the public credentials, never a private one.',
              'credential-authority',
              'omov credentials',
            ),
          );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/verifiable-vote/:id',
      who: 'anyone',
      params: idParams,
      summary:
        "A member's voting page of a verifiable ballot: the vote is encrypted and signed in their browser (their credential may be in the link's fragment)",
      handler: async ({ params, res }) => {
        let title: string;
        try {
          title = parseElection(await electionJson(ctx, params.id)).name;
        } catch (e) {
          if (!(e instanceof ServiceError)) throw e;
          res
            .status(404)
            .type('html')
            .send(
              page({
                title: 'No verifiable ballot here',
                body: html`<h1>No verifiable ballot is open here</h1><p>Check the link you were sent: this ballot does not exist, is not a verifiable ballot, or has not opened yet.</p>`,
              }),
            );
          return;
        }
        res
          .set('Cache-Control', 'no-store')
          .type('html')
          .send(
            scripted(
              `Vote: ${title}`,
              'Your vote is encrypted here, in your browser, and signed with your voting credential: the server ' +
                'receives only the encrypted ballot, never your answers or your credential. Nobody can read a single ' +
                'vote; the trustees decrypt only the totals.',
              'verifiable-vote',
              'omov vote',
              params.id,
            ),
          );
      },
    }),
  ];
}
