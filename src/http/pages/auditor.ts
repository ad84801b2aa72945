import * as ballotsService from '../../services/ballots';
import type { AppContext } from '../../services/context';
import { html } from '../html';
import { allows } from '@omov/core/domain/lifecycle';
import { type PageRoute, pageRoute } from '../page-routes';
import { staffPage } from './organiser/common';
import { omovVersion } from '../../platform/paths';

/**
 * For auditors (and anyone signed in): how to check a closed ballot with `omov verify`,
 * on their own machine, from the election record and the box root they were mailed.
 * docs/election-record.md is the full reference.
 */
export function auditorPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/verify',
      who: 'staff',
      summary: 'How to check a closed ballot with omov verify',
      handler: async ({ req, res, principal: p }) => {
        const closed = (await ballotsService.listBallots(ctx, p)).filter((b) => allows(b.status, 'export-record'));
        res.type('html').send(
          staffPage(ctx, req, {
            title: 'Verify a ballot',
            body: html`<h1>Verify a ballot with omov verify</h1>
<p>You do not have to trust this server. When a ballot closes, its ballot box is sealed by a <strong>box root</strong> — a hash of every vote — which is emailed at once to every auditor of the ballot. The <strong>election record</strong> holds every vote (by receipt code), the turnout, the voting units, the results and the audit log. <code>omov verify</code> re-checks all of it on your own computer, with nothing but the file.</p>
<h2>1. Keep the open hash, the box root and the close hash you were emailed</h2>
<p>Each is a line of 64 letters and digits. When the ballot opens you are sent the <strong>open hash</strong>: the server's commitment, before anyone votes, to the ballot's questions and settings, to its electorate per branch and to the voting tokens it issued. When it closes you are sent the <strong>box root</strong> and the <strong>close hash</strong>. Keep both emails: they are your evidence of what the ballot was when it opened, what the box held at the close, and of the audit log up to each.</p>
<h2>2. Download the election record</h2>
${
  closed.length
    ? html`<ul>${closed.map((b) => html`<li><a href="/api/v1/ballots/${b.id}/record" download>${b.title}</a> <span class="hint">(ballot ${b.id})</span></li>`)}</ul>`
    : html`<p>No ballot is closed yet. Each closed ballot's record is offered here and on its results page.</p>`
}
<p class="hint">A script can fetch it too: <code>GET /api/v1/ballots/BALLOT_ID/record</code>, with an organiser's API token (<code>Authorization: Bearer omov_…</code>). When receipts are codes only, it lists the receipts apart from the votes: it does not say which answers go with a receipt.</p>
<h2>3. Get the verifier: omov-verify, from the package @omov/core</h2>
<p>The verifier is the command <code>omov-verify</code> of the package <strong>@omov/core</strong>: omov's counting code and its checks of the record, on their own. It needs Node.js 20 or later and brings no database or web server; its only dependencies are zod and the <code>@noble</code> crypto libraries. Get it from omov's published source, not from this server: a checker handed out by the server being checked would prove nothing.</p>
<p id="source">This server runs <strong>omov ${omovVersion}</strong>. ${
              ctx.config.sourceUrl
                ? html`Its operator publishes that source code at <a href="${ctx.config.sourceUrl}">${ctx.config.sourceUrl}</a>; a copy from anywhere else you trust (a colleague's clone, a mirror) should be the same.`
                : html`Its operator has not said where it publishes that source code (the setting <code>SOURCE_URL</code>): ask the organisation that runs this ballot for it, and check that it matches a copy from someone else.`
            }</p>
<ul>
<li>From the omov source code (a clone or a release archive of omov ${omovVersion}): in its folder <code>packages/core</code>, <code>npm pack</code> writes <code>omov-core-VERSION.tgz</code>. In an empty folder of your own, <code>npm install /path/to/omov-core-VERSION.tgz</code>.</li>
<li>Or, where your organisation keeps <code>@omov/core</code> in an npm registry it trusts: <code>npm install @omov/core</code>.</li>
</ul>
<p>The package's own guide is <code>packages/core/README.md</code> in the source code.</p>
<h2>4. Run it</h2>
<pre>npx omov-verify record.json --root THE_ROOT_FROM_THE_EMAIL --close-hash THE_CLOSE_HASH_FROM_THE_EMAIL --open-hash THE_OPEN_HASH_FROM_THE_EMAIL</pre>
<p>On the server itself, <code>npm run omov -- verify record.json …</code> runs the same checks with the same options.</p>
<p>It opens no network connection. Add <code>--format json</code> for output a program can read.</p>
<h2>5. Read the verdicts</h2>
<p>Each check prints <code>PASS</code> or <code>FAIL</code> with what it found; the last line says <code>VERIFIED</code> when every check passes. The exit status is 0 when all pass, 1 when a check fails, 2 when the file is not an election record.</p>
<ul>
<li><strong>box root</strong> and <strong>expected root</strong>: the votes in the file are the votes the box held at the close (your emailed root).</li>
<li><strong>votes</strong>, <strong>receipts</strong>: every vote is well-formed and every receipt is listed once.</li>
<li><strong>turnout</strong>, <strong>units</strong>: the number of votes matches those who voted, branch by branch; small branches are pooled as the rules say.</li>
<li><strong>count</strong>, one per question: recounting the votes gives exactly the published result, round by round.</li>
<li><strong>audit log</strong>: the log's hash chain is unbroken, and its entry for the close names the same box root and number of votes; <strong>expected close entry</strong>: that entry has the hash you were emailed, so the log up to the close has not been rewritten.</li>
<li><strong>commitment: definition</strong>, <strong>electorate</strong>, <strong>tokens</strong>: the questions, options, methods, settings and policies, the electorate per branch and the voting tokens are the ones committed to when the ballot opened; every member added later has a log entry; every token used to vote was issued. <strong>expected open entry</strong>: that commitment has the hash you were emailed at the opening, so it has not been rewritten since.</li>
</ul>
<p>What it cannot show: that each vote came from a different eligible member (the tokens in the record name no member), or a vote removed before the close with its token marked unused again: only the member can notice that, when their receipt is missing from the bulletin board. See <code>docs/election-record.md</code> and <code>docs/security.md</code> in the source code for the details.</p>
<h2>Also</h2>
<ul><li>Each closed ballot's <strong>bulletin board</strong> (<code>/board/BALLOT_ID</code>) lists every receipt code publicly, so members can check their vote is in the box.</li>
<li>The <a href="/audit">audit log</a> shows every action of every organiser and auditor, and whether its chain is intact.</li></ul>`,
          }),
        );
      },
    }),
  ];
}
