import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Reading voting links back from the .eml files the folder mailer writes, as a member's
 * mail program would: the To header, and the link in the plain-text part, decoded.
 */

export type Invitation = { file: string; to: string; link: string };

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers = new Map<string, string>();
  // Folded header lines continue with white space.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable': {
      const bytes: number[] = [];
      const soft = body.replace(/=\n/g, '');
      for (let i = 0; i < soft.length; i++) {
        const hex = soft.slice(i + 1, i + 3);
        if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
          bytes.push(parseInt(hex, 16));
          i += 2;
        } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
      }
      return Buffer.from(bytes).toString('utf8');
    }
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** The decoded text/plain part of a message (the first one, looking into multiparts). */
export function plainText(raw: string): string | undefined {
  const { headers, body } = splitHead(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const found = plainText(part.replace(/^\n/, ''));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return /^text\/plain/i.test(type) ? decodeBody(body, headers.get('content-transfer-encoding')) : undefined;
}

/** The bare address of a To header such as `Name <a@b>` or `a@b`. */
function address(to: string): string {
  return (/<([^>]+)>/.exec(to)?.[1] ?? to).trim().toLowerCase();
}

export function readInvitation(raw: string, file = ''): Invitation | undefined {
  const to = splitHead(raw).headers.get('to');
  const text = plainText(raw);
  const link = text && /https?:\/\/\S+\/v\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/.exec(text)?.[0];
  return to && link ? { file, to: address(to), link } : undefined;
}

export async function listMessages(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return names.filter((n) => n.endsWith('.eml')).sort();
}

/** The voting links in the given message files, by recipient address (lower case). */
export async function readInvitations(dir: string, files: string[]): Promise<Map<string, Invitation>> {
  const out = new Map<string, Invitation>();
  for (const file of files) {
    const inv = readInvitation(await fs.readFile(path.join(dir, file), 'utf8'), file);
    // Sorted by time of writing: a later message (a re-issued link) replaces an earlier one.
    if (inv) out.set(inv.to, inv);
  }
  return out;
}
