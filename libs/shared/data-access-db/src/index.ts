export { PgDatabase, type PgDatabaseOptions } from './pg-database.js';
export { PgliteDatabase, type PgliteDatabaseOptions } from './pglite-database.js';
