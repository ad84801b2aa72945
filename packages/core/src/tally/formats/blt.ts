/**
 * The BLT ballot format of Hill, Wichmann & Woodall (Algorithm 123, 1987), as used by Droop
 * and OpenSTV:
 *
 *   4 2                 candidates, seats
 *   -2                  optional: withdrawn candidates, as negative numbers
 *   3 1 3 4 0           a ballot: weight, then candidates (numbered from 1) in order, then 0
 *   2.5 2 4=3 1 0       weights may be decimals; "=" joins equal preferences
 *   0                   end of ballots
 *   "Adam"              one quoted name per candidate
 *   ...
 *   "Title"             the election title
 *
 * Anything after the title is not read: Wichmann's source and comment strings, or notes
 * (several corpus files end with notes in plain text). In names and the title, runs of
 * spaces count as one and outer spaces are dropped, as Hill's and Droop's programs read them.
 *
 * Also read: `#` comments to the end of a line, a UTF-8 byte-order mark, newlines anywhere
 * between items (as in Hill's original), and the options `[withdrawn ...]`, `[tie ...]` (a
 * tie-breaking order fixed before the count) and `[nick ...]` (short names to use on
 * ballot lines), written before the first ballot. Not read, with an error saying so:
 * OpenSTV ballot ids in parentheses, skipped preferences ("-"), `/* comments *\/`, and any
 * other option, e.g. Droop's `[droop ...]` counting options (rules and precision belong to
 * the count, not to the ballots).
 */
import type { Election, RankedBallot } from '../types';
import { type Rational, parseRational, rat } from '../rational';

export class BltSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'BltSyntaxError';
  }
}

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly line: number }
  | { readonly kind: 'quoted'; readonly text: string; readonly line: number }
  | { readonly kind: 'option'; readonly text: string; readonly line: number };

/** Reads tokens one at a time, so that nothing after the title is ever looked at. */
class Tokens {
  private i: number;
  private line = 1;
  private ahead: Token | undefined | null = null; // null: nothing read ahead
  lastLine = 1;

  constructor(private readonly text: string) {
    this.i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  peek(): Token | undefined {
    if (this.ahead === null) this.ahead = this.read();
    return this.ahead;
  }

  next(): Token | undefined {
    const t = this.peek();
    this.ahead = null;
    return t;
  }

  /**
   * The next token if it is a plain whole number (no sign, no leading zero, at most 9
   * digits, followed by a separator), consumed; else -1 and nothing consumed. The fast
   * path for ballot lines: a big file has millions of these.
   */
  digits(): number {
    if (this.ahead !== null) {
      const t = this.ahead;
      if (t?.kind !== 'word' || !/^(0|[1-9]\d{0,8})$/.test(t.text)) return -1;
      this.ahead = null;
      return Number(t.text);
    }
    this.skip();
    const { text } = this;
    const n = text.length;
    const from = this.i;
    let i = from;
    let v = 0;
    for (; i < n; i++) {
      const ch = text.charCodeAt(i);
      if (ch < 48 || ch > 57) break;
      v = v * 10 + (ch - 48);
    }
    const len = i - from;
    if (len === 0 || len > 9 || (len > 1 && text.charCodeAt(from) === 48)) return -1;
    if (i < n) {
      const ch = text.charCodeAt(i); // a separator: space, tab, CR, LF, FF, VT, #, " or [
      if (!(ch === 32 || (ch >= 9 && ch <= 13) || ch === 35 || ch === 34 || ch === 91)) return -1;
    }
    this.lastLine = this.line;
    this.i = i;
    return v;
  }

  /** Skip spaces, line ends (counting them) and # comments. */
  private skip(): void {
    const { text } = this;
    const n = text.length;
    while (this.i < n) {
      const ch = text.charCodeAt(this.i);
      if (ch === 10) {
        this.line++;
        this.i++;
        continue;
      }
      if (ch === 32 || ch === 9 || ch === 13 || ch === 12 || ch === 11) {
        this.i++;
        continue;
      }
      if (ch === 35) {
        const nl = text.indexOf('\n', this.i);
        this.i = nl < 0 ? n : nl;
        continue;
      }
      return;
    }
  }

  private read(): Token | undefined {
    this.skip();
    const { text } = this;
    const n = text.length;
    if (this.i >= n) return undefined;
    const ch = text[this.i]!;
    const line = (this.lastLine = this.line);
    if (ch === '"' || ch === '[') {
      const closer = ch === '"' ? '"' : ']';
      const close = text.indexOf(closer, this.i + 1);
      const nl = text.indexOf('\n', this.i + 1);
      if (close < 0 || (nl >= 0 && nl < close)) {
        throw new BltSyntaxError(
          line,
          ch === '"'
            ? 'a quoted string is not closed on its line'
            : 'an option in [brackets] is not closed on its line',
        );
      }
      const body = text.slice(this.i + 1, close);
      this.i = close + 1;
      return ch === '"' ? { kind: 'quoted', text: body, line } : { kind: 'option', text: body.trim(), line };
    }
    let j = this.i;
    while (j < n && !/[\s#"[]/.test(text[j]!)) j++;
    const word = text.slice(this.i, j);
    this.i = j;
    return { kind: 'word', text: word, line };
  }
}

/** Names and title as Hill's and Droop's programs read them: runs of spaces as one, trimmed. */
const tidy = (text: string): string => text.trim().replace(/\s+/g, ' ');

const describe = (t: Token | undefined): string =>
  t === undefined
    ? 'the end of the file'
    : t.kind === 'quoted'
      ? `"${t.text}"`
      : t.kind === 'option'
        ? `[${t.text}]`
        : `"${t.text}"`;

/** Read a BLT file. Throws BltSyntaxError naming the line and what is wrong. */
export function parseBlt(text: string): Election<RankedBallot> {
  const tokens = new Tokens(text);
  const lastLine = (): number => tokens.lastLine;
  const peek = (): Token | undefined => tokens.peek();
  const lineOf = (t: Token | undefined): number => t?.line ?? lastLine();

  const wholeNumber = (what: string): { value: number; line: number } => {
    const t = tokens.next();
    if (t?.kind !== 'word' || !/^\d+$/.test(t.text))
      throw new BltSyntaxError(lineOf(t), `expected ${what}, found ${describe(t)}`);
    return { value: Number(t.text), line: t.line };
  };

  const nc = wholeNumber('the number of candidates');
  const seats = wholeNumber('the number of seats');
  if (nc.value < 1) throw new BltSyntaxError(nc.line, 'there must be at least one candidate');
  if (seats.value < 1) throw new BltSyntaxError(seats.line, 'there must be at least one seat');
  const ncand = nc.value;

  const nicks = new Map<string, number>();
  const withdrawn: number[] = [];
  let tieOrder: number[] | undefined;

  /** A candidate reference on a ballot or in an option: its number, or its [nick]. */
  const candidate = (word: string, line: number): number => {
    const nick = nicks.get(word);
    if (nick !== undefined) return nick;
    if (!/^\d+$/.test(word)) {
      throw new BltSyntaxError(
        line,
        nicks.size
          ? `"${word}" is neither a candidate number nor a nickname`
          : `expected a candidate number, found "${word}"`,
      );
    }
    const c = Number(word);
    if (c < 1 || c > ncand)
      throw new BltSyntaxError(line, `candidate ${word} does not exist (there are ${ncand} candidates)`);
    return c - 1;
  };

  const withdraw = (c: number, line: number): void => {
    if (withdrawn.includes(c)) throw new BltSyntaxError(line, `candidate ${c + 1} is withdrawn twice`);
    withdrawn.push(c);
  };

  // Before the ballots: withdrawn candidates (negative numbers) and options.
  for (;;) {
    const t = peek();
    if (t?.kind === 'word' && /^-\d+$/.test(t.text)) {
      tokens.next();
      withdraw(candidate(t.text.slice(1), t.line), t.line);
      continue;
    }
    if (t?.kind === 'option') {
      tokens.next();
      const [name = '', ...args] = t.text.split(/\s+/);
      if (name === 'nick') {
        if (args.length !== ncand)
          throw new BltSyntaxError(
            t.line,
            `[nick] must give one nickname for each of the ${ncand} candidates (found ${args.length})`,
          );
        args.forEach((a, i) => {
          if (nicks.has(a)) throw new BltSyntaxError(t.line, `nickname "${a}" is used twice`);
          nicks.set(a, i);
        });
      } else if (name === 'tie') {
        const order = args.map((a) => candidate(a, t.line));
        if (order.length !== ncand || new Set(order).size !== ncand) {
          throw new BltSyntaxError(t.line, `[tie] must list each of the ${ncand} candidates exactly once`);
        }
        tieOrder = order;
      } else if (name === 'withdrawn') {
        for (const a of args) withdraw(candidate(a, t.line), t.line);
      } else {
        throw new BltSyntaxError(t.line, `option [${name}] is not supported (supported: [nick], [tie], [withdrawn])`);
      }
      continue;
    }
    break;
  }

  // Ballots, up to the 0 that ends them. Whole-number weights and one-candidate
  // preferences are shared between ballots (they are read-only), which keeps a million
  // ballots small in memory.
  const ballots: RankedBallot[] = [];
  const single: ReadonlyArray<number>[] = Array.from({ length: ncand }, (_, c) => Object.freeze([c]));
  const wholeWeights = new Map<number, Rational>();
  const seen = new Int32Array(ncand); // the ballot that last ranked each candidate
  const scratch: ReadonlyArray<number>[] = [];
  for (let b = 1; ; b++) {
    let weight: Rational;
    const w = tokens.digits();
    if (w === 0) break;
    if (w > 0) {
      weight = wholeWeights.get(w) ?? rat(w);
      if (!wholeWeights.has(w)) wholeWeights.set(w, weight);
    } else {
      const t = tokens.next();
      if (t === undefined)
        throw new BltSyntaxError(lastLine(), 'the file ends inside the ballots: expected a 0 line to end them');
      if (t.kind !== 'word') {
        if (t.kind === 'option')
          throw new BltSyntaxError(t.line, `option [${t.text}] must come before the first ballot`);
        throw new BltSyntaxError(
          t.line,
          `expected a ballot weight or the 0 that ends the ballots, found ${describe(t)}`,
        );
      }
      if (t.text.startsWith('(')) throw new BltSyntaxError(t.line, 'ballot ids in parentheses are not supported');
      if (/^-\d+$/.test(t.text))
        throw new BltSyntaxError(t.line, 'withdrawn candidates (negative numbers) must come before the first ballot');
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t.text))
        throw new BltSyntaxError(t.line, `expected a ballot weight, found "${t.text}"`);
      weight = parseRational(t.text);
      if (weight.num === 0n)
        throw new BltSyntaxError(t.line, `a ballot weight of ${t.text} is not allowed (a lone 0 ends the ballots)`);
    }
    const ranking = scratch;
    ranking.length = 0;
    for (;;) {
      const c = tokens.digits();
      if (c === 0) break;
      if (c > 0 && c <= ncand && nicks.size === 0) {
        if (seen[c - 1] === b) throw new BltSyntaxError(lastLine(), `candidate ${c} appears twice on one ballot`);
        seen[c - 1] = b;
        ranking.push(single[c - 1]!);
        continue;
      }
      const u = c > 0 ? { kind: 'word' as const, text: String(c), line: lastLine() } : tokens.next();
      if (u === undefined) throw new BltSyntaxError(lastLine(), 'the file ends inside a ballot: expected 0 to end it');
      if (u.kind !== 'word')
        throw new BltSyntaxError(u.line, `expected a candidate or the 0 that ends the ballot, found ${describe(u)}`);
      if (u.text === '0') break;
      if (u.text === '-') throw new BltSyntaxError(u.line, 'skipped preferences ("-") are not supported');
      if (u.text.startsWith('(')) throw new BltSyntaxError(u.line, 'parentheses on ballot lines are not supported');
      const group = u.text.split('=').map((part) => {
        if (part === '') throw new BltSyntaxError(u.line, `"${u.text}": "=" must join two candidates`);
        const x = candidate(part, u.line);
        if (seen[x] === b) throw new BltSyntaxError(u.line, `candidate ${part} appears twice on one ballot`);
        seen[x] = b;
        return x;
      });
      ranking.push(group.length === 1 ? single[group[0]!]! : group);
    }
    ballots.push({ weight, ranking: ranking.slice() }); // an exact-size copy: pushes over-allocate
  }

  // Names, then the title; Wichmann's optional source and comment strings may follow.
  const candidates: string[] = [];
  for (let c = 1; c <= ncand; c++) {
    const t = tokens.next();
    if (t?.kind !== 'quoted') {
      throw new BltSyntaxError(
        lineOf(t),
        t === undefined
          ? `the file ends before the name of candidate ${c} (there are ${ncand} candidates)`
          : `expected the name of candidate ${c} in double quotes, found ${describe(t)}`,
      );
    }
    candidates.push(tidy(t.text));
  }
  const title = tokens.next();
  if (title?.kind !== 'quoted') {
    throw new BltSyntaxError(
      lineOf(title),
      title === undefined
        ? 'the file ends before the election title'
        : `expected the election title in double quotes, found ${describe(title)}`,
    );
  }

  return {
    title: tidy(title.text),
    candidates,
    withdrawn,
    seats: seats.value,
    ballots,
    ...(tieOrder ? { tieOrder } : {}),
  };
}

/** A weight as an exact decimal, or an error if it has none (e.g. 1/3). */
function decimal(w: Rational): string {
  if (w.num <= 0n) throw new Error(`BLT cannot hold a ballot weight of ${w.num}/${w.den}: weights must be positive`);
  let den = w.den;
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) {
    den /= 2n;
    twos++;
  }
  while (den % 5n === 0n) {
    den /= 5n;
    fives++;
  }
  if (den !== 1n) throw new Error(`BLT cannot hold the weight ${w.num}/${w.den}: it has no exact decimal form`);
  const places = Math.max(twos, fives);
  const scaled = (w.num * 10n ** BigInt(places)) / w.den;
  if (places === 0) return scaled.toString();
  const digits = scaled.toString().padStart(places + 1, '0');
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

const quoted = (text: string, what: string): string => {
  if (/["\n\r]/.test(text))
    throw new Error(`BLT cannot hold ${what} ${JSON.stringify(text)}: it contains a double quote or a line break`);
  return `"${text}"`;
};

/** Write an election as BLT. Throws an Error for what BLT cannot hold. */
export function writeBlt(election: Election<RankedBallot>): string {
  const n = election.candidates.length;
  const check = (c: number): string => {
    if (!Number.isInteger(c) || c < 0 || c >= n)
      throw new Error(`candidate ${c} does not exist (there are ${n} candidates)`);
    return String(c + 1);
  };
  const lines: string[] = [`${n} ${election.seats}`];
  if (election.withdrawn.length) lines.push(election.withdrawn.map((c) => `-${check(c)}`).join(' '));
  if (election.tieOrder) lines.push(`[tie ${election.tieOrder.map(check).join(' ')}]`);
  for (const b of election.ballots) {
    const prefs = b.ranking.map((group) => {
      if (group.length === 0) throw new Error('BLT cannot hold an empty preference');
      return group.map(check).join('=');
    });
    lines.push([decimal(b.weight), ...prefs, '0'].join(' '));
  }
  lines.push('0');
  for (const name of election.candidates) lines.push(quoted(name, 'the name'));
  lines.push(quoted(election.title, 'the title'));
  return `${lines.join('\n')}\n`;
}
