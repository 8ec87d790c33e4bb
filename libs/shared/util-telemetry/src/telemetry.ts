import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry before anything else loads. Export is off unless
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, so `npm start` never tries to reach a collector.
 */
export function startTelemetry(serviceName: string, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if (sdk || !env['OTEL_EXPORTER_OTLP_ENDPOINT']) {
    return false;
  }
  sdk = new NodeSDK({ serviceName: env['OTEL_SERVICE_NAME'] ?? serviceName });
  sdk.start();
  return true;
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
