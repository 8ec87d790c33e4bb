import { reject, type UploadRejection } from '@quiver/upload-domain';

/** The form limits of an upload request; a legitimate upload (twine, uv, poetry, flit, hatch, pdm) stays far below each. */
export const FORM_LIMITS = {
  /** Text fields (twine sends about 30, a classifier or dependency each). */
  fields: 1000,
  /** Bytes of one text field's value: a long description is the largest (PyPI sets no limit but its body size). */
  fieldBytes: 1024 * 1024,
  /** Bytes of a field's name. */
  fieldNameBytes: 100,
  /** File parts: the distribution and an optional signature. */
  files: 2,
  parts: 1100,
} as const;

/** RFC 2046 §5.1.1: a boundary is 1 to 70 characters. */
const MAX_BOUNDARY = 70;

/**
 * Why a request's Content-Type cannot carry an upload, before a byte of the body is read: not
 * multipart/form-data, no boundary, or a boundary no client sends.
 */
export function contentTypeProblem(contentType: string | undefined): UploadRejection | undefined {
  const [type = '', ...parameters] = (contentType ?? '').split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') {
    return reject('missing-file', 'Upload payload does not have a file.');
  }
  const boundary = parameters
    .map((parameter) => /^\s*boundary\s*=\s*(?:"([^"]*)"|([^\s";]*))\s*$/i.exec(parameter))
    .find((match) => match !== null);
  const value = boundary?.[1] ?? boundary?.[2] ?? '';
  if (value === '') {
    return reject('invalid-form', 'Invalid multipart/form-data request: the Content-Type has no boundary parameter.');
  }
  if (value.length > MAX_BOUNDARY) {
    return reject('invalid-form', `Invalid multipart/form-data request: the boundary has ${value.length} characters; RFC 2046 allows at most ${MAX_BOUNDARY}.`);
  }
  return undefined;
}

const LIMIT_ERRORS: Record<string, string> = {
  FST_FIELDS_LIMIT: `more than ${FORM_LIMITS.fields} form fields`,
  FST_PARTS_LIMIT: `more than ${FORM_LIMITS.parts} form parts`,
  FST_FILES_LIMIT: `more than ${FORM_LIMITS.files} file parts`,
};

/** Messages the multipart parser (busboy) gives to a body that is not well-formed multipart. */
const MALFORMED = /^(Unexpected end of (form|file|multipart data)|Malformed part header|Multipart: Boundary not found|Malformed urlencoded form|Unsupported content type)/;

/**
 * The refusal for an error the multipart parser raised, or undefined when the error is not the
 * client's doing (a disk error, a bug), which must not be answered as bad input.
 */
export function multipartProblem(error: unknown): UploadRejection | undefined {
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  const detail = (message: string): string => message.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
  if (typeof code === 'string' && code in LIMIT_ERRORS) {
    return reject('form-too-large', `The upload form has ${LIMIT_ERRORS[code]}; no client sends that many.`);
  }
  // @fastify/multipart's own refusals (a field named like a prototype property, a malformed JSON part) carry a 4xx.
  if (typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && error instanceof Error) {
    return reject('invalid-form', `Invalid multipart/form-data body: ${detail(error.message)}.`);
  }
  if (code === undefined && error instanceof Error && MALFORMED.test(error.message)) {
    return reject('invalid-form', `Invalid multipart/form-data body: ${detail(error.message)}.`);
  }
  return undefined;
}

const mebibytes = (bytes: number): string => `${bytes / (1024 * 1024)} MiB`;

/** The refusal of a text field cut short by a limit (the parser truncates; Quiver refuses rather than store a cut value). */
export function truncatedFieldProblem(name: string, nameTruncated: boolean): UploadRejection {
  if (nameTruncated) {
    return reject('field-too-large', `A form field's name is longer than ${FORM_LIMITS.fieldNameBytes} bytes.`);
  }
  const shown = name.slice(0, 40).replace(/[^\w:.-]/g, '?');
  return reject('field-too-large', `'${shown}' field must be ${mebibytes(FORM_LIMITS.fieldBytes)} (${FORM_LIMITS.fieldBytes} bytes) or less.`);
}
