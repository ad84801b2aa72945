import express, { type Router } from 'express';
import type { AppContext } from '../../services/context';
import { requestNewLinks } from '../../services/ballots';
import { ServiceError } from '../../services/errors';
import { bulletinBoard } from '../../services/results';
import { clientAddress, sameOrigin } from '../auth';
import { formToken, formTokenValid } from '../csrf';
import { html } from '../html';
import { messages as t } from '../messages';
import { page } from './layout';
import { requireUuid } from './organiser/params';

/** Public pages: the bulletin board of a closed ballot, and "send me a new link". */
export function mountPublicPages(router: Router, ctx: AppContext): void {
  router.get('/board/:id', async (req, res) => {
    let board;
    try {
      board = await bulletinBoard(ctx, requireUuid(req, 'id'));
    } catch (err) {
      if (err instanceof ServiceError)
        return void res
          .status(404)
          .type('html')
          .send(
            page({
              title: t.boardMissingTitle,
              body: html`<h1>${t.boardMissingTitle}</h1><p>${t.boardMissingBody}</p>`,
            }),
          );
      throw err;
    }
    res.type('html').send(
      page({
        title: t.boardTitle(board.title),
        body: html`<h1>${t.boardTitle(board.title)}</h1>
<p>${t.boardIntro(board.receipts.length)}</p>
<p class="hint">${board.policy === 'choices' ? t.boardChoices : t.boardInclusion}</p>
<p>${t.boardRoot}<br><code>${board.boxRoot ?? ''}</code></p>
<p><a href="/api/v1/ballots/${board.ballotId}/board">${t.boardJson}</a></p>
<table><thead><tr><th scope="col">${t.boardReceipt}</th>${board.policy === 'choices' ? html`<th scope="col">${t.boardAnswers}</th>` : ''}</tr></thead><tbody>
${board.receipts.map((r) => html`<tr><td><code>${r.receipt}</code></td>${board.policy === 'choices' ? html`<td><code>${JSON.stringify(r.answers)}</code></td>` : ''}</tr>`)}
</tbody></table>`,
      }),
    );
  });

  const form = (csrf: string, error?: string) =>
    page({
      title: t.newLinkTitle,
      body: html`<h1>${t.newLinkTitle}</h1><p>${t.newLinkIntro}</p>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}
<form method="post" action="/link"><input type="hidden" name="csrf" value="${csrf}">
<p><label for="email">${t.newLinkEmail}</label><br><input id="email" name="email" type="email" required autocomplete="email"></p>
<button type="submit">${t.newLinkSend}</button></form>`,
    });
  router.get('/link', (req, res) => {
    res.set('Referrer-Policy', 'no-referrer');
    res.type('html').send(form(formToken(req, res, ctx.config)));
  });
  router.post('/link', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const csrf = formToken(req, res, ctx.config);
    if (!sameOrigin(req, ctx.config.publicUrl) || !formTokenValid(req))
      return void res.status(403).type('html').send(form(csrf, t.expired));
    const email = String((req.body as Record<string, unknown>).email ?? '').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return void res.status(422).type('html').send(form(csrf, t.newLinkBadEmail));
    try {
      await requestNewLinks(ctx, email, clientAddress(req));
    } catch (err) {
      if (err instanceof ServiceError && err.kind === 'rate-limited')
        return void res.status(429).type('html').send(form(csrf, err.message));
      throw err;
    }
    res
      .status(202)
      .type('html')
      .send(
        page({ title: t.newLinkTitle, body: html`<h1>${t.newLinkTitle}</h1><p class="notice">${t.newLinkDone}</p>` }),
      );
  });
}
