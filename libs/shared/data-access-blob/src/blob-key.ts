/** Keys are `/`-separated, relative, and never climb out of their root. */
export function assertSafeKey(key: string): void {
  const segments = key.split('/');
  // eslint-disable-next-line no-control-regex
  if (key === '' || key.startsWith('/') || key.includes('\\') || /[\u0000-\u001f]/.test(key) || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new Error(`Unsafe blob key ${JSON.stringify(key.slice(0, 200))}: use relative '/'-separated segments without '.', '..', '\\' or control characters.`);
  }
}
