import type { TokenRequest } from '@quiver/auth-domain';

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const FIELDS = ['kind', 'expires', 'packages', 'permissions', 'uses', 'cidrs', 'reason', 'description'] as const;
const STRING_FIELDS = ['kind', 'expires', 'reason', 'description'] as const;
const LIST_FIELDS = ['packages', 'permissions', 'cidrs'] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The JSON body of `POST /api/auth/principals/<p>/tokens`, checked for shape only (which fields, of
 * which JSON types); what the values mean is the auth domain's to check.
 */
export function parseTokenRequestBody(body: unknown): Parsed<TokenRequest> {
  if (body === undefined || body === null) {
    return { ok: true, value: {} };
  }
  if (!isObject(body)) {
    return { ok: false, message: 'The body must be a JSON object.' };
  }
  const unknown = Object.keys(body).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    return { ok: false, message: `Unknown field '${unknown.slice(0, 40).replace(/[^\w.-]/g, '?')}': a token takes ${FIELDS.join(', ')}.` };
  }
  const request: Record<string, unknown> = {};
  for (const field of STRING_FIELDS) {
    if (body[field] !== undefined) {
      if (typeof body[field] !== 'string') {
        return { ok: false, message: `'${field}' must be a string.` };
      }
      request[field] = body[field];
    }
  }
  for (const field of LIST_FIELDS) {
    const value = body[field];
    if (value !== undefined) {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        return { ok: false, message: `'${field}' must be a list of strings.` };
      }
      request[field] = value;
    }
  }
  if (body['uses'] !== undefined) {
    if (typeof body['uses'] !== 'number') {
      return { ok: false, message: "'uses' must be a number." };
    }
    request['uses'] = body['uses'];
  }
  return { ok: true, value: request };
}

/** The JSON body of `POST /api/auth/tokens/<id>/rotate`: an optional `grace` duration. */
export function parseRotateBody(body: unknown): Parsed<{ readonly grace?: string }> {
  if (body === undefined || body === null) {
    return { ok: true, value: {} };
  }
  if (!isObject(body) || Object.keys(body).some((key) => key !== 'grace') || (body['grace'] !== undefined && typeof body['grace'] !== 'string')) {
    return { ok: false, message: "The body must be a JSON object with at most a 'grace' duration such as 1h." };
  }
  return { ok: true, value: body['grace'] === undefined ? {} : { grace: body['grace'] } };
}
