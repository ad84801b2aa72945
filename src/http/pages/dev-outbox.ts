import fs from 'node:fs/promises';
import path from 'node:path';
import { readEml } from '../../mail/eml';
import { html, type Html } from '../html';
import { type PageRoute, pageRoute } from '../page-routes';
import type { AppContext } from '../../services/context';
import { staffPage } from './organiser/common';

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;

/** Text with its web addresses as links (each address whole, as decoded, never split). */
function linked(text: string): Html[] {
  const out: Html[] = [];
  let at = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    out.push(html`${text.slice(at, m.index)}`, html`<a href="${m[0]}">${m[0]}</a>`);
    at = m.index + m[0].length;
  }
  out.push(html`${text.slice(at)}`);
  return out;
}

const emlName = (file: unknown) => {
  const name = path.basename(String(file));
  return name.endsWith('.eml') ? name : undefined;
};

/**
 * Development only: the messages the outbox transport wrote, decoded, to click voting links
 * locally. Voting links are secrets even there, so only a signed-in organiser reads them.
 */
export function devOutboxRoutes(ctx: AppContext, dir: string): PageRoute[] {
  const read = async (file: string) =>
    fs
      .readFile(path.join(dir, file), 'utf8')
      .then(readEml)
      .catch(() => undefined);
  return [
    pageRoute({
      method: 'get',
      path: '/dev/outbox',
      who: 'organiser',
      summary: 'Development: the messages in the outbox folder',
      handler: async ({ req, res }) => {
        const files = (await fs.readdir(dir).catch(() => [] as string[]))
          .filter((f) => f.endsWith('.eml'))
          .sort()
          .reverse()
          .slice(0, 200);
        const mails = (await Promise.all(files.map(async (f) => ({ file: f, mail: await read(f) })))).filter(
          (m) => m.mail,
        );
        res.type('html').send(
          staffPage(ctx, req, {
            title: 'Outbox (development)',
            wide: true,
            body: html`<h1>Outbox (development)</h1><p class="hint">Messages written to ${dir}, newest first (the last 200).</p>
${
  mails.length
    ? html`<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Written</th></tr></thead><tbody>
${mails.map(({ file, mail }) => html`<tr><td>${mail!.to}</td><th scope="row"><a href="/dev/outbox/${file}">${mail!.subject || '(no subject)'}</a></th><td>${mail!.date}</td></tr>`)}
</tbody></table></div>`
    : html`<p>No messages yet.</p>`
}`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/dev/outbox/:file',
      who: 'organiser',
      summary: 'Development: one message of the outbox, decoded, its links clickable',
      handler: async ({ req, res }) => {
        const file = emlName(req.params.file);
        const mail = file ? await read(file) : undefined;
        if (!file || !mail) return void res.status(404).type('text/plain').send('no such message');
        res.type('html').send(
          staffPage(ctx, req, {
            title: mail.subject || 'Message',
            body: html`<p><a href="/dev/outbox">All messages</a></p><h1>${mail.subject || '(no subject)'}</h1>
<dl><dt>To</dt><dd>${mail.to}</dd><dt>Written</dt><dd>${mail.date}</dd></dl>
${mail.html ? html`<p><a href="/dev/outbox/${file}/html">The HTML version, as a mail program shows it</a></p>` : ''}
<h2>Text</h2><pre class="mail">${linked(mail.text)}</pre>`,
          }),
        );
      },
    }),
    pageRoute({
      method: 'get',
      path: '/dev/outbox/:file/html',
      who: 'organiser',
      summary: "Development: one message's HTML part, sandboxed",
      handler: async ({ req, res }) => {
        const file = emlName(req.params.file);
        const mail = file ? await read(file) : undefined;
        if (!mail?.html) return void res.status(404).type('text/plain').send('no such message');
        // The message's own markup, in a sandbox: no script, nothing loaded from elsewhere.
        res.setHeader(
          'Content-Security-Policy',
          "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        );
        res.type('html').send(mail.html);
      },
    }),
  ];
}
