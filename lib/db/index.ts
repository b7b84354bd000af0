export { disconnectDb, getDb, isPostgresServer, poolOf, type Db, type Tx } from './client';
export { readSource, type ReadSource } from './replica';
