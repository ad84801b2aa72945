/**
 * Delivery status notifications (RFC 3464, and RFC 6533's internationalised form): the
 * bounce messages a mail server returns to the sender. Pure: a raw message in, what it
 * reports out. Only as much MIME as these reports use: multipart nesting, headers folded
 * over lines, and base64 or quoted-printable parts.
 */

export type RecipientStatus = {
  recipient: string;
  /** failed, delayed, delivered, relayed or expanded (RFC 3464 2.3.3). */
  action: string;
  /** The enhanced status code, e.g. 5.1.1. */
  status: string;
  diagnostic: string | undefined;
};

export type DeliveryReport = {
  /** The ENVID the message was sent with (RFC 3461), when the server kept it. */
  envelopeId: string | undefined;
  /** Message-IDs of the returned message or its headers. */
  messageIds: string[];
  recipients: RecipientStatus[];
};

type Headers = Map<string, string[]>;
type Part = { headers: Headers; body: string };

/** Header fields (names in lower case), continuation lines unfolded. */
function parseHeaders(block: string): Headers {
  const headers: Headers = new Map();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  return headers;
}

function splitPart(raw: string): Part {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { headers: parseHeaders(raw), body: '' };
  return { headers: parseHeaders(raw.slice(0, m.index)), body: raw.slice(m.index + m[0].length) };
}

const first = (h: Headers, name: string) => h.get(name)?.[0];

function contentType(h: Headers): { type: string; boundary: string | undefined } {
  const value = first(h, 'content-type') ?? 'text/plain';
  const type = value.split(';')[0]!.trim().toLowerCase();
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(value);
  return { type, boundary: boundary ? (boundary[1] ?? boundary[2]) : undefined };
}

function decodeBody(p: Part): string {
  const encoding = (first(p.headers, 'content-transfer-encoding') ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(p.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = p.body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return p.body;
}

function subparts(body: string, boundary: string): string[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pieces = body.split(new RegExp(`^--${escaped}(?:--)?[ \\t]*\\r?$\\n?`, 'm'));
  // Before the first boundary is the preamble; after the closing one (if the message was
  // not cut short), the epilogue.
  const closed = new RegExp(`^--${escaped}--`, 'm').test(body);
  return closed ? pieces.slice(1, -1) : pieces.slice(1);
}

/** "rfc822; someone@example.org" → "someone@example.org". */
const addressOf = (field: string | undefined) => (field ?? '').replace(/^[^;]*;\s*/, '').trim();

function walk(p: Part, report: DeliveryReport, depth: number): boolean {
  if (depth > 8) return false;
  const { type, boundary } = contentType(p.headers);
  if (type.startsWith('multipart/')) {
    if (!boundary) return false;
    let found = false;
    for (const raw of subparts(p.body, boundary)) found = walk(splitPart(raw), report, depth + 1) || found;
    return found;
  }
  if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
    // Blank-line separated groups: the per-message fields, then one group per recipient.
    const groups = decodeBody(p)
      .split(/\r?\n[ \t]*\r?\n/)
      .map((g) => g.trim())
      .filter(Boolean)
      .map(parseHeaders);
    const [perMessage, ...perRecipient] = groups;
    report.envelopeId ??= perMessage ? first(perMessage, 'original-envelope-id') : undefined;
    for (const g of perRecipient) {
      const action = (first(g, 'action') ?? '').toLowerCase();
      const recipient = addressOf(first(g, 'final-recipient') ?? first(g, 'original-recipient'));
      if (!action || !recipient) continue;
      report.recipients.push({
        recipient,
        action,
        status: first(g, 'status') ?? '',
        diagnostic: addressOf(first(g, 'diagnostic-code')) || undefined,
      });
    }
    return true;
  }
  if (
    type === 'message/rfc822' ||
    type === 'text/rfc822-headers' ||
    type === 'message/global' ||
    type === 'message/global-headers'
  ) {
    const returned = splitPart(decodeBody(p));
    for (const id of returned.headers.get('message-id') ?? []) report.messageIds.push(id);
  }
  return false;
}

/** What a delivery status notification reports; undefined if the message is not one. */
export function parseDeliveryReport(raw: string): DeliveryReport | undefined {
  const report: DeliveryReport = { envelopeId: undefined, messageIds: [], recipients: [] };
  return walk(splitPart(raw), report, 0) ? report : undefined;
}
