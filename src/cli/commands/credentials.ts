/**
 * `omov credentials generate`: the credential authority's side of a verifiable ballot
 * (docs/verifiable.md), offline. From the roll the server publishes for them (member ids,
 * branches and weights), one private credential per member, written to a file only they
 * hold, and the public credentials to upload, with no member named. `omov credentials send`
 * mails each member their private credential through the authority's own SMTP server, and
 * `omov credentials letters` writes them as printable letters instead.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { makeCredentials } from '@omov/core/crypto/credential';
import { groupNamed } from '@omov/core/crypto/group';
import { systemRandom } from '@omov/core/crypto/random';
import { InputError } from '../errors';
import { fill, letters, masked, readDeliveries, readProgress, readTemplate, textToHtml } from '../credential-delivery';
import { read, writeSecret } from '../files';
import { smtpMailer } from '../../mail/transport';

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
  credentials
    .command('send')
    .description(
      "Mail each member their private credential through your own SMTP server (the server's addresses, your credentials file)",
    )
    .requiredOption('--private <file>', 'the private credentials from "omov credentials generate"')
    .requiredOption(
      '--addresses <file>',
      'where to send them: GET /api/v1/credential-authority/addresses, saved as it is',
    )
    .requiredOption('--from <address>', 'the sender, an address of yours')
    .requiredOption('--smtp-host <host>', 'your SMTP server')
    .option('--smtp-port <port>', 'its port (default 465 with --smtp-tls, else 587)')
    .option('--smtp-user <user>', 'the SMTP login; the password is read from OMOV_SMTP_PASSWORD, never a flag')
    .option('--smtp-tls', 'TLS from the first byte (port 465); without it, STARTTLS whenever the server offers it')
    .option(
      '--template <file>',
      'the message: "Subject: …", a blank line, the body with {{name}}, {{title}}, {{credential}}, {{link}}',
    )
    .option('--link <url>', 'where members vote, for {{link}}')
    .requiredOption(
      '--progress <file>',
      'a file listing who has been sent theirs; run again with the same file after a failure and nobody gets two',
    )
    .option('--dry-run', 'check everything and show the first message (its credential masked), send nothing')
    .action(
      async (flags: {
        private: string;
        addresses: string;
        from: string;
        smtpHost: string;
        smtpPort?: string;
        smtpUser?: string;
        smtpTls?: boolean;
        template?: string;
        link?: string;
        progress: string;
        dryRun?: boolean;
      }) => {
        const { title, deliveries } = await readDeliveries(flags.private, flags.addresses);
        const template = await readTemplate(flags.template);
        const done = await readProgress(flags.progress);
        const pending = deliveries.filter((d) => !done.has(d.memberId));
        const port = flags.smtpPort ?? (flags.smtpTls ? '465' : '587');
        if (!/^[1-9][0-9]{0,4}$/.test(port)) throw new InputError(`--smtp-port: ${port} is not a port`);
        if (flags.dryRun) {
          const sample = pending[0] && fill(template, title, masked(pending[0]), flags.link);
          process.stdout.write(
            `Would send ${pending.length} message(s) through ${flags.smtpHost}:${port}` +
              ` (${deliveries.length - pending.length} sent already, by ${flags.progress}).\n` +
              (sample ? `\nTo: ${pending[0]!.email}\nSubject: ${sample.subject}\n\n${sample.body}\n` : ''),
          );
          return;
        }
        const password = process.env.OMOV_SMTP_PASSWORD ?? '';
        if (flags.smtpUser && !password) throw new InputError('--smtp-user needs the password in OMOV_SMTP_PASSWORD');
        const auth = flags.smtpUser ? `${encodeURIComponent(flags.smtpUser)}:${encodeURIComponent(password)}@` : '';
        const mailer = smtpMailer(
          `${flags.smtpTls ? 'smtps' : 'smtp'}://${auth}${flags.smtpHost}:${port}`,
          flags.from,
          {
            connections: 2,
            messagesPerConnection: 100,
            ratePerSecond: 0,
          },
        );
        let sent = 0;
        let failed: { email: string; message: string } | undefined;
        try {
          const queue = [...pending];
          const worker = async () => {
            for (let d = queue.shift(); d && !failed; d = queue.shift()) {
              const filled = fill(template, title, d, flags.link);
              const member = d.memberId;
              try {
                // Written down as the message is handed over, before the server has it all, and taken
                // back if the server refuses it: a crash in between may leave a member without theirs
                // (they ask again), never with two.
                await mailer.send(
                  { to: d.email, subject: filled.subject, text: filled.body, html: textToHtml(filled.body) },
                  () => fs.appendFile(flags.progress, `${member}\n`),
                );
                sent++;
              } catch (err) {
                await fs.appendFile(flags.progress, `unsent ${member}\n`);
                failed ??= { email: d.email, message: (err as Error).message };
              }
            }
          };
          await Promise.all(Array.from({ length: mailer.concurrency }, worker));
        } finally {
          mailer.close();
        }
        process.stderr.write(
          `${sent} sent now, ${deliveries.length - pending.length + sent} of ${deliveries.length} in all (${flags.progress}).\n`,
        );
        if (failed)
          throw new InputError(
            `sending to ${failed.email} failed: ${failed.message}; run the same command again to send the rest`,
          );
      },
    );

  credentials
    .command('letters')
    .description('Write the private credentials as printable letters, one page per member, in one HTML file')
    .requiredOption('--private <file>', 'the private credentials from "omov credentials generate"')
    .requiredOption('--addresses <file>', 'GET /api/v1/credential-authority/addresses, saved as it is')
    .requiredOption('--out <file>', 'a new HTML file (never overwritten; readable by you only): open it and print it')
    .option('--template <file>', 'the letter: "Subject: …" (its heading), a blank line, the body, as for send')
    .option('--link <url>', 'where members vote, for {{link}}')
    .action(async (flags: { private: string; addresses: string; out: string; template?: string; link?: string }) => {
      const { title, deliveries } = await readDeliveries(flags.private, flags.addresses);
      const template = await readTemplate(flags.template);
      await writeSecret(flags.out, letters(title, template, deliveries, flags.link));
      process.stderr.write(`${deliveries.length} letters written to ${flags.out}: print it, one page per member.\n`);
    });
}
