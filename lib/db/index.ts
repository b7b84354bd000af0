export { disconnectDb, getDb, isPostgresServer, type Db, type Tx } from './client';
