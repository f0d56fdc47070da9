export {
  createHttpApp,
  DEFAULT_HTTP_CODES,
  errorAnswer,
  errorAnswerSchema,
  errorResponses,
  httpError,
  openObject,
  startHttpServer,
  type BearerAuth,
  type HttpApp,
  type HttpAppOptions,
  type HttpCodes,
  type HttpListening,
  type RouteContributor,
} from './app.js';
export { HttpErrors } from './errors.js';
export { HTTP_LIMITS } from './limits.js';
