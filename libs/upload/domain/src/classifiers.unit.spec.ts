import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifierProblem } from './classifiers.js';

describe('trove classifiers (BAD-INPUT 14)', () => {
  it('accepts known classifiers, none at all, and private ones', () => {
    assert.equal(classifierProblem([]), undefined);
    assert.equal(classifierProblem(['Programming Language :: Python :: 3', 'License :: OSI Approved :: MIT License', 'Private :: Do Not Upload']), undefined);
  });

  it('refuses an unknown classifier before a deprecated one, with PyPI’s wording', () => {
    assert.match(classifierProblem(['Natural Language :: Ukranian', 'Foo :: Bar']) ?? '', /^'Foo :: Bar' is not a valid classifier\. See https:\/\/packaging\.python\.org\/specifications\/core-metadata/);
    assert.match(
      classifierProblem(['Natural Language :: Ukranian']) ?? '',
      /^The classifier 'Natural Language :: Ukranian' has been deprecated, use one of \['Natural Language :: Ukrainian'\] instead\. See /,
    );
    assert.match(classifierProblem(['Topic :: Communications :: Chat :: AOL Instant Messenger']) ?? '', /^The classifier '.*' has been deprecated\. See /);
  });
});
