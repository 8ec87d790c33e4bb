import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages, type HarnessContext } from './context.js';

const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export interface MavenArtifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

export const coordinate = (artifact: MavenArtifact): string => `${artifact.groupId}:${artifact.artifactId}:${artifact.version}`;

const pom = (name: string, artifacts: readonly MavenArtifact[]): string => `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>quiver.test-harness</groupId>
  <artifactId>${name}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${artifacts
  .map((a) => `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId><version>${a.version}</version></dependency>`)
  .join('\n')}
  </dependencies>
</project>
`;

/**
 * Resolves `artifacts` and their runtime dependencies from Maven Central into `libsDir` (a cache
 * directory) once; a marker naming the exact coordinates makes later calls no-ops. The directory
 * is swapped in whole, so an interrupted resolve never leaves a half-filled classpath.
 */
export async function resolveMavenClasspath(ctx: HarnessContext, name: string, libsDir: string, artifacts: readonly MavenArtifact[]): Promise<void> {
  const marker = join(libsDir, '..', `${name}.installed.json`);
  const expected = JSON.stringify(artifacts.map(coordinate));
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === expected) {
    return;
  }
  await ensureDebianPackages(ctx, ['openjdk-17-jre-headless'], ['/usr/bin/java']);
  await ensureDebianPackages(ctx, ['maven'], ['/usr/bin/mvn']);
  ctx.log(name, `resolving ${artifacts.map(coordinate).join(', ')} and runtime dependencies from Maven Central`);
  mkdirSync(join(libsDir, '..'), { recursive: true });
  const pomDir = mkdtempSync(join(tmpdir(), `quiver-${name}-pom-`));
  const staging = `${libsDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  try {
    writeFileSync(join(pomDir, 'pom.xml'), pom(name, artifacts));
    await ctx.run('mvn', ['-q', '-B', '-f', join(pomDir, 'pom.xml'), `${DEPENDENCY_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], {
      cwd: pomDir,
    });
    for (const artifact of artifacts) {
      if (!existsSync(join(staging, `${artifact.artifactId}-${artifact.version}.jar`))) {
        throw new Error(`Maven finished but ${artifact.artifactId}-${artifact.version}.jar is not in ${staging}.`);
      }
    }
    rmSync(libsDir, { recursive: true, force: true });
    renameSync(staging, libsDir);
    writeFileSync(marker, `${expected}\n`);
  } finally {
    rmSync(pomDir, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}
