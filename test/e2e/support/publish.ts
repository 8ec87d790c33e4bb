import { createHash } from 'node:crypto';
import { buildWheel } from '@quiver/shared-testing';

export const basicToken = (token: string): string => `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;

/** Uploads a generated wheel the way twine does (legacy API, multipart, sha256 digest). */
export async function publishWheel(base: string, auth: string, project: string, version: string): Promise<{ response: Response; filename: string; sha256: string }> {
  const wheel = buildWheel(project, version);
  const sha256 = createHash('sha256').update(wheel.bytes).digest('hex');
  const form = new FormData();
  const fields = { ':action': 'file_upload', protocol_version: '1', name: project, version, metadata_version: '2.1', filetype: 'bdist_wheel', pyversion: 'py3', sha256_digest: sha256 };
  Object.entries(fields).forEach(([key, value]) => form.append(key, value));
  form.append('content', new Blob([wheel.bytes], { type: 'application/octet-stream' }), wheel.filename);
  const response = await fetch(`${base}/legacy/`, { method: 'POST', body: form, headers: { authorization: auth } });
  return { response, filename: wheel.filename, sha256 };
}
