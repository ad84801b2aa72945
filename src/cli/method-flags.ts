import { type Command, Option } from 'commander';
import { type CliFlag, type Method, METHOD_LIST, methodOf } from '@omov/core/methods/index';
import type { TallyOptions } from '@omov/core/tally/index';
import { parseRational } from '@omov/core/tally/rational';
import { InputError } from './errors';

/**
 * The counting methods' own flags (`--rules`, `--max-score`, `--threshold` …), read from
 * their descriptors: `omov tally` and `omov conference` offer them all, and each applies
 * to the methods that declare it.
 */

const camel = (flag: string) => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
const orList = (xs: ReadonlyArray<string>) =>
  xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;

const FLAGS = new Map<string, { spec: CliFlag; methods: Method[] }>();
for (const d of METHOD_LIST)
  for (const spec of d.cli) {
    const seen = FLAGS.get(spec.flag);
    if (seen) seen.methods.push(d.name);
    else FLAGS.set(spec.flag, { spec, methods: [d.name] });
  }

/** Adds every method's flags to a command. */
export function addMethodFlags(command: Command): Command {
  for (const { spec } of FLAGS.values()) {
    const arg = spec.value === 'whole' ? 'k' : spec.value === 'fraction' ? 'fraction' : spec.option;
    const option = new Option(`--${spec.flag} <${arg}>`, spec.description);
    if (typeof spec.value === 'object' && 'choices' in spec.value) option.choices([...spec.value.choices]);
    command.addOption(option);
  }
  return command;
}

function value(spec: CliFlag, given: string): unknown {
  if (typeof spec.value === 'object' && 'lines' in spec.value) {
    const read = spec.value.lines(given.split('|').join('\n'));
    if (!read.ok) throw new InputError(`--${spec.flag}: ${read.message.replace(/^Line (\d+)/, 'rule $1')}`);
    return read.value;
  }
  if (spec.value === 'whole') {
    if (!/^\d+$/.test(given.trim()) || Number(given) < 1)
      throw new InputError(`--${spec.flag} must be a whole number of at least 1, not ${JSON.stringify(given)}`);
    return Number(given);
  }
  if (spec.value === 'fraction') {
    try {
      parseRational(given);
    } catch {
      throw new InputError(`--${spec.flag} must be a number or fraction such as 2/3, not ${JSON.stringify(given)}`);
    }
  }
  return given;
}

/** The engine options `method` is counted with, from the flags given; a flag for another method is an error. */
export function tallyOptionsFromFlags(method: Method, flags: object, seed: string | undefined): TallyOptions {
  const given = flags as Record<string, unknown>;
  for (const [flag, { methods }] of FLAGS)
    if (given[camel(flag)] !== undefined && !methods.includes(method))
      throw new InputError(`--${flag} applies to --method ${orList(methods)} only`);
  const options: Record<string, unknown> = { method, ...(seed === undefined ? {} : { seed }) };
  for (const spec of methodOf(method).cli) {
    const v = given[camel(spec.flag)];
    if (v === undefined) {
      if (spec.required)
        throw new InputError(
          `--method ${method} needs --${spec.flag}${typeof spec.value === 'object' && 'choices' in spec.value ? ` ${orList(spec.value.choices)}` : ''}`,
        );
      continue;
    }
    if (spec.needs && given[camel(spec.needs.flag)] === undefined)
      throw new InputError(`--${spec.flag} needs --${spec.needs.flag} (${spec.needs.why})`);
    options[spec.option] = value(spec, String(v));
  }
  return options as unknown as TallyOptions;
}
