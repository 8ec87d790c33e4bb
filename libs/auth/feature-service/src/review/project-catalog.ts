/**
 * The project names the index serves, for the review's `pattern-matches-nothing` flag. The auth
 * service owns no package data (ARCHITECTURE §1), so it asks: in distributed mode the index's
 * `/simple/` in PEP 691 JSON at QUIVER_INDEX_URL, with the administrator's own credentials (the
 * review is admin only, and an administrator may read every project); in embedded mode a function
 * over the index's projection in the same process. `undefined` when unknown: the flag is then not
 * judged and the review says so (`projectsChecked: false`).
 */
export interface ProjectCatalog {
  /** `authorization`: the caller's Authorization header, when the review runs for a request. */
  names(authorization: string | undefined): Promise<readonly string[] | undefined>;
}

const PEP_691 = 'application/vnd.pypi.simple.v1+json';
const TIMEOUT_MS = 10_000;

/** Reads `<indexUrl>/simple/` as PEP 691 JSON; undefined without credentials or on any failure. */
export function simpleIndexCatalog(indexUrl: string, onProblem: (message: string) => void = () => undefined): ProjectCatalog {
  const url = new URL('simple/', indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`);
  return {
    async names(authorization) {
      if (authorization === undefined) {
        return undefined;
      }
      try {
        const response = await fetch(url, { headers: { accept: PEP_691, authorization }, signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!response.ok) {
          onProblem(`the index answered ${response.status} for its project list`);
          return undefined;
        }
        const body = (await response.json()) as { projects?: { name?: unknown }[] };
        return (body.projects ?? []).map((project) => project.name).filter((name): name is string => typeof name === 'string').map(normalise);
      } catch (error) {
        onProblem(`the index's project list could not be read (${error instanceof Error ? error.message : String(error)})`);
        return undefined;
      }
    },
  };
}

/** A catalog over a function (embedded mode: the index projection in the same process). */
export const functionCatalog = (names: () => Promise<readonly string[]>): ProjectCatalog => ({
  names: async () => (await names()).map(normalise),
});

/** PEP 503 normalisation, as grant patterns are stored. */
const normalise = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');
