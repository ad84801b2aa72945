/**
 * `omov tally FILE --method M ...`: count a ballot file offline and print the result sheet
 * (text) or the result as JSON. Malformed input (file, flags, ballots) exits with code 2
 * and a message naming the line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { InputError } from '../errors';
import { CsvSyntaxError } from '@omov/core/csv/parse';
import { METHODS, ballotShape, tally, type TallyOptions } from '@omov/core/tally/index';
import type { Election, Method, RankedBallot, ScoreBallot, StvRules, TallyResult } from '@omov/core/tally/types';
import { parseRational } from '@omov/core/tally/rational';
import { CsvBallotError, parseRankedCsv, parseScoreCsv } from '@omov/core/tally/formats/csv';
import { JsonElectionError, parseElectionJson } from '@omov/core/tally/formats/json';
import { BltSyntaxError, parseBlt } from '@omov/core/tally/formats/blt';
import { renderText } from '@omov/core/tally/text';

interface Flags {
  method: Method;
  seats?: string;
  rules?: StvRules;
  seed?: string;
  format: 'text' | 'json';
  maxMarks?: string;
  maxScore?: string;
  threshold?: string;
  quorum?: string;
  electorate?: string;
  borda?: 'standard' | 'dowdall';
}

const HELP = `
Ballot files (the format is chosen by the extension):
  .blt   the ERS/OpenSTV ballot format (ranked ballots, seats, withdrawn, title).
  .json  {"title": "...", "candidates": ["Ann", "Bob"], "seats": 1, "withdrawn": [],
          "ballots": [{"weight": "1", "ranking": [["Ann"], ["Bob"]]}, ...]}
         or, for score voting, ballots like {"scores": {"Ann": 3, "Bob": null}}.
  .csv   one row per ballot paper under a header row of candidate names:
             Ann,Bob,Cy,weight
             1,2,,
             ,1,1,2
         Each cell is that candidate's rank (1 = first; blank = unranked; equal numbers
         = equal preference; approval and block-vote papers mark their choices 1). With
         --method score each cell is a whole-number score instead (blank = unscored). The
         optional "weight" column gives the paper's weight (blank = 1; 2, 0.5, 1/3 ...).
         Seats come from --seats (default 1).

Methods: yesno plurality block approval score borda irv stv schulze ranked-pairs copeland.
  stv needs --rules; score reads score ballots; yesno needs exactly two options (Yes, No).
Lots: ties the rules leave open are drawn from --seed (default "omov"); same seed, same draw.

Examples:
  omov tally ballots.blt --method stv --rules scottish
  omov tally motion.csv --method yesno --threshold 2/3 --quorum 1/4 --electorate 1200
  omov tally ballots.json --method schulze --format json
`;

export function register(program: Command): void {
  program
    .command('tally')
    .description('count a ballot file (.blt, .csv or .json) by a chosen method and print the result')
    .argument('<file>', 'ballot file: .blt, .csv or .json')
    .addOption(new Option('-m, --method <method>', 'counting method').choices([...METHODS]).makeOptionMandatory())
    .option('--seats <n>', 'number of seats (overrides the file)')
    .addOption(new Option('--rules <rules>', 'STV rules').choices(['scottish', 'ers97', 'meek']))
    .option('--seed <seed>', 'seed for drawing lots (default "omov")')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--max-marks <k>', 'approval: most marks a valid paper may carry')
    .option('--max-score <k>', 'score: highest score allowed (default 10)')
    .option('--threshold <fraction>', 'yesno: share of votes cast needed to carry, e.g. 2/3 (default: simple majority)')
    .option('--quorum <fraction>', 'yesno: turnout needed, as a fraction of the electorate (needs --electorate)')
    .option('--electorate <n>', 'yesno: number entitled to vote')
    .addOption(new Option('--borda <variant>', 'Borda variant').choices(['standard', 'dowdall']))
    .addHelpText('after', HELP)
    .action((file: string, flags: Flags) => {
      process.stdout.write(runTally(file, flags));
    });
}

function wholeNumber(flag: string, value: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min)
    throw new InputError(`${flag} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`);
  return Number(value);
}

function fraction(flag: string, value: string): string {
  try {
    parseRational(value);
  } catch {
    throw new InputError(`${flag} must be a number or fraction such as 2/3, not ${JSON.stringify(value)}`);
  }
  return value;
}

function onlyFor(flags: Flags, method: Method, given: Array<[keyof Flags, string]>): void {
  for (const [key, flag] of given) {
    if (flags[key] !== undefined && flags.method !== method)
      throw new InputError(`${flag} applies to --method ${method} only`);
  }
}

type Loaded =
  { shape: 'ranked'; election: Election<RankedBallot> } | { shape: 'score'; election: Election<ScoreBallot> };

function load(file: string, flags: Flags): Loaded {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const ext = path.extname(file).toLowerCase();
  const title = path.basename(file, path.extname(file));
  try {
    switch (ext) {
      case '.blt':
        return { shape: 'ranked', election: parseBlt(text) };
      case '.json':
        return parseElectionJson(text);
      case '.csv':
        return ballotShape(flags.method) === 'score'
          ? { shape: 'score', election: parseScoreCsv(text, { title }) }
          : { shape: 'ranked', election: parseRankedCsv(text, { title }) };
      default:
        throw new InputError(`${file}: unknown ballot file type ${JSON.stringify(ext)} (expected .blt, .csv or .json)`);
    }
  } catch (err) {
    if (
      err instanceof CsvSyntaxError ||
      err instanceof CsvBallotError ||
      err instanceof JsonElectionError ||
      err instanceof BltSyntaxError
    ) {
      throw new InputError(`${file}: ${err.message}`);
    }
    throw err;
  }
}

/** Count `file` as the flags say; returns what to print. Throws InputError for bad input. */
export function runTally(file: string, flags: Flags): string {
  onlyFor(flags, 'stv', [['rules', '--rules']]);
  onlyFor(flags, 'approval', [['maxMarks', '--max-marks']]);
  onlyFor(flags, 'score', [['maxScore', '--max-score']]);
  onlyFor(flags, 'borda', [['borda', '--borda']]);
  onlyFor(flags, 'yesno', [
    ['threshold', '--threshold'],
    ['quorum', '--quorum'],
    ['electorate', '--electorate'],
  ]);
  if (flags.method === 'stv' && flags.rules === undefined)
    throw new InputError('--method stv needs --rules scottish, ers97 or meek');
  if (flags.quorum !== undefined && flags.electorate === undefined)
    throw new InputError('--quorum needs --electorate (the number entitled to vote)');

  const seed = flags.seed;
  const common = seed === undefined ? {} : { seed };
  let options: TallyOptions;
  switch (flags.method) {
    case 'stv':
      options = { method: 'stv', rules: flags.rules!, ...common };
      break;
    case 'approval':
      options = {
        method: 'approval',
        ...common,
        ...(flags.maxMarks === undefined ? {} : { maxMarks: wholeNumber('--max-marks', flags.maxMarks, 1) }),
      };
      break;
    case 'score':
      options = {
        method: 'score',
        ...common,
        ...(flags.maxScore === undefined ? {} : { maxScore: wholeNumber('--max-score', flags.maxScore, 1) }),
      };
      break;
    case 'borda':
      options = { method: 'borda', ...common, ...(flags.borda === undefined ? {} : { variant: flags.borda }) };
      break;
    case 'yesno':
      options = {
        method: 'yesno',
        ...common,
        ...(flags.threshold === undefined ? {} : { threshold: fraction('--threshold', flags.threshold) }),
        ...(flags.quorum === undefined ? {} : { quorum: fraction('--quorum', flags.quorum) }),
        ...(flags.electorate === undefined ? {} : { electorate: fraction('--electorate', flags.electorate) }),
      };
      break;
    default:
      options = { method: flags.method, ...common };
  }
  const seats = flags.seats === undefined ? undefined : wholeNumber('--seats', flags.seats, 1);

  const loaded = load(file, flags);
  const want = ballotShape(flags.method);
  if (loaded.shape !== want && loaded.election.ballots.length > 0) {
    throw new InputError(`${file} holds ${loaded.shape} ballots, but --method ${flags.method} counts ${want} ballots`);
  }
  const election = { ...loaded.election, ...(seats === undefined ? {} : { seats }) } as Election<
    RankedBallot | ScoreBallot
  >;
  let result: TallyResult;
  try {
    result = tally(election, options);
  } catch (err) {
    // The count refuses what it cannot count (seats, options, ballots): an input error.
    if (err instanceof Error) throw new InputError(`${file}: cannot count: ${err.message}`);
    throw err;
  }
  return flags.format === 'json'
    ? `${JSON.stringify({ title: election.title, ...result }, null, 2)}\n`
    : renderText(result, election.title);
}
