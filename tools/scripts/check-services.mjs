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

// In CI only: a run that was killed mid-test leaves its test databases (test_<hex>) and NATS
// namespaces (<NS>_<STREAM>) behind; remove them so every CI run starts from the same servers.
// Never on a developer machine, where those may belong to tests running right now.
async function removeLeftovers() {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query("select datname from pg_database where datname ~ '^test_[0-9a-f]{16}$'");
  for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  await client.end();
  const nc = await connect({ servers: natsUrl, timeout: 5000 });
  const jsm = await nc.jetstreamManager();
  const platform = new Set(['FEATURES', 'REGISTRY', 'PREDICTIONS', 'LABELS', 'ALERTS', 'DEPLOYMENTS', 'DEADLETTER']);
  // Collect first: deleting while the paged listing runs would skip every other page.
  const leftovers = [];
  for await (const info of jsm.streams.list()) {
    const name = info.config.name;
    if (name.includes('_') && platform.has(name.slice(name.lastIndexOf('_') + 1))) leftovers.push(name);
  }
  for (const name of leftovers) await jsm.streams.delete(name);
  const streams = leftovers.length;
  await nc.close();
  console.log(`removed leftovers of earlier runs: ${rows.length} test database(s), ${streams} test stream(s)`);
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
if (process.env.CI === 'true') await removeLeftovers();
