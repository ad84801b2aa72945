import fs from 'node:fs';
import path from 'node:path';
import { emailsDir } from '../platform/paths';
import { escapeHtml } from '../http/html';

/**
 * Email templates live in emails/ as NAME.subject.txt, NAME.txt and NAME.html, with
 * {{placeholders}}. In the HTML part every value is escaped; values are never markup.
 * `{{> part}}` includes emails/partials/part.txt or .html (the same kind as the template),
 * so messages that share most of their text keep it in one place.
 */
export type Rendered = { subject: string; text: string; html: string };

const cache = new Map<string, string>();
function load(file: string): string {
  let t = cache.get(file);
  if (t === undefined) {
    t = fs.readFileSync(path.join(emailsDir, file), 'utf8');
    cache.set(file, t);
  }
  return t;
}

function fill(template: string, values: Record<string, string>, escape: (s: string) => string): string {
  return template.replace(/\{\{\s*([a-zA-Z]+)\s*\}\}/g, (_, key: string) => {
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

export function renderEmail(name: string, values: Record<string, string>): Rendered {
  return {
    subject: fill(load(`${name}.subject.txt`).trim(), values, (s) => s.replace(/[\r\n]+/g, ' ')),
    text: fill(withPartials(load(`${name}.txt`), 'txt'), values, (s) => s),
    html: fill(withPartials(load(`${name}.html`), 'html'), values, escapeHtml),
  };
}
