/** Settings durations such as `14d`, `12h`, `30m`, `1s`: whole seconds in, readable words out. Pure. */
const UNITS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const WORDS: readonly [number, string][] = [
  [86_400, 'day'],
  [3_600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** Seconds, or `undefined` unless `text` is a positive whole number followed by `d`, `h`, `m` or `s`. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,8})([dhms])$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : undefined;
}

/** The largest unit that divides evenly: 1209600 → `14 days`, 1 → `1 second`. */
export function formatDuration(seconds: number): string {
  const [size, word] = WORDS.find(([unit]) => seconds % unit === 0) ?? [1, 'second'];
  const count = seconds / size;
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The compact spelling that `parseDuration` reads back: 1209600 → `14d`. */
export function durationText(seconds: number): string {
  const [unit, size] = Object.entries(UNITS).find(([, size]) => seconds % size === 0) ?? ['s', 1];
  return `${seconds / size}${unit}`;
}
