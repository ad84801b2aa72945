/**
 * What a service refuses, in terms the HTTP layer turns into RFC 9457 problems and the
 * pages turn into messages. `issues` name the field (or CSV line) at fault.
 */
export type Issue = { path: string; message: string };

export type ServiceErrorKind =
  'invalid' | 'not-found' | 'conflict' | 'unauthenticated' | 'forbidden' | 'rate-limited' | 'unavailable';

export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const invalid = (message: string, issues: Issue[] = []) => new ServiceError('invalid', message, issues);
export const notFound = (what: string) => new ServiceError('not-found', `${what} not found`);
export const conflict = (message: string) => new ServiceError('conflict', message);
