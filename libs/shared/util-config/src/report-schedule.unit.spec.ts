import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';
import { describeReportSchedule, nextReportRun, parseReportSchedule, type ReportSchedule } from './report-schedule.js';

const schedule = (text: string): ReportSchedule => {
  const parsed = parseReportSchedule(text);
  assert.ok(parsed.ok, text);
  return parsed.schedule;
};

describe('QUIVER_REPORT_SCHEDULE', () => {
  it('is off unless set, and reads daily and weekly with or without a time', () => {
    assert.deepEqual(loadConfig({}, { serviceName: 'audit', mode: 'embedded' }).reports, { schedule: { every: 'off' }, reviewUnusedDays: 90 });
    assert.equal(describeReportSchedule(schedule('daily')), 'daily@06:00');
    assert.equal(describeReportSchedule(schedule('daily@23:15')), 'daily@23:15');
    assert.equal(describeReportSchedule(schedule('weekly')), 'weekly@mon 06:00');
    assert.equal(describeReportSchedule(schedule('Weekly@FRI 17:30')), 'weekly@fri 17:30');
    assert.equal(describeReportSchedule(schedule('weekly@sun')), 'weekly@sun 06:00');
  });

  it('refuses anything else, naming the setting', () => {
    for (const text of ['hourly', 'daily@25:00', 'daily@mon 06:00', 'weekly@', '0 6 * * 1', 'weekly@someday 06:00']) {
      assert.equal(parseReportSchedule(text).ok, false, text);
    }
    assert.throws(() => loadConfig({ QUIVER_REPORT_SCHEDULE: 'hourly', QUIVER_REVIEW_UNUSED_DAYS: '0' }, { serviceName: 'audit', mode: 'embedded' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.filter((problem) => /QUIVER_REPORT_SCHEDULE|QUIVER_REVIEW_UNUSED_DAYS/.test(problem)).length, 2);
      return true;
    });
  });

  it('finds the next run strictly after a moment', () => {
    const monday = new Date('2026-12-07T06:00:00Z');
    assert.equal(nextReportRun(schedule('weekly'), new Date('2026-12-07T05:59:59Z'))?.toISOString(), monday.toISOString());
    assert.equal(nextReportRun(schedule('weekly'), monday)?.toISOString(), '2026-12-14T06:00:00.000Z');
    assert.equal(nextReportRun(schedule('daily@00:30'), new Date('2026-12-31T23:00:00Z'))?.toISOString(), '2027-01-01T00:30:00.000Z');
    assert.equal(nextReportRun(schedule('off'), monday), undefined);
  });
});
