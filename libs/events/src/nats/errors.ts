import { NatsError } from 'nats';

// JetStream API error codes (nats-server's errors.json).
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;
const STREAM_NAME_IN_USE = 10058;

function apiErrorCode(err: unknown): number | undefined {
  return err instanceof NatsError ? err.api_error?.err_code : undefined;
}

export const isStreamNotFound = (err: unknown): boolean => apiErrorCode(err) === STREAM_NOT_FOUND;
export const isConsumerNotFound = (err: unknown): boolean => apiErrorCode(err) === CONSUMER_NOT_FOUND;
export const isStreamNameInUse = (err: unknown): boolean => apiErrorCode(err) === STREAM_NAME_IN_USE;
