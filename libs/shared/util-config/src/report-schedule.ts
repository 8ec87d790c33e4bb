/**
 * `QUIVER_REPORT_SCHEDULE` (docs/operations/settings.md): when the access review and the security
 * report run on their own and are published as `report.published` facts.
 *
 * - `off` (the default): only on demand;
 * - `daily` or `daily@HH:MM`: every day at that UTC time (default 06:00);
 * - `weekly` or `weekly@<day> HH:MM`: every week on that day (mon … sun, default mon) at that UTC
 *   time (default 06:00), for example `weekly@fri 17:30`.
 *
 * Each run covers the period since the previous one (a day or a week). Pure.
 */
export type ReportSchedule =
  | { readonly every: 'off' }
  | { readonly every: 'day'; readonly minuteOfDay: number }
  | { readonly every: 'week'; readonly weekday: number; readonly minuteOfDay: number };

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_MS = 86_400_000;
const DEFAULT_MINUTE = 6 * 60;

/** The schedule, or a message saying what is wrong. */
export function parseReportSchedule(text: string | undefined): { ok: true; schedule: ReportSchedule } | { ok: false; message: string } {
  const value = (text ?? 'off').trim().toLowerCase();
  const bad = { ok: false as const, message: `QUIVER_REPORT_SCHEDULE must be off, daily, daily@HH:MM, weekly or weekly@<mon…sun> HH:MM (UTC), not '${value.slice(0, 40)}'.` };
  if (value === 'off' || value === '') {
    return { ok: true, schedule: { every: 'off' } };
  }
  const match = /^(daily|weekly)(?:@(?:(sun|mon|tue|wed|thu|fri|sat)\s*)?(?:([01][0-9]|2[0-3]):([0-5][0-9]))?)?$/.exec(value);
  if (!match || (match[1] === 'daily' && match[2] !== undefined) || (value.includes('@') && match[2] === undefined && match[3] === undefined)) {
    return bad;
  }
  const minuteOfDay = match[3] === undefined ? DEFAULT_MINUTE : Number(match[3]) * 60 + Number(match[4]);
  if (match[1] === 'daily') {
    return { ok: true, schedule: { every: 'day', minuteOfDay } };
  }
  return { ok: true, schedule: { every: 'week', weekday: DAYS.indexOf((match[2] ?? 'mon') as (typeof DAYS)[number]), minuteOfDay } };
}

/** The length of the period one run covers, in milliseconds (0 when off). */
export const reportPeriodMs = (schedule: ReportSchedule): number => (schedule.every === 'day' ? DAY_MS : schedule.every === 'week' ? 7 * DAY_MS : 0);

/** The first scheduled moment strictly after `after`, or undefined when off. */
export function nextReportRun(schedule: ReportSchedule, after: Date): Date | undefined {
  if (schedule.every === 'off') {
    return undefined;
  }
  const midnight = Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate());
  for (let day = 0; day <= 7; day += 1) {
    const at = midnight + day * DAY_MS + schedule.minuteOfDay * 60_000;
    const weekdayOk = schedule.every === 'day' || new Date(at).getUTCDay() === schedule.weekday;
    if (weekdayOk && at > after.getTime()) {
      return new Date(at);
    }
  }
  return undefined;
}

/** How the schedule reads back (`weekly@mon 06:00`). */
export function describeReportSchedule(schedule: ReportSchedule): string {
  if (schedule.every === 'off') {
    return 'off';
  }
  const time = `${String(Math.floor(schedule.minuteOfDay / 60)).padStart(2, '0')}:${String(schedule.minuteOfDay % 60).padStart(2, '0')}`;
  return schedule.every === 'day' ? `daily@${time}` : `weekly@${DAYS[schedule.weekday] ?? 'mon'} ${time}`;
}
