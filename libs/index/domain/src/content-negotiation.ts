/**
 * PEP 691 content negotiation for the Simple API.
 *
 * Rules (see PROTOCOL.md §2.2, BAD-INPUT.md 53):
 * - `Accept` media ranges are parsed with their q-values (RFC 9110 §12.5.1); `q=0` means "not acceptable".
 * - For each type we serve, the most specific matching range decides its q (exact > `type/*` > `*`/`*`).
 * - The `latest` meta-version (`application/vnd.pypi.simple.latest+json|html`) is an alias of `v1`.
 * - The highest q wins. On a tie, a type the client named explicitly beats one only reached by a wildcard;
 *   among explicitly named types JSON is preferred, then v1+html, then text/html. When the winner is only
 *   reached through wildcards (e.g. `*`/`*`) the client has not asked for the JSON API, so the legacy
 *   default wins: text/html, then v1+html, then JSON.
 * - No `Accept`, or nothing we serve is acceptable → `text/html` (warehouse behaviour; PEP 691 allows
 *   406 or a default).
 * - `?format=<content type>` overrides the header when it names a type we serve (case-insensitive,
 *   `latest` aliases allowed); otherwise it is ignored.
 */

export const SIMPLE_JSON_V1 = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML_V1 = 'application/vnd.pypi.simple.v1+html';
export const TEXT_HTML = 'text/html';

export type SimpleContentType = typeof SIMPLE_JSON_V1 | typeof SIMPLE_HTML_V1 | typeof TEXT_HTML;

/** Concrete (non-wildcard) names accepted for each served type, lowercase. */
const ALIASES: Readonly<Record<SimpleContentType, readonly string[]>> = {
  [SIMPLE_JSON_V1]: [SIMPLE_JSON_V1, 'application/vnd.pypi.simple.latest+json'],
  [SIMPLE_HTML_V1]: [SIMPLE_HTML_V1, 'application/vnd.pypi.simple.latest+html'],
  [TEXT_HTML]: [TEXT_HTML],
};

/** Tie-break order among explicitly named types. */
const EXPLICIT_PREFERENCE: readonly SimpleContentType[] = [SIMPLE_JSON_V1, SIMPLE_HTML_V1, TEXT_HTML];
/** Tie-break order when only wildcards matched. */
const WILDCARD_PREFERENCE: readonly SimpleContentType[] = [TEXT_HTML, SIMPLE_HTML_V1, SIMPLE_JSON_V1];

/** One parsed media range from an `Accept` header. */
export interface MediaRange {
  /** Lowercase type, `*` for a wildcard. */
  readonly type: string;
  /** Lowercase subtype, `*` for a wildcard. */
  readonly subtype: string;
  /** Quality 0..1. */
  readonly q: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Splits on `sep` outside double-quoted strings (a quoted parameter value may contain `,` or `;`).
 */
function splitOutsideQuotes(input: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i);
    if (quoted) {
      current += ch;
      if (ch === '\\' && i + 1 < input.length) {
        current += input.charAt(++i);
      } else if (ch === '"') {
        quoted = false;
      }
    } else if (ch === '"') {
      quoted = true;
      current += ch;
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * Parses an `Accept` header into media ranges. Malformed elements (no `/`, bad token, `*`/subtype,
 * invalid q) are dropped rather than failing the whole header. Parameters other than `q` are ignored.
 */
export function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const element of splitOutsideQuotes(accept, ',')) {
    const [mediaType = '', ...params] = splitOutsideQuotes(element, ';').map((part) => part.trim());
    const slash = mediaType.indexOf('/');
    if (slash <= 0) {
      continue;
    }
    const type = mediaType.slice(0, slash).toLowerCase();
    const subtype = mediaType.slice(slash + 1).toLowerCase();
    if (!TOKEN.test(type) || !TOKEN.test(subtype) || (type === '*' && subtype !== '*')) {
      continue;
    }
    let q = 1;
    let valid = true;
    for (const param of params) {
      const eq = param.indexOf('=');
      const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
      if (name !== 'q') {
        continue;
      }
      const value = eq < 0 ? '' : param.slice(eq + 1).trim();
      if (!QVALUE.test(value)) {
        valid = false;
      } else {
        q = Number(value);
      }
      // RFC 9110: `q` separates media-type parameters from accept extensions; stop at the first one.
      break;
    }
    if (valid) {
      ranges.push({ type, subtype, q });
    }
  }
  return ranges;
}

/** Specificity of `range` for `served`: 2 exact, 1 `type/*`, 0 `*`/`*`, -1 no match. */
function specificity(range: MediaRange, served: SimpleContentType): number {
  if (range.type === '*') {
    return 0;
  }
  const full = `${range.type}/${range.subtype}`;
  if (ALIASES[served].includes(full)) {
    return 2;
  }
  return range.subtype === '*' && served.startsWith(`${range.type}/`) ? 1 : -1;
}

interface Candidate {
  readonly served: SimpleContentType;
  readonly q: number;
  readonly explicit: boolean;
}

function candidateFor(ranges: readonly MediaRange[], served: SimpleContentType): Candidate | undefined {
  let best = -1;
  let q = 0;
  for (const range of ranges) {
    const s = specificity(range, served);
    if (s > best) {
      best = s;
      q = range.q;
    } else if (s === best && s >= 0) {
      q = Math.max(q, range.q);
    }
  }
  return best < 0 || q <= 0 ? undefined : { served, q, explicit: best === 2 };
}

/** Resolves a `?format=` value to a served type, or `undefined` when it names none. */
function fromFormatQuery(formatQuery: string | undefined): SimpleContentType | undefined {
  if (formatQuery === undefined) {
    return undefined;
  }
  const wanted = formatQuery.trim().toLowerCase();
  return EXPLICIT_PREFERENCE.find((served) => ALIASES[served].includes(wanted));
}

/** Picks the Simple API representation for a request. */
export function negotiateSimpleFormat(accept: string | undefined, formatQuery?: string): SimpleContentType {
  const forced = fromFormatQuery(formatQuery);
  if (forced !== undefined) {
    return forced;
  }
  if (accept === undefined || accept.trim() === '') {
    return TEXT_HTML;
  }
  const ranges = parseAccept(accept);
  const candidates = EXPLICIT_PREFERENCE.map((served) => candidateFor(ranges, served)).filter(
    (candidate): candidate is Candidate => candidate !== undefined,
  );
  if (candidates.length === 0) {
    return TEXT_HTML;
  }
  const rank = (c: Candidate): number =>
    c.explicit ? EXPLICIT_PREFERENCE.indexOf(c.served) : WILDCARD_PREFERENCE.indexOf(c.served);
  candidates.sort((a, b) => b.q - a.q || Number(b.explicit) - Number(a.explicit) || rank(a) - rank(b));
  return candidates[0]?.served ?? TEXT_HTML;
}
