import { ANSWER_KIND, type Question, settingNumber } from '../../../domain/ballot';
import { formatTime } from '../../../services/invitations';
import { type Html, html } from '../../html';
import { messages as t } from '../../messages';
import { page } from '../layout';

/**
 * The ballot paper as a member sees it, for the organiser's preview of a ballot that has
 * no voting tokens yet. It mirrors the markup of questionInputs/formPage in voting.ts
 * (same catalogue, same classes, same field names), which does not export them; when it
 * does, this should call it instead, so that the two cannot drift apart.
 */

const field = (q: Question) => `q_${q.position}`;
const rankField = (q: Question, o: number) => `q_${q.position}_${o}`;

function questionInputs(q: Question): Html {
  const kind = ANSWER_KIND[q.method];
  const name = field(q);
  let inputs: Html;
  if (kind === 'choice' || kind === 'marks') {
    const type = kind === 'choice' ? 'radio' : 'checkbox';
    inputs = html`<p class="hint">${kind === 'choice' ? t.chooseOne : t.markUpTo(q.method === 'block' ? settingNumber(q, 'seats', 1) : settingNumber(q, 'maxMarks', q.options.length))}</p>
${q.options.map((o, i) => html`<label class="choice"><input type="${type}" name="${name}" value="${i}"><span>${o.label}${o.description ? html`<br><span class="hint">${o.description}</span>` : ''}</span></label>`)}`;
  } else {
    const isRank = kind === 'ranking';
    const max = isRank ? q.options.length : settingNumber(q, 'maxScore', 5);
    const values = isRank ? Array.from({ length: max }, (_, i) => i + 1) : Array.from({ length: max + 1 }, (_, i) => i);
    inputs = html`<p class="hint">${isRank ? t.rankHint : t.scoreHint(max)}</p>
${q.options.map((o, i) => html`<div class="rank"><select id="${rankField(q, i)}" name="${rankField(q, i)}">
<option value="">${isRank ? t.notRanked : t.noScore}</option>${values.map((v) => html`<option value="${v}">${v}</option>`)}
</select><label for="${rankField(q, i)}">${o.label}${o.description ? html` <span class="hint">${o.description}</span>` : ''}</label></div>`)}`;
  }
  return html`<fieldset>
<legend>${q.position + 1}. ${q.title}</legend>
${q.description ? html`<p>${q.description}</p>` : ''}
${inputs}
<label class="choice"><input type="${kind === 'marks' ? 'checkbox' : 'radio'}" name="${name}" value="abstain"><span>${t.abstain}</span></label>
</fieldset>`;
}

export function paperPreviewPage(b: { id: string; title: string; description: string; closesAt: Date; questions: Question[] }, organisationName: string): string {
  return page({
    title: `Preview: ${b.title}`, site: organisationName,
    body: html`<p class="problem" role="note"><strong>Preview.</strong> This is the voting page a member sees; it casts no vote. <a href="/ballots/${b.id}/preview">Back to the previews</a></p>
<p class="hint">${organisationName}</p><h1>${b.title}</h1>${b.description ? html`<p>${b.description}</p>` : ''}
<p class="notice">${t.closesAt(formatTime(b.closesAt))}</p>
<form method="get" action="/ballots/${b.id}/preview/paper">
${b.questions.map(questionInputs)}
<button type="submit" name="step" value="review">${t.review}</button>
</form>`,
  });
}
