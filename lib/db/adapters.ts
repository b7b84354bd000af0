import 'server-only';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { newPGlite } from './pglite';

const CHAR_OID = 18;
const TEXT_OID = 25;

/**
 * A pg client that reports Postgres `"char"` result columns as text.
 * @prisma/adapter-pg 7.10 cannot deserialise `"char"`, which the schema
 * engine's catalog queries return whenever a diff describes a database.
 * Used by the migration tooling only.
 */
class CharAsTextClient extends pg.Client {
  // pg.Client.query has many overloads; we only post-process the result.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | null, res: pg.QueryResult) => last(err, res && retypeChar(res));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.query as any)(...args);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as any)(...args);
    return result && typeof result.then === 'function' ? result.then(retypeChar) : result;
  }
}

function retypeChar(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult | pg.QueryResult[] {
  for (const one of Array.isArray(result) ? result : [result]) {
    for (const field of one?.fields ?? []) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  }
  return result;
}

/**
 * @prisma/adapter-pg 7.10 splits a script on every `;`, which breaks function
 * bodies. Send the script whole, as the native engine does: one simple-protocol
 * query, which PostgreSQL runs as a single implicit transaction.
 */
function wholeScripts(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

export type MigrationTarget = {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Closes every pool or database the target opened. */
  dispose(): Promise<void>;
};

/** A PostgreSQL server, for the schema engine. */
export function pgMigrationTarget(connectionString: string, shadowConnectionString?: string): MigrationTarget {
  const pools: pg.Pool[] = [];
  const adapterFor = (url: string) => {
    const pool = new pg.Pool({ connectionString: url, max: 2, Client: CharAsTextClient });
    pools.push(pool);
    const factory = new PrismaPg(pool);
    return {
      adapterName: factory.adapterName,
      connect: async () => wholeScripts(await factory.connect(), pool),
    };
  };
  const main = adapterFor(connectionString);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: main.adapterName,
    connect: () => main.connect(),
    // PrismaPg's own shadow database connects to the real one (node-postgres
    // lets connectionString override database): never use it.
    connectToShadowDb: async () => {
      if (!shadowConnectionString) throw new Error('This operation needs a shadow database, and none was given.');
      return adapterFor(shadowConnectionString).connect();
    },
  };
  return {
    factory,
    dispose: async () => {
      await Promise.all(pools.map((pool) => pool.end()));
    },
  };
}

/**
 * pglite-prisma-adapter 0.7.2 does not await `exec()` in executeScript, so a
 * failing migration would be recorded as applied. This adapter awaits it.
 */
async function awaitingScripts(adapter: SqlDriverAdapter, client: PGlite): Promise<SqlDriverAdapter> {
  adapter.executeScript = async (script: string) => {
    try {
      await client.exec(script);
    } catch (error) {
      // The adapter maps driver errors to Prisma's DriverAdapterError.
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

/** An embedded PGlite database, for the schema engine. Its shadow is in memory. */
export function pgliteMigrationTarget(client: PGlite): MigrationTarget {
  const shadows: PGlite[] = [];
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: new PrismaPGlite(client).adapterName,
    connect: async () => awaitingScripts(await new PrismaPGlite(client).connect(), client),
    connectToShadowDb: async () => {
      const shadow = newPGlite();
      shadows.push(shadow);
      return awaitingScripts(await new PrismaPGlite(shadow).connect(), shadow);
    },
  };
  return {
    factory,
    dispose: async () => {
      await Promise.all(shadows.map((shadow) => shadow.close()));
    },
  };
}
