import fs from 'node:fs';
import path from 'node:path';
import { emailsDir } from '../platform/paths';
import { escapeHtml } from '../http/html';

/**
 * Email templates live in emails/ as NAME.subject.txt, NAME.txt and NAME.html, with
 * {{placeholders}}. In the HTML part every value is escaped; values are never markup.
 * `{{> part}}` includes emails/partials/part.txt or .html (the same kind as the template),
 * so messages that share most of their text keep it in one place. `{{#key}}…{{/key}}`
 * keeps its text only when the value `key` is not empty (a line some copies leave out).
 * `{{{key}}}` (HTML only) takes markup built by code, such as the statements' table.
 *
 * A message may have an opening paragraph, NAME.opening.txt, that an organiser can replace
 * with their own plain text (`Finished`, already filled by `fillText`): it goes into the
 * template as the value {{opening}}, so it is escaped like any other value, and never filled again.
 */
export type Rendered = { subject: string; text: string; html: string };

/** A subject and an opening already filled in (by `fillText`); undefined: the files'. */
export type Finished = { subject?: string | undefined; opening?: string | undefined };

const cache = new Map<string, string | null>();
function loadOptional(file: string): string | null {
  let t = cache.get(file);
  if (t === undefined) {
    const full = path.join(emailsDir, file);
    t = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : null;
    cache.set(file, t);
  }
  return t;
}
function load(file: string): string {
  const t = loadOptional(file);
  if (t === null) throw new Error(`email template ${file} is missing`);
  return t;
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

function fill(template: string, values: Record<string, string>, escape: (s: string) => string): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`email template value "${key}" is missing`);
    return escape(v);
  });
}

function withPartials(template: string, ext: 'txt' | 'html'): string {
  return template.replace(/\{\{>\s*([a-z0-9-]+)\s*\}\}/g, (_, part: string) =>
    load(path.join('partials', `${part}.${ext}`)),
  );
}

function withSections(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{#([a-zA-Z]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_, key: string, body: string) =>
    values[key] ? body : '',
  );
}

/** The placeholders in a piece of organiser's text, as written (for checking them against a list). */
export const placeholdersIn = (text: string): string[] => [...text.matchAll(/\{\{([^}]*)\}\}?/g)].map((m) => m[1]!);

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');

/** Plain text with {{placeholders}} filled in (an organiser's own subject or opening). */
export const fillText = (text: string, values: Record<string, string>): string => fill(text.trim(), values, (s) => s);

export function renderEmail(
  name: string,
  values: Record<string, string>,
  own: Finished = {},
  markup: Record<string, string> = {},
): Rendered {
  const openingFile = loadOptional(`${name}.opening.txt`);
  const opening = own.opening ?? (openingFile === null ? undefined : fillText(openingFile, values));
  const all = opening === undefined ? values : { ...values, opening };
  const body = (ext: 'txt' | 'html') => withSections(withPartials(load(`${name}.${ext}`), ext), all);
  return {
    subject: oneLine(own.subject ?? fill(load(`${name}.subject.txt`).trim(), all, oneLine)),
    text: fill(body('txt'), all, (s) => s),
    html: withMarkup(body('html'), markup, (piece) => fill(piece, all, escapeHtml)),
  };
}

/**
 * `{{{key}}}` in an HTML template takes markup the code built (every value in it escaped
 * there), never a value: the pieces around it are filled, the markup is not, so no text in it
 * is read as a placeholder. An empty string when the code gives none.
 */
function withMarkup(template: string, markup: Record<string, string>, fillPiece: (s: string) => string): string {
  const parts = template.split(/\{\{\{([a-zA-Z]+)\}\}\}/);
  return parts.map((part, i) => (i % 2 === 0 ? fillPiece(part) : (markup[part] ?? ''))).join('');
}

/** The default text a ballot's own wording replaces, for the form that edits it. */
export function defaultWording(name: string): { subject: string; opening: string } {
  return { subject: load(`${name}.subject.txt`).trim(), opening: load(`${name}.opening.txt`).trim() };
}
