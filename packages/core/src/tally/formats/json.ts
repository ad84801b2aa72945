/**
 * The JSON election format, read and written:
 *
 *   {
 *     "title": "Branch committee 2025",
 *     "candidates": ["Ann", "Bob", "Cy"],
 *     "seats": 2,
 *     "withdrawn": ["Cy"],
 *     "ballots": [
 *       {"weight": "1", "ranking": [["Ann"], ["Bob", "Cy"]]},
 *       {"ranking": ["Bob", "Ann"]}
 *     ]
 *   }
 *
 * - "ranking": preference groups, most preferred first; a group of several names is an
 *   equal preference; a bare name stands for a group of one; [] is a blank paper.
 * - or "scores": {"Ann": 3, "Bob": null}: a score per candidate, for score voting; names
 *   left out are unscored (null). One file holds one kind of ballot.
 * - "weight": optional, default 1; an exact number as a string ("1/3", "0.5") or a JSON
 *   number written without an exponent.
 * - "title" (default ""), "seats" (default 1) and "withdrawn" (default []) are optional.
 *
 * The reader is a small JSON parser of its own, so that every error names the line of the
 * value at fault (and so that numbers are read exactly from their digits).
 */
import type { Election, RankedBallot, ScoreBallot } from '../types';
import { type Rational, ONE, parseRational, ratToString } from '../rational';

export class JsonElectionError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'JsonElectionError';
  }
}

export type ParsedElection =
  | { readonly shape: 'ranked'; readonly election: Election<RankedBallot> }
  | { readonly shape: 'score'; readonly election: Election<ScoreBallot> };

type Node =
  | { readonly line: number; readonly kind: 'object'; readonly entries: Map<string, Node> }
  | { readonly line: number; readonly kind: 'array'; readonly items: Node[] }
  | { readonly line: number; readonly kind: 'string'; readonly value: string }
  | { readonly line: number; readonly kind: 'number'; readonly text: string }
  | { readonly line: number; readonly kind: 'boolean'; readonly value: boolean }
  | { readonly line: number; readonly kind: 'null' };

/** RFC 8259 JSON to a tree of nodes that remember their line. */
function parseTree(text: string): Node {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const fail = (reason: string): never => {
    throw new JsonElectionError(line, reason);
  };
  const ws = (): void => {
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') break;
    }
  };
  const what = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const value = (depth: number): Node => {
    if (depth > 64) fail('nested too deeply');
    ws();
    const at = line;
    const c = text[i];
    if (c === '{') {
      i++;
      const entries = new Map<string, Node>();
      ws();
      if (text[i] === '}') {
        i++;
        return { line: at, kind: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a quoted key, found ${what()}`);
        const key = str();
        if (entries.has(key)) fail(`key ${JSON.stringify(key)} given twice`);
        ws();
        if (text[i] !== ':') fail(`expected ":" after key ${JSON.stringify(key)}, found ${what()}`);
        i++;
        entries.set(key, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { line: at, kind: 'object', entries };
        }
        fail(`expected "," or "}" in an object, found ${what()}`);
      }
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { line: at, kind: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { line: at, kind: 'array', items };
        }
        fail(`expected "," or "]" in a list, found ${what()}`);
      }
    }
    if (c === '"') return { line: at, kind: 'string', value: str() };
    for (const [word, node] of [
      ['true', { line: at, kind: 'boolean', value: true }],
      ['false', { line: at, kind: 'boolean', value: false }],
      ['null', { line: at, kind: 'null' }],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return node;
      }
    }
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const num = m.exec(text);
    if (num) {
      i += num[0].length;
      return { line: at, kind: 'number', text: num[0] };
    }
    return fail(`expected a value, found ${what()}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '"') break;
      if (c === '\n') fail('a string runs past the end of the line');
    }
    if (i >= text.length) fail('a string is not closed');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail(`bad string ${text.slice(start, Math.min(i, start + 40))}`);
    }
  };
  const root = value(0);
  ws();
  if (i < text.length) fail(`unexpected ${what()} after the election`);
  return root;
}

const KEYS = new Set(['title', 'candidates', 'seats', 'withdrawn', 'ballots']);

/** Read an election from JSON text. Throws JsonElectionError naming the line. */
export function parseElectionJson(text: string): ParsedElection {
  const root = parseTree(text);
  const bad = (n: Node, reason: string): never => {
    throw new JsonElectionError(n.line, reason);
  };
  if (root.kind !== 'object') return bad(root, 'the file must hold one JSON object (the election)');
  for (const k of root.entries.keys())
    if (!KEYS.has(k))
      bad(
        root.entries.get(k)!,
        `unknown key ${JSON.stringify(k)} (expected title, candidates, seats, withdrawn, ballots)`,
      );
  const get = (k: string): Node | undefined => root.entries.get(k);

  const titleNode = get('title');
  let title = '';
  if (titleNode) title = titleNode.kind === 'string' ? titleNode.value : bad(titleNode, '"title" must be a string');

  const candNode = get('candidates') ?? bad(root, 'missing "candidates"');
  if (candNode.kind !== 'array') return bad(candNode, '"candidates" must be a list of names');
  const candidates: string[] = [];
  const index = new Map<string, number>();
  for (const n of candNode.items) {
    if (n.kind !== 'string' || n.value.trim() === '') return bad(n, 'a candidate must be a non-empty name');
    if (index.has(n.value)) bad(n, `candidate ${JSON.stringify(n.value)} listed twice`);
    index.set(n.value, candidates.length);
    candidates.push(n.value);
  }
  const candidate = (n: Node): number => {
    if (n.kind !== 'string') return bad(n, 'expected a candidate name');
    const c = index.get(n.value);
    return c ?? bad(n, `unknown candidate ${JSON.stringify(n.value)}`);
  };

  const seatsNode = get('seats');
  let seats = 1;
  if (seatsNode) {
    if (seatsNode.kind !== 'number' || !/^[1-9]\d*$/.test(seatsNode.text))
      return bad(seatsNode, '"seats" must be a positive whole number');
    seats = Number(seatsNode.text);
  }

  const withdrawnNode = get('withdrawn');
  const withdrawn: number[] = [];
  if (withdrawnNode) {
    if (withdrawnNode.kind !== 'array') return bad(withdrawnNode, '"withdrawn" must be a list of candidate names');
    for (const n of withdrawnNode.items) {
      const c = candidate(n);
      if (withdrawn.includes(c)) bad(n, `${JSON.stringify(candidates[c])} withdrawn twice`);
      withdrawn.push(c);
    }
  }

  const ballotsNode = get('ballots') ?? bad(root, 'missing "ballots"');
  if (ballotsNode.kind !== 'array') return bad(ballotsNode, '"ballots" must be a list');
  let shape: 'ranked' | 'score' | null = null;
  const ranked: RankedBallot[] = [];
  const scored: ScoreBallot[] = [];
  for (const b of ballotsNode.items) {
    if (b.kind !== 'object') return bad(b, 'a ballot must be an object with "ranking" or "scores"');
    for (const k of b.entries.keys())
      if (k !== 'weight' && k !== 'ranking' && k !== 'scores')
        bad(b.entries.get(k)!, `unknown ballot key ${JSON.stringify(k)}`);
    const weight = readWeight(b.entries.get('weight'), bad);
    const rankingNode = b.entries.get('ranking');
    const scoresNode = b.entries.get('scores');
    if ((rankingNode === undefined) === (scoresNode === undefined))
      bad(b, 'a ballot needs exactly one of "ranking" and "scores"');
    const mine = rankingNode ? 'ranked' : 'score';
    if (shape !== null && shape !== mine) bad(b, `a ${mine} ballot among ${shape} ballots: one file holds one kind`);
    shape = mine;
    if (rankingNode) {
      if (rankingNode.kind !== 'array') return bad(rankingNode, '"ranking" must be a list of preference groups');
      const seen = new Set<number>();
      const ranking: number[][] = [];
      for (const g of rankingNode.items) {
        const names = g.kind === 'array' ? g.items : [g];
        if (names.length === 0) bad(g, 'an empty preference group');
        const group: number[] = [];
        for (const n of names) {
          const c = candidate(n);
          if (seen.has(c)) bad(n, `${JSON.stringify(candidates[c])} ranked twice on one ballot`);
          seen.add(c);
          group.push(c);
        }
        ranking.push(group);
      }
      ranked.push({ weight, ranking });
    } else if (scoresNode) {
      if (scoresNode.kind !== 'object') return bad(scoresNode, '"scores" must be an object of name: score');
      const scores: Array<number | null> = candidates.map(() => null);
      for (const [name, v] of scoresNode.entries) {
        const c = index.get(name) ?? bad(v, `unknown candidate ${JSON.stringify(name)}`);
        if (v.kind === 'null') continue;
        if (v.kind !== 'number' || !/^-?\d+$/.test(v.text))
          return bad(v, `the score for ${JSON.stringify(name)} must be a whole number or null`);
        scores[c] = Number(v.text);
      }
      scored.push({ weight, scores });
    }
  }
  const base = { title, candidates, seats, withdrawn };
  return shape === 'score'
    ? { shape: 'score', election: { ...base, ballots: scored } }
    : { shape: 'ranked', election: { ...base, ballots: ranked } };
}

function readWeight(n: Node | undefined, bad: (n: Node, reason: string) => never): Rational {
  if (n === undefined) return ONE;
  const text =
    n.kind === 'string' || n.kind === 'number'
      ? n.kind === 'string'
        ? n.value
        : n.text
      : bad(n, '"weight" must be a number or a string like "1/3"');
  let w: Rational;
  try {
    w = parseRational(text);
  } catch {
    return bad(n, `"weight" is not an exact number: ${JSON.stringify(text)}`);
  }
  if (w.num < 0n) bad(n, `"weight" cannot be negative: ${text}`);
  return w;
}

/**
 * Write an election as JSON in the format above: stable (the same election gives the same
 * bytes), one ballot per line, weights as exact strings.
 */
export function writeElectionJson(election: Election<RankedBallot> | Election<ScoreBallot>): string {
  const names = election.candidates;
  const q = (s: string): string => JSON.stringify(s);
  const ballots = (election.ballots as ReadonlyArray<RankedBallot | ScoreBallot>).map((b) => {
    const weight = `"weight": ${q(ratToString(b.weight))}`;
    if ('ranking' in b) {
      return `{${weight}, "ranking": [${b.ranking.map((g) => `[${g.map((c) => q(names[c]!)).join(', ')}]`).join(', ')}]}`;
    }
    const entries = b.scores.map((s, c) => `${q(names[c]!)}: ${s === null ? 'null' : String(s)}`);
    return `{${weight}, "scores": {${entries.join(', ')}}}`;
  });
  return [
    '{',
    `  "title": ${q(election.title)},`,
    `  "candidates": [${names.map(q).join(', ')}],`,
    `  "seats": ${election.seats},`,
    `  "withdrawn": [${[...election.withdrawn]
      .sort((a, b) => a - b)
      .map((c) => q(names[c]!))
      .join(', ')}],`,
    ballots.length === 0 ? '  "ballots": []' : `  "ballots": [\n${ballots.map((b) => `    ${b}`).join(',\n')}\n  ]`,
    '}',
    '',
  ].join('\n');
}
