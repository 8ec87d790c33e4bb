/**
 * Proves the boundary matrix in eslint.config.mjs is live: each wrong import below is written into
 * a real project, linted with the project's own configuration, and must be reported.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = join(import.meta.dirname, '..', '..', '..');
const written: string[] = [];

async function boundaryMessages(relativePath: string, source: string): Promise<string[]> {
  const path = join(root, relativePath);
  writeFileSync(path, source);
  written.push(path);
  const [result] = await new ESLint({ cwd: root }).lintFiles([path]);
  const messages = result?.messages ?? [];
  // A fixture that fails to parse would make every negative case pass without the rule firing.
  assert.deepEqual(messages.filter((message) => message.fatal === true).map((message) => message.message), [], `${relativePath} must parse`);
  return messages.filter((message) => message.ruleId === '@nx/enforce-module-boundaries').map((message) => message.message);
}

describe('module boundaries (ESLint + Nx project graph)', () => {
  before(() => {
    // Without a cached project graph the Nx rule skips itself silently: compute it first.
    const graph = spawnSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      encoding: 'utf8',
    });
    assert.equal(graph.status, 0, graph.stderr);
  });

  after(() => {
    for (const path of written) {
      rmSync(path, { force: true });
    }
  });

  it('reports a domain library importing the pg driver', async () => {
    const messages = await boundaryMessages(
      'libs/upload/domain/src/lint-fixture-pg.ts',
      "import pg from 'pg';\n\nexport const driver: unknown = pg;\n",
    );
    assert.ok(messages.some((message) => message.includes('"pg"')), messages.join('\n'));
  });

  it('reports a domain library importing NestJS', async () => {
    const messages = await boundaryMessages(
      'libs/upload/domain/src/lint-fixture-nest.ts',
      "import { Injectable } from '@nestjs/common';\n\nexport const decorator: unknown = Injectable;\n",
    );
    assert.ok(messages.some((message) => message.includes('@nestjs/common')), messages.join('\n'));
  });

  it("reports an app importing another app's internals", async () => {
    const messages = await boundaryMessages(
      'apps/index/src/lint-fixture-app.ts',
      "import '../../upload/src/instrument.js';\n\nexport const x = 1;\n",
    );
    assert.ok(messages.length > 0, 'expected a boundary error');
  });

  it("reports one service's library importing another service's library", async () => {
    const messages = await boundaryMessages(
      'libs/index/feature-service/src/lint-fixture-scope.ts',
      "import { UploadServiceModule } from '@quiver/upload-feature-service';\n\nexport const m: unknown = UploadServiceModule;\n",
    );
    assert.ok(messages.some((message) => message.includes('scope:index')), messages.join('\n'));
  });

  it('reports a domain library depending on a data-access library', async () => {
    const messages = await boundaryMessages(
      'libs/upload/domain/src/lint-fixture-layer.ts',
      "import { PgliteDatabase } from '@quiver/shared-data-access-db';\n\nexport const d: unknown = PgliteDatabase;\n",
    );
    assert.ok(messages.some((message) => message.includes('type:domain')), messages.join('\n'));
  });

  it('accepts an import the matrix allows (control)', async () => {
    const messages = await boundaryMessages(
      'libs/upload/domain/src/lint-fixture-ok.ts',
      "import type { Database } from '@quiver/shared-ports';\n\nexport type Db = Database;\n",
    );
    assert.deepEqual(messages, []);
  });
});
