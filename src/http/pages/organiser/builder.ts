import type { Request, Response } from 'express';
import { type Field, METHOD_LIST, methodOf } from '@omov/core/methods/index';
import { MAX_TRUSTEES } from '@omov/core/domain/ballot';
import type { Principal } from '../../../data/organisations';
import * as ballotsService from '../../../services/ballots';
import * as rollService from '../../../services/roll';
import type { AppContext } from '../../../services/context';
import { ServiceError } from '../../../services/errors';
import { type Html, html } from '../../html';
import { idParams, type PageRoute, pageRoute } from '../../page-routes';
import {
  addIssue,
  bodyOf,
  checkbox,
  csrfField,
  errorSummary,
  type FieldIssues,
  fieldError,
  largeForm,
  refused,
  selectInput,
  staffPage,
  textArea,
  textInput,
} from './common';
import {
  applyAction,
  type BuilderState,
  emptyState,
  fieldLabel,
  fieldOf,
  type QuestionState,
  stateFromBallot,
  stateFromForm,
  validate,
} from './builder-form';
import { APPORTIONMENT_LABEL, BASIS_LABEL, RULE_LABEL } from './text';
import { isTimeZone, timeZones } from '@omov/core/domain/zones';
import { refusal } from '@omov/core/domain/lifecycle';
import { dateOrderOf, exampleOf, ORDER_WORDS } from '@omov/core/domain/dates';
import { type FormValues, valuesOf } from '../voting/form';

/** The zones to choose from, with the draft's own first if the list lacks it (a zone given through the API, such as Etc/GMT+5): saving must not change it unasked. */
const zoneChoices = (current: string) =>
  timeZones().includes(current) || !isTimeZone(current) ? timeZones() : [current, ...timeZones()];

/**
 * The ballot builder: create a draft or edit one. Everything works without JavaScript:
 * each "add", "remove", "move" and "use this method" button submits the whole form, which
 * comes back with every value kept and the page at the part that changed. With the script
 * (public/staff.js), the same request is sent in the background and only the form is
 * swapped for the one that comes back: no reload, focus kept at the part that changed.
 */

const methodChoices = METHOD_LIST.map((d) => [d.name, d.labels.name] as const);

/** A button that changes the form's structure: no validation yet, back to the part it changed. */
function structural(
  action: string,
  value: string,
  label: string,
  anchor: string,
  opts: { more?: string; cls?: string; id?: string } = {},
): Html {
  // The visible words start the accessible name; `more` says which question or option, for screen readers.
  return html`<button type="submit" name="do" value="${value}" formaction="${action}#${anchor}" formnovalidate class="${opts.cls ?? 'small secondary'}"${opts.id ? html` id="${opts.id}"` : ''}>${label}${opts.more ? html`<span class="sr-only"> ${opts.more}</span>` : ''}</button>`;
}

/** One setting's input, as its method's descriptor declares it. */
function settingField(f: Field, id: string, value: string, issues: FieldIssues): Html {
  const hint = f.hint === undefined ? {} : { hint: f.hint };
  switch (f.input) {
    case 'lines':
      return textArea(issues, id, f.label, value, { rows: 3, ...hint });
    case 'choice':
      return selectInput(issues, id, f.label, value, f.choices);
    case 'fraction':
      return textInput(issues, id, f.label, value, {
        ...hint,
        extra: f.inputmode ? html` inputmode="${f.inputmode}" size="8"` : html` size="8"`,
      });
    case 'whole':
      return textInput(issues, id, f.label, value, {
        ...hint,
        type: 'number',
        extra: html`${f.min === undefined ? '' : html` min="${f.min}"`}${f.max === undefined ? '' : html` max="${f.max}"`}`,
      });
  }
}

function settingsFields(q: QuestionState, i: number, issues: FieldIssues): Html {
  return html`${methodOf(q.method).fields.map((f) => settingField(f, `q${i}_${f.key}`, q.settings[f.key] ?? '', issues))}`;
}

function optionRows(action: string, q: QuestionState, i: number, issues: FieldIssues): Html {
  const n = q.options.length;
  const err = fieldError(issues, `q${i}_options`);
  return html`<fieldset id="q${i}_options"><legend>Options of question ${i + 1}</legend>${err.message}
<input type="hidden" name="q${i}_options" value="${n}">
${q.options.map(
  (o, j) => html`<div class="option-row">
${textInput(issues, `q${i}_o${j}_label`, `Option ${j + 1}`, o.label, { cls: 'wide' })}
${textArea(issues, `q${i}_o${j}_description`, `Short statement for option ${j + 1} (optional)`, o.description, { rows: 2 })}
<div class="actions">${j > 0 ? structural(action, `up-option:${i}:${j}`, 'Move up', `q${i}_o${j - 1}_label`, { more: `(option ${j + 1} of question ${i + 1})` }) : ''}
${j < n - 1 ? structural(action, `down-option:${i}:${j}`, 'Move down', `q${i}_o${j + 1}_label`, { more: `(option ${j + 1} of question ${i + 1})` }) : ''}
${structural(action, `remove-option:${i}:${j}`, 'Remove', `q${i}_options`, { more: `(option ${j + 1} of question ${i + 1})` })}</div>
</div>`,
)}
<p>${structural(action, `add-option:${i}`, 'Add an option', `q${i}_o${n}_label`, { more: `to question ${i + 1}` })}</p>
${textArea(issues, `q${i}_paste`, 'Paste options, one per line', '', { rows: 3, hint: 'For a list of candidates from a spreadsheet or an email: each line becomes an option, filling the blank rows first.' })}
<p>${structural(action, `paste-options:${i}`, 'Add the pasted options', `q${i}_options`, { more: `to question ${i + 1}` })}</p>
</fieldset>`;
}

const COMPARISON_METHODS: ReadonlyArray<readonly [string, string]> = [
  ...Object.entries(APPORTIONMENT_LABEL),
  ['bands', 'A band table from the rule book'],
  ['fixed', 'Fixed numbers per branch'],
  ['sortition', "No delegates: a members' council chosen by lot (its size in “Delegates in all”)"],
];
/** How delegates vote in a declared comparison: the whole ballot's rules, and meeting attendees (per question only). */
const COMPARISON_RULES: ReadonlyArray<readonly [string, string]> = [
  ...Object.entries(RULE_LABEL),
  [
    'attendees',
    "Meeting attendees: all of a branch's delegates vote as its meeting's majority would (attendance below)",
  ],
];
const COUNCIL_DRAWS: ReadonlyArray<readonly [string, string]> = [
  ['box', 'From the whole box'],
  ['stratified', 'From each branch in proportion to its ballots'],
];
/** Whether the conference is also counted with its delegates mandated by their branch meetings (docs/proposals.md). */
const MANDATES: ReadonlyArray<readonly [string, string]> = [
  ['', 'No: only as modelled'],
  ['majority', "Yes: a branch without a position follows its members' majority"],
  ['abstain', 'Yes: a branch without a position abstains'],
];
const REGION_VOTES: ReadonlyArray<readonly [string, string]> = [
  ['bloc', "All for its regional conference's decision"],
  ['proportional', "Split in proportion to its regional conference's votes"],
];
const PROCEDURES: ReadonlyArray<readonly [string, string]> = [
  ['method', "By the question's own method"],
  ['exhaustive', 'Exhaustive ballot (eliminate the last until one has a majority)'],
  ['majority', 'Majority required; otherwise nothing is decided'],
  ['run-off', 'Majority required; otherwise a run-off of the leading two'],
  ['card', 'Card vote in sections, each with its weight'],
];

/** The delegate conferences declared for a question: committed at open, shown beside its result. */
function comparisonRows(action: string, q: QuestionState, i: number, issues: FieldIssues): Html {
  const n = q.comparisons.length;
  const err = fieldError(issues, `q${i}_comparisons`);
  return html`<fieldset id="q${i}_comparisons"><legend>Delegate comparisons for question ${i + 1}</legend>${err.message}
<p class="hint">Declare here, before the ballot opens, how a conference of delegates would decide this question: each comparison is committed when the ballot opens and shown beside the members' result, with how many of them agree. A question with none uses the whole ballot's comparison below.</p>
<input type="hidden" name="q${i}_comparisons" value="${n}">
${q.comparisons.map((c, j) => {
  const id = `q${i}_c${j}`;
  return html`<fieldset class="option-row" id="${id}"><legend>Comparison ${j + 1} for question ${i + 1}</legend>
${textInput(issues, `${id}_label`, 'Its name (optional)', c.label, { cls: 'wide' })}
<div class="cols">
${selectInput(issues, `${id}_method`, 'How delegates are shared out', c.method, COMPARISON_METHODS)}
${textInput(issues, `${id}_seats`, 'Delegates in all (not for a band table or fixed numbers)', c.seats, { type: 'number', extra: html` min="1"` })}
${selectInput(issues, `${id}_basis`, 'Delegates are shared by', c.basis, Object.entries(BASIS_LABEL))}
${selectInput(issues, `${id}_rule`, 'How delegates vote', c.rule, COMPARISON_RULES)}
</div>
${textArea(issues, `${id}_table`, 'Fixed numbers or band table', c.table, { rows: 3, hint: 'Fixed numbers: one branch a line, “Leeds: 4”. A band table: one band a line, up to how many members then how many delegates, “100 1”.' })}
${textArea(issues, `${id}_extras`, 'Extra delegates (optional)', c.extras, { rows: 2, hint: 'One rule a line: who is counted; how many at least; each branch’s count, separated by commas; then, if not 1, how many more delegates. For example “women; 100; Leeds: 120, York: 80” then “young members; 30; Leeds: 31”. omov does not hold members’ gender or age: these counts are yours.' })}
${textArea(issues, `${id}_attendance`, 'Meeting attendance (for delegates chosen by meeting attendees)', c.attendance, { rows: 2, hint: 'One branch a line, “Leeds: 40”: how many attended its meeting. omov does not know how they voted: it takes them for a random sample of the branch’s voters.' })}
${textArea(issues, `${id}_affiliates`, 'Affiliated delegations (optional)', c.affiliates, { rows: 2, hint: 'Delegations that are not branches (an affiliated union, a women’s section), one a line: its name; its delegates, or its affiliated membership such as “2500 members” (its delegates then by the model, as a branch of that size); its mandate, delegate votes per option (with a membership, the shares its delegates split in), separated by commas. For example “Unite; 4; Leeds: 3, York: 1”. Delegates not mandated abstain. A card vote’s section may name them.' })}
${textInput(issues, `${id}_balance`, 'Balance within each delegation (optional)', c.balance, { cls: 'wide', hint: 'Who; the least share of each delegation; each branch’s count of them, separated by commas. For example “women; 1/2; Leeds: 40, York: 12”. This changes who the delegates are, not how they vote: omov shows each delegation’s make-up and whether the branch can meet it. omov does not hold members’ gender: these counts are yours.' })}
${textArea(issues, `${id}_regions`, 'Regional tiers: each branch’s region (optional)', c.regions, { rows: 2, hint: 'One branch a line, “Leeds: North”. The branches’ delegates meet in regional conferences; each sends delegates, shared by its members, to the national conference.' })}
<div class="cols">
${textInput(issues, `${id}_regionSeats`, 'Regional tiers: national delegates', c.regionSeats, { type: 'number', extra: html` min="1"` })}
${selectInput(issues, `${id}_regionVote`, 'Regional tiers: a region’s national delegates vote', c.regionVote, REGION_VOTES)}
</div>
<div class="cols">
${textInput(issues, `${id}_seed`, 'Council by lot: seed', c.seed, { hint: 'Committed when the ballot opens; the draw also depends on every ballot in the box, so nobody can choose it after seeing the votes.' })}
${selectInput(issues, `${id}_draw`, 'Council by lot: drawn', c.draw, COUNCIL_DRAWS)}
</div>
<div class="cols">
${selectInput(issues, `${id}_procedure`, 'How the conference decides', c.procedure, PROCEDURES)}
${textInput(issues, `${id}_required`, 'Majority required: more than', c.required, { extra: html` size="8" inputmode="decimal"`, hint: 'A share of the delegate votes cast, such as 1/2 or 2/3.' })}
</div>
${textArea(issues, `${id}_sections`, 'Card vote: sections', c.sections, { rows: 3, hint: 'One section a line: its name; its weight; its branches, separated by commas. Leave the branches out for the section of every other branch. For example “Unions; 1/2; Unite, GMB” then “Local parties; 1/2”.' })}
${selectInput(issues, `${id}_mandates`, "Also count it with the branch meetings' positions as the delegates' mandates", c.mandates, MANDATES, { hint: "Single-winner questions with branch positions: each branch's delegates vote as a bloc for the position its meeting recorded, shown beside the modelled conference." })}
<input type="hidden" name="${id}_kept" value="${c.kept}">
<div class="actions">${structural(action, `remove-comparison:${i}:${j}`, 'Remove this comparison', `q${i}_comparisons`, { more: `(comparison ${j + 1} of question ${i + 1})` })}</div>
</fieldset>`;
})}
<p>${structural(action, `add-comparison:${i}`, 'Add a comparison', `q${i}_c${n}_label`, { more: `to question ${i + 1}` })}</p>
</fieldset>`;
}

function questionFields(action: string, q: QuestionState, i: number, n: number, issues: FieldIssues): Html {
  const applyId = `q${i}_apply`;
  return html`<fieldset id="q${i}"><legend>Question ${i + 1}</legend>
${textInput(issues, `q${i}_title`, 'The question', q.title, { cls: 'wide' })}
${textArea(issues, `q${i}_description`, 'More about it (optional)', q.description, { rows: 2 })}
${selectInput(issues, `q${i}_method`, 'How it is decided', q.method, methodChoices, { extra: html` data-apply="${applyId}"` })}
<p class="hint">${methodOf(q.method).labels.hint} ${structural(action, `method:${i}`, 'Use this method', `q${i}`, { id: applyId, more: `for question ${i + 1}` })}</p>
${settingsFields(q, i, issues)}
${methodOf(q.method).motion ? html`<p>The options are <strong>Yes</strong> and <strong>No</strong>; members may also abstain.</p>` : optionRows(action, q, i, issues)}
${comparisonRows(action, q, i, issues)}
<div class="actions">${i > 0 ? structural(action, `up-question:${i}`, 'Move question up', `q${i - 1}`, { more: `(question ${i + 1})` }) : ''}
${i < n - 1 ? structural(action, `down-question:${i}`, 'Move question down', `q${i + 1}`, { more: `(question ${i + 1})` }) : ''}
${structural(action, `remove-question:${i}`, 'Remove this question', 'questions', { more: `(question ${i + 1})` })}</div>
</fieldset>`;
}

/** A branch of the roll, as the builder offers it. */
export type BranchChoice = { name: string; members: number };

/**
 * "Only members of these branches": a box for each of the roll's branches with members, so
 * that a name cannot be mistyped. A name the draft holds that is not on the roll (given
 * through the API, or sent by a tampered form) is shown ticked and marked, so that saving
 * names it and the service refuses it with the branch it most likely meant.
 */
function branchChoices(chosen: readonly string[], roll: readonly BranchChoice[], issues: FieldIssues): Html {
  const e = fieldError(issues, 'eligibleBranches');
  const ticked = new Set(chosen);
  // A branch left empty (merged into another, say) is offered only while the draft names it.
  const real = roll.filter((b) => b.members > 0 || ticked.has(b.name));
  const known = new Set(roll.map((b) => b.name));
  const names: Array<{ name: string; members: number | null }> = [
    ...real,
    ...chosen.filter((c) => !known.has(c)).map((name) => ({ name, members: null })),
  ];
  const described = issues.has('eligibleBranches') ? 'eligibleBranches-error' : 'eligibleBranches-hint';
  return html`<fieldset id="eligibleBranches" aria-describedby="${described}"><legend>Only members of these branches</legend>
<p class="hint" id="eligibleBranches-hint">${names.length ? 'Tick none for every branch.' : 'The roll has no branches yet: import it to choose some. Until then, members of every branch may vote.'}</p>${e.message}
${names.length ? html`<div class="cols">${names.map((b, i) => html`<label class="choice"><input type="checkbox" name="eligibleBranches" id="eligibleBranches-${i}" value="${b.name}"${ticked.has(b.name) ? html` checked` : ''}><span>${b.name} ${b.members === null ? html`<strong class="bad">(not on the roll)</strong>` : html`<span class="hint">(${b.members} ${b.members === 1 ? 'member' : 'members'})</span>`}</span></label>`)}</div>` : ''}
</fieldset>`;
}

function delegateFields(d: BuilderState['delegates'], issues: FieldIssues): Html {
  const methods = [...Object.entries(APPORTIONMENT_LABEL), ['bands', 'A band table from the rule book']] as Array<
    [string, string]
  >;
  return html`<fieldset id="delegates"><legend>Compare with a delegate conference</legend>
<p class="hint">Beside the members' own result, omov shows how a conference of branch delegates would have decided each question, and each branch's voting power. It changes nothing in the result.</p>
${checkbox('del_enabled', 'Show the comparison', d.enabled)}
<div class="cols">
${selectInput(issues, 'del_basis', 'Delegates are shared by', d.basis, Object.entries(BASIS_LABEL))}
${selectInput(issues, 'del_rule', 'How delegates vote', d.rule, Object.entries(RULE_LABEL))}
${selectInput(issues, 'del_method', 'How delegates are shared out', d.method, methods)}
${textInput(issues, 'del_seats', 'Delegates in all (not for a band table)', d.seats, { type: 'number', extra: html` min="1"` })}
${textInput(issues, 'del_min', 'Each branch at least (optional)', d.min, { type: 'number', extra: html` min="0"` })}
${textInput(issues, 'del_max', 'Each branch at most (optional)', d.max, { type: 'number', extra: html` min="1"` })}
${selectInput(issues, 'del_split', "Proportional rule: split a branch's delegates by", d.split, [['', 'the same method'], ...Object.entries(APPORTIONMENT_LABEL)])}
</div>
${textArea(issues, 'del_bands', 'Band table (only when shared by a band table)', d.bands, { rows: 3, hint: 'One band a line: up to how many members, then how many delegates. For example “100 1” then “250 2”.' })}
<div class="cols">
${textInput(issues, 'del_beyond_every', 'Above the last band: for each further … members', d.beyondEvery, { type: 'number', extra: html` min="1"` })}
${textInput(issues, 'del_beyond_delegates', '… this many more delegates', d.beyondDelegates, { type: 'number', extra: html` min="1"` })}
</div>
${checkbox('del_beyond_orpart', '“or part thereof” (a part-block counts as a whole block)', d.beyondOrPart)}
</fieldset>`;
}

export function builderForm(
  ctx: AppContext,
  req: Request,
  action: string,
  state: BuilderState,
  issues: FieldIssues,
  heading: string,
  branches: readonly BranchChoice[],
): Html {
  const n = state.questions.length;
  const order = dateOrderOf(state.zone);
  const timeHint = `For example ${exampleOf(order)} (${ORDER_WORDS[order]}) or 2026-12-05 18:00.`;
  return html`<h1>${heading}</h1>
${errorSummary(issues, fieldLabel)}
<p id="builder-status" class="sr-only" role="status"></p>
<form method="post" action="${action}" data-builder>
<button type="submit" name="do" value="save" class="sr-only" tabindex="-1" aria-hidden="true">Save the draft</button>
${csrfField(ctx, req)}
<input type="hidden" name="questions" value="${n}">
${textInput(issues, 'title', 'Title of the ballot', state.title, { cls: 'wide' })}
${textArea(issues, 'description', 'Description (optional)', state.description, { rows: 3, hint: 'Shown to members at the top of the voting page.' })}
<fieldset><legend>When members can vote</legend>
<div class="cols">
${textInput(issues, 'opensAt', 'Voting opens', state.opensAt, { hint: timeHint })}
${textInput(issues, 'closesAt', 'Voting closes', state.closesAt, { hint: timeHint })}
${selectInput(
  issues,
  'zone',
  'Time zone of these times',
  state.zone,
  zoneChoices(state.zone).map((z) => [z, z] as const),
)}
</div>
<p class="hint">The times are read in the zone you choose, and emails, the voting page and these pages show them in it, with its name. Opening sends the invitations at once; members can vote from the opening time.</p>
</fieldset>
<h2 id="questions">Questions</h2>
${fieldError(issues, 'questions').message}
${state.questions.map((q, i) => questionFields(action, q, i, n, issues))}
<div class="actions">
<div class="field"><label for="new_method">Method of the new question</label><br><select id="new_method" name="new_method">${methodChoices.map(([m, label]) => html`<option value="${m}">${label}</option>`)}</select></div>
${structural(action, 'add-question', 'Add another question', `q${n}`, { cls: 'secondary' })}
</div>
<h2>Rules of this ballot</h2>
<fieldset><legend>Secrecy and receipts</legend>
${textInput(issues, 'k', 'Smallest branch whose votes are published on its own (k)', state.k, { type: 'number', hint: "Branches with fewer voters are pooled with others, so that nobody's vote can be worked out. 10 is a safe choice.", extra: html` min="1" max="1000"` })}
<fieldset id="receiptPolicy"><legend>What the bulletin board shows with each receipt code</legend>
<label class="choice"><input type="radio" name="receiptPolicy" value="inclusion"${state.receiptPolicy !== 'choices' ? html` checked` : ''}><span>The code only (recommended) <span class="hint">— a member can check their vote is in the box, and cannot prove to anyone how they voted.</span></span></label>
<label class="choice"><input type="radio" name="receiptPolicy" value="choices"${state.receiptPolicy === 'choices' ? html` checked` : ''}><span>The code with the answers <span class="hint">— a member can check their vote was counted as cast, but could also show a buyer or a bully how they voted.</span></span></label>
</fieldset>
${checkbox('voterListVisible', 'Let organisers see which members have voted', state.voterListVisible, 'Off by default; the election record says when it is on. Turnout is always shown in aggregate.')}
</fieldset>
${modeFields(state, issues)}
<fieldset><legend>Who may vote</legend>
${branchChoices(state.eligibleBranches, branches, issues)}
${textInput(issues, 'joinedBefore', 'Only members who joined before', state.joinedBefore, { hint: `A date such as ${exampleOf(order, false)} (${ORDER_WORDS[order]}) or 2026-12-05. Leave blank for all. Members with no joining date on the roll are left out when a date is set.` })}
${checkbox('randomiseOptions', 'Show each member the options in their own random order', state.randomiseOptions, 'Against ballot-order bias: the first option on a paper tends to gain votes. Yes/no questions keep their order.')}
</fieldset>
<fieldset><legend>Reminders</legend>
${textInput(issues, 'reminderHours', 'Send reminders this many hours before closing', state.reminderHours, { hint: 'Up to five numbers separated by commas, e.g. 72, 24. Only members who have not voted get them. Leave blank for none.' })}
</fieldset>
${delegateFields(state.delegates, issues)}
<p><button type="submit" name="do" value="save">Save the draft</button></p>
</form>`;
}

/** The ballot's mode: who must be trusted with the secrecy and the count (docs/verifiable.md). */
function modeFields(state: BuilderState, issues: FieldIssues): Html {
  const verifiable = state.mode === 'verifiable';
  return html`<fieldset id="mode"><legend>Who must be trusted with the votes</legend>
<label class="choice"><input type="radio" name="mode" value="office"${verifiable ? '' : html` checked`}><span>The office that runs this server (office mode) <span class="hint">— votes are sealed by the server; every kind of question can be asked.</span></span></label>
<label class="choice"><input type="radio" name="mode" value="verifiable"${verifiable ? html` checked` : ''}><span>Nobody alone (verifiable mode) <span class="hint">— votes are encrypted to a key that trustees share, and signed with credentials that a credential authority, not the office, makes. Anyone can check the count with belenios-tool. For now: yes/no, single-choice, approval and score questions only, and members vote in their browser, which encrypts their vote (or with the omov vote command).</span></span></label>
<div class="cols">
${textInput(issues, 'mode_trustees', 'Trustees (verifiable mode)', state.trustees, { type: 'number', hint: 'How many people share the decryption key, e.g. 3 scrutineers.', extra: html` min="1" max="${MAX_TRUSTEES}"` })}
${textInput(issues, 'mode_threshold', 'Trustees needed to decrypt', state.threshold, { type: 'number', hint: 'Any this many of them can count; fewer can read nothing.', extra: html` min="1" max="${MAX_TRUSTEES}"` })}
</div>
${textInput(issues, 'mode_credentialAuthority', 'Credential authority (verifiable mode)', state.credentialAuthority, { cls: 'wide', hint: "The person, not an organiser, who makes the members' voting credentials on their own computer." })}
${checkbox('mode_revoting', 'Members may vote again (verifiable mode)', state.revoting, 'The later ballot replaces the earlier: a member who was watched while voting can vote again later. Unticked, a second ballot with the same credential is refused.')}
</fieldset>`;
}

async function builderPage(
  ctx: AppContext,
  req: Request,
  res: Response,
  opts: { status?: number; action: string; state: BuilderState; issues?: FieldIssues; heading: string },
): Promise<void> {
  // The roll's branches, read as the page is drawn: the boxes to tick for "only these branches".
  const branches = (await rollService.listBranches(ctx, req.principal!)).map((b) => ({
    name: b.name,
    members: Number(b.members),
  }));
  res
    .status(opts.status ?? 200)
    .type('html')
    .send(
      staffPage(ctx, req, {
        title: opts.heading,
        body: builderForm(ctx, req, opts.action, opts.state, opts.issues ?? new Map(), opts.heading, branches),
      }),
    );
}

async function post(ctx: AppContext, req: Request, res: Response, p: Principal, id: string | null): Promise<void> {
  const body = bodyOf(req);
  const action = id ? `/ballots/${id}/edit` : '/ballots/new';
  const heading = id ? 'Edit the draft ballot' : 'Create a ballot';
  const state = stateFromForm(body, valuesOf(req.body as FormValues, 'eligibleBranches'));
  const what = body.do ?? 'save';
  if (what !== 'save') {
    const changed = applyAction(state, what, body.new_method ?? '');
    return builderPage(ctx, req, res, { action, state: changed.state, heading });
  }
  const v = validate(state);
  if (!v.ok) return builderPage(ctx, req, res, { status: 422, action, state, issues: v.issues, heading });
  try {
    const saved = id
      ? await ballotsService.updateBallot(ctx, p, id, v.input)
      : await ballotsService.createBallot(ctx, p, v.input);
    res.redirect(303, `/ballots/${saved.id}?done=${id ? 'saved' : 'created'}`);
  } catch (err) {
    if (err instanceof ServiceError && err.kind === 'invalid' && err.issues.length) {
      // Each issue at its field: "eligibility.branches.1" is the branch boxes, "questions.0.title" the question.
      const issues: FieldIssues = new Map();
      for (const i of err.issues)
        addIssue(issues, fieldOf(i.path.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x))), i.message);
      return builderPage(ctx, req, res, { status: 422, action, state, issues, heading });
    }
    refused(ctx, req, res, err, id ? `/ballots/${id}` : '/');
  }
}

export function builderPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/ballots/new',
      who: 'organiser',
      summary: 'The ballot builder, for a new ballot',
      handler: async ({ req, res, principal: p }) => {
        // A new ballot starts in the zone of the organisation's latest one: organisers rarely move.
        const latest = (await ballotsService.listBallots(ctx, p))[0];
        await builderPage(ctx, req, res, {
          action: '/ballots/new',
          state: emptyState(new Date(), latest?.timeZone ?? 'UTC'),
          heading: 'Create a ballot',
        });
      },
    }),
    pageRoute({
      method: 'post',
      path: '/ballots/new',
      who: 'organiser',
      summary: 'Change the new ballot in the builder, or save it as a draft',
      parsers: [largeForm],
      handler: ({ req, res, principal: p }) => post(ctx, req, res, p, null),
    }),
    pageRoute({
      method: 'get',
      path: '/ballots/:id/edit',
      who: 'organiser',
      summary: 'The ballot builder, for a draft',
      params: idParams,
      handler: async ({ req, res, params, principal: p }) => {
        const b = await ballotsService.getBallot(ctx, p, params.id);
        const cannot = refusal(b.status, 'edit');
        if (cannot) return refused(ctx, req, res, new ServiceError('conflict', cannot), `/ballots/${b.id}`);
        await builderPage(ctx, req, res, {
          action: `/ballots/${b.id}/edit`,
          state: stateFromBallot(b),
          heading: 'Edit the draft ballot',
        });
      },
    }),
    pageRoute({
      method: 'post',
      path: '/ballots/:id/edit',
      who: 'organiser',
      summary: 'Change a draft in the builder, or save it',
      params: idParams,
      parsers: [largeForm],
      handler: ({ req, res, params, principal: p }) => post(ctx, req, res, p, params.id),
    }),
  ];
}
