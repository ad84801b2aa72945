import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import pinoHttp from 'pino-http';
import { redactUrl } from '../platform/logger';
import { builtAssetsDir, publicDir } from '../platform/paths';
import type { AppContext } from '../services/context';
import { ServiceError } from '../services/errors';
import { RateLimited } from '../services/rate-limits';
import { mountApi, openApiDocument } from './api-routes';
import { apiRoutes } from './api';
import { identify } from './auth';
import { mountPages } from './page-routes';
import { pageRoutes } from './pages';
import { html } from './html';
import { page, STYLE_HASH } from './pages/layout';
import { sendProblem } from './problem';

const STATUS: Record<ServiceError['kind'], number> = {
  invalid: 422,
  'not-found': 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  'rate-limited': 429,
  unavailable: 503,
};

/** Errors that mean the database is not there right now: a clean 503, not a 500. */
function isDatabaseDown(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return (
    ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P02', '57P03', '08006', '08001', '08003'].includes(code ?? '') ||
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|encountered a connection error and is not queryable/.test(
      (err as Error)?.message ?? '',
    )
  );
}

export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  // Pages are built per request and mostly marked no-store: hashing each body for an ETag
  // would cost time and save nothing. (Static assets keep theirs, from express.static.)
  app.set('etag', false);
  app.use(
    pinoHttp({
      logger: ctx.log,
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: [STYLE_HASH],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          // Scripts only from our own /assets: progressive enhancement, never needed to vote.
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      strictTransportSecurity: ctx.config.publicUrl.startsWith('https://'),
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use('/assets/app', express.static(builtAssetsDir, { index: false, maxAge: '1h', fallthrough: false }));
  app.use('/assets', express.static(publicDir, { index: false, maxAge: '1h', fallthrough: false }));
  app.use(identify(ctx));

  const routes = apiRoutes(ctx);
  const api = express.Router();
  mountApi(api, routes, ctx.config.publicUrl, { csv: ctx.config.rollMaxBytes });
  const doc = openApiDocument(routes, { version: '1', serverUrl: ctx.config.publicUrl });
  api.get('/openapi.json', (_req, res) => void res.json(doc));
  api.use((_req, res) => sendProblem(res, 404, 'no such API route'));
  app.use('/api/v1', api);
  app.get('/api/docs', (_req, res) => void res.type('html').send(docsPage(doc)));

  const pages = express.Router();
  mountPages(pages, ctx, pageRoutes(ctx));
  app.use(pages);
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));

  app.use((_req: Request, res: Response) => {
    res
      .status(404)
      .type('html')
      .send(page({ title: 'Not found', body: html`<h1>Page not found</h1><p><a href="/">Home</a></p>` }));
  });
  // Express 5 passes rejected promises from handlers here.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const isApi = req.originalUrl.startsWith('/api/');
    let status = 500;
    let detail = 'something went wrong on our side';
    let issues: ServiceError['issues'] = [];
    const e = err as { type?: string; status?: number; message?: string; detail?: string };
    if (err instanceof ServiceError) {
      status = STATUS[err.kind];
      detail = err.message;
      issues = err.issues;
      if (err instanceof RateLimited) res.set('Retry-After', String(err.retryAfterSeconds));
    } else if (e?.type === 'entity.parse.failed') {
      status = 400;
      detail = 'the body is not valid JSON';
    } else if (e?.type === 'entity.too.large') {
      status = 413;
      detail = e.detail ?? 'the body is too large';
    } else if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      status = e.status;
      detail = e.message ?? 'bad request';
    } else if (isDatabaseDown(err)) {
      status = 503;
      detail = 'the database is not reachable; try again shortly';
      res.set('Retry-After', '5');
    }
    if (status >= 500) req.log.error({ err }, 'request failed');
    if (isApi) return sendProblem(res, status, detail, issues);
    res
      .status(status)
      .type('html')
      .send(
        page({
          title: 'Error',
          body: html`<h1>${status >= 500 ? 'Something went wrong' : 'That did not work'}</h1><p>${detail}</p>`,
        }),
      );
  });
  return app;
}

function docsPage(doc: Record<string, unknown>): string {
  const paths = doc.paths as Record<
    string,
    Record<
      string,
      { summary: string; tags: string[]; requestBody?: unknown; parameters: Array<{ name: string; in: string }> }
    >
  >;
  const rows = Object.entries(paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ p, m, op })));
  return page({
    title: 'omov API',
    body: html`<h1>omov API (v1)</h1>
<p>JSON under <code>/api/v1</code>. Authenticate with the session cookie (sign in) or <code>Authorization: Bearer omov_…</code> (create a token with <code>POST /api/v1/api-tokens</code>). Errors are RFC 9457 problem documents naming the fields at fault. The machine-readable document: <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th scope="col">Route</th><th scope="col">What it does</th></tr></thead><tbody>
${rows.map(({ p, m, op }) => html`<tr><td><code>${m.toUpperCase()} ${p}</code></td><td>${op.summary}${op.parameters.length ? html`<br><span class="hint">parameters: ${op.parameters.map((x) => `${x.name} (${x.in})`).join(', ')}</span>` : ''}${op.requestBody ? html`<br><span class="hint">body: see openapi.json</span>` : ''}</td></tr>`)}
</tbody></table>`,
  });
}
