import { kubeTime, kubeTimeCeil } from '../../../src/core/time.js';

test('kubeTime truncates to the second, as metav1.Time', () => {
  expect(kubeTime(new Date('2026-12-04T21:05:09.999Z'))).toBe('2026-12-04T21:05:09Z');
});

test('kubeTimeCeil rounds up, so a deadline never ends early; whole seconds stay', () => {
  expect(kubeTimeCeil(Date.parse('2026-12-04T21:05:09.001Z'))).toBe('2026-12-04T21:05:10Z');
  expect(kubeTimeCeil(Date.parse('2026-12-04T21:05:09.000Z'))).toBe('2026-12-04T21:05:09Z');
});
