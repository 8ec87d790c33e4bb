/**
 * HEAD against GET on the index's routes (issue 14, Done-when 2; RFC 9110 §9.3.2: HEAD is GET
 * without the content): for each request, the status and every header but the hop-by-hop ones and
 * `Date` must be what a GET of the same URL sends. pip's range-request wheel reader, for one, takes
 * a file's length from `HEAD`.
 */
import assert from 'node:assert/strict';
import { publishWheel } from './publish.js';

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
/** Per connection, or per message: not a property of the representation. */
const NOT_COMPARED = new Set(['date', 'connection', 'keep-alive']);

export interface HeadCase {
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send no Authorization header. */
  readonly anonymous?: boolean;
}

interface Answer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly bodyBytes: number;
}

const answer = async (base: string, auth: string, item: HeadCase, method: 'GET' | 'HEAD'): Promise<Answer> => {
  const response = await fetch(new URL(item.path, base), {
    method,
    redirect: 'manual',
    // No transparent decompression: the headers are compared as sent.
    headers: { 'accept-encoding': 'identity', ...(item.anonymous ? {} : { authorization: auth }), ...item.headers },
  });
  const bodyBytes = (await response.arrayBuffer()).byteLength;
  return { status: response.status, headers: new Map([...response.headers].filter(([name]) => !NOT_COMPARED.has(name))), bodyBytes };
};

/** What differs between a GET and a HEAD of each case (empty when HEAD is GET without the body), and what each GET answered. */
export async function headAgainstGet(base: string, auth: string, cases: readonly HeadCase[]): Promise<{ differences: string[]; statuses: string[] }> {
  const differences: string[] = [];
  const statuses: string[] = [];
  for (const item of cases) {
    const what = `${item.path}${item.headers ? ` ${JSON.stringify(item.headers)}` : ''}${item.anonymous ? ' (anonymous)' : ''}`;
    const get = await answer(base, auth, item, 'GET');
    const head = await answer(base, auth, item, 'HEAD');
    statuses.push(`${get.status} ${what}`);
    if (get.status !== head.status) {
      differences.push(`${what}: status GET ${get.status}, HEAD ${head.status}`);
    }
    if (head.bodyBytes !== 0) {
      differences.push(`${what}: HEAD sent ${head.bodyBytes} bytes of body`);
    }
    for (const name of new Set([...get.headers.keys(), ...head.headers.keys()])) {
      if (get.headers.get(name) !== head.headers.get(name)) {
        differences.push(`${what}: ${name}: GET ${get.headers.get(name) ?? '(none)'}, HEAD ${head.headers.get(name) ?? '(none)'}`);
      }
    }
  }
  return { differences, statuses };
}

/**
 * Publishes a wheel of `project` and lists every kind of index request for it: the root and
 * project pages in each format (by Accept and by `?format=`), a name to normalize (a redirect),
 * the JSON API, the file whole, in ranges and conditionally, its `.metadata`, what does not exist,
 * and a request without credentials.
 */
export async function headCases(base: string, auth: string, project: string): Promise<HeadCase[]> {
  const published = await publishWheel(base, auth, project, '1.0');
  if (published.response.status !== 200) {
    throw new Error(`publishing ${project}: ${published.response.status} ${await published.response.text()}`);
  }
  const file = `/files/${published.sha256}/${published.filename}`;
  const etag = async (path: string): Promise<string> => {
    const response = await fetch(new URL(path, base), { headers: { authorization: auth } });
    await response.arrayBuffer();
    const tag = response.headers.get('etag');
    if (response.status !== 200 || tag === null) {
      throw new Error(`${path}: ${response.status}, ETag ${tag}`);
    }
    return tag;
  };
  const fileTag = await etag(file);
  const metadataTag = await etag(`${file}.metadata`);
  const pageTag = await etag(`/simple/${project}/`);
  const formats: Record<string, string>[] = [{}, { accept: 'text/html' }, { accept: SIMPLE_HTML }, { accept: SIMPLE_JSON }, { accept: `${SIMPLE_JSON}, ${SIMPLE_HTML}; q=0.1, text/html; q=0.01` }];
  return [
    ...formats.map((headers) => ({ path: '/simple/', headers })),
    { path: `/simple/?format=${encodeURIComponent(SIMPLE_JSON)}` },
    ...formats.map((headers) => ({ path: `/simple/${project}/`, headers })),
    { path: `/simple/${project}/?format=${encodeURIComponent(SIMPLE_JSON)}` },
    { path: `/simple/${project}/`, headers: { 'if-none-match': pageTag } },
    { path: `/simple/${project.toUpperCase().replace(/-/g, '_')}/` },
    { path: '/simple/no-such-project/' },
    { path: '/simple/', headers: { accept: 'application/x-not-a-format' } },
    { path: `/pypi/${project}/json` },
    { path: `/pypi/${project}/1.0/json` },
    { path: `/pypi/${project}/9.9/json` },
    { path: '/pypi/no-such-project/json' },
    { path: file },
    { path: file, headers: { range: 'bytes=0-9' } },
    { path: file, headers: { range: 'bytes=-5' } },
    { path: file, headers: { range: 'bytes=999999999-' } },
    { path: file, headers: { 'if-none-match': fileTag } },
    { path: file, headers: { range: 'bytes=0-9', 'if-range': fileTag } },
    { path: `${file}.metadata` },
    { path: `${file}.metadata`, headers: { 'if-none-match': metadataTag } },
    { path: `/files/${'0'.repeat(64)}/${published.filename}` },
    { path: `/files/${published.sha256}/${published.filename}.asc` },
    { path: '/simple/', anonymous: true },
    { path: file, anonymous: true },
  ];
}

/** Publishes `project` and asserts that HEAD answers every case as GET does, and that the cases reach every kind of answer they claim. */
export async function assertHeadAsGet(base: string, auth: string, project: string): Promise<void> {
  const { differences, statuses } = await headAgainstGet(base, auth, await headCases(base, auth, project));
  assert.deepEqual(differences, []);
  for (const status of [200, 206, 301, 304, 401, 404, 416]) {
    assert.ok(statuses.some((line) => line.startsWith(`${status} `)), `some case answered ${status}:\n${statuses.join('\n')}`);
  }
}
