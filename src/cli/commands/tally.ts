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
import { METHODS, ballotShape, tally } from '@omov/core/tally/index';
import type { Election, Method, RankedBallot, ScoreBallot, TallyResult } from '@omov/core/tally/types';
import { CsvBallotError, parseRankedCsv, parseScoreCsv } from '@omov/core/tally/formats/csv';
import { JsonElectionError, parseElectionJson } from '@omov/core/tally/formats/json';
import { BltSyntaxError, parseBlt } from '@omov/core/tally/formats/blt';
import { renderText } from '@omov/core/tally/text';
import { addMethodFlags, tallyOptionsFromFlags } from '../method-flags';

/** The method's own flags (--rules, --max-score …) come from its descriptor: see ../method-flags. */
interface Flags {
  method: Method;
  seats?: string;
  seed?: string;
  format: 'text' | 'json';
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

Methods: ${METHODS.join(' ')}.
  stv needs --rules; score reads score ballots; yesno needs exactly two options (Yes, No).
Lots: ties the rules leave open are drawn from --seed (default "omov"); same seed, same draw.

Examples:
  omov tally ballots.blt --method stv --rules scottish
  omov tally motion.csv --method yesno --threshold 2/3 --quorum 1/4 --electorate 1200
  omov tally ballots.json --method schulze --format json
`;

export function register(program: Command): void {
  const command = program
    .command('tally')
    .description('count a ballot file (.blt, .csv or .json) by a chosen method and print the result')
    .argument('<file>', 'ballot file: .blt, .csv or .json')
    .addOption(new Option('-m, --method <method>', 'counting method').choices([...METHODS]).makeOptionMandatory())
    .option('--seats <n>', 'number of seats (overrides the file)')
    .option('--seed <seed>', 'seed for drawing lots (default "omov")')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'));
  addMethodFlags(command)
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
  const options = tallyOptionsFromFlags(flags.method, flags, flags.seed);
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
