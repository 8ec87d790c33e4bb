import type { DeliveredMessage, OutgoingMessage } from '@quiver/shared-ports';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

export function toKafkaMessage(message: OutgoingMessage): Message {
  return { key: message.key, value: message.value, headers: { ...message.headers } };
}

/** Header values arrive as bytes (or lists of them, when a name repeats: the last one wins). */
function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) {
      result[name] = value.toString();
    }
  }
  return result;
}

export function toDeliveredMessage(topic: string, partition: number, message: KafkaMessage): DeliveredMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: message.value?.toString('utf8') ?? '',
    headers: headersToStrings(message.headers),
  };
}

/** The offset to commit after `offset` was handled: the next one (offsets exceed 2^53, so BigInt). */
export const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();
