/**
 * `omov export BALLOT_ID [--out FILE]`: writes the election record of a closed or
 * published ballot, read straight from the service's database (same configuration as
 * `omov serve`). The API's GET /api/v1/ballots/{id}/record gives the same bytes.
 */
import fs from 'node:fs';
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
        // Written as it is read: a party-sized record is never whole in memory. The file is
        // made once the ballot is known to have a record, and removed if the export fails.
        let file: fs.WriteStream | undefined;
        let head;
        try {
          head = await ballotRecordById(db, ballotId.toLowerCase(), {
            start: () => {
              if (flags.out) file = fs.createWriteStream(flags.out);
            },
            write: (chunk) => {
              const out = file ?? process.stdout;
              return new Promise<void>((resolve, reject) => {
                if (out.write(chunk)) return resolve();
                out.once('drain', resolve);
                out.once('error', reject);
              });
            },
          });
        } catch (err) {
          if (file) {
            file.destroy();
            fs.rmSync(flags.out!, { force: true });
          }
          // Not found, still a draft or open: the user asked for something there is no record of.
          if (err instanceof ServiceError) throw new InputError(`cannot export ballot ${ballotId}: ${err.message}`);
          throw err;
        }
        if (file) await new Promise((resolve, reject) => file!.end(resolve).once('error', reject));
        if (flags.out)
          process.stderr.write(
            `wrote ${flags.out}: "${head.title}", ${head.votes} votes, ${head.archive ? `Belenios archive SHA-256 ${head.archive}` : `box root ${head.boxRoot}`}\n`,
          );
      } finally {
        await db.destroy();
        await embedded?.stop();
      }
    });
}
