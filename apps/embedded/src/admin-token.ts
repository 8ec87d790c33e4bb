import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateApiToken, hashApiToken, isWellFormedToken } from '@quiver/shared-util-tokens';

/**
 * The bootstrap administrator's token: created on first start into `<data dir>/admin-token`
 * (mode 0600). Only its path is ever printed; only its hash stays in memory.
 */
export async function loadOrCreateAdminToken(dataDir: string): Promise<{ readonly path: string; readonly sha256: string; readonly created: boolean }> {
  const path = join(dataDir, 'admin-token');
  const existing = await readFile(path, 'utf8').catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  });
  if (existing !== undefined) {
    const token = existing.trim();
    if (!isWellFormedToken(token)) {
      throw new Error(`${path} does not hold a Quiver token; remove it to have a new one created.`);
    }
    return { path, sha256: hashApiToken(token), created: false };
  }
  const token = generateApiToken();
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { path, sha256: hashApiToken(token), created: true };
}
