import { Command, CommanderError } from 'commander';
import { storableText, TEXT_RULE_MESSAGE } from '@omov/core/domain/text';
import { InputError } from './errors';
import { commandModules } from './commands/index';

/**
 * The program with every command, or, given the arguments, with only the module of the command
 * they name: `omov verify` does not load the web server (about a second of a verify's start).
 */
export function buildProgram(argv: ReadonlyArray<string> = []): Command {
  const program = new Command();
  program
    .name('omov')
    .description('One-member-one-vote balloting: serve, count, compare with a delegate conference, verify.')
    .showHelpAfterError()
    .exitOverride();
  const named = commandModules.find((m) => m.names.includes(argv[0] ?? ''));
  for (const m of named ? [named] : commandModules) m.load().register(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram(argv);
  try {
    // The text rule of every boundary, over the arguments (an id or a name may reach the database).
    const bad = argv.findIndex((a) => !storableText(a));
    if (bad >= 0) throw new InputError(`argument ${bad + 1} ${TEXT_RULE_MESSAGE}`);
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`omov: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`omov: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
