import fs from 'node:fs/promises';
import { z } from 'zod';
import { isCredential } from '@omov/core/crypto/credential';
import { escapeHtml } from '../http/html';
import { InputError } from './errors';
import { read } from './files';

/**
 * Delivering the private credentials (`omov credentials send` and `letters`): which member
 * gets which credential, at which address, in which words. Everything is checked before the
 * first message goes or the letters are written, so a mistake is found while nothing is out.
 */

/** The addresses as GET /api/v1/credential-authority/addresses answers them. */
const addressesJson = z.object({
  title: z.string(),
  members: z.array(z.object({ memberId: z.string().min(1), name: z.string(), email: z.string().min(1) })).min(1),
});

export type Delivery = { memberId: string; name: string; email: string; credential: string };

/** `member_id,credential` lines, as `omov credentials generate` wrote them. */
async function readPrivate(file: string): Promise<Map<string, string>> {
  const lines = (await read(file, 'the private credentials')).split(/\r?\n/);
  if (lines[0] !== 'member_id,credential') throw new InputError(`${file}: line 1: member_id,credential is expected`);
  const byMember = new Map<string, string>();
  for (const [i, line] of lines.slice(1).entries()) {
    const [memberId, credential, ...rest] = line.split(',');
    if (!memberId || !credential || rest.length || !isCredential(credential))
      throw new InputError(`${file}: line ${i + 2}: a member id and a credential are expected`);
    if (byMember.has(memberId)) throw new InputError(`${file}: line ${i + 2}: member ${memberId} is there twice`);
    byMember.set(memberId, credential);
  }
  return byMember;
}

/** Each member with their credential and address; a member with one and not the other is refused. */
export async function readDeliveries(
  privateFile: string,
  addressesFile: string,
): Promise<{ title: string; deliveries: Delivery[] }> {
  const credentials = await readPrivate(privateFile);
  let addresses;
  try {
    addresses = addressesJson.parse(JSON.parse(await read(addressesFile, 'the addresses')));
  } catch (err) {
    if (err instanceof InputError) throw err;
    const issue = err instanceof z.ZodError ? err.issues[0]! : undefined;
    throw new InputError(`${addressesFile}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'not JSON'}`);
  }
  const deliveries = addresses.members.map((m) => {
    const credential = credentials.get(m.memberId);
    if (!credential)
      throw new InputError(`${privateFile}: no credential for member ${m.memberId} (${m.email}) of ${addressesFile}`);
    return { ...m, credential };
  });
  const addressed = new Set(addresses.members.map((m) => m.memberId));
  const unaddressed = [...credentials.keys()].filter((id) => !addressed.has(id));
  if (unaddressed.length)
    throw new InputError(
      `${addressesFile}: no address for ${unaddressed.length} member(s) of ${privateFile}, such as ${unaddressed[0]}`,
    );
  return { title: addresses.title, deliveries };
}

export const DEFAULT_TEMPLATE = `Subject: Your voting credential for {{title}}

Dear {{name}},

I am the credential authority of the ballot "{{title}}". Your private voting credential is:

    {{credential}}

You sign your vote with it. Keep it to yourself: nobody else has it, not even the office that
runs the ballot, so nobody can vote in your place. If you vote again, your last vote counts.
{{link}}`;

const PLACEHOLDERS = new Set(['name', 'title', 'credential', 'link']);

export type Template = { subject: string; body: string };

/** A template: "Subject: …", a blank line, the body; {{name}}, {{title}}, {{credential}} and {{link}} are filled in. */
export function parseTemplate(text: string, where: string): Template {
  const m = /^Subject: *(.+)\r?\n\r?\n([\s\S]+)$/.exec(text);
  if (!m) throw new InputError(`${where}: a template is "Subject: …", a blank line, then the body`);
  for (const [, name] of text.matchAll(/\{\{([^}]*)\}\}/g))
    if (!PLACEHOLDERS.has(name!))
      throw new InputError(
        `${where}: {{${name}}} is not a placeholder (use {{name}}, {{title}}, {{credential}}, {{link}})`,
      );
  if (!m[2]!.includes('{{credential}}')) throw new InputError(`${where}: the body must give {{credential}}`);
  return { subject: m[1]!, body: m[2]! };
}

export async function readTemplate(file: string | undefined): Promise<Template> {
  return file === undefined
    ? parseTemplate(DEFAULT_TEMPLATE, 'the default template')
    : parseTemplate(await read(file, 'the template'), file);
}

/** The template filled in for one member; `link` is where they vote (empty when not given). */
export function fill(t: Template, title: string, d: Delivery, link: string | undefined): Template {
  const values: Record<string, string> = {
    name: d.name,
    title,
    credential: d.credential,
    link: link ? `\nVote at ${link}\n` : '',
  };
  const put = (s: string) => s.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k]!);
  return { subject: put(t.subject).replace(/[\r\n]+/g, ' '), body: put(t.body) };
}

/** A dry run's sample shows the message without its secret. */
export const masked = (d: Delivery): Delivery => ({ ...d, credential: 'XXX-XXX-XXX-XXX-XXX' });

/** The message's HTML part: the text's paragraphs, escaped; indented lines (the credential) in a monospace block. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) =>
      /^ {4}/.test(p)
        ? `<pre>${escapeHtml(p.trim())}</pre>`
        : `<p>${escapeHtml(p.trim()).replace(/\n/g, '<br>\n')}</p>`,
    )
    .join('\n');
}

/**
 * The progress file of `send`: a member's id on its own line as their message is handed to
 * the SMTP server, and `unsent ID` if the server then refused it. A run started again after a
 * crash or a refusal skips whoever has theirs: it never sends anyone two.
 */
export async function readProgress(file: string): Promise<Set<string>> {
  let text;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw new InputError(`cannot read the progress file ${file}`);
  }
  const sent = new Set<string>();
  for (const line of text.split('\n').filter(Boolean))
    if (line.startsWith('unsent ')) sent.delete(line.slice('unsent '.length));
    else sent.add(line);
  return sent;
}

/** One printable page per member: print it, fold it, post it (print CSS puts each letter on its own page). */
export function letters(
  title: string,
  template: Template,
  deliveries: ReadonlyArray<Delivery>,
  link: string | undefined,
): string {
  const pages = deliveries.map((d) => {
    const filled = fill(template, title, d, link);
    return `<section class="letter" aria-label="Letter to ${escapeHtml(d.name)}">
<p class="to">${escapeHtml(d.name)}<br>${escapeHtml(d.email)}</p>
<h2>${escapeHtml(filled.subject)}</h2>
${textToHtml(filled.body)}
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Voting credentials: ${escapeHtml(title)}</title>
<style>
body { font: 12pt/1.5 Georgia, serif; color: #000; background: #fff; margin: 0; }
.letter { max-width: 40em; margin: 2em auto; padding: 2em; border-bottom: 1px dashed #555; }
.to { margin-bottom: 3em; }
pre { font: 16pt/1.4 "DejaVu Sans Mono", monospace; letter-spacing: 0.1em; }
@media print {
  .letter { margin: 0; padding: 2cm; border: none; break-after: page; page-break-after: always; }
  .letter:last-child { break-after: auto; page-break-after: auto; }
}
</style>
</head>
<body>
<h1 class="visually-hidden" style="position:absolute;left:-9999px">Voting credentials: ${escapeHtml(title)}</h1>
${pages.join('\n')}
</body>
</html>
`;
}
