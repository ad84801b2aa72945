import crypto from 'node:crypto';

/**
 * Bearer secrets (voting tokens, session ids, API tokens, setup links): 256 random bits,
 * base64url. Only their SHA-256 is stored: a hash of a 256-bit random value cannot be
 * brute-forced, so a slow password hash would add nothing.
 */
export function newSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** `n` secrets such as newSecret makes, from one draw of the random source: an open makes one per member. */
export function newSecrets(n: number): string[] {
  const raw = crypto.randomBytes(32 * n);
  return Array.from({ length: n }, (_, i) => raw.toString('base64url', 32 * i, 32 * (i + 1)));
}

export function hashSecret(secret: string): Buffer {
  return crypto.createHash('sha256').update(secret, 'utf8').digest();
}

/** A bearer secret's syntax, checked before any lookup so junk never reaches the database. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function timingSafeEqualText(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/**
 * Keys derived from the server secret, one per purpose, so that no two uses share a key.
 */
export class Keyring {
  private readonly master: Buffer;
  /**
   * Derived keys by purpose: the purposes are few and fixed, and HKDF on every request is
   * waste. Kept as KeyObjects: node:crypto takes those several times faster than Buffers.
   */
  private readonly derived = new Map<string, crypto.KeyObject>();
  constructor(secret: string) {
    this.master = crypto.createHash('sha256').update(`omov:${secret}`).digest();
  }
  key(purpose: string): crypto.KeyObject {
    let k = this.derived.get(purpose);
    if (!k) {
      k = crypto.createSecretKey(Buffer.from(crypto.hkdfSync('sha256', this.master, Buffer.alloc(0), purpose, 32)));
      // Per-ballot purposes come and go; keep the map from growing without bound.
      if (this.derived.size > 1000) this.derived.clear();
      this.derived.set(purpose, k);
    }
    return k;
  }
  mac(purpose: string, data: string): string {
    return crypto.createHmac('sha256', this.key(purpose)).update(data).digest('base64url');
  }
  /** AES-256-GCM, for secrets that must wait in the database (a link in the mail queue). */
  seal(purpose: string, plaintext: string): string {
    return sealWith(this.key(purpose), crypto.randomBytes(12), plaintext);
  }
  /** seal for each of `plaintexts`, their nonces drawn from the random source at once. */
  sealMany(purpose: string, plaintexts: readonly string[]): string[] {
    const key = this.key(purpose);
    const ivs = crypto.randomBytes(12 * plaintexts.length);
    return plaintexts.map((p, i) => sealWith(key, ivs.subarray(12 * i, 12 * (i + 1)), p));
  }
  open(purpose: string, sealed: string): string {
    return openWith(this.key(purpose), sealed);
  }
}

/** Opens what seal sealed, with the purpose's key itself (a worker thread is handed that one key, never the secret). */
export function openWith(key: crypto.KeyObject, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

function sealWith(key: crypto.KeyObject, iv: Buffer, plaintext: string): string {
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** A receipt code a voter can read out: 15 base32 characters (75 bits) in groups of five. */
export function newReceiptCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(15);
  let out = '';
  for (let i = 0; i < 15; i++) {
    if (i && i % 5 === 0) out += '-';
    out += alphabet[bytes[i]! & 31];
  }
  return out;
}
