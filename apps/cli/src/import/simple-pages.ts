/**
 * Reading another index's simple API (`quiver import --from`): the project list and each project's
 * files, from PEP 691 JSON where the index offers it, else from PEP 503 HTML (with PEP 592's
 * `data-yanked`). Pure: text in, records out.
 */
import { Parser } from 'htmlparser2';

/** Asked of every page: JSON first (it carries upload times), HTML from indexes that have no JSON. */
export const SIMPLE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

/** One file a source index lists for a project. */
export interface SourceFile {
  readonly filename: string;
  /** Absolute: resolved against the page it was listed on. */
  readonly url: string;
  /** Lower-case algorithm name (`sha256`, `md5`, …) → lower-case hex, as the source advertises them. */
  readonly hashes: Readonly<Record<string, string>>;
  /** PEP 592: false, or the reason ('' when none was given). */
  readonly yanked: false | string;
  /** PEP 700's `upload-time`, when the source gives it. */
  readonly uploadTime?: string;
}

export type PageKind = 'json' | 'html';

/** Which format a page's `Content-Type` says it is in, or undefined for anything else. */
export function pageKind(contentType: string): PageKind | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/vnd.pypi.simple.v1+json') {
    return 'json';
  }
  return type === 'text/html' || type === 'application/vnd.pypi.simple.v1+html' ? 'html' : undefined;
}

/** PEP 503 normalization. */
export const normalize = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

interface Anchor {
  readonly href: string;
  readonly text: string;
  readonly attributes: Readonly<Record<string, string>>;
}

function anchors(html: string): Anchor[] {
  const found: Anchor[] = [];
  let open: { href: string; attributes: Record<string, string>; text: string } | undefined;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'a' && attributes['href'] !== undefined) {
          open = { href: attributes['href'], attributes, text: '' };
        }
      },
      ontext(text) {
        if (open) {
          open.text += text;
        }
      },
      onclosetag(name) {
        if (name === 'a' && open) {
          found.push({ href: open.href, text: open.text.trim(), attributes: open.attributes });
          open = undefined;
        }
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

const problem = (message: string): Error => new Error(message);

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

function parseJson(text: string, what: string): Record<string, unknown> {
  try {
    return record(JSON.parse(text));
  } catch {
    throw problem(`${what} is not valid JSON`);
  }
}

/** A project listed on the index's root page, with the URL of its page. */
export interface SourceProject {
  readonly name: string;
  readonly url: string;
}

/** The root page's projects (PEP 691: `projects[].name`, each at `<root>/<normalized>/`; PEP 503: the anchors). */
export function parseRootPage(kind: PageKind, text: string, pageUrl: string): SourceProject[] {
  if (kind === 'json') {
    const projects = parseJson(text, 'the index page').projects;
    if (!Array.isArray(projects)) {
      throw problem("the index page's JSON has no 'projects' list");
    }
    return projects.flatMap((entry) => {
      const name = record(entry).name;
      return typeof name === 'string' && name !== '' ? [{ name, url: new URL(`${encodeURIComponent(normalize(name))}/`, pageUrl).href }] : [];
    });
  }
  return anchors(text).flatMap((anchor) => (anchor.text === '' ? [] : [{ name: anchor.text, url: new URL(anchor.href, pageUrl).href }]));
}

/** `#sha256=…` on an HTML link. */
function fragmentHashes(url: URL): Record<string, string> {
  const match = /^#([a-z0-9_]+)=([0-9a-fA-F]+)$/.exec(url.hash);
  return match ? { [match[1] ?? '']: (match[2] ?? '').toLowerCase() } : {};
}

const lowerHashes = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(record(value)).flatMap(([algorithm, hex]) => (typeof hex === 'string' && /^[0-9a-fA-F]+$/.test(hex) ? [[algorithm.toLowerCase(), hex.toLowerCase()]] : [])));

const lastSegment = (url: URL): string => {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** A project page's files. */
export function parseProjectPage(kind: PageKind, text: string, pageUrl: string): SourceFile[] {
  if (kind === 'json') {
    const files = parseJson(text, 'the project page').files;
    if (!Array.isArray(files)) {
      throw problem("the project page's JSON has no 'files' list");
    }
    return files.flatMap((entry) => {
      const file = record(entry);
      const { filename, url, yanked } = file;
      const uploadTime = file['upload-time'];
      if (typeof filename !== 'string' || typeof url !== 'string') {
        return [];
      }
      return [
        {
          filename,
          url: new URL(url, pageUrl).href,
          hashes: lowerHashes(file.hashes),
          yanked: yanked === true ? '' : typeof yanked === 'string' ? yanked : false,
          ...(typeof uploadTime === 'string' ? { uploadTime } : {}),
        },
      ];
    });
  }
  return anchors(text).map((anchor) => {
    const url = new URL(anchor.href, pageUrl);
    const yanked = anchor.attributes['data-yanked'];
    const filename = lastSegment(url) || anchor.text;
    const hashes = fragmentHashes(url);
    url.hash = '';
    return { filename, url: url.href, hashes, yanked: yanked === undefined ? false : yanked };
  });
}

/** The file types Quiver takes (PEP 527): wheels and sdists. */
export const isDistribution = (filename: string): boolean => /\.(whl|tar\.gz|zip)$/.test(filename);

/** The normalized project a distribution's filename names (a wheel's first part; an sdist's stem before its last '-'), or undefined. */
export function projectOfFilename(filename: string): string | undefined {
  if (filename.endsWith('.whl')) {
    const name = filename.split('-')[0] ?? '';
    return name === '' ? undefined : normalize(name);
  }
  const stem = filename.replace(/\.(tar\.gz|zip)$/, '');
  const dash = stem.lastIndexOf('-');
  return dash > 0 ? normalize(stem.slice(0, dash)) : undefined;
}

/** The release a distribution's filename names (the part after the name), or undefined. */
export function versionOfFilename(filename: string): string | undefined {
  if (filename.endsWith('.whl')) {
    return filename.split('-')[1];
  }
  const stem = filename.replace(/\.(tar\.gz|zip)$/, '');
  const dash = stem.lastIndexOf('-');
  return dash > 0 ? stem.slice(dash + 1) : undefined;
}

/**
 * `--projects`: comma-separated patterns over normalized names, `*` any run of characters and `?`
 * one; none given matches everything.
 */
export function projectMatcher(patterns: string | undefined): (project: string) => boolean {
  if (patterns === undefined || patterns.trim() === '') {
    return () => true;
  }
  const expressions = patterns
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '')
    .map((pattern) => {
      const source = normalize(pattern)
        .split('')
        .map((character) => (character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return new RegExp(`^${source}$`);
    });
  return (project) => expressions.some((expression) => expression.test(normalize(project)));
}
