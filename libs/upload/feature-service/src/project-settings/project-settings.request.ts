import { parseDuration, type ProjectSettings } from '@quiver/upload-domain';

const USAGE = `Send {"closeReleasesAfter": "14d"} (a duration in d, h, m or s) to close releases to new files after that long, or {"closeReleasesAfter": null} to turn the rule off.`;

/** The JSON body of `PUT /api/packages/<project>/settings`, validated: the new settings or what is wrong. */
export function parseSettingsBody(body: unknown): { ok: true; settings: ProjectSettings } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: `The body must be a JSON object. ${USAGE}` };
  }
  const unknown = Object.keys(body).find((key) => key !== 'closeReleasesAfter');
  if (unknown !== undefined) {
    return { ok: false, message: `Unknown setting '${unknown.slice(0, 40).replace(/[^\w.-]/g, '?')}'. ${USAGE}` };
  }
  const value: unknown = (body as Record<string, unknown>)['closeReleasesAfter'];
  if (value === null) {
    return { ok: true, settings: { closeReleasesAfterSeconds: null } };
  }
  const seconds = typeof value === 'string' ? parseDuration(value) : undefined;
  if (seconds === undefined) {
    return { ok: false, message: `'closeReleasesAfter' must be a duration such as '14d', '12h', '30m' or '10s', or null. ${USAGE}` };
  }
  return { ok: true, settings: { closeReleasesAfterSeconds: seconds } };
}
