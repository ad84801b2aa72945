/**
 * `omov credentials generate`: the credential authority's side of a verifiable ballot
 * (docs/verifiable.md), offline. From the roll the server publishes for them (member ids,
 * branches and weights), one private credential per member, written to a file only they
 * hold, and the public credentials to upload, with no member named.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { makeCredentials } from '@omov/core/crypto/credential';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { InputError } from '../errors';
import { read, writeSecret } from '../files';

/** The roll as GET /api/v1/credential-authority/roll answers it. */
const rollJson = z.object({
  electionUuid: z.string().min(1),
  group: z.string(),
  members: z
    .array(
      z.object({
        memberId: z.string().min(1),
        branch: z.string().min(1),
        weight: z.string().regex(/^[1-9][0-9]*$/, 'a whole number from 1'),
      }),
    )
    .min(1),
});

export function register(program: Command): void {
  const credentials = program
    .command('credentials')
    .description("The credential authority's steps for a verifiable ballot, offline");

  credentials
    .command('generate')
    .description(
      'Make a private credential for each member of the roll (to a file only you hold) and the public credentials to upload',
    )
    .requiredOption('--roll <file>', 'the roll the server published for you (GET /api/v1/credential-authority/roll)')
    .requiredOption(
      '--private-out <file>',
      'a new file for the private credentials: member_id,credential (never overwritten)',
    )
    .requiredOption('--public-out <file>', 'a new file for the public credentials, to upload as it is')
    .action(async (flags: { roll: string; privateOut: string; publicOut: string }) => {
      let roll;
      try {
        roll = rollJson.parse(JSON.parse(await read(flags.roll, 'the roll')));
      } catch (err) {
        if (err instanceof InputError) throw err;
        const issue = err instanceof z.ZodError ? err.issues[0]! : undefined;
        throw new InputError(`${flags.roll}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'not JSON'}`);
      }
      let G;
      try {
        G = groupNamed(roll.group);
      } catch (err) {
        throw new InputError((err as Error).message);
      }
      const made = makeCredentials(
        G,
        roll.electionUuid,
        roll.members.map((m) => ({ ...m, weight: BigInt(m.weight) })),
        systemRandom,
      );
      // Both files are new: checked before either is written, so a refusal leaves nothing half-done.
      for (const file of [flags.privateOut, flags.publicOut])
        if (
          await fs.stat(file).then(
            () => true,
            () => false,
          )
        )
          throw new InputError(`${file} exists already: choose another file`);
      await writeSecret(
        flags.privateOut,
        ['member_id,credential', ...made.privateCredentials.map((c) => `${c.memberId},${c.credential}`)].join('\n'),
      );
      const publicText = JSON.stringify({
        credentials: made.publicCredentials.map((c) => ({
          credential: String(c.credential),
          weight: String(c.weight),
          branch: c.branch,
        })),
      });
      try {
        await fs.writeFile(flags.publicOut, `${publicText}\n`, { flag: 'wx' });
      } catch {
        throw new InputError(`cannot write ${flags.publicOut}`);
      }
      process.stderr.write(
        `${made.privateCredentials.length} credentials made: deliver the private ones from ${flags.privateOut}; upload ${flags.publicOut}.\n`,
      );
    });
}
