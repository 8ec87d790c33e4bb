import type { HeavyDownloader } from './security-report.rules.js';

/** `GET /api/audit/security-report` and the scheduled report's content. */
export interface SecurityReport {
  readonly generatedAt: string;
  readonly since: string;
  readonly until: string;
  readonly rules: {
    readonly heavyDownloads: string;
    readonly newAddress: string;
  };
  /** `auth.login` with outcome `denied`, by the name tried and by client address. */
  readonly failedSignIns: {
    readonly byUser: readonly { readonly actor: string; readonly count: number; readonly addresses: readonly string[] }[];
    readonly byAddress: readonly { readonly clientAddress: string; readonly count: number; readonly users: readonly string[] }[];
  };
  /** `auth.denied` (401 and 403 at any door), by actor and address. */
  readonly denials: readonly { readonly actor: string; readonly clientAddress: string | null; readonly unauthorized: number; readonly forbidden: number; readonly reasons: readonly string[] }[];
  /** Every request an emergency token authenticated (`token.use`). */
  readonly emergencyTokenUses: readonly {
    readonly time: string;
    readonly actor: string;
    readonly tokenId: string | null;
    readonly clientAddress: string | null;
    readonly service: string;
    readonly project: string | null;
    readonly filename: string | null;
    readonly status: number | null;
  }[];
  readonly heavyDownloads: readonly HeavyDownloader[];
  /** A token used from an address not seen for it before the window (tokens with earlier use only). */
  readonly newAddresses: readonly { readonly tokenId: string; readonly actor: string; readonly clientAddress: string; readonly firstSeen: string; readonly uses: number }[];
  readonly counts: Readonly<Record<'failedSignIns' | 'denials' | 'emergencyTokenUses' | 'heavyDownloads' | 'newAddresses', number>>;
}
