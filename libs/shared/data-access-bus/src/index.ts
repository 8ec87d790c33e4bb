export { EventBusUnavailableError } from './bus-errors.js';
export { InProcessEventBus, type InProcessEventBusOptions } from './in-process-event-bus.js';
export { KafkaEventBus, type KafkaEventBusOptions, type KafkaLogLevel } from './kafka-event-bus.js';
