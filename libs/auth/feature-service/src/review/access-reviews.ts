import { reviewAccess, revocableTokens, type AccessReview, type ReviewFlag } from '@quiver/auth-domain';
import type { AuthDependencies } from '../auth.ports.js';
import { IdentityCommands } from '../identity/identity-commands.js';
import { readReviewData } from './review-input.repository.js';

export interface RevokedToken {
  readonly tokenId: string;
  readonly principal: string;
  readonly flag: ReviewFlag;
}

export interface RevokeUnusedResult {
  readonly unusedDays: number;
  readonly revoked: readonly RevokedToken[];
  /** Flagged but not revoked (already revoked by someone else meanwhile, or refused). */
  readonly failed: readonly { readonly tokenId: string; readonly message: string }[];
}

/**
 * The access review use cases: build the review at the injected clock's `now`, and revoke the
 * tokens it flags as never used or unused, through the ordinary token revocation (an identity
 * event each, answered once upload and index applied it, so the next request is refused).
 */
export class AccessReviews {
  private readonly commands: IdentityCommands;

  constructor(
    private readonly deps: AuthDependencies,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.commands = new IdentityCommands(deps);
  }

  async review(unusedDays: number, authorization?: string): Promise<AccessReview> {
    const now = this.clock();
    const [data, projects] = await Promise.all([readReviewData(this.deps.database, now), this.deps.projects?.names(authorization) ?? Promise.resolve(undefined)]);
    return reviewAccess({ now, unusedDays, projects, ...data });
  }

  async revokeUnused(unusedDays: number, actor: string): Promise<RevokeUnusedResult> {
    // Project names play no part in which tokens are revoked.
    const now = this.clock();
    const review = reviewAccess({ now, unusedDays, projects: undefined, ...(await readReviewData(this.deps.database, now)) });
    const revoked: RevokedToken[] = [];
    const failed: { tokenId: string; message: string }[] = [];
    for (const token of revocableTokens(review)) {
      const result = await this.commands.run({ type: 'RevokeToken', principal: token.principal, tokenId: token.tokenId }, actor);
      if (result.ok) {
        revoked.push(token);
      } else {
        failed.push({ tokenId: token.tokenId, message: result.message });
      }
    }
    return { unusedDays, revoked, failed };
  }
}
