import type { Database, Engine } from '../db/client.ts';
import type { Clock } from './clock.ts';
import type { IdGenerator } from './ids.ts';

/** What use cases need from the outside world, passed as one object (no container). */
export interface Deps {
  db: Database;
  engine: Engine;
  clock: Clock;
  ids: IdGenerator;
}

/** The store a command acts for; every query is scoped to it. */
export interface StoreScope {
  id: string;
  currency: string;
  timezone: string;
}
