/**
 * Conditional GET and HEAD (RFC 9110 §13) for a representation that exists and has a strong entity
 * tag but no `Last-Modified` date: every index answer that sends an `ETag` (project pages, files,
 * `.metadata` files).
 *
 * - `If-Match` (§13.1.1): `*`, or a listed tag that matches the current one by strong comparison,
 *   lets the request proceed; anything else answers 412.
 * - `If-None-Match` (§13.1.2): `*`, or a listed tag that matches by weak comparison (`W/"x"` matches
 *   `"x"`), answers 304; it is evaluated only when `If-Match` let the request through (§13.2.2).
 * - `If-Modified-Since` and `If-Unmodified-Since` are ignored: there is no modification date to
 *   compare with (§13.1.3, §13.1.4).
 * - `If-Range` (§13.1.5): the `Range` header is honoured only when the validator is an entity tag
 *   that matches the current one by strong comparison. A weak tag never does; a date never does
 *   either, since no `Last-Modified` is sent. Otherwise the whole representation is sent (200).
 *
 * A field value that does not parse is ignored, as if absent: the full answer is always correct.
 */

/** An entity tag (§8.8.3): its opaque part without quotes, and whether it was marked `W/`. */
export interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

/** The request fields this module reads, named as Node names them (lowercase). */
export interface ConditionalHeaders {
  readonly 'if-match'?: string | undefined;
  readonly 'if-none-match'?: string | undefined;
  readonly 'if-range'?: string | undefined;
}

export type PreconditionOutcome = 'proceed' | 'not-modified' | 'precondition-failed';

/** `entity-tag` at the start of the text: `W/` is case-sensitive, `etagc` is `%x21 / %x23-7E / obs-text`. */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"/;
const OWS = /^[ \t]*/;

/** One entity tag and nothing else (surrounding whitespace allowed), or `undefined`. */
export function parseEntityTag(value: string): EntityTag | undefined {
  const text = value.trim();
  const match = ENTITY_TAG.exec(text);
  return match && match[0].length === text.length ? { weak: match[1] !== undefined, opaque: match[2] ?? '' } : undefined;
}

/**
 * `"*" / #entity-tag` (§13.1.1, §13.1.2): `*`, the listed tags (empty list elements allowed, as
 * `#rule` says), or `undefined` when the value is malformed or lists nothing. A tag may contain a
 * comma: the list is read tag by tag, not split on commas.
 */
export function parseEntityTagList(value: string): '*' | readonly EntityTag[] | undefined {
  let rest = value.trim();
  if (rest === '*') {
    return '*';
  }
  const tags: EntityTag[] = [];
  while (rest !== '') {
    if (rest.startsWith(',')) {
      rest = rest.slice(1).replace(OWS, '');
      continue;
    }
    const match = ENTITY_TAG.exec(rest);
    if (!match) {
      return undefined;
    }
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? '' });
    rest = rest.slice(match[0].length).replace(OWS, '');
    if (rest !== '' && !rest.startsWith(',')) {
      return undefined;
    }
  }
  return tags.length > 0 ? tags : undefined;
}

/** §8.8.3.2: both strong and character-by-character equal. */
export const strongMatch = (a: EntityTag, b: EntityTag): boolean => !a.weak && !b.weak && a.opaque === b.opaque;
/** §8.8.3.2: the opaque tags are equal, whether or not either is weak. */
export const weakMatch = (a: EntityTag, b: EntityTag): boolean => a.opaque === b.opaque;

function currentTag(etag: string): EntityTag {
  const tag = parseEntityTag(etag);
  if (!tag || tag.weak) {
    throw new Error(`not a strong entity tag: ${etag}`); // a programming error: callers send strong tags
  }
  return tag;
}

/**
 * §13.2.2 steps 1 to 4 for a GET or HEAD of an existing representation whose current `ETag` field
 * value is `etag` (strong): whether to answer it, or 304, or 412.
 */
export function evaluatePreconditions(headers: ConditionalHeaders, etag: string): PreconditionOutcome {
  const current = currentTag(etag);
  const ifMatch = headers['if-match'] === undefined ? undefined : parseEntityTagList(headers['if-match']);
  if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.some((tag) => strongMatch(tag, current))) {
    return 'precondition-failed';
  }
  const ifNoneMatch = headers['if-none-match'] === undefined ? undefined : parseEntityTagList(headers['if-none-match']);
  if (ifNoneMatch === '*' || ifNoneMatch?.some((tag) => weakMatch(tag, current))) {
    return 'not-modified';
  }
  return 'proceed';
}

/**
 * §13.1.5: whether a `Range` header may be honoured. True without `If-Range`; with it, only when its
 * validator is the current strong entity tag. False means: ignore `Range`, send the whole thing.
 */
export function rangeApplies(headers: ConditionalHeaders, etag: string): boolean {
  const ifRange = headers['if-range'];
  if (ifRange === undefined) {
    return true;
  }
  const validator = parseEntityTag(ifRange);
  return validator !== undefined && strongMatch(validator, currentTag(etag));
}
