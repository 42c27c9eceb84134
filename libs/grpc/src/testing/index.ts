// Test-only helpers (`@mlops/grpc/testing`): the EchoService implementation and a server running it.
export { echoService, startEchoServer, type EchoHooks, type RunningEchoServer } from './echo-service.js';
