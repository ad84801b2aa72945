import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../../../data/organisations';
import { isOrganiser } from '../../../services/access';
import type { AppContext } from '../../../services/context';
import { type Issue, invalid, ServiceError } from '../../../services/errors';
import { TEXT_ENCODINGS, type TextEncodingName } from '@omov/core/csv/decode';
import { DATE_ORDERS, type DateOrder, type Member, memberSchema } from '@omov/core/domain/member';
import * as members from '../../../services/members';
import * as rollService from '../../../services/roll';
import * as rollUploads from '../../../services/roll-uploads';
import { readCookie, SESSION_COOKIE } from '../../cookies';
import { type Html, html } from '../../html';
import { confirmed, idParams, type PageRoute, pageRoute } from '../../page-routes';
import {
  act,
  addIssue,
  bodyOf,
  checkbox,
  checkForm,
  csrfField,
  errorSummary,
  type FieldIssues,
  postButton,
  refused,
  staffPage,
  textInput,
} from './common';
import { type FilePart, multipart } from './multipart';

/**
 * The member roll: import a CSV with a preview of every change (and every bad row, by
 * line) before anything is written; search members; branches with their membership;
 * correct, add or remove one member.
 */

const SHOWN = 300;

declare module 'express-serve-static-core' {
  interface Request {
    /** The import form's file parts, each stored as it arrived (stageFilePart). */
    files?: Record<string, { filename: string; upload: rollUploads.RollUpload }>;
  }
}

/**
 * How the file is read: its encoding and its dates, both chosen by the organiser (dates day
 * first unless they say otherwise), and whether the optional columns it leaves out are cleared.
 */
type FileChoices = { encoding: TextEncodingName; dateOrder: DateOrder; clearOmitted: boolean };

function choicesOf(req: Request): FileChoices {
  const body = bodyOf(req);
  const encoding = TEXT_ENCODINGS.find((e) => e === body.encoding) ?? 'utf-8';
  const dateOrder = DATE_ORDERS.find((o) => o === body.dateOrder) ?? 'dmy';
  return { encoding, dateOrder, clearOmitted: body.clearOmitted === 'yes' };
}

function importForm(ctx: AppContext, req: Request, csv = ''): Html {
  const { encoding, dateOrder, clearOmitted } = choicesOf(req);
  const option = (value: string, label: string, chosen: string) =>
    html`<option value="${value}"${value === chosen ? html` selected` : ''}>${label}</option>`;
  return html`<form method="post" action="/roll/import" enctype="multipart/form-data">${csrfField(ctx, req)}
<input type="hidden" name="step" value="preview">
<div class="field"><label for="file">A CSV file</label><br><span class="hint" id="file-hint">Saved from a spreadsheet as “CSV UTF-8”.</span><br>
<input type="file" id="file" name="file" accept=".csv,text/csv,text/plain" aria-describedby="file-hint"></div>
<div class="field"><label for="encoding">The file's encoding</label><br><select id="encoding" name="encoding">${option('utf-8', 'UTF-8 (“CSV UTF-8”)', encoding)}${option('windows-1252', 'Windows-1252 (Excel’s “CSV” on Windows, older files)', encoding)}</select></div>
<div class="field"><label for="dateOrder">Dates in the joined column</label><br><span class="hint" id="dateOrder-hint">YYYY-MM-DD is always understood.</span><br><select id="dateOrder" name="dateOrder" aria-describedby="dateOrder-hint">${option('dmy', 'Day first: 31/12/2024', dateOrder)}${option('mdy', 'Month first: 12/31/2024', dateOrder)}</select></div>
${checkbox('clearOmitted', 'Clear the optional columns the file leaves out', clearOmitted, 'Without this, a file with no member_number, weight or joined column leaves each member’s number, weight and joining date as they are.')}
<div class="field"><label for="csv">Or paste the CSV here</label><br>
<textarea id="csv" name="csv" rows="8" spellcheck="false">${csv}</textarea></div>
<button type="submit">Preview the changes</button>
<p class="hint">Nothing changes until you have seen the preview and applied it.</p>
</form>`;
}

const FORMAT_HELP = html`<details><summary>The format of the file</summary>
<p>The first row names the columns. <code>email</code>, <code>name</code> and <code>branch</code> are required; <code>member_number</code>, <code>weight</code> (a positive number, 1 if blank) and <code>joined</code> (YYYY-MM-DD, or 31/12/2024 as chosen above) are optional.</p>
<pre>email,name,branch,member_number,weight,joined
ann@example.org,Ann Smith,Leeds,1001,1,2019-04-01</pre>
<p>The file is the <strong>whole roll</strong>: members are matched by member number, else by email; those in the file are added or updated, and current members missing from it are removed. An import is all or nothing: if any row is wrong, nothing is written.</p>
</details>`;

/** "line 3, email" → {line: 3, field: "email"} (the roll service's issue paths). */
function rowIssue(i: Issue): { line: string; field: string; message: string } {
  const m = /^line (\d+)(?:, (.*))?$/.exec(i.path);
  return m ? { line: m[1]!, field: m[2] ?? '', message: i.message } : { line: '', field: i.path, message: i.message };
}

function errorsPage(ctx: AppContext, req: Request, err: ServiceError, csv: string): string {
  const rows = err.issues.map(rowIssue);
  return staffPage(ctx, req, {
    title: 'Roll import: problems',
    body: html`<h1>The file has problems</h1>
<div class="problem" role="alert" tabindex="-1" id="error-summary"><p><strong>${err.message}.</strong> Nothing has been changed.</p></div>
<div class="scroll" tabindex="0"><table><caption>Every problem, by line of the file</caption><thead><tr><th scope="col">Line</th><th scope="col">Column</th><th scope="col">Problem</th></tr></thead><tbody>
${rows.map((r) => html`<tr><th scope="row">${r.line}</th><td>${r.field}</td><td>${r.message}</td></tr>`)}
</tbody></table></div>
<h2>Correct the file</h2>
<p>Fix the rows above in your spreadsheet and choose the file again, or correct the text below.</p>
${importForm(ctx, req, csv)}${FORMAT_HELP}`,
  });
}

/** The first rows of a change list; `total` is the whole count (the report lists only the first of each kind). */
function list<T>(items: T[], total: number, row: (t: T) => Html): Html {
  const shown = Math.min(items.length, SHOWN);
  return html`${items.slice(0, shown).map(row)}${total > shown ? html`<tr><td colspan="4">… and ${total - shown} more</td></tr>` : ''}`;
}

function fingerprint(r: rollService.ImportReport): string {
  return `${r.added}/${r.updated}/${r.removed}/${r.branches.new.length}/${r.clearedColumns.map((c) => `${c.column}:${c.members}`).join(',')}`;
}

const COLUMN_MEANING: Record<string, string> = { member_number: 'numbers', weight: 'weights', joined: 'joining dates' };

/** The loud part of a preview: what cannot be undone by importing the old file again, with its box to tick. */
function destructiveWarning(r: rollService.ImportReport): Html {
  if (!r.destructive.length) return html``;
  return html`<div class="problem" role="alert" id="destructive"><h2>This import deletes a lot</h2>
<ul>${r.destructive.map((d) => html`<li><strong>${d[0]!.toUpperCase()}${d.slice(1)}.</strong></li>`)}</ul>
<p>Check that the file is the whole roll, not a part of it. To apply it anyway, tick the box beside the button.</p></div>`;
}

function previewPage(
  ctx: AppContext,
  req: Request,
  r: rollService.ImportReport,
  upload: rollUploads.RollUpload,
  changedSincePreview = false,
): string {
  const c = r.changes;
  const nothing = r.added + r.updated + r.removed === 0;
  return staffPage(ctx, req, {
    title: 'Roll import: preview',
    wide: true,
    body: html`<h1>Preview of the import</h1>
${changedSincePreview ? html`<p class="problem" role="alert">The roll changed after your earlier preview (someone else imported or edited it). Here is what your file would do now; nothing has been changed.</p>` : ''}
<p class="notice" role="status"><strong>Nothing has been changed yet.</strong> The file has ${r.rows} members. Applying it will:</p>
<ul>
<li><strong>${r.added}</strong> members added</li>
<li><strong>${r.updated}</strong> members updated</li>
<li><strong>${r.removed}</strong> members removed (current members not in the file)</li>
<li>${r.unchanged} members unchanged</li>
<li>${r.branches.new.length ? html`<strong>${r.branches.new.length}</strong> new branches: ${r.branches.new.join(', ')}` : 'no new branches'}</li>
</ul>
${r.keptColumns.length ? html`<p id="kept-columns">The file has no ${r.keptColumns.join(', ')} column${r.keptColumns.length === 1 ? '' : 's'}: members keep their ${r.keptColumns.map((c) => COLUMN_MEANING[c]).join(', ')} as they are. New members get none (weight 1).</p>` : ''}
${r.branches.nearDuplicates.length ? html`<div class="problem" role="alert" id="near-duplicates"><p><strong>Some branch names differ only in capitals, accents or spaces</strong>, and would be separate branches: ${r.branches.nearDuplicates.map((g) => g.map((n) => `“${n}”`).join(' and ')).join('; ')}. Correct the file so that each branch is written one way; a name already on the roll both ways can be joined with <a href="/roll#merge">Merge two branches</a> on the roll page.</p></div>` : ''}
${destructiveWarning(r)}
${
  nothing
    ? html`<p>The file matches the roll: there is nothing to apply.</p>`
    : html`<form method="post" action="/roll/import" enctype="multipart/form-data">${csrfField(ctx, req)}
<input type="hidden" name="step" value="apply"><input type="hidden" name="expect" value="${fingerprint(r)}"><input type="hidden" name="upload" value="${upload.id}"><input type="hidden" name="encoding" value="${choicesOf(req).encoding}"><input type="hidden" name="dateOrder" value="${choicesOf(req).dateOrder}">${choicesOf(req).clearOmitted ? html`<input type="hidden" name="clearOmitted" value="yes">` : ''}
${r.destructive.length ? html`<div class="field"><label class="choice"><input type="checkbox" name="confirmDestructive" value="yes" id="confirmDestructive" required><span><strong>Yes: ${r.destructive.join('; and ')}.</strong></span></label></div>` : ''}
<div class="actions"><button type="submit">Apply these changes</button><a href="/roll/import">Start again with another file</a></div>
</form>`
}
${
  c.added.length
    ? html`<h2>To add (${r.added})</h2><div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Line</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Branch</th></tr></thead><tbody>
${list(c.added, r.added, (a) => html`<tr><th scope="row">${a.line}</th><td>${a.name}</td><td>${a.email}</td><td>${a.branch}</td></tr>`)}</tbody></table></div>`
    : ''
}
${
  c.updated.length
    ? html`<h2>To update (${r.updated})</h2><div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Line</th><th scope="col">Email</th><th scope="col">What changes</th></tr></thead><tbody>
${list(c.updated, r.updated, (u) => html`<tr><th scope="row">${u.line}</th><td>${u.email}</td><td>${u.fields.join(', ')}</td></tr>`)}</tbody></table></div>`
    : ''
}
${
  c.removed.length
    ? html`<h2>To remove (${r.removed})</h2><div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Branch</th></tr></thead><tbody>
${list(c.removed, r.removed, (m) => html`<tr><th scope="row">${m.name}</th><td>${m.email}</td><td>${m.branch}</td></tr>`)}</tbody></table></div>`
    : ''
}`,
  });
}

/** Files up to this size come back in the box of the problems page, to correct there. */
const EDITABLE_BYTES = 256 * 1024;

/**
 * The file part of the import form, stored as it arrives (services/roll-uploads.ts) when an
 * organiser's form sends it after its CSRF field (as the page's form does); otherwise skipped.
 */
function stageFilePart(ctx: AppContext) {
  return async (req: Request, part: FilePart, fieldsBefore: Record<string, string>) => {
    const p = req.principal;
    if (part.name !== 'file' || !p || !isOrganiser(p) || !checkForm(ctx, req, fieldsBefore)) return;
    const staged = await rollUploads.stageUpload(ctx, p, readCookie(req, SESSION_COOKIE), 'file', part.data);
    if (staged) (req.files ??= {})[part.name] = { filename: part.filename, upload: staged };
  };
}

/** The file this step reads: just uploaded, else pasted into the box, else the one an earlier preview kept. */
async function uploadOf(
  ctx: AppContext,
  req: Request,
  p: Principal,
): Promise<rollUploads.RollUpload | 'none' | 'expired'> {
  const body = bodyOf(req);
  const file = req.files?.file?.upload;
  const pasted = String(body.csv ?? '');
  const sid = readCookie(req, SESSION_COOKIE);
  if (file) {
    // Chosen and pasted both: the file is read, the box is not.
    return file;
  }
  if (pasted.trim()) return (await rollUploads.stageUpload(ctx, p, sid, 'pasted', Buffer.from(pasted, 'utf8')))!;
  if (typeof body.upload === 'string' && body.upload)
    return (await rollUploads.findUpload(ctx, p, sid, body.upload)) ?? 'expired';
  return 'none';
}

/** The upload's text for the problems page's box, if it is small enough to correct there. */
async function editableText(ctx: AppContext, req: Request, p: Principal, upload: rollUploads.RollUpload) {
  if (upload.bytes > EDITABLE_BYTES) return '';
  const kept = await rollUploads.findUpload(ctx, p, readCookie(req, SESSION_COOKIE), upload.id);
  if (!kept) return '';
  const parts: Uint8Array[] = [];
  for await (const b of kept.bytesRead()) parts.push(b);
  try {
    const encoding = upload.source === 'pasted' ? 'utf-8' : choicesOf(req).encoding;
    return rollService.decodeRollFile(Buffer.concat(parts), encoding).replace(/^\uFEFF/, '');
  } catch {
    return '';
  }
}

function chooseAgain(ctx: AppContext, req: Request, why: string): string {
  return staffPage(ctx, req, {
    title: 'Import the roll',
    body: html`<h1>Import the member roll</h1><div class="problem" role="alert"><p>${why}</p></div>${importForm(ctx, req)}${FORMAT_HELP}`,
  });
}

async function importStep(ctx: AppContext, req: Request, res: Response, p: Principal): Promise<void> {
  const body = bodyOf(req);
  const { encoding: chosen, dateOrder, clearOmitted } = choicesOf(req);
  const upload = await uploadOf(ctx, req, p);
  if (upload === 'none')
    return void res
      .status(422)
      .type('html')
      .send(chooseAgain(ctx, req, 'Choose a CSV file, or paste the CSV into the box.'));
  if (upload === 'expired')
    return void res
      .status(422)
      .type('html')
      .send(
        chooseAgain(
          ctx,
          req,
          `The file you previewed is no longer kept (a preview is kept for ${rollUploads.UPLOAD_MINUTES} minutes, and until it is applied). Choose it again.`,
        ),
      );
  // Pasted text comes from the form, always UTF-8; a file is read in the encoding chosen.
  const encoding = upload.source === 'pasted' ? 'utf-8' : chosen;
  const read = async (dryRun: boolean) => {
    const kept = await rollUploads.findUpload(ctx, p, readCookie(req, SESSION_COOKIE), upload.id);
    if (!kept) throw invalid('the file is no longer kept: choose it again');
    return rollService.importRoll(ctx, p, kept.bytesRead(), {
      dryRun,
      encoding,
      dateOrder,
      clearOmitted,
      confirmDestructive: !dryRun && body.confirmDestructive === 'yes',
    });
  };
  let preview: rollService.ImportReport;
  try {
    preview = await read(true);
  } catch (err) {
    if (err instanceof ServiceError && err.kind === 'invalid') {
      const text = await editableText(ctx, req, p, upload);
      await rollUploads.discardUpload(ctx, p, readCookie(req, SESSION_COOKIE), upload.id);
      return void res
        .status(422)
        .type('html')
        .send(errorsPage(ctx, req, err, text));
    }
    return refused(ctx, req, res, err, '/roll/import');
  }
  if (body.step !== 'apply') return void res.type('html').send(previewPage(ctx, req, preview, upload));
  // Apply only what the organiser saw: if the roll moved since, show the new preview.
  if (body.expect !== fingerprint(preview))
    return void res
      .status(409)
      .type('html')
      .send(previewPage(ctx, req, preview, upload, true));
  let done: rollService.ImportReport;
  try {
    done = await read(false);
  } catch (err) {
    return refused(ctx, req, res, err, '/roll/import');
  }
  await rollUploads.discardUpload(ctx, p, readCookie(req, SESSION_COOKIE), upload.id);
  res.type('html').send(
    staffPage(ctx, req, {
      title: 'Roll imported',
      body: html`<h1>The roll is imported</h1>
<p class="notice" role="status">${done.added} added, ${done.updated} updated, ${done.removed} removed, ${done.unchanged} unchanged${done.branches.new.length ? `; new branches: ${done.branches.new.join(', ')}` : ''}.</p>
<p>Ballots already open keep the electorate they were opened with; a member who joined since can be added to an open ballot from its invitations page.</p>
<p><a href="/roll">See the roll</a> · <a href="/">Ballots</a></p>`,
    }),
  );
}

const PAGE = 50;

async function rollOverview(ctx: AppContext, req: Request, res: Response, p: Principal): Promise<void> {
  const branches = await rollService.listBranches(ctx, p);
  const total = branches.reduce((n, b) => n + Number(b.members), 0);
  res.type('html').send(
    staffPage(ctx, req, {
      title: 'Member roll',
      body: html`<h1>Member roll</h1>
<p><strong>${total}</strong> current members in <strong>${branches.filter((b) => Number(b.members) > 0).length}</strong> branches.</p>
${isOrganiser(p) ? html`<div class="actions"><a class="button" href="/roll/import">Import the roll (CSV)</a><a href="/roll/members/new">Add one member</a></div>` : ''}
${searchForm('', '', branches)}
<h2>Branches</h2>
${
  branches.length
    ? html`<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">Branch</th><th class="num" scope="col">Members</th></tr></thead><tbody>
${branches.map((b) => html`<tr><th scope="row"><a href="/roll/members?branch=${b.id}">${b.name}</a></th><td class="num">${Number(b.members)}</td></tr>`)}
</tbody></table></div>`
    : html`<p>No branches yet: import the roll.</p>`
}
${isOrganiser(p) && branches.length > 1 ? mergeForm(ctx, req, branches) : ''}`,
    }),
  );
}

/** Two branches that are one ("leeds" and "Leeds"): the first's members join the second. */
function mergeForm(ctx: AppContext, req: Request, branches: Array<{ name: string; members: number | string }>): Html {
  const options = branches.map((b) => html`<option value="${b.name}">${b.name} (${Number(b.members)})</option>`);
  return html`<h2 id="merge">Merge two branches</h2>
<p class="hint">For one branch written two ways. The first branch's members join the second; drafts that name the first name the second. Not while an open ballot uses either.</p>
<form method="post" action="/roll/branches/merge">${csrfField(ctx, req)}
<div class="field"><label for="merge-from">Merge the branch</label><br><select id="merge-from" name="from">${options}</select></div>
<div class="field"><label for="merge-into">into</label><br><select id="merge-into" name="into">${options}</select></div>
<label class="choice"><input type="checkbox" name="confirm" value="yes" id="merge-confirm" required><span>Move the members; this is recorded in the audit log</span></label>
<button type="submit" class="secondary">Merge the branches</button></form>`;
}

function searchForm(search: string, branch: string, branches: Array<{ id: string; name: string }>): Html {
  return html`<form method="get" action="/roll/members" role="search" class="actions">
<div class="field"><label for="search">Find a member</label><br><input type="search" id="search" name="search" value="${search}" placeholder="name, email or number"></div>
<div class="field"><label for="branch">Branch</label><br><select id="branch" name="branch"><option value="">All branches</option>${branches.map((b) => html`<option value="${b.id}"${b.id === branch ? html` selected` : ''}>${b.name}</option>`)}</select></div>
<button type="submit" class="secondary">Search</button></form>`;
}

async function memberSearch(ctx: AppContext, req: Request, res: Response, p: Principal): Promise<void> {
  const search = typeof req.query.search === 'string' ? req.query.search.slice(0, 200) : '';
  const branchQ = typeof req.query.branch === 'string' ? req.query.branch : '';
  const branches = await rollService.listBranches(ctx, p);
  const branch = branches.find((b) => b.id === branchQ)?.id ?? '';
  const pageNo = Math.max(1, Number(req.query.page) || 1);
  const found = await rollService.searchMembers(ctx, p, {
    search: search || undefined,
    branchId: branch || undefined,
    limit: PAGE + 1,
    offset: (pageNo - 1) * PAGE,
  });
  const more = found.length > PAGE;
  const link = (n: number) => `/roll/members?${new URLSearchParams({ search, branch, page: String(n) }).toString()}`;
  res.type('html').send(
    staffPage(ctx, req, {
      title: 'Members',
      wide: true,
      body: html`<p><a href="/roll">Member roll</a></p><h1>Members</h1>
${searchForm(search, branch, branches)}
${
  found.length
    ? html`<div class="scroll" tabindex="0"><table><caption>${search || branch ? 'Members found' : 'All members'}, page ${pageNo}</caption><thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Number</th><th scope="col">Branch</th><th class="num" scope="col">Weight</th><th scope="col">Joined</th></tr></thead><tbody>
${found.slice(0, PAGE).map((m) => html`<tr><th scope="row">${isOrganiser(p) ? html`<a href="/roll/members/${m.id}">${m.name}</a>` : m.name}</th><td>${m.email}</td><td>${m.memberNumber ?? ''}</td><td>${m.branch}</td><td class="num">${m.weight}</td><td>${m.joinedOn ?? ''}</td></tr>`)}
</tbody></table></div>`
    : html`<p>No member matches.</p>`
}
<nav aria-label="Pages" class="actions">${pageNo > 1 ? html`<a href="${link(pageNo - 1)}">Previous page</a>` : ''}${more ? html`<a href="${link(pageNo + 1)}">Next page</a>` : ''}</nav>`,
    }),
  );
}

const MEMBER_LABELS: Record<string, string> = {
  email: 'Email',
  name: 'Name',
  branch: 'Branch',
  memberNumber: 'Member number',
  weight: 'Weight',
  joinedOn: 'Joined',
};

function memberForm(
  ctx: AppContext,
  req: Request,
  action: string,
  v: Record<string, string>,
  issues: FieldIssues,
  branches: string[],
): Html {
  return html`${errorSummary(issues, (f) => MEMBER_LABELS[f] ?? f)}
<form method="post" action="${action}">${csrfField(ctx, req)}
${textInput(issues, 'name', 'Name', v.name ?? '', { required: true })}
${textInput(issues, 'email', 'Email', v.email ?? '', { type: 'email', required: true })}
${textInput(issues, 'branch', 'Branch', v.branch ?? '', { required: true, hint: 'A new name makes a new branch.', extra: html` list="branches"` })}
<datalist id="branches">${branches.map((b) => html`<option value="${b}">`)}</datalist>
${textInput(issues, 'memberNumber', 'Member number (optional)', v.memberNumber ?? '')}
${textInput(issues, 'weight', 'Weight of their vote', v.weight ?? '1', { hint: 'A positive number; 1 for one member, one vote.', extra: html` inputmode="decimal"` })}
${textInput(issues, 'joinedOn', 'Joined (optional)', v.joinedOn ?? '', { type: 'date' })}
<button type="submit">Save</button></form>`;
}

function parseMember(body: Record<string, string>): { input?: Member; issues: FieldIssues } {
  const parsed = memberSchema.safeParse({
    email: body.email ?? '',
    name: body.name ?? '',
    branch: body.branch ?? '',
    memberNumber: body.memberNumber ?? null,
    weight: body.weight ?? '1',
    joinedOn: body.joinedOn ?? null,
  });
  const issues: FieldIssues = new Map();
  if (!parsed.success) for (const i of parsed.error.issues) addIssue(issues, String(i.path[0] ?? 'name'), i.message);
  return parsed.success ? { input: parsed.data, issues } : { issues };
}

export function rollPageRoutes(ctx: AppContext): PageRoute[] {
  const branchNames = async (p: Principal) => (await rollService.listBranches(ctx, p)).map((b) => b.name);
  return [
    pageRoute({
      method: 'get',
      path: '/roll',
      who: 'roll reader',
      summary: 'The member roll: its branches and their members',
      handler: ({ req, res, principal: p }) => rollOverview(ctx, req, res, p),
    }),
    pageRoute({
      method: 'post',
      path: '/roll/branches/merge',
      who: 'organiser',
      summary: 'Merge one branch into another',
      form: confirmed('tick the box to confirm, then press the button again').extend({
        from: z.string().min(1),
        into: z.string().min(1),
      }),
      back: () => '/roll',
      handler: async ({ req, res, principal: p, form }) => {
        await act(
          ctx,
          req,
          res,
          '/roll',
          () => rollService.mergeBranches(ctx, p, { from: form.from, into: form.into }),
          '/roll?done=merged',
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/roll/members',
      who: 'roll reader',
      summary: 'Find members',
      handler: ({ req, res, principal: p }) => memberSearch(ctx, req, res, p),
    }),
    pageRoute({
      method: 'get',
      path: '/roll/import',
      who: 'organiser',
      summary: 'Import the roll from a CSV file',
      back: () => '/roll',
      handler: ({ req, res }) => {
        res.type('html').send(
          staffPage(ctx, req, {
            title: 'Import the roll',
            body: html`<p><a href="/roll">Member roll</a></p><h1>Import the member roll</h1>${importForm(ctx, req)}${FORMAT_HELP}`,
          }),
        );
      },
    }),
    // Files up to the API's own limit; a urlencoded post (a script, or no file input) works too.
    pageRoute({
      method: 'post',
      path: '/roll/import',
      who: 'organiser',
      summary: 'Preview an import, then apply it',
      parsers: [
        multipart(ctx.config.rollMaxBytes, stageFilePart(ctx)),
        express.urlencoded({ extended: false, limit: ctx.config.rollMaxBytes }),
      ],
      csvField: 'csv',
      back: () => '/roll/import',
      handler: ({ req, res, principal: p }) => importStep(ctx, req, res, p),
    }),
    pageRoute({
      method: 'get',
      path: '/roll/members/new',
      who: 'organiser',
      summary: 'Add one member',
      back: () => '/roll',
      handler: async ({ req, res, principal: p }) => {
        res.type('html').send(
          staffPage(ctx, req, {
            title: 'Add a member',
            body: html`<p><a href="/roll">Member roll</a></p><h1>Add a member</h1><p class="hint">Ballots already open do not include them until you add them from the ballot's invitations page.</p>${memberForm(ctx, req, '/roll/members/new', {}, new Map(), await branchNames(p))}`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'post',
      path: '/roll/members/new',
      who: 'organiser',
      summary: 'Add one member',
      back: () => '/roll',
      handler: async ({ req, res, principal: p }) => {
        const body = bodyOf(req);
        const { input, issues } = parseMember(body);
        if (input) {
          try {
            await members.addMember(ctx, p, input);
            return void res.redirect(
              303,
              `/roll/members?${new URLSearchParams({ search: input.email, done: 'member-added' }).toString()}`,
            );
          } catch (err) {
            if (!(err instanceof ServiceError) || err.kind !== 'conflict') return refused(ctx, req, res, err, '/roll');
            addIssue(issues, 'email', err.message);
          }
        }
        res
          .status(422)
          .type('html')
          .send(
            staffPage(ctx, req, {
              title: 'Add a member',
              body: html`<h1>Add a member</h1>${memberForm(ctx, req, '/roll/members/new', body, issues, await branchNames(p))}`,
            }),
          );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/roll/members/:id',
      who: 'roll reader',
      summary: 'One member (organisers correct or remove them here)',
      params: idParams,
      handler: async ({ req, res, params, principal: p }) => {
        const m = await members.getMember(ctx, p, params.id);
        const v = {
          name: m.name,
          email: m.email,
          branch: m.branch,
          memberNumber: m.memberNumber ?? '',
          weight: m.weight,
          joinedOn: m.joinedOn ?? '',
        };
        res.type('html').send(
          staffPage(ctx, req, {
            title: m.name,
            body: html`<p><a href="/roll/members">Members</a></p><h1>${m.name}</h1>
${
  isOrganiser(p)
    ? html`<p class="hint">Changes apply to ballots opened from now on; ballots already open keep the branch and weight they were opened with.</p>
${memberForm(ctx, req, `/roll/members/${m.id}`, v, new Map(), await branchNames(p))}
<h2>Remove from the roll</h2>${postButton(ctx, req, `/roll/members/${m.id}/remove`, 'Remove this member', { cls: 'danger', confirm: `Yes, remove ${m.name} from the roll` })}`
    : html`<dl class="facts"><dt>Email</dt><dd>${m.email}</dd><dt>Branch</dt><dd>${m.branch}</dd><dt>Number</dt><dd>${m.memberNumber ?? ''}</dd><dt>Weight</dt><dd>${m.weight}</dd><dt>Joined</dt><dd>${m.joinedOn ?? ''}</dd></dl>`
}`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'post',
      path: '/roll/members/:id',
      who: 'organiser',
      summary: "Correct a member's details",
      params: idParams,
      back: ({ id }) => `/roll/members/${id}`,
      handler: async ({ req, res, params: { id }, principal: p }) => {
        const body = bodyOf(req);
        const { input, issues } = parseMember(body);
        if (input) {
          try {
            await members.updateMember(ctx, p, id, input);
            return void res.redirect(303, `/roll/members/${id}?done=member-saved`);
          } catch (err) {
            if (!(err instanceof ServiceError) || err.kind !== 'conflict')
              return refused(ctx, req, res, err, `/roll/members/${id}`);
            addIssue(issues, 'email', err.message);
          }
        }
        res
          .status(422)
          .type('html')
          .send(
            staffPage(ctx, req, {
              title: 'Edit a member',
              body: html`<h1>Edit a member</h1>${memberForm(ctx, req, `/roll/members/${id}`, body, issues, await branchNames(p))}`,
            }),
          );
      },
    }),
    pageRoute({
      method: 'post',
      path: '/roll/members/:id/remove',
      who: 'organiser',
      summary: 'Remove a member from the roll',
      params: idParams,
      form: confirmed('tick the box to confirm the removal'),
      back: ({ id }) => `/roll/members/${id}`,
      handler: async ({ req, res, params: { id }, principal: p }) => {
        await act(
          ctx,
          req,
          res,
          `/roll/members/${id}`,
          () => members.removeMember(ctx, p, id),
          '/roll?done=member-removed',
        );
      },
    }),
  ];
}
