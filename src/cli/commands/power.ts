/**
 * `omov power --quota Q W1 W2 …`: Banzhaf and Shapley–Shubik power in the weighted voting
 * game [Q; W1, …, Wn], exact where feasible, else Monte Carlo with standard errors.
 */
import { type Command, Option } from 'commander';
import { InputError } from '../errors';
import { votingPower } from '@omov/core/delegates/index';
import { engine, json, table, wholeFlag } from './apportion';

interface Flags {
  quota: string;
  format: 'json' | 'text';
  mode: 'auto' | 'exact' | 'monte-carlo';
  samples?: string;
  seed?: string;
  names?: string;
}

export function register(program: Command): void {
  program
    .command('power')
    .description('Banzhaf and Shapley–Shubik power of the players of a weighted voting game')
    .argument('<weights...>', 'whole-number weights, one per player')
    .requiredOption('--quota <q>', 'weight a coalition needs to win')
    .addOption(
      new Option('--mode <mode>', 'exact, Monte Carlo, or exact when feasible')
        .choices(['auto', 'exact', 'monte-carlo'])
        .default('auto'),
    )
    .option('--samples <n>', 'Monte Carlo samples (default 20000)')
    .option('--seed <seed>', 'seed for Monte Carlo (default "omov")')
    .option('--names <list>', 'comma-separated player names for the text output')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('text'))
    .addHelpText('after', '\nExample: omov power --quota 12 4 4 4 2 2 1   (the EEC Council of Ministers, 1958)\n')
    .action((weights: string[], flags: Flags) => {
      process.stdout.write(runPower(weights, flags));
    });
}

export function runPower(args: ReadonlyArray<string>, flags: Flags): string {
  const weights = args.map((w, i) => wholeFlag(`weight ${i + 1}`, w)!);
  const quota = wholeFlag('--quota', flags.quota, 1)!;
  const samples = wholeFlag('--samples', flags.samples, 1);
  const names =
    flags.names === undefined ? weights.map((_, i) => `#${i + 1}`) : flags.names.split(',').map((n) => n.trim());
  if (names.length !== weights.length)
    throw new InputError(`--names gives ${names.length} names for ${weights.length} weights`);
  const p = engine(() => votingPower(weights, quota, { mode: flags.mode, samples, seed: flags.seed }));
  if (flags.format === 'json') {
    return json({
      quota: p.quota,
      weights: p.weights,
      banzhaf: p.banzhaf.normalised.map((v) => v.value),
      shapleyShubik: p.shapleyShubik.values.map((v) => v.value),
      banzhafAbsolute: p.banzhaf.absolute.map((v) => v.value),
      method: { banzhaf: p.banzhaf.method, shapleyShubik: p.shapleyShubik.method },
      exact: {
        banzhaf: p.banzhaf.normalised.map((v) => v.exact),
        shapleyShubik: p.shapleyShubik.values.map((v) => v.exact),
        banzhafAbsolute: p.banzhaf.absolute.map((v) => v.exact),
        swings: p.banzhaf.swings,
      },
      standardError: {
        banzhaf: p.banzhaf.normalised.map((v) => v.standardError),
        shapleyShubik: p.shapleyShubik.values.map((v) => v.standardError),
      },
      samples: { banzhaf: p.banzhaf.samples, shapleyShubik: p.shapleyShubik.samples },
      seed: p.seed,
      notes: p.notes,
    });
  }
  const fmt = (v: { value: number; standardError: number | null }): string =>
    v.value.toFixed(6) + (v.standardError === null ? '' : ` ±${v.standardError.toFixed(6)}`);
  let out = `Weighted voting game [${quota}; ${weights.join(', ')}] (total weight ${p.totalWeight})\n`;
  out += `Banzhaf: ${p.banzhaf.method}; Shapley–Shubik: ${p.shapleyShubik.method}\n\n`;
  out += table([
    ['Player', 'Weight', 'Weight share', 'Banzhaf', 'Banzhaf (absolute)', 'Shapley–Shubik'],
    ...weights.map((w, i) => [
      names[i]!,
      String(w),
      (w / p.totalWeight).toFixed(6),
      fmt(p.banzhaf.normalised[i]!),
      fmt(p.banzhaf.absolute[i]!),
      fmt(p.shapleyShubik.values[i]!),
    ]),
  ]);
  for (const n of p.notes) out += `Note: ${n}\n`;
  return out;
}
