/**
 * Stores ground truth. A label names its prediction by id, or by entity key and time (the
 * latest prediction for that entity served at or before the label's event time). A label whose
 * prediction is not stored yet is kept and joins when the prediction arrives; a label sent
 * again for the same prediction (or entity and time) replaces the earlier one.
 */
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Kysely } from 'kysely';
import type { MonitoringTables } from '../storage/schema.js';
import type { Label } from './validate.js';

export async function storeLabels(db: Kysely<MonitoringTables>, labels: readonly Label[]): Promise<{ accepted: number; joined: number }> {
  let joined = 0;
  await db.transaction().execute(async (tx) => {
    for (const l of labels) {
      const eventTime = l.eventTime ? timestampDate(l.eventTime) : null;
      let joinedId: string | null = null;
      if (l.predictionId !== '') {
        const found = await tx.selectFrom('predictions').select('prediction_id').where('prediction_id', '=', l.predictionId).executeTakeFirst();
        if (found) joined++;
        // Joined by id even before the prediction is stored: the report's join finds it later.
        joinedId = l.predictionId;
      } else if (eventTime) {
        const found = await tx
          .selectFrom('predictions')
          .select('prediction_id')
          .where('model', '=', l.model)
          .where('entity_key', '=', l.entityKey)
          .where('served_at', '<=', eventTime)
          .orderBy('served_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (found) {
          joined++;
          joinedId = found.prediction_id;
        }
      }
      const values = {
        prediction_id: l.predictionId === '' ? null : l.predictionId,
        entity_key: l.entityKey,
        event_time: eventTime,
        numeric_value: l.value.case === 'numeric' ? l.value.value : null,
        category: l.value.case === 'category' ? l.value.value : null,
        producer: l.producer,
        joined_prediction_id: joinedId,
      };
      const labelKey = l.predictionId !== '' ? `p:${l.predictionId}` : `e:${l.entityKey}@${eventTime!.toISOString()}`;
      await tx
        .insertInto('labels')
        .values({ model: l.model, label_key: labelKey, ...values })
        .onConflict((oc) => oc.columns(['model', 'label_key']).doUpdateSet({ ...values, received_at: new Date() }))
        .execute();
    }
  });
  return { accepted: labels.length, joined };
}
