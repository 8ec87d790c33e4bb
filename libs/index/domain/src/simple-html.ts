/**
 * PEP 503 HTML rendering (with PEP 592 yanks, PEP 658/714 core metadata, PEP 629 repository version).
 * Output is deterministic: the same page always renders byte-identically (ETag-friendly).
 */
import type { IndexedFile, ProjectListEntry, ProjectPage } from './project-page.model.js';

/** Repository version this library implements (PEP 629 / PEP 700). */
export const SIMPLE_API_VERSION = '1.1';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `& < > " '` so the result is safe in element text and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** Strips a `#fragment` (the model promises none; this keeps `#sha256=` the only fragment). */
export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash < 0 ? url : url.slice(0, hash);
}

function attribute(name: string, value: string): string {
  return ` ${name}="${escapeHtml(value)}"`;
}

function fileAnchor(file: IndexedFile): string {
  let attrs = attribute('href', `${withoutFragment(file.url)}#sha256=${file.sha256.toLowerCase()}`);
  if (file.requiresPython !== undefined) {
    attrs += attribute('data-requires-python', file.requiresPython);
  }
  if (file.yanked !== false) {
    attrs += attribute('data-yanked', file.yanked.reason);
  }
  if (file.coreMetadataSha256 !== undefined) {
    const metadata = `sha256=${file.coreMetadataSha256.toLowerCase()}`;
    // PEP 714: emit both spellings; older clients read the first, newer ones the second.
    attrs += attribute('data-dist-info-metadata', metadata) + attribute('data-core-metadata', metadata);
  }
  return `<a${attrs}>${escapeHtml(file.filename)}</a><br/>`;
}

function document(title: string, body: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    `    <meta name="pypi:repository-version" content="${SIMPLE_API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    ...body.map((line) => `    ${line}`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

/** Renders `/simple/<name>/` as PEP 503 HTML. */
export function renderProjectHtml(page: ProjectPage): string {
  return document(`Links for ${page.name}`, [`<h1>Links for ${escapeHtml(page.name)}</h1>`, ...page.files.map(fileAnchor)]);
}

/**
 * Renders the `/simple/` root. Each link is `<basePath><name>/`; `basePath` gets a trailing `/` if it
 * lacks one (pass `''` for relative links).
 */
export function renderIndexHtml(projects: readonly ProjectListEntry[], basePath = '/simple/'): string {
  const base = basePath === '' || basePath.endsWith('/') ? basePath : `${basePath}/`;
  return document(
    'Simple index',
    projects.map(
      (project) => `<a${attribute('href', `${base}${encodeURIComponent(project.name)}/`)}>${escapeHtml(project.name)}</a><br/>`,
    ),
  );
}
