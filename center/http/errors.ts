import { defineErrors } from '../../core/errors.js';

/**
 * Codes of the shared HTTP surface (center/http/app.ts): what any route on
 * any listener can answer before (or instead of) its handler. An app may
 * answer its own codes for some of them (the admin API keeps ADMIN_BAD_JSON
 * and friends); the status is the one beside the code.
 */
export const HttpErrors = defineErrors('http', 'HTTP_', {
  HTTP_BAD_JSON: { meaning: 'The request body is not valid JSON.', action: 'Send a JSON object with Content-Type application/json.', http: 400 },
  HTTP_INVALID_REQUEST: {
    meaning: 'The body, query or path parameters do not have the route\'s shape; details list each field path.',
    action: 'Fix the fields named in details.issues (see /openapi.json for the route).',
    http: 400,
  },
  HTTP_BODY_TOO_LARGE: { meaning: 'The request body exceeds the listener\'s body limit.', action: 'Split the request.', http: 413 },
  HTTP_NO_ROUTE: { meaning: 'No route has this path.', action: 'Check the URL against /openapi.json.', http: 404 },
  HTTP_METHOD_NOT_ALLOWED: {
    meaning: 'The path exists but not with this method; details.allowed lists the methods it has.',
    action: 'Use one of the allowed methods.',
    http: 405,
  },
  HTTP_UNAUTHORIZED: {
    meaning: 'The request has no bearer token, or the token is unknown or revoked.',
    action: 'Send Authorization: Bearer <token> with a current token (operators: tessera operator add).',
    http: 401,
  },
  HTTP_FORBIDDEN: {
    meaning: 'The token is valid but its role may not call this route; details name the role needed.',
    action: 'Use a token with the role named in details.need, or ask an admin.',
    http: 403,
  },
  HTTP_RATE_LIMITED: {
    meaning: 'Too many requests from this client in the rate-limit window.',
    action: 'Wait the seconds given in the Retry-After header, then retry.',
    http: 429,
  },
  HTTP_OVERLOADED: {
    meaning: 'The process is under pressure (event-loop delay, heap or in-flight requests above their limits).',
    action: 'Retry after the Retry-After seconds; if it persists, the center is short of CPU or memory.',
    http: 503,
  },
  HTTP_INTERNAL: { meaning: 'The request failed for a reason that has no code of its own.', action: 'Read the center log for the request; report it.', http: 500 },
  HTTP_PLAIN_NOT_LOOPBACK: {
    meaning: 'An HTTP listener without TLS was asked to listen on an address that is not loopback.',
    action: 'Give the listener tls.certFile and tls.keyFile, or bind it to 127.0.0.1 / ::1.',
  },
  HTTP_LISTEN_FAILED: { meaning: 'The HTTP listener could not bind its address.', action: 'Check the host and port are free and this process may bind them.' },
});
