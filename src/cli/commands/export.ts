/**
 * `omov export BALLOT_ID [--out FILE]`: writes the election record of a closed or
 * published ballot, read straight from the service's database (same configuration as
 * `omov serve`). The API's GET /api/v1/ballots/{id}/record gives the same bytes.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { connectDatabase } from '../../processes/server';
import { ballotRecordById } from '../../services/record';
import { ServiceError } from '../../services/errors';
import { InputError } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function register(program: Command): void {
  program
    .command('export')
    .description('Write the election record of a closed or published ballot (canonical JSON), for "omov verify"')
    .argument('<ballot-id>', "the ballot's id (a UUID, as in its address)")
    .option('--out <file>', 'write to this file instead of standard output')
    .addHelpText(
      'after',
      '\nUses the configuration of "omov serve" (DATABASE_URL, DATA_DIR). The record is described in docs/election-record.md.',
    )
    .action(async (ballotId: string, flags: { out?: string }) => {
      if (!UUID.test(ballotId)) throw new InputError(`"${ballotId}" is not a ballot id (a UUID such as 0b7c…-…)`);
      let config;
      try {
        config = loadConfig();
      } catch (e) {
        if (e instanceof ConfigError) throw new InputError(e.message);
        throw e;
      }
      let connected;
      try {
        connected = await connectDatabase(config, createLogger('warn'));
      } catch (err) {
        // The embedded database of a running "omov serve" cannot be opened twice.
        if (err instanceof Error && err.message.includes('already running')) {
          throw new InputError(
            `${err.message}; or download the record from the running server: GET /api/v1/ballots/${ballotId}/record`,
          );
        }
        throw err;
      }
      const { db, embedded } = connected;
      try {
        let file;
        try {
          file = await ballotRecordById(db, ballotId.toLowerCase());
        } catch (err) {
          // Not found, still a draft or open: the user asked for something there is no record of.
          if (err instanceof ServiceError) throw new InputError(`cannot export ballot ${ballotId}: ${err.message}`);
          throw err;
        }
        if (flags.out) {
          await fs.writeFile(flags.out, file.bytes, 'utf8');
          process.stderr.write(
            `wrote ${flags.out}: "${file.record.ballot.title}", ${file.record.votes.length} votes, box root ${file.record.boxRoot}\n`,
          );
        } else {
          process.stdout.write(file.bytes);
        }
      } finally {
        await db.destroy();
        await embedded?.stop();
      }
    });
}
