/**
 * Read model for the Simple Repository API (PEP 503 / 691 / 700 / 592 / 658 / 714).
 * Pure data: the renderers in this library turn it into HTML or JSON; the service layer fills it.
 */

/** One distribution file as listed on a project page. */
export interface IndexedFile {
  /** Distribution filename, e.g. `demo-1.0-py3-none-any.whl`. */
  readonly filename: string;
  /** Absolute or relative download URL, **without** a `#fragment` (the renderers add `#sha256=`). */
  readonly url: string;
  /** SHA-256 of the file, hex. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
  /** Upload time (rendered in UTC). */
  readonly uploadTime: Date;
  /** `Requires-Python` specifier, unescaped (e.g. `>=3.9`); absent when the upload did not declare one. */
  readonly requiresPython?: string;
  /** PEP 592: `false`, or yanked with a (possibly empty) reason. */
  readonly yanked: false | { readonly reason: string };
  /** PEP 658/714: SHA-256 (hex) of the `<url>.metadata` sidecar; absent when none is served. */
  readonly coreMetadataSha256?: string;
}

/** Everything `/simple/<name>/` shows. */
export interface ProjectPage {
  /** PEP 503-normalised project name. */
  readonly name: string;
  /** Serial of the last change to this project (`_last-serial`). */
  readonly lastSerial: number;
  /** All versions with at least one file, already in the order to emit. */
  readonly versions: readonly string[];
  /** Files in the order to emit. */
  readonly files: readonly IndexedFile[];
}

/** One row of the `/simple/` root listing. */
export interface ProjectListEntry {
  /** PEP 503-normalised project name. */
  readonly name: string;
  readonly lastSerial: number;
}
