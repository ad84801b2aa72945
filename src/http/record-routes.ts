import { z } from 'zod';
import { RECORD_FORMATS } from '@omov/core/record/record';
import type { AppContext } from '../services/context';
import * as recordService from '../services/record';
import { type ApiRoute, route } from './api-routes';

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
        'audit log, as canonical JSON; check it offline with "omov verify" (see docs/election-record.md)',
      params: z.object({ id: z.uuid() }),
      response: z.object({ format: z.enum(RECORD_FORMATS) }).loose(),
      responseDescription: 'The election record (a file download)',
      handler: async ({ principal, params, res }) => {
        const file = await recordService.ballotRecord(ctx, principal, params.id);
        res
          .status(200)
          .type('application/json')
          .set('Content-Disposition', `attachment; filename="${file.fileName}"`)
          .send(Buffer.from(file.bytes, 'utf8'));
        return undefined;
      },
    }),
  ];
}
