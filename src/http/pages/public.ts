import express, { type Request, type Response } from 'express';
import type { AppContext } from '../../services/context';
import { requestNewLinks } from '../../services/ballots';
import { ServiceError } from '../../services/errors';
import { ballotToReport, REPORT_MAX_CHARACTERS, reportProblem } from '../../services/problem-reports';
import { bulletinBoard, publishedResults } from '../../services/results';
import { verifiableBoard } from '../../services/verifiable';
import { clientAddress } from '../auth';
import { formToken } from '../csrf';
import { html } from '../html';
import { messages as t } from '../messages';
import { idParams, type PageRoute, pageRoute } from '../page-routes';
import { page } from './layout';
import { resultsBody } from './organiser/results';

/** Public pages: a ballot's bulletin board, published results, "report a problem" and "send me a new link". */

const linkForm = (csrf: string, error?: string) =>
  page({
    title: t.newLinkTitle,
    body: html`<h1>${t.newLinkTitle}</h1><p>${t.newLinkIntro}</p>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}
<form method="post" action="/link"><input type="hidden" name="csrf" value="${csrf}">
<p><label for="email">${t.newLinkEmail}</label><br><input id="email" name="email" type="email" required autocomplete="email"></p>
<button type="submit">${t.newLinkSend}</button></form>`,
  });

const UUID_IN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The "report a problem" form, about a known ballot or asking which. */
const reportForm = (csrf: string, b: { id: string; title: string } | undefined, error?: string, text = '') =>
  page({
    title: error ? `${t.formProblems} ${t.reportTitle}` : t.reportTitle,
    body: html`<h1>${t.reportTitle}</h1>${b ? html`<p>${t.reportAbout(b.title)}</p>` : ''}<p>${t.reportIntro}</p>
${error ? html`<p class="problem" role="alert">${error}</p>` : ''}
<form method="post" action="/report"><input type="hidden" name="csrf" value="${csrf}">
${
  b
    ? html`<input type="hidden" name="ballot" value="${b.id}">`
    : html`<p><label for="ballot">${t.reportBallot}</label><br><span class="hint" id="ballot_hint">${t.reportBallotHint}</span><br><input id="ballot" name="ballot" required aria-describedby="ballot_hint"></p>`
}
<p><label for="text">${t.reportText}</label><br><span class="hint" id="text_hint">${t.reportTextHint}</span><br><textarea id="text" name="text" rows="8" required maxlength="${String(REPORT_MAX_CHARACTERS)}" aria-describedby="text_hint">${text}</textarea></p>
<button type="submit">${t.reportSend}</button></form>`,
  });

/** What the path's ballot shows, or undefined when there is no such ballot to show (each page says so its own way). */
async function ofPathBallot<T>(req: Request, find: (id: string) => Promise<T>): Promise<T | undefined> {
  const path = idParams.safeParse(req.params);
  if (!path.success) return undefined;
  try {
    return await find(path.data.id);
  } catch (err) {
    if (err instanceof ServiceError) return undefined;
    throw err;
  }
}

/** Either board's answer for a ballot that has none to show. */
const boardMissing = (res: Response) =>
  void res
    .status(404)
    .type('html')
    .send(
      page({
        title: t.boardMissingTitle,
        body: html`<h1>${t.boardMissingTitle}</h1><p>${t.boardMissingBody}</p>`,
      }),
    );

export function publicPageRoutes(ctx: AppContext): PageRoute[] {
  const reportExpired = (req: Request, res: Response) =>
    void res
      .status(403)
      .type('html')
      .send(reportForm(formToken(req, res, ctx.config), undefined, t.expired));
  return [
    pageRoute({
      method: 'get',
      path: '/board/:id',
      who: 'anyone',
      summary: "A closed ballot's bulletin board: every receipt code",
      handler: async ({ req, res }) => {
        const board = await ofPathBallot(req, (id) => bulletinBoard(ctx, id));
        if (!board) return boardMissing(res);
        // A search without JavaScript: a GET form, the code as typed, in any case and grouping.
        const typed = typeof req.query.receipt === 'string' ? req.query.receipt.slice(0, 100) : '';
        const sought = receiptAsWritten(typed);
        const found = sought ? board.receipts.some((r) => r.receipt === sought) : false;
        res.type('html').send(
          page({
            title: t.boardTitle(board.title),
            body: html`<h1>${t.boardTitle(board.title)}</h1>
<p>${board.closed ? t.boardIntro(board.receipts.length) : t.boardOpenIntro}</p>
${board.closed ? html`<p class="hint">${board.policy === 'choices' ? t.boardChoices : t.boardInclusion}</p>` : ''}
${board.closed ? html`<p>${t.boardRoot}<br><code>${board.boxRoot ?? ''}</code></p>` : ''}
${
  board.closed
    ? html`<form method="get" action="/board/${board.ballotId}" role="search" class="actions"><div class="field"><label for="receipt">${t.boardSearchLabel}</label><br><span class="hint" id="receipt-hint">${t.boardSearchHint}</span><br><input type="search" id="receipt" name="receipt" value="${typed}" aria-describedby="receipt-hint" autocomplete="off" spellcheck="false"></div><button type="submit">${t.boardSearchButton}</button></form>
${sought ? html`<p class="${found ? 'notice' : 'problem'}" role="status">${found ? t.boardFound(sought) : t.boardNotFound(sought)}</p>` : ''}`
    : ''
}
<p><a href="/api/v1/ballots/${board.ballotId}/board">${t.boardJson}</a></p>
${
  board.electorate.length
    ? html`<p>${t.boardElectorate}</p>
<table><thead><tr><th scope="col">${t.boardBranch}</th><th scope="col">${t.boardEligible}</th></tr></thead><tbody>
${board.electorate.map((e) => html`<tr><td>${e.branch}</td><td>${String(e.eligible)}</td></tr>`)}
</tbody></table>`
    : ''
}
<h2>${t.boardCheckTitle}</h2>
<ul><li>${t.boardCheckReceipt}</li><li>${t.boardCheckUsed}</li><li>${t.boardCheckInvalid}</li></ul>
<p>${t.boardCheckReport} <a href="/report/${board.ballotId}">${t.reportLink}</a></p>
<p>${t.boardReports(board.problemReports)}</p>
${
  board.closed
    ? html`<table><thead><tr><th scope="col">${t.boardReceipt}</th>${board.policy === 'choices' ? html`<th scope="col">${t.boardAnswers}</th>` : ''}</tr></thead><tbody>
${board.receipts.map((r) => html`<tr${r.receipt === sought ? html` class="found"` : ''}><td><code>${r.receipt}</code></td>${board.policy === 'choices' ? html`<td><code>${JSON.stringify(r.answers)}</code></td>` : ''}</tr>`)}
</tbody></table>`
    : ''
}`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/verifiable-board/:id',
      who: 'anyone',
      summary: "A verifiable ballot's public board: every accepted ballot's tracker, searchable without JavaScript",
      handler: async ({ req, res }) => {
        const typed = typeof req.query.tracker === 'string' ? req.query.tracker.trim().slice(0, 100) : '';
        const board = await ofPathBallot(req, (id) => verifiableBoard(ctx, id));
        if (!board) return boardMissing(res);
        const found = typed ? board.ballots.some((b) => b.tracker === typed) : false;
        res.type('html').send(
          page({
            title: t.vboardTitle(board.title),
            body: html`<h1>${t.vboardTitle(board.title)}</h1>
<p>${t.vboardIntro(board.ballots.length)}</p>
<p>${t.vboardChain}<br><code>${board.head.hash}</code></p>
<form method="get" action="/verifiable-board/${board.ballotId}" role="search" class="actions"><div class="field"><label for="tracker">${t.vboardSearchLabel}</label><br><span class="hint" id="tracker-hint">${t.vboardSearchHint}</span><br><input type="search" id="tracker" name="tracker" value="${typed}" aria-describedby="tracker-hint" autocomplete="off" spellcheck="false"></div><button type="submit">${t.vboardSearchButton}</button></form>
${typed ? html`<p class="${found ? 'notice' : 'problem'}" role="status">${found ? t.vboardFound(typed) : t.vboardNotFound(typed)}</p>` : ''}
<ul><li><a href="/api/v1/ballots/${board.ballotId}/belenios-archive">${t.vboardArchive}</a></li>
<li><a href="/api/v1/ballots/${board.ballotId}/election.json">${t.vboardElection}</a></li>
<li><a href="/api/v1/ballots/${board.ballotId}/verifiable-board">${t.boardJson}</a></li></ul>
<table><thead><tr><th scope="col">${t.vboardHeight}</th><th scope="col">${t.vboardTracker}</th><th scope="col">${t.vboardCredential}</th></tr></thead><tbody>
${board.ballots.map((b) => html`<tr${b.tracker === typed ? html` class="found"` : ''}><td>${String(b.height)}</td><td><code>${b.tracker}</code></td><td><code>${b.credential.slice(0, 16)}…</code></td></tr>`)}
</tbody></table>`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/results/:id',
      who: 'anyone',
      summary: "A published ballot's results",
      handler: async ({ req, res }) => {
        const shown = await ofPathBallot(req, async (id) => {
          const r = await publishedResults(ctx, id);
          return { r, receipts: (await bulletinBoard(ctx, r.ballot.id)).receipts.map((x) => x.receipt) };
        });
        if (!shown)
          return void res
            .status(404)
            .type('html')
            .send(page({ title: 'Not published', body: html`<h1>These results are not published</h1>` }));
        res.type('html').send(
          page({
            title: `Results: ${shown.r.ballot.title}`,
            wide: true,
            body: html`<h1>Results: ${shown.r.ballot.title}</h1>${resultsBody(shown.r, { receipts: shown.receipts })}`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/report',
      who: 'anyone',
      summary: "A member reports a problem to a ballot's auditors (the form asks which ballot)",
      handler: ({ req, res }) => {
        res.set('Referrer-Policy', 'no-referrer');
        res.type('html').send(reportForm(formToken(req, res, ctx.config), undefined));
      },
    }),
    pageRoute({
      method: 'get',
      path: '/report/:id',
      who: 'anyone',
      summary: 'A member reports a problem with this ballot to its auditors (no sign-in, no voting link)',
      handler: async ({ req, res }) => {
        res.set('Referrer-Policy', 'no-referrer');
        const b = await ofPathBallot(req, (id) => ballotToReport(ctx, id));
        res
          .status(b ? 200 : 404)
          .type('html')
          .send(reportForm(formToken(req, res, ctx.config), b, b ? undefined : t.reportNoBallot));
      },
    }),
    pageRoute({
      method: 'post',
      path: '/report',
      who: 'anyone',
      summary: "Mail a member's report to every auditor of the ballot, keep it and enter its hash in the audit log",
      parsers: [express.urlencoded({ extended: false, limit: '50kb' })],
      csrf: { check: 'form cookie', expired: reportExpired },
      handler: async ({ req, res }) => {
        const csrf = formToken(req, res, ctx.config);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const text = typeof body.text === 'string' ? body.text : '';
        // The board's address or the bare id: the first UUID in what was given.
        const id = UUID_IN.exec(typeof body.ballot === 'string' ? body.ballot : '')?.[0];
        const b = id === undefined ? undefined : await ballotToReport(ctx, id).catch(() => undefined);
        if (!b)
          return void res
            .status(422)
            .type('html')
            .send(reportForm(csrf, undefined, t.reportNoBallot, text));
        try {
          await reportProblem(ctx, b.id, text, clientAddress(req));
        } catch (err) {
          if (err instanceof ServiceError && (err.kind === 'rate-limited' || err.kind === 'invalid'))
            return void res
              .status(err.kind === 'rate-limited' ? 429 : 422)
              .type('html')
              .send(reportForm(csrf, b, err.message, text));
          throw err;
        }
        res
          .status(202)
          .type('html')
          .send(
            page({
              title: t.reportTitle,
              body: html`<h1>${t.reportTitle}</h1><p>${t.reportAbout(b.title)}</p><p class="notice">${t.reportDone}</p>
<p><a href="/board/${b.id}">${t.reportBoard}</a></p>`,
            }),
          );
      },
    }),
    ...linkRequestRoutes(ctx, {
      path: '/link',
      what: 'a new voting link',
      form: linkForm,
      badEmail: t.newLinkBadEmail,
      request: (email, address) => requestNewLinks(ctx, email, address),
      done: () =>
        page({
          title: t.newLinkTitle,
          body: html`<h1>${t.newLinkTitle}</h1><p class="notice">${t.newLinkDone}</p>`,
        }),
    }),
  ];
}

/**
 * A "send me my link" pair of pages: GET the form, POST an address. The answer never says
 * whether the address is on a roll: the request's work happens after the answer.
 */
export function linkRequestRoutes(
  ctx: AppContext,
  o: {
    path: string;
    /** What is sent, for the route table ("a new voting link"). */
    what: string;
    form: (csrf: string, error?: string) => string;
    badEmail: string;
    request: (email: string, address: string) => Promise<void>;
    done: () => string;
  },
): PageRoute[] {
  const expired = (req: Request, res: Response) =>
    void res
      .status(403)
      .type('html')
      .send(o.form(formToken(req, res, ctx.config), t.expired));
  return [
    pageRoute({
      method: 'get',
      path: o.path,
      who: 'anyone',
      summary: `A member asks for ${o.what}`,
      handler: ({ req, res }) => {
        res.set('Referrer-Policy', 'no-referrer');
        res.type('html').send(o.form(formToken(req, res, ctx.config)));
      },
    }),
    pageRoute({
      method: 'post',
      path: o.path,
      who: 'anyone',
      summary: `Send a member ${o.what} (the answer never says whether the address is on a roll)`,
      parsers: [express.urlencoded({ extended: false, limit: '10kb' })],
      csrf: { check: 'form cookie', expired },
      handler: async ({ req, res }) => {
        const csrf = formToken(req, res, ctx.config);
        const email = String((req.body as Record<string, unknown>).email ?? '').trim();
        if (!/^[^\s@]+@[^\s@]+$/.test(email)) return void res.status(422).type('html').send(o.form(csrf, o.badEmail));
        try {
          await o.request(email, clientAddress(req));
        } catch (err) {
          if (err instanceof ServiceError && err.kind === 'rate-limited')
            return void res.status(429).type('html').send(o.form(csrf, err.message));
          throw err;
        }
        res.status(202).type('html').send(o.done());
      },
    }),
  ];
}

/** A receipt code as the board writes it (upper case, groups of five), from however it was typed. */
export function receiptAsWritten(typed: string): string {
  const chars = typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return chars.match(/.{1,5}/g)?.join('-') ?? '';
}
