/**
 * `omov-verify RECORD [--root HEX] [--close-hash HEX] [--open-hash HEX] [--format text|json]`: the auditor's
 * verifier, installable alone (no database, no web server). The same checks as `omov verify`.
 */
import { parseArgs } from 'node:util';
import { formatArchiveVerification } from '../crypto/verify-archive';
import {
  exitStatus,
  formatRecordVerification,
  VerifyInputError,
  verifyBeleniosFile,
  verifyRecordFile,
} from './verify-file';

export const USAGE = `Usage: omov-verify RECORD [--root HEX] [--close-hash HEX] [--open-hash HEX] [--format text|json] [--jobs N]

Checks an omov election record offline: the votes, receipts, box root, turnout, voting
units, every count and the audit log. Give the box root and the close hash from the close
email to check that the record is the one the ballot was closed with, and the open hash
from the email sent at the opening to check that the ballot, its electorate and its tokens
are the ones committed to before anyone voted.

Exit status: 0 every check passes, 1 a check fails, 2 the file is unreadable or not an
election record (or the command line is wrong).

Given a verifiable ballot's Belenios archive (<uuid>.bel) instead, checks it as
belenios-tool election verify does: the chain of events, the trustees' keys, every
ballot's signature, proofs and credential, the encrypted tally, each partial decryption
and the result. The ballots are checked over N threads (--jobs; default: every core).
`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        root: { type: 'string' },
        'close-hash': { type: 'string' },
        'open-hash': { type: 'string' },
        format: { type: 'string', default: 'text' },
        jobs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`omov-verify: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || (values.format !== 'text' && values.format !== 'json')) {
    process.stderr.write(
      `omov-verify: give one record file${values.format !== 'text' && values.format !== 'json' ? ', and --format text or json' : ''}\n\n${USAGE}`,
    );
    return 2;
  }
  try {
    const flags = { root: values.root, closeHash: values['close-hash'], openHash: values['open-hash'] };
    const archive = await verifyBeleniosFile(positionals[0]!, { ...flags, jobs: values.jobs });
    if (archive) {
      process.stdout.write(
        values.format === 'json' ? `${JSON.stringify(archive, null, 2)}\n` : formatArchiveVerification(archive),
      );
      return archive.ok ? 0 : 1;
    }
    const v = await verifyRecordFile(positionals[0]!, flags);
    process.stdout.write(values.format === 'json' ? `${JSON.stringify(v, null, 2)}\n` : formatRecordVerification(v));
    if (v.malformed)
      process.stderr.write(
        `omov-verify: ${positionals[0]} is not an election record that can be verified (see the format check)\n`,
      );
    return exitStatus(v);
  } catch (err) {
    if (err instanceof VerifyInputError) {
      process.stderr.write(`omov-verify: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
