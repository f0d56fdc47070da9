import { defineErrors } from '../errors.js';

/** The `/metrics` endpoints of the center, the terminal agent and the bank host. */
export const METRICS_ERRORS = defineErrors('metrics', 'METRICS_', {
  METRICS_NOT_LOOPBACK: {
    meaning: 'the metrics port was configured on an address that is not loopback',
    action: 'set metrics.host to 127.0.0.1 or ::1; scrape through a local agent or proxy if the scraper is elsewhere',
  },
  METRICS_LISTEN_FAILED: {
    meaning: 'the metrics port could not be opened (in use, or not permitted)',
    action: 'pick a free port in metrics.port, or stop the process holding it',
  },
  METRICS_NOT_FOUND: {
    meaning: 'a path other than /metrics was requested on the metrics port',
    action: 'scrape /metrics',
  },
  METRICS_METHOD_NOT_ALLOWED: {
    meaning: 'the metrics endpoint was called with a method other than GET or HEAD',
    action: 'use GET',
  },
  METRICS_COLLECT_FAILED: {
    meaning: 'a metric could not be collected for this scrape',
    action: 'look at the process log for the failing collector; the next scrape tries again',
  },
});
