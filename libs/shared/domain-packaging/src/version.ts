/**
 * PEP 440 versions: parse, normalise, order. Pure.
 * Spec: https://packaging.python.org/en/latest/specifications/version-specifiers/
 */
export interface Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre?: { readonly label: 'a' | 'b' | 'rc'; readonly number: number };
  readonly post?: number;
  readonly dev?: number;
  /** Normalised local segment (lowercase, `.`-separated), e.g. `ubuntu.1`. */
  readonly local?: string;
}

// The grammar of the specification's public + local version, case-insensitive, with its
// permitted spellings (separators, `alpha`/`c`/`rev`, implicit numbers).
const PATTERN = new RegExp(
  [
    '^v?',
    '(?:(?<epoch>[0-9]+)!)?',
    '(?<release>[0-9]+(?:\\.[0-9]+)*)',
    '(?:[-_.]?(?<preLabel>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<preNumber>[0-9]+)?)?',
    '(?:-(?<postImplicit>[0-9]+)|[-_.]?(?<postLabel>post|rev|r)[-_.]?(?<postNumber>[0-9]+)?)?',
    '(?:[-_.]?(?<devLabel>dev)[-_.]?(?<devNumber>[0-9]+)?)?',
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  ].join(''),
  'i',
);

const PRE_LABELS: Record<string, 'a' | 'b' | 'rc'> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

/** The parsed version, or `undefined` when `text` is not a PEP 440 version. Surrounding whitespace is not accepted. */
export function parseVersion(text: string): Version | undefined {
  const groups = PATTERN.exec(text)?.groups;
  if (!groups) {
    return undefined;
  }
  const int = (value: string | undefined): number => (value === undefined ? 0 : Number.parseInt(value, 10));
  const preLabel = groups['preLabel']?.toLowerCase();
  const hasPost = groups['postImplicit'] !== undefined || groups['postLabel'] !== undefined;
  const release = (groups['release'] ?? '0').split('.').map((part) => Number.parseInt(part, 10));
  if (release.some((part) => !Number.isSafeInteger(part))) {
    return undefined;
  }
  return {
    epoch: int(groups['epoch']),
    release,
    ...(preLabel ? { pre: { label: PRE_LABELS[preLabel] ?? 'rc', number: int(groups['preNumber']) } } : {}),
    ...(hasPost ? { post: int(groups['postImplicit'] ?? groups['postNumber']) } : {}),
    ...(groups['devLabel'] ? { dev: int(groups['devNumber']) } : {}),
    ...(groups['local'] ? { local: groups['local'].toLowerCase().replace(/[-_]/g, '.') } : {}),
  };
}

/** The normalised spelling, e.g. `1.0-ALPHA.1` → `1.0a1`, `1.0-1` → `1.0.post1`. */
export function formatVersion(version: Version): string {
  return [
    version.epoch > 0 ? `${version.epoch}!` : '',
    version.release.join('.'),
    version.pre ? `${version.pre.label}${version.pre.number}` : '',
    version.post !== undefined ? `.post${version.post}` : '',
    version.dev !== undefined ? `.dev${version.dev}` : '',
    version.local ? `+${version.local}` : '',
  ].join('');
}

export const normalizeVersion = (text: string): string | undefined => {
  const version = parseVersion(text);
  return version ? formatVersion(version) : undefined;
};

/** Orders versions as installers do (negative when `a` sorts before `b`). */
export function compareVersions(a: Version, b: Version): number {
  return compareKeys(sortKey(a), sortKey(b));
}

type Key = readonly (number | string | Key)[];

function sortKey(version: Version): Key {
  const release = [...version.release];
  while (release.length > 1 && release[release.length - 1] === 0) {
    release.pop();
  }
  // A dev release with no pre or post sorts before the pre-releases of its release.
  const pre: Key =
    version.pre === undefined
      ? version.post === undefined && version.dev !== undefined
        ? [-1]
        : [Number.POSITIVE_INFINITY]
      : [['a', 'b', 'rc'].indexOf(version.pre.label), version.pre.number];
  const post: Key = version.post === undefined ? [-1] : [version.post];
  const dev: Key = version.dev === undefined ? [Number.POSITIVE_INFINITY] : [version.dev];
  const local: Key =
    version.local === undefined
      ? [[-1]]
      : version.local.split('.').map((part) => (/^[0-9]+$/.test(part) ? [1, Number.parseInt(part, 10)] : [0, part]));
  return [version.epoch, release, pre, post, dev, local];
}

function compareKeys(a: Key, b: Key): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const left = a[i];
    const right = b[i];
    if (left === undefined || right === undefined) {
      return left === undefined ? (right === undefined ? 0 : -1) : 1;
    }
    const order =
      Array.isArray(left) && Array.isArray(right)
        ? compareKeys(left as Key, right as Key)
        : typeof left === 'string' && typeof right === 'string'
          ? (left < right ? -1 : left > right ? 1 : 0)
          : Math.sign(Number(left) - Number(right)) || 0; // Infinity - Infinity is NaN: equal
    if (order !== 0) {
      return order;
    }
  }
  return 0;
}
