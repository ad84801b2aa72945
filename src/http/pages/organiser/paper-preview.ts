import { html } from '../../html';
import { ballotPaperBody, type PaperBallot, VOTE_SCRIPT } from '../voting/view';
import { page } from '../layout';

/**
 * The ballot paper exactly as a member sees it (the very markup of the voting page), for
 * the organiser's preview of a ballot that has no voting tokens yet. It casts nothing.
 */
export function paperPreviewPage(b: PaperBallot & { id: string }, organisationName: string): string {
  return page({
    title: `Preview: ${b.title}`,
    site: organisationName,
    head: VOTE_SCRIPT,
    body: html`<p class="problem" role="note"><strong>Preview.</strong> This is the voting page a member sees; it casts no vote. <a href="/ballots/${b.id}/preview">Back to the previews</a></p>
<p class="hint">${organisationName}</p>
${ballotPaperBody(b, { method: 'get', action: `/ballots/${b.id}/preview/paper` })}`,
  });
}
