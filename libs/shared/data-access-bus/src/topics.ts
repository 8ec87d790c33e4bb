import { deadLetterTopic, type TopicSpec } from '@quiver/shared-ports';

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;
const DEAD_LETTER_SUFFIX = deadLetterTopic('');
/** Kafka's limit is 249 characters; the dead-letter companion needs room for its suffix. */
const MAX_NAME_LENGTH = 249 - DEAD_LETTER_SUFFIX.length;

export const isDeadLetterTopic = (name: string): boolean => name.endsWith(DEAD_LETTER_SUFFIX);

/**
 * Validates the specs and adds each topic's `.dlt` companion (same partition count), so every topic
 * a consumer reads has somewhere to put its poison messages. Dead-letter topics get no companion.
 */
export function withDeadLetterCompanions(topics: readonly TopicSpec[]): TopicSpec[] {
  const all = new Map<string, TopicSpec>();
  for (const spec of topics) {
    if (!LEGAL_NAME.test(spec.name) || spec.name.length > MAX_NAME_LENGTH) {
      throw new RangeError(`Illegal topic name '${spec.name}': use at most ${MAX_NAME_LENGTH} of a-z A-Z 0-9 . _ -.`);
    }
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw new RangeError(`Topic '${spec.name}' needs a positive integer partition count, not ${String(spec.partitions)}.`);
    }
    all.set(spec.name, spec);
    if (!isDeadLetterTopic(spec.name)) {
      const companion = deadLetterTopic(spec.name);
      all.set(companion, all.get(companion) ?? { name: companion, partitions: spec.partitions });
    }
  }
  return [...all.values()];
}
