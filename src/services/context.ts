import type { Config } from '../platform/config';
import type { Db } from '../db/database';
import type { Logger } from '../platform/logger';
import type { Keyring } from '../platform/secrets';
import type { BallotCheckers } from './ballot-checkers';
import type { CastWitness, CheckpointMemory } from './chain';

/** What every service needs: the database, the configuration, the keys and a logger. */
export type AppContext = {
  db: Db;
  config: Config;
  keys: Keyring;
  log: Logger;
  /** The last checkpoint of each ballot's box chain this server signed, out of the database's reach. */
  checkpoints: CheckpointMemory;
  /** The votes this server put in the box and has not yet seen chained. */
  witness: CastWitness;
  /** The threads that check cast verifiable ballots and trustees' proofs of shuffle, off the event loop (BALLOT_CHECKERS). */
  ballotCheckers: BallotCheckers;
  /** Called after mail has been queued, so that this instance's sender looks at once. */
  mailQueued: () => void;
};
