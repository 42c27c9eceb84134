import { isDatabaseUnavailable, isTransientDatabaseFailure } from '@mlops/db';
import type { BusFailurePolicy } from '@mlops/events';
import type { UnavailableReason } from '@mlops/grpc';

// A PostgreSQL restart or failover is an outage to wait out, not a bad event or a server bug:
// consumers keep the events they could not store and retry them until the database is back
// (never dead-lettering them for it), and RPCs answer UNAVAILABLE, which clients retry.

/** The bus policy of every service: database outages and lost serialization races are transient. */
export const SERVICE_BUS_FAILURE_POLICY: BusFailurePolicy = { isTransientFailure: isTransientDatabaseFailure };

export const DATABASE_UNAVAILABLE = 'the database is unavailable (connection lost or refused); retry with backoff';

/** The gRPC reason of every service: a database outage answers UNAVAILABLE. */
export const databaseUnavailableReason: UnavailableReason = (err) => (isDatabaseUnavailable(err) ? DATABASE_UNAVAILABLE : undefined);
