import { printable } from '../plan.js';

export interface FailedFile {
  readonly project: string;
  readonly filename: string;
  readonly reason: string;
}

/** What one `quiver import` run did, filled in as it goes. */
export interface ImportSummary {
  readonly source: string;
  readonly dryRun: boolean;
  projects: number;
  /** Wheels and sdists found in the source (after `--projects`). */
  files: number;
  /** Copied by this run (with `--dry-run`: would be). */
  copied: number;
  bytes: number;
  /** Already in Quiver with the same sha256: not copied again. */
  present: number;
  /** Sent, and Quiver answered it had the same file already (another run copied it meanwhile). */
  resent: number;
  /** Copied from an index that advertised no hash Quiver can check. */
  unverified: number;
  /** Releases yanked to match the source. */
  yanked: number;
  readonly failed: FailedFile[];
  /** Files that are not wheels or sdists (paths below the directory, or filenames). */
  readonly skipped: string[];
  seconds: number;
}

const rate = (summary: ImportSummary): number => (summary.seconds > 0 ? summary.copied / summary.seconds : 0);
const plural = (count: number, word: string): string => `${count.toLocaleString('en')} ${word}${count === 1 ? '' : 's'}`;
const LISTED = 20;

/** The summary as text for a person. */
export function summaryText(summary: ImportSummary): string {
  const lines = [
    `${summary.dryRun ? 'would import' : 'imported'} from ${printable(summary.source)}: ${plural(summary.projects, 'project')}, ${plural(summary.files, 'file')}`,
    `  ${summary.dryRun ? 'to copy' : 'copied '}  ${plural(summary.copied, 'file')}, ${(summary.bytes / 1e6).toFixed(1)} MB in ${summary.seconds.toFixed(1)} s (${rate(summary).toFixed(1)} files/s)`,
    `  present  ${plural(summary.present, 'file')} already in Quiver with the same sha256`,
  ];
  if (summary.resent > 0) {
    lines.push(`  resent   ${plural(summary.resent, 'file')} Quiver had received meanwhile (nothing changed)`);
  }
  if (summary.unverified > 0) {
    lines.push(`  unverified  ${plural(summary.unverified, 'file')}: the source advertised no sha256, sha384, sha512 or md5`);
  }
  if (summary.yanked > 0) {
    lines.push(`  yanked   ${plural(summary.yanked, 'release')}, as in the source`);
  }
  if (summary.skipped.length > 0) {
    lines.push(`  skipped  ${plural(summary.skipped.length, 'file')} (not a wheel or sdist): ${summary.skipped.slice(0, LISTED).map(printable).join(', ')}${summary.skipped.length > LISTED ? ', …' : ''}`);
  }
  if (summary.failed.length > 0) {
    lines.push(`  failed   ${plural(summary.failed.length, 'file')} (run again to retry them):`);
    lines.push(...summary.failed.map((failure) => `    ${printable(failure.filename)}: ${printable(failure.reason)}`));
  }
  return `${lines.join('\n')}\n`;
}

/** The summary as `--json` prints it. */
export function summaryJson(summary: ImportSummary): string {
  return `${JSON.stringify({ ok: summary.failed.length === 0, ...summary, filesPerSecond: Number(rate(summary).toFixed(2)) }, null, 2)}\n`;
}
