// Verifies that the servers the tests need answer: PostgreSQL accepts a query and NATS has
// JetStream enabled (a nats-server started without -js would make every events test fail obscurely).
import pg from 'pg';
import { connect } from 'nats';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function checkPostgres() {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  const { rows } = await client.query('select version()');
  await client.end();
  return rows[0].version.split(' on ')[0];
}

async function checkNats() {
  const nc = await connect({ servers: natsUrl, timeout: 5000 });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.getAccountInfo();
    return `nats ${nc.info?.version}, JetStream streams: ${info.streams}`;
  } finally {
    await nc.close();
  }
}

try {
  console.log(`PostgreSQL: ${await checkPostgres()}`);
} catch (err) {
  console.error(`PostgreSQL at ${databaseUrl} is not usable: ${err.message}`);
  process.exit(1);
}
try {
  console.log(`NATS: ${await checkNats()}`);
} catch (err) {
  console.error(`NATS JetStream at ${natsUrl} is not usable: ${err.message}`);
  process.exit(1);
}
