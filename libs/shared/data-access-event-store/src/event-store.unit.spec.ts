import { PgliteDatabase } from '@quiver/shared-data-access-db';
import { InProcessEventBus } from '@quiver/shared-data-access-bus';
import { eventStoreContract } from './event-store.contract.js';

eventStoreContract('PGlite + in-process bus', () => PgliteDatabase.open(), () => Promise.resolve(new InProcessEventBus()));
