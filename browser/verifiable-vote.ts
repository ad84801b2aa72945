/**
 * The member's voting page of a verifiable ballot (/verifiable-vote/ID, docs/verifiable.md).
 * The answers are encrypted here, in the member's browser, with the same core code as
 * `omov vote`, and signed with their private credential: the server receives only the
 * encrypted, signed ballot, never a plaintext choice nor the credential. The smart ballot
 * tracker (the ballot's hash) is shown before casting and after. Instead of casting, the
 * member can audit the ballot (the Benaloh challenge): the page reveals its randomness and
 * plaintext, checks them, offers them as a file for `omov verify-ballot-audit`, and discards
 * that ballot, which is never sent; a fresh encryption is made to cast. Bundled by
 * scripts/bundle-browser.js and served as /assets/app/verifiable-vote.js.
 */
import { checkBallotAudit, describePlaintext, parseBallotAudit, writeBallotAudit } from '@omov/core/crypto/audit';
import { encryptBallot, type EncryptedBallot, type Plaintext } from '@omov/core/crypto/ballot';
import { isCredential } from '@omov/core/crypto/credential';
import { type Election, parseElection, type Question } from '@omov/core/crypto/election';
import { systemRandom } from '@omov/core/crypto/random';
import { type QuestionGroup, questionGroups, scorePlaintext } from '@omov/core/crypto/score';
import { el, scriptedPage } from './page';

const { app, say, fail, button } = scriptedPage('verifiable-vote');
const ballotId = app.dataset.ballot!;
const CREDENTIAL_KEY = `omov-credential-${ballotId}`;

/**
 * The credential may come in the link's fragment, which the browser never sends to the
 * server. It is kept for this tab only and taken out of the address bar, so that it is in no
 * screenshot, history entry or bookmark.
 */
function takeCredential(): string {
  const fromLink = decodeURIComponent(location.hash.slice(1)).trim();
  if (fromLink) {
    if (isCredential(fromLink)) sessionStorage.setItem(CREDENTIAL_KEY, fromLink);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(CREDENTIAL_KEY) ?? '';
}

/** Belenios derives the signing key from the credential as written, dashes included: 15 digits typed without them get them back. */
function normalCredential(typed: string): string {
  const plain = typed.replace(/\s+/g, '');
  return /^[1-9A-HJ-NP-Za-km-z]{15}$/.test(plain) ? (plain.match(/.{3}/g) ?? []).join('-') : plain;
}

/** Lets the status line be painted before the encryption's work holds the page for a moment. */
const painted = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

function step(name: string, ...children: Node[]): void {
  app.replaceChildren(...children);
  app.dataset.step = name;
  const heading = app.querySelector('h2');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

const trackerBlock = (tracker: string) => {
  const p = el('p');
  p.append('Smart ballot tracker: ', el('code', tracker, { class: 'tracker', 'data-tracker': tracker }));
  return p;
};

// --- the form -----------------------------------------------------------------------------

const fieldName = (qi: number) => `q${qi}`;
const BLANK = 'blank';

function hintFor(q: Question): string {
  if (q.max === 1) return q.blank ? 'Choose one, or vote blank.' : 'Choose one.';
  const range = q.min === q.max ? `exactly ${q.min}` : `from ${q.min} to ${q.max}`;
  return `Choose ${range}${q.blank ? ', or tick none to vote blank' : ''}.`;
}

function questionFieldset(q: Question, qi: number, chosen: Plaintext | undefined): HTMLFieldSetElement {
  const fs = el('fieldset', undefined, { id: `question-${qi}`, 'aria-describedby': `question-${qi}-hint` });
  fs.append(el('legend', q.question), el('p', hintFor(q), { class: 'hint', id: `question-${qi}-hint` }));
  const type = q.max === 1 ? 'radio' : 'checkbox';
  const before = chosen?.[qi];
  const marks = before ? (q.blank ? before.slice(1) : before) : [];
  const choice = (value: string, label: string, checked: boolean, id: string) => {
    const l = el('label', undefined, { class: 'choice' });
    const input = el('input', undefined, { type, name: fieldName(qi), value, id });
    input.checked = checked;
    l.append(input, el('span', label));
    return l;
  };
  q.answers.forEach((a, j) => fs.append(choice(String(j), a, marks[j] === 1, `q${qi}-a${j}`)));
  if (q.blank && type === 'radio') fs.append(choice(BLANK, 'Blank vote (abstain)', before?.[0] === 1, `q${qi}-blank`));
  fs.append(el('p', undefined, { class: 'bad', id: `question-${qi}-error` }));
  return fs;
}

const rankHint = (q: Question) =>
  `Rank the candidates you support: 1 for your first choice, 2 for your next, and so on, up to ${q.answers.length}. ` +
  'Leave the others not ranked; rank nobody to abstain.';

/**
 * A ranked question (non-homomorphic: its ballots are shuffled by the trustees, then decrypted
 * one by one): a list of ranks for each option, native selects that keyboards, screen readers
 * and phones handle as they always do.
 */
function rankFieldset(q: Question, qi: number, chosen: Plaintext | undefined): HTMLFieldSetElement {
  const id = `question-${qi}`;
  const fs = el('fieldset', undefined, { id, 'aria-describedby': `${id}-hint` });
  fs.append(el('legend', q.question), el('p', rankHint(q), { class: 'hint', id: `${id}-hint` }));
  const before = chosen?.[qi];
  q.answers.forEach((answer, j) => {
    const field = el('div', undefined, { class: 'field' });
    const select = el('select', undefined, { id: `q${qi}-rank${j}`, name: fieldName(qi), 'data-answer': String(j) });
    select.append(el('option', 'Not ranked', { value: '' }));
    for (let r = 1; r <= q.answers.length; r++) select.append(el('option', String(r), { value: String(r) }));
    select.value = before && before[j] ? String(before[j]) : '';
    field.append(el('label', answer, { for: `q${qi}-rank${j}` }), el('br'), select);
    fs.append(field);
  });
  fs.append(el('p', undefined, { class: 'bad', id: `${id}-error` }));
  return fs;
}

/** A ranked question's ranks (1 first, 0 not ranked), or what is wrong: ranks 1, 2, 3, … with none skipped or repeated. */
function readRanking(
  form: HTMLFormElement,
  q: Question,
  qi: number,
  errors: Array<{ id: string; message: string }>,
): number[] {
  const ranks = q.answers.map((_, j) => Number(form.querySelector<HTMLSelectElement>(`#q${qi}-rank${j}`)!.value || 0));
  const used = ranks.filter((r) => r > 0).sort((a, b) => a - b);
  const repeated = used.find((r, i) => i > 0 && used[i - 1] === r);
  if (repeated !== undefined)
    errors.push({
      id: `question-${qi}`,
      message: `“${q.question}”: rank ${repeated} is given to ${ranks.filter((r) => r === repeated).length} candidates; give each rank once.`,
    });
  else if (used.some((r, i) => r !== i + 1))
    errors.push({
      id: `question-${qi}`,
      message: `“${q.question}”: rank ${used.findIndex((r, i) => r !== i + 1) + 1} is missing; use 1, 2, 3, … with none skipped.`,
    });
  return ranks;
}

type ScoreGroup = Extract<QuestionGroup, { kind: 'score' }>;
const scoreHint = (g: ScoreGroup) =>
  `Give each option a score from 0 (lowest) to ${g.maxScore} (highest), or leave every option without a score to abstain.`;

/**
 * A score question: its options' questions (crypto/score.ts) shown together, a list of the
 * scores for each option. "No score" on every option is an abstention; a score for some
 * options only is refused, as Belenios's totals could not tell those ballots apart.
 */
function scoreFieldset(g: ScoreGroup, chosen: Plaintext | undefined): HTMLFieldSetElement {
  const id = `question-${g.first}`;
  const fs = el('fieldset', undefined, { id, 'aria-describedby': `${id}-hint` });
  fs.append(el('legend', g.title), el('p', scoreHint(g), { class: 'hint', id: `${id}-hint` }));
  g.labels.forEach((label, k) => {
    const qi = g.first + k;
    const before = chosen?.[qi];
    const field = el('div', undefined, { class: 'field' });
    const select = el('select', undefined, { id: `q${qi}-score`, name: fieldName(qi) });
    select.append(el('option', 'No score', { value: '' }));
    for (let s = 0; s <= g.maxScore; s++) select.append(el('option', String(s), { value: String(s) }));
    const given = before && before[0] !== 1 ? before.slice(1).indexOf(1) : -1;
    select.value = given >= 0 ? String(given) : '';
    field.append(el('label', label, { for: `q${qi}-score` }), el('br'), select);
    fs.append(field);
  });
  fs.append(el('p', undefined, { class: 'bad', id: `${id}-error` }));
  return fs;
}

/** A score question's scores as Belenios's plaintexts of its options' questions, or what is wrong. */
function readScores(form: HTMLFormElement, g: ScoreGroup, errors: Array<{ id: string; message: string }>): number[][] {
  const values = g.labels.map(
    (_, k) => form.querySelector<HTMLSelectElement>(`select[name="${fieldName(g.first + k)}"]`)!.value,
  );
  if (values.every((v) => v === '')) return scorePlaintext(null, g.labels.length, g.maxScore);
  const missing = g.labels.filter((_, k) => values[k] === '');
  if (missing.length) {
    errors.push({
      id: `question-${g.first}`,
      message: `“${g.title}”: give every option a score, or none to abstain (no score for ${missing.join(', ')}).`,
    });
    return scorePlaintext(null, g.labels.length, g.maxScore);
  }
  return scorePlaintext(
    values.map((v) => Number(v)),
    g.labels.length,
    g.maxScore,
  );
}

type Marked = { ok: true; plaintext: Plaintext } | { ok: false; errors: Array<{ id: string; message: string }> };

/** The form's marks as Belenios's plaintext, or what is wrong, per question. */
function readForm(form: HTMLFormElement, election: Election): Marked {
  const errors: Array<{ id: string; message: string }> = [];
  const plaintext = questionGroups(election.questions).flatMap((g): number[][] => {
    if (g.kind === 'score') return readScores(form, g, errors);
    const qi = g.index;
    const q = election.questions[qi]!;
    if (q.nonHomomorphic) return [readRanking(form, q, qi, errors)];
    const values = [...form.querySelectorAll<HTMLInputElement>(`input[name="${fieldName(qi)}"]:checked`)].map(
      (i) => i.value,
    );
    const marks: number[] = q.answers.map((_, j) => (values.includes(String(j)) ? 1 : 0));
    const count = marks.reduce((a, b) => a + b, 0);
    if (values.includes(BLANK) || (count === 0 && q.blank && q.max > 1)) return [[1, ...marks.map(() => 0)]];
    if (count === 0) errors.push({ id: `question-${qi}`, message: `“${q.question}”: ${hintFor(q)}` });
    else if (count < q.min || count > q.max)
      errors.push({ id: `question-${qi}`, message: `“${q.question}”: you chose ${count}. ${hintFor(q)}` });
    return [q.blank ? [0, ...marks] : marks];
  });
  return errors.length ? { ok: false, errors } : { ok: true, plaintext };
}

/** An error summary at the top, linking to each field; each field marked and described by its message. */
function showErrors(form: HTMLFormElement, errors: Array<{ id: string; message: string }>): void {
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  form.querySelectorAll('p.bad').forEach((p) => (p.textContent = ''));
  const summary = form.querySelector<HTMLElement>('#vote-errors')!;
  summary.replaceChildren();
  if (!errors.length) {
    summary.hidden = true;
    return;
  }
  const list = el('ul');
  for (const e of errors) {
    const li = el('li');
    li.append(el('a', e.message, { href: `#${e.id}` }));
    list.append(li);
    document.getElementById(`${e.id}-error`)!.textContent = e.message;
    const field = document.getElementById(e.id)!;
    field.setAttribute('aria-invalid', 'true');
    field.setAttribute('aria-describedby', `${e.id}-hint ${e.id}-error`);
  }
  summary.append(el('h2', 'There is a problem', { tabindex: '-1' }), list);
  summary.hidden = false;
  summary.querySelector('h2')!.focus();
}

function votingForm(election: Election, credential: string, chosen?: Plaintext): HTMLFormElement {
  const form = el('form', undefined, { novalidate: '', id: 'vote-form' });
  const summary = el('div', undefined, { id: 'vote-errors', class: 'problem', role: 'alert' });
  summary.hidden = true;
  const cred = el('div', undefined, { class: 'field' });
  const input = el('input', undefined, {
    id: 'credential',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'credential-hint credential-error',
    class: 'wide',
  });
  input.value = credential;
  cred.append(
    el('label', 'Your voting credential', { for: 'credential' }),
    el(
      'p',
      'From the letter or email of the credential authority, e.g. 2Cd-ef3-Gh4-iJ5-k6L. It stays in this page: ' +
        'it signs your ballot here and is never sent to the server.',
      { class: 'hint', id: 'credential-hint' },
    ),
    input,
    el('p', undefined, { class: 'bad', id: 'credential-error' }),
  );
  form.append(
    summary,
    cred,
    ...questionGroups(election.questions).map((g) =>
      g.kind === 'score'
        ? scoreFieldset(g, chosen)
        : election.questions[g.index]!.nonHomomorphic
          ? rankFieldset(election.questions[g.index]!, g.index, chosen)
          : questionFieldset(election.questions[g.index]!, g.index, chosen),
    ),
  );
  form.append(el('p').appendChild(el('button', 'Encrypt my ballot', { type: 'submit' })).parentElement!);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const marked = readForm(form, election);
    const errors = marked.ok ? [] : [...marked.errors];
    const typed = normalCredential(input.value);
    if (!isCredential(typed))
      errors.unshift({
        id: 'credential',
        message: 'Your voting credential: type it as the credential authority sent it (15 letters and digits).',
      });
    showErrors(form, errors);
    if (errors.length || !marked.ok) return;
    sessionStorage.setItem(CREDENTIAL_KEY, typed);
    void encryptAndShow(election, typed, marked.plaintext).catch(fail);
  });
  return form;
}

// --- encrypting, auditing, casting -------------------------------------------------------

async function encryptAndShow(election: Election, credential: string, plaintext: Plaintext): Promise<void> {
  say('Encrypting your ballot in this browser…');
  await painted();
  const ballot = encryptBallot(election, credential, plaintext, systemRandom);
  say('Your ballot is encrypted. It is not cast yet.');
  showEncrypted(election, credential, plaintext, ballot);
}

function showEncrypted(election: Election, credential: string, plaintext: Plaintext, ballot: EncryptedBallot): void {
  const summary = el('ul');
  for (const line of describePlaintext(election, plaintext)) summary.append(el('li', line));
  step(
    'encrypted',
    el('h2', 'Your encrypted ballot (not cast yet)'),
    el('p', 'Your answers:'),
    summary,
    trackerBlock(ballot.tracker),
    el(
      'p',
      'Note the tracker: once your ballot is cast it appears on the public board, where you can find it. ' +
        'Nobody can tell your answers from it.',
    ),
    el(
      'p',
      'You may audit this ballot instead of casting it, to check that this page encrypted what you chose: it ' +
        'then shows the secret numbers that encrypted it, and that ballot can never be cast. You then cast a fresh one.',
    ),
    el('p').appendChild(button('Cast this ballot', () => cast(election, ballot), { id: 'cast' })).parentElement!,
    el('p').appendChild(
      button('Audit this ballot instead (it will not be cast)', () => audit(election, credential, plaintext, ballot), {
        id: 'audit',
      }),
    ).parentElement!,
    el('p').appendChild(
      button('Change my answers', () =>
        step('form', el('h2', 'Your answers'), votingForm(election, credential, plaintext)),
      ),
    ).parentElement!,
  );
}

/** The Benaloh challenge: reveal, check here, offer the evidence as a file, and forget the ballot. */
function audit(election: Election, credential: string, plaintext: Plaintext, ballot: EncryptedBallot): void {
  const text = writeBallotAudit(election, ballot, plaintext);
  const checked = checkBallotAudit(election, parseBallotAudit(text));
  const href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const result = checked.ok
    ? el('p', 'The check holds: this ballot encrypts exactly the answers you chose.', { class: 'notice' })
    : el('p', `The check FAILS: ${checked.reason}. Do not vote with this page; tell the ballot's organiser.`, {
        class: 'problem',
      });
  const details = el('details');
  details.append(el('summary', 'The revealed ballot, answers and randomness'), el('pre', text, { class: 'scroll' }));
  const cli = el('p');
  cli.append(
    'To check it with a verifier of your own, save the file and run ',
    el('code', `omov verify-ballot-audit FILE --server ${location.origin} --ballot ${ballotId}`),
    '.',
  );
  step(
    'audited',
    el('h2', 'Audited ballot (never cast)'),
    trackerBlock(ballot.tracker),
    result,
    el('p').appendChild(
      el('a', 'Save the audit file', {
        href,
        download: `ballot-audit-${ballot.tracker.slice(0, 8).replace(/[/+]/g, '_')}.json`,
      }),
    ).parentElement!,
    cli,
    details,
    el(
      'p',
      'This ballot has been discarded: its secret numbers are known now, so it is never sent. Encrypt a fresh ballot ' +
        'to cast; it gets a new tracker.',
    ),
    el('p').appendChild(
      button('Encrypt a fresh ballot with the same answers', () => encryptAndShow(election, credential, plaintext), {
        id: 'fresh',
      }),
    ).parentElement!,
    el('p').appendChild(
      button('Change my answers', () =>
        step('form', el('h2', 'Your answers'), votingForm(election, credential, plaintext)),
      ),
    ).parentElement!,
  );
  say(checked.ok ? 'The audit holds.' : 'The audit fails.');
}

async function cast(election: Election, ballot: EncryptedBallot): Promise<void> {
  say('Casting your ballot…');
  const res = await fetch(`/api/v1/ballots/${ballotId}/verifiable-ballots`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: ballot.text,
  });
  const answer = (await res.json().catch(() => ({}))) as { tracker?: string; replaced?: boolean; detail?: string };
  if (!res.ok) throw new Error(answer.detail ?? `the server answered ${res.status}`);
  if (answer.tracker !== ballot.tracker) throw new Error('the server answered another tracker than this ballot’s');
  const board = el('a', 'Find it on the public board', {
    href: `/verifiable-board/${ballotId}?tracker=${encodeURIComponent(ballot.tracker)}`,
  });
  step(
    'cast',
    el('h2', 'Your ballot is cast'),
    trackerBlock(ballot.tracker),
    el(
      'p',
      answer.replaced
        ? 'It replaces the ballot you cast before with this credential: only this one counts.'
        : 'It is the one that counts for your credential.',
    ),
    el('p').appendChild(board).parentElement!,
    el('p', `Election fingerprint: ${election.fingerprint}`, { class: 'hint' }),
  );
  say('Your ballot is cast.');
}

async function start(): Promise<void> {
  const credential = takeCredential();
  say('Loading the ballot…');
  const res = await fetch(`/api/v1/ballots/${ballotId}/election.json`);
  if (!res.ok) throw new Error('this ballot is not open for voting');
  const election = parseElection(await res.text());
  say('');
  step('form', el('h2', 'Your answers'), votingForm(election, credential));
  // Focus stays at the top on arrival: moving it would skip the page's introduction.
  (document.activeElement as HTMLElement | null)?.blur();
}

start().catch(fail);
