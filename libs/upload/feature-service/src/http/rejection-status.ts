import type { UploadRejectionCode } from '@quiver/upload-domain';

/** The one place rejection codes become HTTP statuses; anything not listed is a 400 (PyPI's answer). */
const STATUS: Partial<Record<UploadRejectionCode, number>> = {
  'file-exists': 409,
  'removed-api': 410,
  'not-found': 404,
  forbidden: 403,
  'new-projects-disallowed': 403,
  'non-volatile': 403,
  'too-many-new-projects': 429,
  'form-too-large': 413,
};

export const rejectionStatus = (code: UploadRejectionCode): number => STATUS[code] ?? 400;
