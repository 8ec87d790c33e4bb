export { PgDatabase, type PgDatabaseOptions } from './pg-database.js';
export { PgliteDatabase, type PgliteDatabaseOptions } from './pglite-database.js';
export { PgliteWorkerDatabase, type PgliteWorkerDatabaseOptions } from './pglite-worker-database.js';
export type { PgliteTasks } from './pglite-worker.js';
