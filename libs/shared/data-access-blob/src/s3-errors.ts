import { BlobIntegrityError, BlobNotFoundError, BlobRangeError, BlobStoreUnavailableError } from '@quiver/shared-ports';
import { UnsafeBlobKeyError } from './blob-key.js';
import { BlobSizeMismatchError } from './body-stream.js';

/** Socket-level failures: the store is down, unreachable or cut the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);
/** S3 error codes that mean "try again later" rather than "your request is wrong". */
const TRANSIENT_S3_CODES = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout']);
/** `minio` reports 408/429/5xx answers only in a message ("Retryable HTTP status: 503"), without a status field. */
const RETRYABLE_STATUS = /Retryable HTTP status: (\d{3})/;
const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound']);

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Our own errors pass through unchanged. */
const isOwn = (error: unknown): error is Error =>
  error instanceof BlobNotFoundError ||
  error instanceof BlobRangeError ||
  error instanceof BlobIntegrityError ||
  error instanceof BlobStoreUnavailableError ||
  error instanceof BlobSizeMismatchError ||
  error instanceof UnsafeBlobKeyError;

function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (NETWORK_CODES.has(code) || TRANSIENT_S3_CODES.has(code))) {
    return true;
  }
  if (error instanceof AggregateError && error.errors.some(isUnavailable)) {
    return true; // several addresses tried, all failed
  }
  const status = RETRYABLE_STATUS.exec(error instanceof Error ? error.message : String(error))?.[1];
  return status !== undefined;
}

/** Maps what the `minio` client throws onto the port's errors; anything else passes through as is. */
export function translateS3Error(error: unknown, key: string, endpoint: string): Error {
  if (isOwn(error)) {
    return error;
  }
  const code = codeOf(error);
  if (code !== undefined && NOT_FOUND_CODES.has(code)) {
    return new BlobNotFoundError(key);
  }
  if (isUnavailable(error)) {
    const reason = error instanceof Error ? error.message : String(error);
    return new BlobStoreUnavailableError(`The object store at ${endpoint} is unavailable: ${reason || code || 'no details'}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
