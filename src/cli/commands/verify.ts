/**
 * `omov verify RECORD [--root HEX] [--close-hash HEX] [--open-hash HEX] [--format text|json] [--jobs N]`: checks an election record with
 * nothing but the file; the same checks as the core package's `omov-verify`. Exit 0: every check passes;
 * 1: a check fails; 2: the file cannot be read or is not an election record. Given a verifiable
 * ballot's Belenios archive instead, checks it as belenios-tool does (core/crypto/verify-archive.ts).
 */
import { type Command, Option } from 'commander';
import {
  exitStatus,
  formatRecordVerification,
  VerifyInputError,
  verifyBeleniosFile,
  verifyRecordFile,
} from '@omov/core/cli/verify-file';
import { formatArchiveVerification } from '@omov/core/crypto/verify-archive';
import { InputError } from '../errors';

export function register(program: Command): void {
  program
    .command('verify')
    .description(
      'Check an election record offline: the votes, receipts, box root, turnout, units, every count and the audit log',
    )
    .argument(
      '<record>',
      'the election record (from "omov export" or GET /api/v1/ballots/{id}/record), or a verifiable ballot\'s Belenios archive (GET /api/v1/ballots/{id}/belenios-archive)',
    )
    .option('--root <hex>', 'the box root you were sent when the ballot closed; the record must commit to it')
    .option(
      '--close-hash <hex>',
      'the hash of the log entry of the close, sent with the root; the log up to it must be that log',
    )
    .option(
      '--open-hash <hex>',
      "the hash of the log entry of the commitment at open, mailed when the ballot opened; the ballot's definition, electorate and tokens must be the ones committed then",
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--jobs <n>',
      "for a Belenios archive: the threads its ballots' checks are spread over (default: every core; 1: the main thread alone)",
    )
    .addHelpText(
      'after',
      '\nExit status: 0 all checks pass, 1 a check fails, 2 the file is unreadable or not an election record.\nSee docs/election-record.md.',
    )
    .action(
      async (
        file: string,
        flags: { root?: string; closeHash?: string; openHash?: string; format: 'text' | 'json'; jobs?: string },
      ) => {
        let v;
        try {
          const archive = await verifyBeleniosFile(file, flags);
          if (archive) {
            process.stdout.write(
              flags.format === 'json' ? `${JSON.stringify(archive, null, 2)}\n` : formatArchiveVerification(archive),
            );
            process.exitCode = archive.ok ? undefined : 1;
            return;
          }
          v = await verifyRecordFile(file, flags);
        } catch (err) {
          if (err instanceof VerifyInputError) throw new InputError(err.message);
          throw err;
        }
        process.stdout.write(flags.format === 'json' ? `${JSON.stringify(v, null, 2)}\n` : formatRecordVerification(v));
        if (v.malformed)
          throw new InputError(`${file} is not an election record that can be verified (see the format check)`);
        process.exitCode = exitStatus(v) || undefined;
      },
    );
}
