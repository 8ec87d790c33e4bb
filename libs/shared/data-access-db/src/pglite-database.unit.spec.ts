import { databaseContract } from '@quiver/shared-testing';
import { PgliteDatabase } from './pglite-database.js';

databaseContract('PGlite (in memory)', () => PgliteDatabase.open());
