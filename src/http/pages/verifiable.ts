import type { AppContext } from '../../services/context';
import { html } from '../html';
import { type PageRoute, pageRoute } from '../page-routes';
import { page } from './layout';

/**
 * The pages of a verifiable ballot's trustees and credential authority (docs/verifiable.md).
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
const scripted = (title: string, intro: string, script: string, cli: string) =>
  page({
    title,
    head: html`<script src="/assets/app/${script}.js" defer></script>`,
    body: html`<h1>${title}</h1>
<p>${intro}</p>
${needsScript(cli)}
<p id="${script}-status" role="status"></p>
<p id="${script}-problem" class="bad" role="alert"></p>
<div id="${script}-app"></div>`,
  });

export function verifiablePageRoutes(_ctx: AppContext): PageRoute[] {
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
  ];
}
