import { MAX_UPLOAD_LIMIT_BYTES, parseDuration, type ProjectSettings } from '@quiver/upload-domain';

const USAGE = `Send {"closeReleasesAfter": "14d"} (a duration in d, h, m or s) to close releases to new files after that long, or null to turn the rule off; {"nonVolatile": true} to keep the project's files from being deleted (false makes it volatile again); {"uploadLimit": 524288000} for the largest file it takes in bytes, at most 1 GiB (null: the registry's). Settings not given stay as they are.`;

export const SETTINGS = ['closeReleasesAfter', 'nonVolatile', 'uploadLimit'];

/** The JSON body of `PUT /api/packages/<project>/settings`, validated: the settings it changes (at least one) or what is wrong. */
export function parseSettingsBody(body: unknown): { ok: true; settings: Partial<ProjectSettings> } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: `The body must be a JSON object. ${USAGE}` };
  }
  const unknown = Object.keys(body).find((key) => !SETTINGS.includes(key));
  if (unknown !== undefined) {
    return { ok: false, message: `Unknown setting '${unknown.slice(0, 40).replace(/[^\w.-]/g, '?')}'. ${USAGE}` };
  }
  if (Object.keys(body).length === 0) {
    return { ok: false, message: `No setting given. ${USAGE}` };
  }
  const given = body as Record<string, unknown>;
  const settings: { closeReleasesAfterSeconds?: number | null; nonVolatile?: boolean; uploadLimitBytes?: number | null } = {};
  if ('closeReleasesAfter' in given) {
    const value = given['closeReleasesAfter'];
    const seconds = value === null ? null : typeof value === 'string' ? parseDuration(value) : undefined;
    if (seconds === undefined) {
      return { ok: false, message: `'closeReleasesAfter' must be a duration such as '14d', '12h', '30m' or '10s', or null. ${USAGE}` };
    }
    settings.closeReleasesAfterSeconds = seconds;
  }
  if ('nonVolatile' in given) {
    const value = given['nonVolatile'];
    if (typeof value !== 'boolean') {
      return { ok: false, message: `'nonVolatile' must be true or false. ${USAGE}` };
    }
    settings.nonVolatile = value;
  }
  if ('uploadLimit' in given) {
    const value = given['uploadLimit'];
    if (value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
      return { ok: false, message: `'uploadLimit' must be a whole number of bytes, or null. ${USAGE}` };
    }
    if (value !== null && value > MAX_UPLOAD_LIMIT_BYTES) {
      return { ok: false, message: `'uploadLimit' can be at most 1 GiB (${MAX_UPLOAD_LIMIT_BYTES} bytes).` };
    }
    settings.uploadLimitBytes = value;
  }
  return { ok: true, settings };
}
