export { disconnectDb, getDb, isPostgresServer, type Db, type Tx } from './client';
export { readSource, type ReadSource } from './replica';
