/**
 * entry_points.txt of a wheel: UTF-8, INI-style `[group]` sections of `name = object.reference`
 * lines (BAD-INPUT 35).
 * Spec: https://packaging.python.org/specifications/entry-points/
 */
const GROUP = /^\[([^\]]*)\]$/;
const GROUP_NAME = /^[A-Za-z0-9_.-]+$/;
const IDENTIFIER = String.raw`[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*`;
const DOTTED = String.raw`${IDENTIFIER}(?:\.${IDENTIFIER})*`;
const EXTRAS = String.raw`\[\s*(?:[A-Za-z0-9._-]+(?:\s*,\s*[A-Za-z0-9._-]+)*)?\s*\]`;
const OBJECT_REFERENCE = new RegExp(String.raw`^${DOTTED}(?:\s*:\s*${DOTTED})?(?:\s*${EXTRAS})?$`, 'u');

export function isValidEntryPoints(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  const groups = new Set<string>();
  let names: Set<string> | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      continue;
    }
    // An indented line continues the previous value in INI files: never valid here.
    if (line !== line.trimStart()) {
      return false;
    }
    const group = GROUP.exec(trimmed);
    if (group) {
      const name = (group[1] ?? '').trim();
      if (!GROUP_NAME.test(name) || groups.has(name)) {
        return false;
      }
      groups.add(name);
      names = new Set();
      continue;
    }
    const equals = trimmed.indexOf('=');
    if (!names || equals < 0) {
      return false;
    }
    const name = trimmed.slice(0, equals).trim();
    const value = trimmed.slice(equals + 1).trim();
    if (name === '' || name.startsWith('[') || names.has(name) || !OBJECT_REFERENCE.test(value)) {
      return false;
    }
    names.add(name);
  }
  return true;
}
