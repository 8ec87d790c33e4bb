/**
 * The security report's judgements (issue 12), pure: the SQL gathers counts per token and window,
 * these rules decide what is flagged. Time comes in as input.
 */

/** A token downloads "far more than its own history" when, in the report's window, it made … */
export const HEAVY_DOWNLOADS = {
  /** … more than this many times its average per equal window over the previous windows … */
  factor: 5,
  /** … (this many windows of the same length right before the report's) … */
  previousWindows: 4,
  /** … and at least this many downloads. */
  minimum: 50,
} as const;

export interface TokenDownloads {
  readonly tokenId: string;
  readonly actor: string;
  /** `file.download` facts in the window. */
  readonly downloads: number;
  /** `file.download` facts in the previous `HEAVY_DOWNLOADS.previousWindows` windows together. */
  readonly previousDownloads: number;
}

export interface HeavyDownloader extends TokenDownloads {
  readonly previousAverage: number;
}

/** The tokens whose downloads in the window exceed the rule, most downloads first. */
export function heavyDownloaders(rows: readonly TokenDownloads[]): HeavyDownloader[] {
  return rows
    .map((row) => ({ ...row, previousAverage: row.previousDownloads / HEAVY_DOWNLOADS.previousWindows }))
    .filter((row) => row.downloads >= HEAVY_DOWNLOADS.minimum && row.downloads > HEAVY_DOWNLOADS.factor * row.previousAverage)
    .sort((a, b) => b.downloads - a.downloads || a.tokenId.localeCompare(b.tokenId));
}

/** A report window: `since` as a duration back from now (`7d`) or an ISO time; ends now. */
export interface ReportWindow {
  readonly since: Date;
  readonly until: Date;
}

const UNITS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
/** The longest window a report covers (its history reaches four windows further back). */
export const MAX_WINDOW_MS = 366 * UNITS.d;

/** `7d`, `12h`, or an ISO time before `now`; undefined when it is neither (or too long ago). */
export function reportWindow(since: string | undefined, now: Date): ReportWindow | undefined {
  const text = (since ?? '7d').trim();
  const duration = /^([1-9][0-9]{0,5})([dhms])$/.exec(text);
  const start = duration ? now.getTime() - Number(duration[1]) * UNITS[duration[2] as keyof typeof UNITS] : /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(start) || start >= now.getTime() || now.getTime() - start > MAX_WINDOW_MS) {
    return undefined;
  }
  return { since: new Date(start), until: now };
}
