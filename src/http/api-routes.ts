import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { storable } from '@omov/core/domain/text';
import type { Principal } from '../data/organisations';
import { sameOrigin } from './auth';
import { problemSchema, sendProblem, zodIssues } from './problem';

/**
 * One declaration per API route: its input schemas drive both the validation of each
 * request and the OpenAPI document, so the two cannot drift apart.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type TextBody = 'csv' | 'email';
/**
 * `stream`: the handler gets the body's bytes as they arrive (an AsyncIterable of chunks,
 * never the whole body at once), to decode in the encoding the caller names; more than
 * the limit is refused with 413 as soon as it is seen.
 */
const TEXT_BODIES: Record<TextBody, { types: string[]; limit: string | number; refusal: string; stream?: true }> = {
  csv: {
    types: ['text/csv', 'text/plain', 'application/csv'],
    limit: 64 * 1024 * 1024,
    refusal: 'send the file as text/csv',
    stream: true,
  },
  email: {
    types: ['message/rfc822', 'message/global', 'text/plain'],
    limit: '2mb',
    refusal: 'send the whole message as message/rfc822',
  },
};

export type RouteInput<P, Q, B, A extends boolean, H = unknown> = {
  params: P;
  query: Q;
  body: B;
  headers: H;
  principal: A extends true ? Principal : Principal | undefined;
  req: Request;
  res: Response;
};

export type ApiRoute<P = unknown, Q = unknown, B = unknown, A extends boolean = boolean, H = unknown> = {
  method: Method;
  /** Express-style path below /api/v1, e.g. "/ballots/:id". */
  path: string;
  summary: string;
  tag: string;
  /** true: staff (an organiser or an auditor) must be signed in (session cookie or API token); who may do what is the services' to say. */
  auth: A;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Request headers the route reads, named in lower case (e.g. idempotency-key). */
  headers?: z.ZodType<H>;
  body?: z.ZodType<B>;
  /** The request body is text of this kind rather than JSON: a CSV file, or a whole email. */
  textBody?: TextBody;
  /** A JSON body's limit in bytes when 1 MB is not enough (a whole roll's public credentials); bounded all the same. */
  jsonLimit?: number;
  /** What a 413 says on this route (with jsonLimit): the limit, and what to do when it is reached. */
  tooLarge?: string;
  /**
   * Checks the caller before the body is read, for a route that takes a large body without a
   * session (a trustee's token): a stranger's upload is refused unread rather than parsed.
   */
  admit?: (req: Request) => Promise<void>;
  /** The success status; 204 (no body) when there is no `response`, else 200. */
  status?: number;
  /** The success body. A handler that answers with a body must declare it here (the OpenAPI conformance test holds it to this). */
  response?: z.ZodType;
  /** The success body's media type, for a handler that writes the body itself (default application/json). */
  responseType?: string;
  responseDescription?: string;
  handler: (input: RouteInput<P, Q, B, A, H>) => Promise<unknown>;
};

/** A client's key for a request it may repeat (the Idempotency-Key header; the pages' hidden "key" field). */
export const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'an Idempotency-Key is 8 to 128 letters, digits and _ . : -, such as a UUID');

export function route<P, Q, B, A extends boolean, H = unknown>(r: ApiRoute<P, Q, B, A, H>): ApiRoute {
  return r as unknown as ApiRoute;
}

export function mountApi(
  router: Router,
  routes: ApiRoute[],
  publicUrl: string,
  limits: Partial<Record<TextBody, number>> = {},
): void {
  for (const r of routes) {
    const text = r.textBody ? TEXT_BODIES[r.textBody] : undefined;
    const limit = r.textBody ? (limits[r.textBody] ?? text?.limit) : undefined;
    const parsers = text
      ? [text.stream ? streamedBody(text.types, Number(limit)) : express.text({ type: text.types, limit })]
      : r.body
        ? [saying413(express.json({ limit: r.jsonLimit ?? '1mb' }), r.tooLarge)]
        : [];
    // Who is calling is known before the body is read: a stranger's large upload is refused unread.
    const signedIn = (req: Request, res: Response, next: NextFunction) => {
      if (r.auth && !req.principal)
        return sendProblem(res, 401, 'sign in, or send an API token as "Authorization: Bearer …"');
      next();
    };
    // Express 5 passes a rejected admission to the error handler.
    const admitted = r.admit
      ? [async (req: Request, _res: Response, next: NextFunction) => next(await r.admit!(req))]
      : [];
    router[r.method](r.path, signedIn, ...admitted, ...parsers, async (req: Request, res: Response) => {
      if (r.method !== 'get' && req.authVia === 'session' && !sameOrigin(req, publicUrl)) {
        return sendProblem(res, 403, 'cross-site request refused');
      }
      const parts: Array<['params' | 'query' | 'headers' | 'body', z.ZodType | undefined, unknown]> = [
        ['params', r.params, req.params],
        ['query', r.query, req.query],
        ['headers', r.headers, req.headers],
        ['body', r.body, req.body],
      ];
      const input: Record<string, unknown> = {};
      for (const [name, schema, value] of parts) {
        if (!schema) continue;
        if (name === 'body' && text && !(text.stream ? isStream(value) : typeof value === 'string'))
          return sendProblem(res, 415, text.refusal);
        // No body at all is fine where the schema allows it (optional settings).
        const noBody =
          name === 'body' &&
          value === undefined &&
          (req.headers['content-length'] ?? '0') === '0' &&
          !req.headers['transfer-encoding'];
        if (name === 'body' && !text && !noBody && (value === undefined || !req.is('application/json'))) {
          return sendProblem(res, 415, 'send a JSON body with Content-Type: application/json');
        }
        // The text rule first (a CSV's cells are checked row by row, naming line and column;
        // headers are not text the service keeps, and their schemas are narrow).
        const checked =
          (name === 'body' && r.textBody === 'csv') || name === 'headers' ? schema : storable.pipe(schema);
        const parsed = checked.safeParse(noBody ? undefined : (value ?? {}));
        if (noBody && !parsed.success)
          return sendProblem(res, 415, 'send a JSON body with Content-Type: application/json');
        if (!parsed.success) {
          return sendProblem(
            res,
            name === 'params' ? 404 : 422,
            `invalid ${name === 'params' ? 'path' : name}`,
            zodIssues(parsed.error, name === 'body' ? '' : name),
          );
        }
        input[name] = parsed.data;
      }
      const result = await r.handler({ ...input, principal: req.principal, req, res } as RouteInput<
        unknown,
        unknown,
        unknown,
        boolean
      >);
      if (res.headersSent) return;
      if (result === undefined) res.status(r.status ?? 204).end();
      else res.status(r.status ?? 200).json(result);
    });
  }
}

const isStream = (v: unknown): v is AsyncIterable<Uint8Array> =>
  typeof v === 'object' && v !== null && Symbol.asyncIterator in v;

/** A body parser whose 413 says `detail` (the route's limit) rather than only that the body is too large. */
const saying413 =
  (parser: RequestHandler, detail: string | undefined): RequestHandler =>
  (req, res, next) =>
    parser(req, res, (err?: unknown) =>
      next(
        detail !== undefined && (err as { type?: string } | undefined)?.type === 'entity.too.large'
          ? Object.assign(err as Error, { detail })
          : err,
      ),
    );

export const tooLarge = () =>
  Object.assign(new Error('the body is too large'), { type: 'entity.too.large', status: 413 });

/** How much more of a body too large is read (and dropped) before the 413 is sent. */
const TOO_LARGE_TAIL = 8 * 1024 * 1024;

/**
 * Reads and drops the rest of a body too large, up to TOO_LARGE_TAIL bytes, then throws
 * 413. A server that answers while the client is still sending closes a socket with unread
 * bytes, which resets the connection, and the client sees the reset instead of the 413.
 */
export async function refuseTooLarge(rest: AsyncIterator<Buffer>): Promise<never> {
  for (let dropped = 0; dropped <= TOO_LARGE_TAIL;) {
    const r = await rest.next();
    if (r.done) break;
    dropped += r.value.length;
  }
  throw tooLarge();
}

/**
 * Leaves the body unread: req.body becomes its chunks as they arrive, at most `limit`
 * bytes of them. A body of another type (or compressed) is left alone, for the route to
 * refuse with 415 after its other checks.
 */
function streamedBody(types: string[], limit: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const encoding = req.headers['content-encoding'];
    if (!req.is(types) || (encoding && encoding !== 'identity')) return next();
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      return void refuseTooLarge((req as AsyncIterable<Buffer>)[Symbol.asyncIterator]()).catch(next);
    }
    req.body = (async function* () {
      const chunks = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      let bytes = 0;
      for (let r = await chunks.next(); !r.done; r = await chunks.next()) {
        bytes += r.value.length;
        if (bytes > limit) await refuseTooLarge(chunks);
        yield r.value;
      }
    })();
    next();
  };
}

/**
 * The document's shared schemas (components.schemas). A zod schema used more than once within
 * one route's schema (the delegate settings of every question type, for one) is written once
 * and referred to, instead of being copied out in full at each use: the copies made the
 * document megabytes long. Identical schemas of different routes share one entry.
 */
class SharedSchemas {
  readonly byName: Record<string, unknown> = {};
  private readonly nameOf = new Map<string, string>();

  /** The schema as JSON Schema, its repeated parts moved to the shared schemas. */
  schema(schema: z.ZodType, io: 'input' | 'output', usedBy: string): Record<string, unknown> {
    const s = z.toJSONSchema(schema, {
      io,
      reused: 'ref',
      unrepresentable: 'any',
      // A Date goes out as JSON does it: an ISO 8601 string.
      override: ({ zodSchema, jsonSchema: js }) => {
        if (zodSchema._zod.def.type === 'date') Object.assign(js, { type: 'string', format: 'date-time' });
      },
    }) as Record<string, unknown>;
    delete s.$schema;
    const defs = (s.$defs ?? {}) as Record<string, unknown>;
    delete s.$defs;
    // A definition may refer to one made before it in the same call, so rename in order of dependence.
    const renamed = new Map<string, string>();
    const rename = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(rename);
      if (!x || typeof x !== 'object') return x;
      return Object.fromEntries(
        Object.entries(x).map(([k, v]) => [
          k,
          k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
            ? `#/components/schemas/${this.nameFor(v.slice('#/$defs/'.length), defs, renamed, rename, usedBy)}`
            : rename(v),
        ]),
      );
    };
    return rename(s) as Record<string, unknown>;
  }

  private nameFor(
    key: string,
    defs: Record<string, unknown>,
    renamed: Map<string, string>,
    rename: (x: unknown) => unknown,
    usedBy: string,
  ): string {
    const done = renamed.get(key);
    if (done) return done;
    const body = rename(defs[key]);
    const text = JSON.stringify(body);
    let name = this.nameOf.get(text);
    if (!name) {
      name = `${usedBy}.${this.nameOf.size + 1}`;
      this.nameOf.set(text, name);
      this.byName[name] = body;
    }
    renamed.set(key, name);
    return name;
  }
}

/** The OpenAPI 3.1 document for the routes (JSON Schema 2020-12 from the zod schemas). */
export function openApiDocument(
  routes: ApiRoute[],
  info: { version: string; serverUrl: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const shared = new SharedSchemas();
  for (const r of routes) {
    const path = `/api/v1${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const operationId = `${r.method}${r.path.replace(/[/:-](\w)/g, (_, c: string) => c.toUpperCase())}`;
    const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => shared.schema(schema, io, operationId);
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
      ['header', r.headers],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: s,
        });
      }
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId,
      parameters,
      responses: {
        [String(r.status ?? (r.response ? 200 : 204))]: {
          description: r.responseDescription ?? 'Success',
          ...(r.response
            ? { content: { [r.responseType ?? 'application/json']: { schema: jsonSchema(r.response, 'output') } } }
            : {}),
        },
        default: {
          description: 'A problem (RFC 9457)',
          content: { 'application/problem+json': { schema: jsonSchema(problemSchema, 'output') } },
        },
      },
      security: r.auth ? [{ bearer: [] }, { session: [] }] : [],
    };
    if (r.body) {
      op.requestBody = {
        required: true,
        content: r.textBody
          ? { [TEXT_BODIES[r.textBody].types[0]!]: { schema: { type: 'string' } } }
          : { 'application/json': { schema: jsonSchema(r.body, 'input') } },
      };
    }
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'omov API',
      version: info.version,
      description: 'One-member-one-vote ballots: roll, ballots, voting links, results.',
    },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      schemas: shared.byName,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (omov_…) created by a signed-in organiser or auditor',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'omov_session' },
      },
    },
  };
}
