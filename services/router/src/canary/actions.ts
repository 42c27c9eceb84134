import { CanaryAction } from '@mlops/proto/mlops/events/v1/events_pb';

/** Recorded decision actions as the wire enum. */
export const CANARY_ACTIONS: Readonly<Record<string, CanaryAction>> = {
  start: CanaryAction.START,
  advance: CanaryAction.ADVANCE,
  hold: CanaryAction.HOLD,
  // The wire has no RESUME: a resume keeps the weights, which is what HOLD means to a reader.
  resume: CanaryAction.HOLD,
  pause: CanaryAction.PAUSE,
  promote: CanaryAction.PROMOTE,
  rollback: CanaryAction.ROLLBACK,
};
