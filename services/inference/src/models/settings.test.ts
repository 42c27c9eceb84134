import { describe, expect, it } from 'vitest';
import { sessionOptions } from './onnx-session.js';
import { parseModelSettings } from './settings.js';

describe('model settings', () => {
  it('take allowSpinning per model and refuse a value that is not a boolean', () => {
    const parsed = parseModelSettings(
      '{"*": {"session": {"intraOpNumThreads": 1}}, "m": {"session": {"allowSpinning": true}}}',
    );
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value('m').session).toEqual({ intraOpNumThreads: 1, allowSpinning: true });
    expect(parsed.value('other').session).toEqual({ intraOpNumThreads: 1 });
    const refused = parseModelSettings('{"m": {"session": {"allowSpinning": "yes"}}}');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toContain('m.session.allowSpinning');
  });

  it('give onnxruntime non-spinning thread pools unless spinning is asked for', () => {
    const spin = (options: ReturnType<typeof sessionOptions>) => options.extra;
    expect(spin(sessionOptions({ intraOpNumThreads: 2 }))).toEqual({
      session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
    });
    expect(sessionOptions({ intraOpNumThreads: 2 }).intraOpNumThreads).toBe(2);
    expect(sessionOptions({ intraOpNumThreads: 2 })).not.toHaveProperty('allowSpinning');
    expect(spin(sessionOptions({ allowSpinning: true }))).toEqual({
      session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' } },
    });
  });
});
