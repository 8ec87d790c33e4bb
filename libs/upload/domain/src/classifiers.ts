/**
 * Trove classifiers (BAD-INPUT 14): only the known ones, and none that was deprecated. The list is
 * data generated from the `trove-classifiers` package (tools/generate-upload-data.mjs). Pure.
 */
import trove from './data/trove-classifiers.json' with { type: 'json' };
import { CORE_METADATA_HELP } from './upload-rejection.js';

const KNOWN = new Set<string>(trove.classifiers);
const DEPRECATED = new Map<string, readonly string[]>(Object.entries(trove.deprecated));

/**
 * `Private :: …` classifiers are never on the public list: their purpose is to stop an upload to
 * a public index, which makes them exactly right on a private one.
 */
const isPrivate = (classifier: string): boolean => classifier.startsWith('Private :: ');

/** A Python `repr` of a list of strings, as PyPI's message spells the replacements. */
const pythonList = (items: readonly string[]): string => `[${items.map((item) => `'${item}'`).join(', ')}]`;

/** The first problem with the declared classifiers (unknown before deprecated, each in sorted order), or `undefined`. */
export function classifierProblem(classifiers: readonly string[]): string | undefined {
  const declared = [...new Set(classifiers)].sort();
  const unknown = declared.find((classifier) => !KNOWN.has(classifier) && !DEPRECATED.has(classifier) && !isPrivate(classifier));
  if (unknown !== undefined) {
    return `'${unknown.slice(0, 200)}' is not a valid classifier. ${CORE_METADATA_HELP}`;
  }
  const deprecated = declared.find((classifier) => DEPRECATED.has(classifier));
  if (deprecated !== undefined) {
    const replacements = DEPRECATED.get(deprecated) ?? [];
    return replacements.length > 0
      ? `The classifier '${deprecated}' has been deprecated, use one of ${pythonList(replacements)} instead. ${CORE_METADATA_HELP}`
      : `The classifier '${deprecated}' has been deprecated. ${CORE_METADATA_HELP}`;
  }
  return undefined;
}
