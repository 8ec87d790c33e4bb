import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parsers for option values. They check obvious syntax only (the server is the
 * authority on what a value means and allows) and throw `InvalidArgumentError`, a usage error.
 */

const UNITS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;

/** `30d`, `12h`, `90m`, `45s`. */
export function duration(value: string): string {
  if (!/^[0-9]{1,9}[dhms]$/.test(value)) {
    throw new InvalidArgumentError('Expected a number and a unit, such as 30d, 12h, 90m or 45s.');
  }
  return value;
}

/** A duration (already checked by `duration`) in seconds. */
export function durationSeconds(value: string): number {
  return Number(value.slice(0, -1)) * UNITS[value.slice(-1) as keyof typeof UNITS];
}

export function wholeNumber(value: string): number {
  if (!/^[0-9]{1,10}$/.test(value)) {
    throw new InvalidArgumentError('Expected a whole number.');
  }
  return Number(value);
}

export function positiveNumber(value: string): number {
  const number = wholeNumber(value);
  if (number < 1) {
    throw new InvalidArgumentError('Expected a whole number of at least 1.');
  }
  return number;
}

/** A repeatable, comma-separated option: `--cidr a --cidr b,c` → `[a, b, c]`, each item checked by `item`. */
export function listOf(item: (value: string) => string): (value: string, previous: readonly string[] | undefined) => string[] {
  return (value, previous) => {
    const items = value.split(',').map((part) => part.trim());
    if (items.some((part) => part === '')) {
      throw new InvalidArgumentError('Expected a comma-separated list without empty items.');
    }
    return [...(previous ?? []), ...items.map(item)];
  };
}

export function oneOf(allowed: readonly string[]): (value: string) => string {
  return (value) => {
    if (!allowed.includes(value)) {
      throw new InvalidArgumentError(`'${value.slice(0, 40)}' is not one of ${allowed.join(', ')}.`);
    }
    return value;
  };
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address. */
export function cidr(value: string): string {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  if (family === 0 || extra !== undefined || (prefix !== undefined && (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > bits))) {
    throw new InvalidArgumentError(`'${value.slice(0, 60)}' is not an address range such as 10.0.0.0/8.`);
  }
  return value;
}

export const nonEmpty = (value: string): string => {
  if (value.trim() === '') {
    throw new InvalidArgumentError('Expected a non-empty value.');
  }
  return value;
};

export const durationOrOff = (value: string): string => (value === 'off' ? value : duration(value));

/** A whole number of bytes (at least 1), or `off`; the server says whether it is within its bounds. */
export const bytesOrOff = (value: string): number | 'off' => (value === 'off' ? value : positiveNumber(value));
