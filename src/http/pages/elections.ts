import type { Request, Response } from 'express';
import { z } from 'zod';
import { ELECTION_RULES, electionInputSchema, type ElectionInput } from '@omov/core/domain/nominations';
import { isoToLocal, localToIso } from '@omov/core/domain/zones';
import * as ballotsService from '../../services/ballots';
import type { AppContext } from '../../services/context';
import { invalid, ServiceError } from '../../services/errors';
import * as nominations from '../../services/nominations';
import type { ElectionView } from '../../services/nominations';
import { type Html, html } from '../html';
import { idParams, type PageRoute, pageRoute } from '../page-routes';
import { RULES_WORDS, STAGE_WORDS } from './nominations';
import {
  addIssue,
  bodyOf,
  csrfField,
  errorSummary,
  type FieldIssues,
  isOrganiser,
  refused,
  selectInput,
  staffPage,
  textArea,
  textInput,
  when,
} from './organiser/common';

/**
 * The office's page of elections with nominations (docs/elections.md, "Nominations"),
 * working without JavaScript:
 *   /elections                 staff: every election, its stage and counts; organisers set one
 *                              (a refused form comes back with each field's problem beside it)
 *   /elections/:id/schedule    organisers: put a closed election on a draft ballot, or on a new one
 * The election's own public page is /elections/:id (pages/nominations.ts).
 */

/** The form's fields, as typed. */
type Typed = {
  title: string;
  description: string;
  seats: string;
  rules: string;
  opensAt: string;
  closesAt: string;
  membersNeeded: string;
  branchesNeeded: string;
  combine: string;
  k: string;
  statementMax: string;
  groups: string;
};

const LABELS: Record<keyof Typed, string> = {
  title: 'The committee',
  description: 'About the election',
  seats: 'Seats',
  rules: 'STV rules',
  opensAt: 'Nominations open',
  closesAt: 'Nominations close',
  membersNeeded: 'Members’ nominations a nominee needs',
  branchesNeeded: 'Branches’ nominations a nominee needs',
  combine: 'With both thresholds',
  k: 'Count branches with fewer nominating members than this together',
  statementMax: 'Longest statement',
  groups: 'Balance rules',
};

const hourFrom = (now: Date, days: number) =>
  isoToLocal(new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000 + days * 86_400_000), 'UTC').replace('T', ' ');

function emptyForm(now: Date): Typed {
  return {
    title: '',
    description: '',
    seats: '',
    rules: 'scottish',
    opensAt: hourFrom(now, 0),
    closesAt: hourFrom(now, 14),
    membersNeeded: '',
    branchesNeeded: '',
    combine: 'either',
    k: '5',
    statementMax: '1000',
    groups: '',
  };
}

function typedOf(req: Request): Typed {
  const f = bodyOf(req);
  const s = (k: keyof Typed) => f[k] ?? '';
  return {
    title: s('title'),
    description: s('description'),
    seats: s('seats'),
    rules: s('rules') || 'scottish',
    opensAt: s('opensAt'),
    closesAt: s('closesAt'),
    membersNeeded: s('membersNeeded'),
    branchesNeeded: s('branchesNeeded'),
    combine: s('combine') || 'either',
    k: s('k'),
    statementMax: s('statementMax'),
    groups: s('groups'),
  };
}

/** A balance rule as one line: "women; at least 1", "North; at most 2", "Young; at least 1; at most 2". */
function readGroups(text: string, issues: FieldIssues): Array<{ group: string; min?: number; max?: number }> {
  const out: Array<{ group: string; min?: number; max?: number }> = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const [name, ...bounds] = line.split(';').map((x) => x.trim());
    const g: { group: string; min?: number; max?: number } = { group: name ?? '' };
    for (const b of bounds) {
      const m = /^at (least|most) (\d{1,3})$/i.exec(b);
      if (!m) {
        addIssue(
          issues,
          'groups',
          `line ${i + 1}: "${b}" is not "at least N" or "at most N" (write "women; at least 1" or "North; at most 2")`,
        );
        continue;
      }
      if (m[1]!.toLowerCase() === 'least') g.min = Number(m[2]);
      else g.max = Number(m[2]);
    }
    out.push(g);
  }
  return out;
}

/** The form read into the API's input, or the problems, each on its field. */
function readForm(t: Typed): { input?: ElectionInput; issues: FieldIssues } {
  const issues: FieldIssues = new Map();
  const num = (field: keyof Typed, optional: boolean): number | null | undefined => {
    const v = t[field].trim();
    if (v === '') {
      if (!optional) addIssue(issues, field, 'give a whole number');
      return optional ? null : undefined;
    }
    if (!/^\d{1,7}$/.test(v)) {
      addIssue(issues, field, `"${v}" is not a whole number`);
      return undefined;
    }
    return Number(v);
  };
  const time = (field: 'opensAt' | 'closesAt') => {
    const r = localToIso(t[field], 'UTC');
    if (!r.ok) addIssue(issues, field, r.message);
    return r.ok ? r.iso : undefined;
  };
  const raw = {
    title: t.title,
    description: t.description,
    seats: num('seats', false),
    rules: t.rules,
    opensAt: time('opensAt'),
    closesAt: time('closesAt'),
    threshold: { members: num('membersNeeded', true), branches: num('branchesNeeded', true), combine: t.combine },
    k: num('k', false),
    statementMax: num('statementMax', false),
    groups: readGroups(t.groups, issues),
  };
  const parsed = electionInputSchema.safeParse(raw);
  if (!parsed.success)
    for (const i of parsed.error.issues) {
      const [top, second, third] = i.path.map(String);
      const field =
        top === 'threshold'
          ? second === 'branches'
            ? 'branchesNeeded'
            : second === 'combine'
              ? 'combine'
              : 'membersNeeded'
          : (top ?? 'title');
      // Fields already at fault for their own reason (a number not typed as one) say that once.
      if (issues.has(field) && field !== 'groups') continue;
      const group = top === 'groups' && second !== undefined ? raw.groups[Number(second)] : undefined;
      addIssue(
        issues,
        field,
        group
          ? `${group.group || 'a group without a name'}${third && third !== 'group' ? ` (${third === 'min' ? 'at least' : 'at most'})` : ''}: ${i.message}`
          : i.message,
      );
    }
  return issues.size || !parsed.success ? { issues } : { input: parsed.data, issues };
}

function groupLine(g: ElectionView['groups'][number]): string {
  return [g.group, g.min !== undefined ? `at least ${g.min}` : null, g.max !== undefined ? `at most ${g.max}` : null]
    .filter(Boolean)
    .join('; ');
}

function setForm(ctx: AppContext, req: Request, t: Typed, issues: FieldIssues): Html {
  const labels = (f: string) => LABELS[f as keyof Typed] ?? f;
  const combineError = issues.get('combine');
  return html`<h2 id="set">Set an election</h2>
<p>An election to a committee by single transferable vote, with a nomination period. Once set, nothing of it can change: check it before you set it. When nominations open, every current member is mailed so, with their own link to nominate from.</p>
${errorSummary(issues, labels)}
<form method="post" action="/elections" novalidate>${csrfField(ctx, req)}
${textInput(issues, 'title', LABELS.title, t.title, { hint: 'As the ballot question will name it, such as “National Executive”.', required: true })}
${textArea(issues, 'description', LABELS.description, t.description, { rows: 3, hint: 'Optional: shown with the election and on the ballot.' })}
${textInput(issues, 'seats', LABELS.seats, t.seats, { required: true, extra: html` inputmode="numeric"` })}
${selectInput(
  issues,
  'rules',
  LABELS.rules,
  t.rules,
  ELECTION_RULES.map((r) => [r, RULES_WORDS[r]] as const),
  { hint: 'How the candidates’ question is counted.' },
)}
${textInput(issues, 'opensAt', `${LABELS.opensAt} (UTC)`, t.opensAt, { hint: 'Such as 2027-01-10 09:00.', required: true })}
${textInput(issues, 'closesAt', `${LABELS.closesAt} (UTC)`, t.closesAt, { required: true })}
<fieldset><legend>The threshold: the nominations a nominee needs to stand</legend>
${textInput(issues, 'membersNeeded', LABELS.membersNeeded, t.membersNeeded, { hint: 'Leave empty for no such threshold.', extra: html` inputmode="numeric"` })}
${textInput(issues, 'branchesNeeded', LABELS.branchesNeeded, t.branchesNeeded, { hint: 'Through their secretaries. Leave empty for no such threshold.', extra: html` inputmode="numeric"` })}
<fieldset${combineError ? html` aria-describedby="combine-error"` : ''}><legend id="combine">${LABELS.combine}</legend>${combineError ? html`<span class="field-error" id="combine-error">${combineError.join(' ')}</span>` : ''}
<label class="choice"><input type="radio" name="combine" value="either"${t.combine !== 'both' ? html` checked` : ''}><span>Either one is enough</span></label>
<label class="choice"><input type="radio" name="combine" value="both"${t.combine === 'both' ? html` checked` : ''}><span>Both are needed</span></label></fieldset>
</fieldset>
${textInput(issues, 'k', LABELS.k, t.k, { hint: 'Members’ nominations are shown per branch, as proposal support is.', extra: html` inputmode="numeric"` })}
${textInput(issues, 'statementMax', `${LABELS.statementMax} (characters)`, t.statementMax, { hint: 'From 100 to 2,000.', extra: html` inputmode="numeric"` })}
${textArea(issues, 'groups', LABELS.groups, t.groups, { rows: 3, hint: 'Optional, one group a line, such as “women; at least 1” or “North; at most 2”. Candidates declare their groups when they accept.' })}
<button type="submit">Set the election and mail the members</button></form>`;
}

function scheduleForms(
  ctx: AppContext,
  req: Request,
  e: ElectionView,
  drafts: ReadonlyArray<{ id: string; title: string }>,
): Html {
  const now = new Date();
  return html`<h4>Put it on a ballot</h4>
<p class="hint">The candidates are the nominees who accepted and reached the threshold; their order is drawn by lot when it first goes on a ballot. Nobody can add or drop one.</p>
${
  drafts.length
    ? html`<form method="post" action="/elections/${e.id}/schedule">${csrfField(ctx, req)}
<p><label for="ballot-${e.id}">Draft ballot</label><br><select id="ballot-${e.id}" name="ballotId">${drafts.map((b) => html`<option value="${b.id}">${b.title}</option>`)}</select></p>
<button type="submit">Put “${e.title}” on this ballot</button></form>`
    : ''
}
<form method="post" action="/elections/${e.id}/schedule">${csrfField(ctx, req)}<input type="hidden" name="newBallot" value="yes">
<fieldset><legend>${drafts.length ? 'Or on a new draft ballot' : 'On a new draft ballot'}</legend>
<p><label for="new-title-${e.id}">The ballot’s title</label><br><input id="new-title-${e.id}" name="title" type="text" required value="${e.title}"></p>
<p><label for="new-opens-${e.id}">Voting opens (UTC)</label><br><input id="new-opens-${e.id}" name="opensAt" type="text" required value="${hourFrom(now, 7)}"></p>
<p><label for="new-closes-${e.id}">Voting closes (UTC)</label><br><input id="new-closes-${e.id}" name="closesAt" type="text" required value="${hourFrom(now, 21)}"></p>
<button type="submit">Make a draft ballot with “${e.title}”</button></fieldset></form>`;
}

async function electionsPage(
  ctx: AppContext,
  req: Request,
  res: Response,
  typed?: { values: Typed; issues: FieldIssues },
): Promise<void> {
  const p = req.principal!;
  const [list, ballots] = await Promise.all([
    nominations.staffElections(ctx, p),
    isOrganiser(p) ? ballotsService.listBallots(ctx, p) : Promise.resolve([]),
  ]);
  const drafts = ballots.filter((b) => b.status === 'draft');
  const row = (e: ElectionView) => {
    const reaching = e.nominees.filter((n) => n.reaches).length;
    return html`<tr><th scope="row"><a href="/elections/${e.id}">${e.title}</a></th><td>${STAGE_WORDS[e.stage]}${e.ballotId ? html` (<a href="/ballots/${e.ballotId}">the ballot</a>)` : ''}</td><td>${String(e.seats)}</td><td>${RULES_WORDS[e.rules]}</td><td>${when(e.opensAt)} to ${when(e.closesAt)}</td><td>${String(e.nominees.length)} (${String(reaching)} reach the threshold)</td><td>${String(e.pending)}</td><td>${String(e.declined)}</td></tr>`;
  };
  const closed = list.filter((e) => e.stage === 'closed');
  res
    .status(typed ? 422 : 200)
    .type('html')
    .send(
      staffPage(ctx, req, {
        title: `${typed ? 'There is a problem: ' : ''}Elections`,
        body: html`<h1>Elections</h1>
<p>Elections to committees with nominations: members nominate from their own links, branch secretaries for their branches, and each nominee accepts with a statement or declines. When nominations close, the nominees who accepted and reached the threshold go on a ballot, in an order drawn by lot.</p>
${
  list.length
    ? html`<div class="scroll" tabindex="0"><table><caption>Elections with nominations</caption><thead><tr><th scope="col">Election</th><th scope="col">Stage</th><th scope="col">Seats</th><th scope="col">Rules</th><th scope="col">Nominations</th><th scope="col">Accepted</th><th scope="col">Not answered</th><th scope="col">Declined</th></tr></thead>
<tbody>${list.map(row)}</tbody></table></div>`
    : html`<p>No election yet.</p>`
}
${
  isOrganiser(p) && closed.length
    ? html`<h2>Nominations closed</h2>${closed.map(
        (e) =>
          html`<section><h3>${e.title}</h3><p>${String(e.nominees.filter((n) => n.reaches).length)} nominee(s) accepted and reached the threshold, for ${String(e.seats)} seat${e.seats === 1 ? '' : 's'}.${e.groups.length ? html` Balance rules: ${e.groups.map(groupLine).join('; ')}.` : ''}</p>${scheduleForms(ctx, req, e, drafts)}</section>`,
      )}`
    : ''
}
${isOrganiser(p) ? setForm(ctx, req, typed?.values ?? emptyForm(new Date()), typed?.issues ?? new Map()) : ''}`,
      }),
    );
}

/** Either a draft ballot chosen, or a new one: title and times (read in the handler, each refusal naming its field). */
const scheduleForm = z.object({
  ballotId: z.string().optional(),
  newBallot: z.string().optional(),
  title: z.string().optional(),
  opensAt: z.string().optional(),
  closesAt: z.string().optional(),
});

export function electionPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/elections',
      who: 'roll reader',
      summary: 'Elections with nominations: their stage and counts; organisers set one and put it on a ballot',
      handler: async ({ req, res }) => electionsPage(ctx, req, res),
    }),
    pageRoute({
      method: 'post',
      path: '/elections',
      who: 'organiser',
      summary: 'Set an election with nominations; when they open, every current member is mailed so',
      back: () => '/elections',
      handler: async ({ req, res, principal }) => {
        const values = typedOf(req);
        const { input, issues } = readForm(values);
        if (!input) return electionsPage(ctx, req, res, { values, issues });
        try {
          await nominations.createElection(ctx, principal, input);
        } catch (err) {
          if (err instanceof ServiceError && err.kind === 'invalid' && err.issues.length) {
            const again: FieldIssues = new Map();
            for (const i of err.issues) addIssue(again, i.path.split('.')[0] ?? 'title', i.message);
            return electionsPage(ctx, req, res, { values, issues: again });
          }
          return refused(ctx, req, res, err, '/elections');
        }
        res.redirect(303, '/elections?done=election-set');
      },
    }),
    pageRoute({
      method: 'post',
      path: '/elections/:id/schedule',
      who: 'organiser',
      summary: 'Put a closed election on a draft ballot, or on a new draft ballot of its own',
      params: idParams,
      form: scheduleForm,
      back: () => '/elections',
      handler: async ({ req, res, principal, params, form }) => {
        let target: nominations.ScheduleTarget;
        if (form.newBallot === 'yes') {
          const title = (form.title ?? '').trim();
          const opens = localToIso(form.opensAt ?? '', 'UTC');
          const closes = localToIso(form.closesAt ?? '', 'UTC');
          if (!title || !opens.ok || !closes.ok)
            return refused(
              ctx,
              req,
              res,
              invalid('the new ballot is not complete', [
                ...(title ? [] : [{ path: 'The ballot’s title', message: 'give the new ballot’s title' }]),
                ...(opens.ok ? [] : [{ path: 'Voting opens', message: opens.message }]),
                ...(closes.ok ? [] : [{ path: 'Voting closes', message: closes.message }]),
              ]),
              '/elections',
            );
          target = { ballot: { title, opensAt: opens.iso, closesAt: closes.iso, timeZone: 'UTC' } };
        } else {
          const chosen = z.uuid().safeParse(form.ballotId);
          if (!chosen.success)
            return refused(
              ctx,
              req,
              res,
              invalid('choose a draft ballot', [{ path: 'Draft ballot', message: 'choose a draft ballot' }]),
              '/elections',
            );
          target = { ballotId: chosen.data };
        }
        let ballotId: string | null;
        try {
          ballotId = (await nominations.scheduleElection(ctx, principal, params.id, target)).ballotId;
        } catch (err) {
          return refused(ctx, req, res, err, '/elections');
        }
        res.redirect(303, `/ballots/${ballotId ?? ''}?done=election-scheduled`);
      },
    }),
  ];
}
