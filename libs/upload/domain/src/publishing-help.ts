/**
 * Where refusal messages send users for the rules of publishing: Quiver's own documentation
 * (`docs/publishing.md`, one anchor per rule), never a public index's help pages, whose rules are
 * not Quiver's. A private deployment has no fixed address for its documentation, so the link is
 * built from `QUIVER_DOCS_URL` when the deployment sets it, and names the page in Quiver's
 * documentation when it does not.
 */

/** The anchors of `docs/publishing.md` that messages link to (its headings, as slugs). */
export type PublishingTopic = 'file-name-reuse' | 'closed-releases' | 'one-sdist-per-release' | 'new-projects';

export const PUBLISHING_DOC = 'publishing.md';

/** `See <where> for more information.` for `topic`, under `docsUrl` (the published `docs/` directory) if given. */
export function publishingHelp(topic: PublishingTopic, docsUrl: string | undefined): string {
  const where = docsUrl === undefined ? `docs/${PUBLISHING_DOC}#${topic} in Quiver's documentation` : `${docsUrl.replace(/\/+$/, '')}/${PUBLISHING_DOC}#${topic}`;
  return `See ${where} for more information.`;
}
