/**
 * Per-model alert rules from configuration (MONITORING_ALERT_RULES), the way Prometheus alert
 * rules live in files: the defaults, then overrides for every model ("*"), then overrides for one
 * model, each keyed by rule name. `false` turns a rule off; an object replaces what it names
 * (the thresholds as a whole, forEvaluations, minCount). For example a model with a tighter
 * latency objective and no dataset-drift alert:
 *
 *   {"*": {"latency_p99": {"thresholds": {"warning": 300, "critical": 1000}}},
 *    "fraud": {"latency_p99": {"thresholds": {"critical": 50}}, "dataset_drift": false}}
 */
import { z } from '@mlops/config';
import { DEFAULT_RULES, type AlertRule } from './rules.js';

/** The rules a model version is judged by. */
export type RulesOfModel = (model: string) => readonly AlertRule[];

const ruleNames = DEFAULT_RULES.map((r) => r.name);

const overrideSchema = z.union([
  z.literal(false),
  z
    .object({
      thresholds: z
        .object({ info: z.number().finite().optional(), warning: z.number().finite().optional(), critical: z.number().finite().optional() })
        .strict()
        .refine((t) => Object.keys(t).length > 0, { message: 'expected at least one of info, warning, critical' }),
      forEvaluations: z.number().int().min(1),
      minCount: z.number().int().min(1),
    })
    .partial()
    .strict(),
]);

const MODEL_KEY = /^(\*|[A-Za-z0-9][A-Za-z0-9_-]*)$/;

/** Keys are checked here rather than by the record's key schema, whose errors do not say what was expected. */
const keysMatching = (check: (key: string) => boolean, message: string) => (record: Record<string, unknown>, ctx: z.RefinementCtx) => {
  for (const key of Object.keys(record)) if (!check(key)) ctx.addIssue({ code: 'custom', path: [key], message });
};

const configSchema = z
  .record(
    z.string(),
    z.record(z.string(), overrideSchema).superRefine(keysMatching((name) => ruleNames.includes(name), `expected a rule name (${ruleNames.join(', ')})`)),
  )
  .superRefine(keysMatching((model) => MODEL_KEY.test(model), 'expected "*" or a model name'));

type Overrides = z.infer<typeof configSchema>[string];

function applied(rules: readonly AlertRule[], overrides: Overrides | undefined): AlertRule[] {
  const out: AlertRule[] = [];
  for (const rule of rules) {
    const override = overrides?.[rule.name];
    if (override === false) continue;
    out.push(override === undefined ? rule : { ...rule, ...override });
  }
  return out;
}

/** Parses MONITORING_ALERT_RULES; an error names the path and what was expected there. */
export function parseAlertRuleConfig(json: string | undefined): { ok: true; value: RulesOfModel } | { ok: false; error: string } {
  if (json === undefined || json.trim() === '') return { ok: true, value: () => DEFAULT_RULES };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    return { ok: false, error: `JSON (${(error as Error).message})` };
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
  const config = parsed.data;
  const everyModel = applied(DEFAULT_RULES, config['*']);
  const perModel = new Map(Object.entries(config).filter(([model]) => model !== '*').map(([model, overrides]) => [model, applied(everyModel, overrides)]));
  return { ok: true, value: (model) => perModel.get(model) ?? everyModel };
}
