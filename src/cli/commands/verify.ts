/**
 * `omov verify RECORD [--root HEX] [--close-hash HEX] [--format text|json]`: checks an election record with
 * nothing but the file. Exit 0: every check passes; 1: a check fails; 2: the file cannot
 * be read or is not an election record.
 */
import fs from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { formatVerification, verifyRecord } from '../../record/verify';
import { InputError } from '../errors';

export function register(program: Command): void {
  program.command('verify')
    .description('Check an election record offline: the votes, receipts, box root, turnout, units, every count and the audit log')
    .argument('<record>', 'the election record (from "omov export" or GET /api/v1/ballots/{id}/record)')
    .option('--root <hex>', 'the box root you were sent when the ballot closed; the record must commit to it')
    .option('--close-hash <hex>', 'the hash of the log entry of the close, sent with the root; the log up to it must be that log')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExit status: 0 all checks pass, 1 a check fails, 2 the file is unreadable or not an election record.\nSee docs/election-record.md.')
    .action(async (file: string, flags: { root?: string; closeHash?: string; format: 'text' | 'json' }) => {
      for (const [option, value] of [['--root', flags.root], ['--close-hash', flags.closeHash]] as const) {
        if (value !== undefined && !/^[0-9a-fA-F]{64}$/.test(value.trim())) throw new InputError(`${option} must be 64 hex digits (a SHA-256), not "${value}"`);
      }
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        throw new InputError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new InputError(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      const v = verifyRecord(data, {
        ...(flags.root === undefined ? {} : { root: flags.root }),
        ...(flags.closeHash === undefined ? {} : { closeHash: flags.closeHash }),
      });
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify(v, null, 2)}\n` : formatVerification(v));
      if (v.malformed) throw new InputError(`${file} is not an election record that can be verified (see the format check)`);
      if (!v.ok) process.exitCode = 1;
    });
}
