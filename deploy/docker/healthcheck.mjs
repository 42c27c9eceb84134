// Docker HEALTHCHECK of every service image: GET /readyz on the service's own admin port.
// The port comes from the same variable the service listens on (MLOPS_<SERVICE>_ADMIN_ADDR), so
// the check follows any override; exit 0 only on HTTP 200 (ready: database, consumers, models).
import { SERVICES, adminAddrVariable } from '@mlops/config';

const service = process.env.MLOPS_SERVICE ?? '';
if (!(service in SERVICES)) {
  console.error(
    `healthcheck: MLOPS_SERVICE must be one of ${Object.keys(SERVICES).join(', ')}, got "${service}"`,
  );
  process.exit(1);
}
const configured = process.env[adminAddrVariable(service)]?.trim();
const port = configured
  ? configured.slice(configured.lastIndexOf(':') + 1)
  : String(SERVICES[service].adminPort);

try {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_500) });
  if (!res.ok) console.error(`healthcheck: /readyz answered ${res.status}: ${await res.text()}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(
    `healthcheck: /readyz on port ${port} unreachable: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
}
