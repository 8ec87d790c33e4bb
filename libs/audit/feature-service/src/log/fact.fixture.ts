import type { AccessRecorded } from '@quiver/shared-contracts-identity';

/** A download fact for tests, with `overrides`. */
export const fact = (overrides: Partial<AccessRecorded> = {}): AccessRecorded => ({
  id: '8f0c8f6e-1c1d-4b8a-9c59-3c1f4f3f0001',
  type: 'AccessRecorded',
  schemaVersion: 1,
  service: 'index',
  time: '2026-12-07T10:00:00.123Z',
  action: 'file.download',
  outcome: 'success',
  actor: 'alice',
  tokenId: 'tk_0123456789abcdef',
  clientAddress: '10.1.2.3',
  userAgent: 'pip/24.0',
  project: 'acme-tools',
  version: '1.0',
  filename: 'acme_tools-1.0-py3-none-any.whl',
  status: 200,
  reason: null,
  details: { bytes: 1234, cached: true },
  ...overrides,
});
