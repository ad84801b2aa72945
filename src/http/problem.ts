import type { Response } from 'express';
import { z } from 'zod';
import type { Issue } from '../services/errors';
// Plain-language messages for every zod issue ("Write a title"), in the API as in the pages.
import '@omov/core/domain/plain';

/** RFC 9457 problem details; `errors` names each field (or CSV line) at fault. */
export type Problem = { type: string; title: string; status: number; detail?: string; errors?: Issue[] };

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Invalid input',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export function sendProblem(res: Response, status: number, detail?: string, errors?: Issue[]): void {
  const body: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status };
  if (detail) body.detail = detail;
  if (errors?.length) body.errors = errors;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** zod issues as problem `errors`: "questions.0.options.1.label: …" */
export function zodIssues(err: z.ZodError, prefix = ''): Issue[] {
  return err.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
  }));
}
