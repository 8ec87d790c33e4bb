import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publishingHelp } from './publishing-help.js';

describe('publishing help links', () => {
  it("name the page in Quiver's documentation when the deployment has no docs URL", () => {
    assert.equal(publishingHelp('file-name-reuse', undefined), "See docs/publishing.md#file-name-reuse in Quiver's documentation for more information.");
  });

  it('link under QUIVER_DOCS_URL when it is set, with or without a trailing slash', () => {
    for (const base of ['https://git.example.test/quiver/docs', 'https://git.example.test/quiver/docs/']) {
      assert.equal(publishingHelp('closed-releases', base), 'See https://git.example.test/quiver/docs/publishing.md#closed-releases for more information.');
    }
  });
});
