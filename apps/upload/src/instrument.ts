import { startTelemetry } from '@quiver/shared-util-telemetry';

// Imported first by main.ts, so tracing is in place before NestJS and the drivers load.
startTelemetry('quiver-upload');
