import type { PartitionLog, TopicLog } from './in-process-log.js';
import type { OffsetStore } from './in-process-worker.js';

export interface Assignment {
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
}

/** One subscription in a group, as the group sees it. */
export interface GroupMember {
  readonly topics: readonly string[];
  assign(assignments: readonly Assignment[]): void;
  /** Stops consuming every assigned partition, letting in-flight messages finish and commit. */
  revoke(): Promise<void>;
}

/**
 * A consumer group: committed offsets that outlive its members, and partitions shared among the
 * members that subscribe at the same time (each partition has exactly one owner).
 */
export class ConsumerGroup implements OffsetStore {
  private readonly offsets = new Map<string, number>();
  private readonly members: GroupMember[] = [];
  /** Every topic a member of this group ever subscribed to: its messages wait for this group's commits. */
  private readonly followed = new Set<string>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(private readonly topicLog: (name: string) => TopicLog) {}

  committed(topic: string, partition: number): number | undefined {
    return this.offsets.get(`${topic}\u0000${partition}`);
  }

  commit(topic: string, partition: number, nextOffset: number): void {
    this.offsets.set(`${topic}\u0000${partition}`, nextOffset);
  }

  /** Whether messages of `topic` must be kept until this group has committed past them. */
  follows(topic: string): boolean {
    return this.followed.has(topic);
  }

  join(member: GroupMember): Promise<void> {
    member.topics.forEach((topic) => this.followed.add(topic));
    return this.rebalance(() => this.members.push(member));
  }

  leave(member: GroupMember): Promise<void> {
    return this.rebalance(() => {
      const at = this.members.indexOf(member);
      if (at >= 0) {
        this.members.splice(at, 1);
      }
    });
  }

  /** Like Kafka's eager rebalance: everyone stops, membership changes, partitions are dealt out again. */
  private rebalance(change: () => void): Promise<void> {
    const next = this.rebalancing.then(async () => {
      await Promise.all(this.members.map((member) => member.revoke()));
      change();
      const assignments = new Map<GroupMember, Assignment[]>(this.members.map((member) => [member, []]));
      const topics = [...new Set(this.members.flatMap((member) => member.topics))].sort();
      for (const name of topics) {
        const topic = this.topicLog(name);
        const eligible = this.members.filter((member) => member.topics.includes(name));
        topic.partitions.forEach((log, partition) => {
          const owner = eligible[partition % eligible.length];
          if (owner) {
            assignments.get(owner)?.push({ topic: name, partition, log });
          }
        });
      }
      for (const [member, assigned] of assignments) {
        member.assign(assigned);
      }
    });
    this.rebalancing = next.catch(() => undefined);
    return next;
  }
}
