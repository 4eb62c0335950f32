import './gc-probe.js';
import { loadConfig } from '../../src/config.js';
import { ensureTables } from '../../src/local/bootstrap-tables.js';
import { startEmbeddedDynamo } from '../../src/local/embedded-dynamodb.js';
import { createDynamoClient } from '../../src/storage/dynamodb-client.js';

/**
 * The embedded emulator (dynalite, in memory) as its own process, so that the servers being
 * compared share one database and none of them pays for running it. Prints its URL on stderr.
 */
const config = loadConfig({ LOG_LEVEL: 'silent' });
const emulator = await startEmbeddedDynamo();
await ensureTables(createDynamoClient({ region: config.region, endpoint: emulator.endpoint }), {
  users: config.usersTable,
  items: config.itemsTable,
});
process.stderr.write(`emulator listening on ${emulator.endpoint}\n`);
process.on('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
