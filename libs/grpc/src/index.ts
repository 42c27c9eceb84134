export {
  RpcError,
  aborted,
  alreadyExists,
  cancelled,
  deadlineExceeded,
  failedPrecondition,
  fromServiceError,
  internal,
  invalidArgument,
  isRpcError,
  notFound,
  permissionDenied,
  resourceExhausted,
  statusName,
  toServiceError,
  unauthenticated,
  unavailable,
  unimplemented,
  type UnavailableReason,
} from './errors.js';
export {
  AUTH_OFF,
  ROLE_PERMISSIONS,
  ROLES,
  authenticate,
  authorize,
  bearerToken,
  hasPermission,
  parseAuthTokens,
  type AuthConfig,
  type AuthResult,
  type Permission,
  type Principal,
  type Role,
  type TokenGrant,
} from './auth.js';
export { methodDisplayName, methodPath, toServiceDefinition } from './service-definition.js';
export type {
  AddServiceOptions,
  BidiStreamingImpl,
  Cancellation,
  ClientStreamingImpl,
  HandlerContext,
  MethodImpl,
  MethodName,
  ServerStreamingImpl,
  ServiceImpl,
  UnaryImpl,
} from './types.js';
export { DEFAULT_FLOW_CONTROL_WINDOW_BYTES } from './flow-control-window.js';
export { preEncodedMessage } from './pre-encoded.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_SHUTDOWN_GRACE_MS,
  OVERALL_HEALTH_SERVICE,
  createGrpcServer,
  openReceiveWindow,
  type GrpcServer,
  type GrpcServerOptions,
} from './server.js';
export type { HealthControl, HealthStatus } from './health.js';
export {
  createClient,
  type BidiStreamingFn,
  type CallOptions,
  type Client,
  type ClientMethod,
  type ClientOptions,
  type ClientStreamingFn,
  type ServerStreamingFn,
  type UnaryFn,
} from './client.js';
export { status } from '@grpc/grpc-js';
export { readFileChunks } from './file-chunks.js';
