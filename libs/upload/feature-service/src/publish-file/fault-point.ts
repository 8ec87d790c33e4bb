/**
 * TEST-ONLY crash seam for RELIABILITY F7 (`QUIVER_FAULT_POINT`; never set in production): the
 * upload process SIGKILLs itself at the named point of a publish, as a power cut or an OOM kill
 * would, so the suite can prove what a client and the stores see afterwards.
 */
export type FaultPoint = 'after_blob_put' | 'after_db_commit_before_response';

export function crashIfFaultPoint(configured: FaultPoint | undefined, reached: FaultPoint): void {
  if (configured === reached) {
    process.kill(process.pid, 'SIGKILL');
  }
}
