import type { Entry } from 'ldapts';

/** Every string value of an attribute, matched case-insensitively (servers differ in the case they return). */
export function attributeValues(entry: Entry, attribute: string): string[] {
  const wanted = attribute.toLowerCase();
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'dn' || name.toLowerCase() !== wanted) {
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    return values.map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
  }
  return [];
}

export const firstValue = (entry: Entry, attribute: string): string | undefined => attributeValues(entry, attribute)[0];

/** DNs as compared here: the directory returns them in one spelling, so case is the only difference to fold. */
export const dnKey = (dn: string): string => dn.toLowerCase();
