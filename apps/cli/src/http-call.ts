import { Agent, fetch, type Response } from 'undici';
import type { ApiRequest } from './plan.js';

/**
 * No limit on waiting for the answer: gc and reconcile answer when the scan is done, which on a
 * large registry takes longer than fetch's default five minutes. Connecting still times out.
 */
const patient = new Agent({ headersTimeout: 0, bodyTimeout: 0, connectTimeout: 10_000 });

/** What came back from the server, read whole, or why nothing did. */
export type Reply =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly statusText: string;
      readonly contentType: string;
      readonly retryAfter: string | null;
      readonly location: string | null;
      readonly text: string;
    }
  | { readonly kind: 'unreachable'; readonly cause: string };

/** The request's URL below `base`, keeping a path prefix the base may have (a registry behind a proxy at /quiver). */
export const requestUrl = (base: URL, path: string): URL => new URL(`${base.pathname.replace(/\/+$/, '')}${path}`, base);

/**
 * The cause of a failed fetch in words, from the network error's code and message only: they name
 * the address, never a header (so never a credential).
 */
export function describeCause(error: unknown, fallback: string): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const detail = (value: unknown): string | undefined => {
    const { code, message, errors } = (value ?? {}) as { code?: unknown; message?: unknown; errors?: unknown };
    if (Array.isArray(errors) && errors.length > 0) {
      return [...new Set(errors.map(detail).filter((item): item is string => item !== undefined))].join('; ');
    }
    if (typeof message === 'string' && message !== '') {
      return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
    }
    return typeof code === 'string' ? code : undefined;
  };
  return detail(cause) ?? (error instanceof Error && error.name === 'TimeoutError' ? 'no answer in time' : fallback);
}

/** Sends one request to the admin API and reads the answer. */
export async function send(base: URL, request: ApiRequest, authorization: string): Promise<Reply> {
  let response: Response;
  try {
    response = await fetch(requestUrl(base, request.path), {
      method: request.method,
      headers: {
        authorization,
        accept: 'application/json',
        'user-agent': 'quiver-cli',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      redirect: 'manual',
      dispatcher: patient,
    });
  } catch (error) {
    return { kind: 'unreachable', cause: describeCause(error, 'the request could not be sent') };
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return { kind: 'unreachable', cause: `the answer broke off: ${describeCause(error, 'the connection closed')}` };
  }
  return {
    kind: 'answered',
    status: response.status,
    statusText: response.statusText,
    contentType: response.headers.get('content-type') ?? '',
    retryAfter: response.headers.get('retry-after'),
    location: response.headers.get('location'),
    text,
  };
}
