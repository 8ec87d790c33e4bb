const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/** SQLSTATE classes meaning "the server is not there for you right now": 08 connection, 57P admin shutdown, 53 resources. */
const UNAVAILABLE_SQLSTATE = /^(08|57P0|53)/;

export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) {
    return false;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) {
    return true;
  }
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(error.message);
}
