import type { Request, Response } from 'express';
import type { Principal } from '../../../data/organisations';
import type { BallotWording, MailKind } from '../../../data/ballot-mail';
import { isOrganiser, mayAct } from '../../../services/access';
import type { AppContext } from '../../../services/context';
import * as invitations from '../../../services/invitations';
import * as preview from '../../../services/preview';
import { defaultWording } from '../../../mail/templates';
import { allows } from '@omov/core/domain/lifecycle';
import { type Html, html } from '../../html';
import { idParams, type PageRoute, pageRoute } from '../../page-routes';
import { header } from './ballot';
import {
  act,
  addIssue,
  bodyOf,
  checkbox,
  csrfField,
  errorSummary,
  type FieldIssues,
  postButton,
  staffPage,
  textArea,
  textInput,
} from './common';

/**
 * A ballot's emails: the wording of its invitations and reminders (subject, opening) and
 * its contact address, editable until it closes, with each email shown as members get it
 * (the same rendering the sender uses) and a test copy to send to oneself.
 */

const KINDS: ReadonlyArray<readonly [MailKind, string]> = [
  ['invitation', 'The invitation'],
  ['reminder', 'The reminder'],
];

/** The form's field ids; an issue's path in the schema (e.g. invitation.subject) maps to one. */
const fieldId = (kind: MailKind, part: 'subject' | 'opening') => `${kind}${part === 'subject' ? 'Subject' : 'Opening'}`;
const LABELS: Record<string, string> = {
  invitationSubject: 'Invitation subject',
  invitationOpening: 'Invitation opening',
  reminderSubject: 'Reminder subject',
  reminderOpening: 'Reminder opening',
  replyTo: 'Contact address',
  confirmVotes: '"You voted" email',
};

const PLACEHOLDER_HINT = `Plain text. Leave blank for the default. You may use ${invitations.MAIL_PLACEHOLDERS.map((x) => `{{${x}}}`).join(', ')}.`;

function wordingOfForm(req: Request) {
  const f = bodyOf(req);
  const own = (k: MailKind) => ({ subject: f[fieldId(k, 'subject')] ?? '', opening: f[fieldId(k, 'opening')] ?? '' });
  return {
    invitation: own('invitation'),
    reminder: own('reminder'),
    replyTo: f.replyTo ?? '',
    confirmVotes: f.confirmVotes === 'yes',
  };
}

async function emailsPage(
  ctx: AppContext,
  req: Request,
  res: Response,
  p: Principal,
  id: string,
  typed?: { values: ReturnType<typeof wordingOfForm>; issues: FieldIssues },
): Promise<void> {
  const pv = await preview.invitationPreview(ctx, p, id);
  const b = pv.ballot;
  if (!allows(b.status, 'edit-mail')) return void res.redirect(303, `/ballots/${b.id}`);
  const saved: BallotWording = await invitations.getWording(ctx, p, id);
  const values = typed?.values ?? {
    invitation: { subject: saved.invitation.subject ?? '', opening: saved.invitation.opening ?? '' },
    reminder: { subject: saved.reminder.subject ?? '', opening: saved.reminder.opening ?? '' },
    replyTo: saved.replyTo ?? '',
    confirmVotes: saved.confirmVotes,
  };
  const issues = typed?.issues ?? new Map<string, string[]>();
  const mayEdit = mayAct(p, b, 'edit-mail');
  const shown = (kind: MailKind): Html => {
    const m = kind === 'invitation' ? pv.email : pv.reminder;
    return html`<dl class="facts"><dt>Subject</dt><dd>${m.subject}</dd>${pv.replyTo ? html`<dt>Replies go to</dt><dd>${pv.replyTo}</dd>` : ''}</dl>
<pre class="email">${m.text}</pre>`;
  };
  res
    .status(typed ? 422 : 200)
    .type('html')
    .send(
      staffPage(ctx, req, {
        title: `Emails: ${b.title}`,
        body: html`${header(b, 'emails')}
<p>Each member gets an invitation with their own voting link when the ballot opens, and reminders while they have not voted. You can change the subject and the opening of each, and add a contact address for replies, until the ballot closes.</p>
${
  mayEdit
    ? html`${errorSummary(issues, (f) => LABELS[f] ?? f)}
<form method="post" action="/ballots/${b.id}/emails" novalidate>
${csrfField(ctx, req)}
${KINDS.map(([kind, label]) => {
  const d = defaultWording(kind);
  return html`<fieldset><legend>${label}</legend>
${textInput(issues, fieldId(kind, 'subject'), 'Subject', values[kind].subject, { hint: `Default: ${d.subject}` })}
${textArea(issues, fieldId(kind, 'opening'), 'Opening paragraph', values[kind].opening, { rows: 4, hint: `Default: ${d.opening} ${PLACEHOLDER_HINT}` })}
</fieldset>`;
})}
${textInput(issues, 'replyTo', 'Contact address (replies go here; blank: the sending address)', values.replyTo, { type: 'email' })}
${
  b.voterListVisible
    ? checkbox(
        'confirmVotes',
        'Email each member "your vote is in" when they vote',
        values.confirmVotes,
        'It says only that they voted, and when: no receipt, no answers. This ballot shows staff who has voted, so it tells the office nothing new.',
      )
    : html`<p class="hint">A "your vote is in" email can be turned on only for a ballot that shows staff who has voted: this one shows turnout in aggregate only, and the email would tell the office who voted.</p>`
}
<button type="submit">Save the emails</button>
</form>`
    : ''
}
${KINDS.map(
  ([kind, label]) => html`<h2>${label}, as a member gets it</h2>
<p class="hint">With sample values: each member's own name and link go in their copy.</p>
${shown(kind)}
${
  mayEdit && isOrganiser(p)
    ? postButton(ctx, req, `/ballots/${b.id}/emails/test`, `Send a test ${kind} to me`, {
        cls: 'secondary',
        hidden: { kind },
      })
    : ''
}`,
)}`,
      }),
    );
}

export function emailPageRoutes(ctx: AppContext): PageRoute[] {
  return [
    pageRoute({
      method: 'get',
      path: '/ballots/:id/emails',
      who: 'staff',
      summary: 'The wording of the invitations and reminders, as members get them',
      params: idParams,
      handler: ({ req, res, params, principal: p }) => emailsPage(ctx, req, res, p, params.id),
    }),
    pageRoute({
      method: 'post',
      path: '/ballots/:id/emails',
      who: 'organiser',
      summary: 'Save the wording of the invitations and reminders',
      params: idParams,
      back: ({ id }) => `/ballots/${id}/emails`,
      handler: async ({ req, res, params: { id }, principal: p }) => {
        const typed = wordingOfForm(req);
        const parsed = invitations.wordingSchema.safeParse(typed);
        if (!parsed.success) {
          const issues: FieldIssues = new Map();
          for (const i of parsed.error.issues) {
            const [kind, part] = i.path.map(String);
            const field =
              kind === 'replyTo' || kind === 'confirmVotes'
                ? kind
                : fieldId(kind as MailKind, part as 'subject' | 'opening');
            addIssue(issues, field, i.message);
          }
          return emailsPage(ctx, req, res, p, id, { values: typed, issues });
        }
        await act(
          ctx,
          req,
          res,
          `/ballots/${id}/emails`,
          () => invitations.setWording(ctx, p, id, parsed.data),
          `/ballots/${id}/emails?done=mail-saved`,
        );
      },
    }),
    pageRoute({
      method: 'post',
      path: '/ballots/:id/emails/test',
      who: 'organiser',
      summary: 'Send the invitation or the reminder to yourself, marked as a test',
      params: idParams,
      back: ({ id }) => `/ballots/${id}/emails`,
      handler: async ({ req, res, params: { id }, principal: p }) => {
        const kind: MailKind = bodyOf(req).kind === 'reminder' ? 'reminder' : 'invitation';
        await act(
          ctx,
          req,
          res,
          `/ballots/${id}/emails`,
          () => preview.sendTestEmail(ctx, p, id, kind),
          `/ballots/${id}/emails?done=test-${kind === 'invitation' ? 'email' : 'reminder'}`,
        );
      },
    }),
  ];
}
