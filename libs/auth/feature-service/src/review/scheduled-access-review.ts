import { ScheduledReport } from '@quiver/shared-feature-access';
import type { EventBus } from '@quiver/shared-ports';
import type { AuthDependencies } from '../auth.ports.js';
import type { AccessReviews } from './access-reviews.js';

/**
 * The access review on QUIVER_REPORT_SCHEDULE, published as a `report.published` fact (service
 * `auth`, `details.report` = `access-review`) with QUIVER_REVIEW_UNUSED_DAYS as its period. A
 * scheduled run has no caller's credentials: project names come only from an in-process catalog.
 */
export function scheduledAccessReview(reviews: AccessReviews, bus: EventBus, schedule: NonNullable<AuthDependencies['reviewSchedule']>, clock: (() => Date) | undefined, onError: (message: string) => void): ScheduledReport {
  return new ScheduledReport({
    service: 'auth',
    report: 'access-review',
    bus,
    next: schedule.next,
    periodMs: schedule.periodMs,
    ...(clock ? { clock } : {}),
    onError,
    produce: async () => {
      const review = await reviews.review(schedule.unusedDays);
      return { counts: review.counts, findings: review.findings };
    },
  });
}
