/**
 * The soak's abuse phase (`--abuse <minutes>`): requests a registry on a network gets from broken
 * or hostile clients, to see whether what they cost stays after them.
 *
 * - aborted upload: a valid upload's headers (Content-Length of 10 MB) and form fields, the start
 *   of the file part and a few bytes of it, then the connection is closed;
 * - huge fields: an upload form of 64 text fields of 1 MiB each (the per-field limit) and no file;
 * - oversized field: one field over the per-field limit;
 * - huge header and huge path: a 60 KiB header, a 60 KiB project name;
 * - wrong tokens: well-formed tokens (right prefix and check characters) that were never issued:
 *   each is looked up, none may be remembered.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { generateApiToken } from '@quiver/shared-util-tokens';

const BOUNDARY = 'soak-abuse-boundary';
const field = (name, value) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

function uploadFields(project) {
  return [
    [':action', 'file_upload'],
    ['protocol_version', '1'],
    ['name', project],
    ['version', '1.0'],
    ['metadata_version', '2.1'],
    ['filetype', 'bdist_wheel'],
    ['pyversion', 'py3'],
    ['sha256_digest', randomBytes(32).toString('hex')],
  ]
    .map(([name, value]) => field(name, value))
    .join('');
}

/** Headers and a few body bytes of a 10 MB upload, then a hang-up. Resolves when the socket is closed. */
function abortedUpload(target) {
  return new Promise((resolve) => {
    const socket = connect(target.port, target.host);
    const head = [
      'POST /legacy/ HTTP/1.1',
      `host: ${target.host}:${target.port}`,
      `authorization: ${target.authorization}`,
      `content-type: multipart/form-data; boundary=${BOUNDARY}`,
      'content-length: 10000000',
      '',
      '',
    ].join('\r\n');
    const filePart = `--${BOUNDARY}\r\ncontent-disposition: form-data; name="content"; filename="abort_${randomBytes(4).toString('hex')}-1.0-py3-none-any.whl"\r\ncontent-type: application/octet-stream\r\n\r\n`;
    socket.on('error', () => resolve('error'));
    socket.on('close', () => resolve('aborted'));
    socket.write(head + uploadFields(`abort-${randomBytes(4).toString('hex')}`) + filePart + 'PK\u0003\u0004partial', () => {
      // Long enough for the server to have opened the part, short enough to be a dropped client.
      setTimeout(() => socket.destroy(), 20);
    });
  });
}

async function post(target, body, headers = {}) {
  try {
    const response = await fetch(`${target.base}/legacy/`, {
      method: 'POST',
      body,
      headers: { authorization: target.authorization, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
    });
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    return `network: ${error.cause?.code ?? error.message}`;
  }
}

const MIB_OF_X = 'x'.repeat(2 ** 20 - 64);

function hugeFields(target) {
  const parts = [uploadFields(`huge-${randomBytes(4).toString('hex')}`)];
  for (let i = 0; i < 64; i += 1) {
    parts.push(field(`description_${i}`, MIB_OF_X));
  }
  parts.push(`--${BOUNDARY}--\r\n`);
  return post(target, parts.join(''));
}

function oversizedField(target) {
  return post(target, `${uploadFields('oversized')}${field('description', `${MIB_OF_X}${MIB_OF_X}`)}--${BOUNDARY}--\r\n`);
}

async function get(target, path, headers) {
  try {
    const response = await fetch(`${target.base}${path}`, { headers: { authorization: target.authorization, ...headers } });
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    return `network: ${error.cause?.code ?? error.message}`;
  }
}

const hugeHeader = (target) => get(target, '/simple/', { 'x-filler': 'y'.repeat(60 * 1024) });
const hugePath = (target) => get(target, `/simple/${'n'.repeat(60 * 1024)}/`, {});
const wrongToken = (target) =>
  get(target, '/simple/', { authorization: `Basic ${Buffer.from(`__token__:${generateApiToken()}`).toString('base64')}` });

const KINDS = [
  ['aborted upload', abortedUpload, 6],
  ['huge fields (64 × 1 MiB)', hugeFields, 1],
  ['oversized field (2 MiB)', oversizedField, 1],
  ['60 KiB header', hugeHeader, 1],
  ['60 KiB project name', hugePath, 1],
  ['wrong token', wrongToken, 3],
];
const WEIGHT = KINDS.reduce((total, [, , weight]) => total + weight, 0);

/** Runs the abuse mix at `connections` until `until` (ms epoch); returns outcome counts per kind. */
export async function abuse(target, connections, until) {
  const outcomes = new Map();
  const one = async () => {
    let at = Math.random() * WEIGHT;
    const [name, run] = KINDS.find(([, , weight]) => (at -= weight) < 0) ?? KINDS[0];
    const outcome = await run(target);
    const key = `${name} → ${outcome}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  };
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        await one();
      }
    }),
  );
  return outcomes;
}
