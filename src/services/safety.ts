import { readPrivacySettings } from '../data/server-settings';
import type { Db } from '../db/database';

/**
 * PostgreSQL settings that would record what the design keeps out of the database: the
 * time of each transaction, or the statements themselves. Outside development the
 * server refuses to start with any of them; in development it warns.
 */
export function privacyProblems(s: Record<string, string>): string[] {
  const problems: string[] = [];
  if (s.track_commit_timestamp === 'on')
    problems.push('track_commit_timestamp is on: it records when each vote was committed');
  if (s.log_statement === 'mod' || s.log_statement === 'all')
    problems.push(`log_statement is ${s.log_statement}: it writes every cast to the server log`);
  if (s.log_min_duration_statement !== undefined && s.log_min_duration_statement !== '-1') {
    problems.push(
      `log_min_duration_statement is ${s.log_min_duration_statement}: it writes statements (with their times) to the server log`,
    );
  }
  if (s.log_duration === 'on')
    problems.push('log_duration is on: it writes the time of every statement to the server log');
  return problems;
}

export async function checkDatabasePrivacy(db: Db): Promise<string[]> {
  return privacyProblems(await readPrivacySettings(db));
}
