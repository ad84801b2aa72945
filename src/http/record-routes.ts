import type { Response } from 'express';
import { z } from 'zod';
import { RECORD_FORMATS } from '@omov/core/record/record';
import { VERIFIABLE_RECORD_FORMAT } from '@omov/core/record/verifiable';
import type { AppContext } from '../services/context';
import * as recordService from '../services/record';
import { type ApiRoute, route } from './api-routes';

/** Writes a chunk, waiting while the client is behind (so the record never piles up here); fails if it went away. */
function written(res: Response, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('the client closed the connection'));
    if (res.write(chunk)) return resolve();
    const settle = (err?: Error) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error('the client closed the connection'));
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** The election record as a download: the very bytes `omov export` writes. */
export function recordRoutes(ctx: AppContext): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/ballots/:id/record',
      tag: 'results',
      auth: true,
      summary:
        'The election record of a closed ballot: every vote, the turnout, the units, the box root, the results and the ' +
        'audit log, as canonical JSON; for a verifiable ballot (once the trustees have decrypted) its Belenios archive, the ' +
        'results and the audit log; check it offline with "omov verify" (see docs/election-record.md)',
      params: z.object({ id: z.uuid() }),
      response: z.object({ format: z.enum([...RECORD_FORMATS, VERIFIABLE_RECORD_FORMAT]) }).loose(),
      responseDescription: 'The election record (a file download)',
      handler: async ({ principal, params, req, res }) => {
        try {
          await recordService.ballotRecord(ctx, principal, params.id, {
            start: (head) => {
              res
                .status(200)
                .type('application/json')
                .set('Content-Disposition', `attachment; filename="${head.fileName}"`);
            },
            write: (chunk) => written(res, chunk),
          });
        } catch (err) {
          if (!res.headersSent) throw err;
          // Part of the file has gone: cut the connection, so that the client sees a failed
          // download rather than a complete-looking file.
          req.log.error({ err }, 'the record export failed while it was sent');
          res.destroy();
          return undefined;
        }
        res.end();
        return undefined;
      },
    }),
  ];
}
