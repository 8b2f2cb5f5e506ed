import { observeStatus, renderAnswer, ResponseMemo, steadyAnswer, type MemoisedAnswer } from '../../../src/hooks/response-memo.js';

function answer(tail: string, valid = () => true): MemoisedAnswer {
  return { statusRange: [0, 0], tail: Buffer.from(tail), reason: 'Synced', environment: 'default/my-app', stillValid: valid };
}

describe('ResponseMemo', () => {
  test('returns a kept answer while it is valid, and forgets it once it is not', () => {
    let valid = true;
    const memo = new ResponseMemo(10_000);
    memo.set(
      'a',
      answer(',"children":[]}', () => valid),
    );
    expect(memo.get('a')?.tail.toString()).toBe(',"children":[]}');
    valid = false;
    expect(memo.get('a')).toBeUndefined();
    expect(memo.size).toBe(0);
    expect(memo.sizeBytes).toBe(0);
  });

  test('stays within its byte budget, dropping the answers kept longest ago', () => {
    // Each entry costs its tail's length plus 256 bytes of bookkeeping: 100 + 256 = 356.
    const memo = new ResponseMemo(3 * 356);
    for (const key of ['a', 'b', 'c']) memo.set(key, answer(key.repeat(100)));
    memo.set('b', answer('B'.repeat(100)));
    memo.set('d', answer('d'.repeat(100)));
    expect([memo.get('a'), memo.get('b')?.tail.toString(), memo.get('c')?.tail.length, memo.get('d')?.tail.length]).toEqual([
      undefined,
      'B'.repeat(100),
      100,
      100,
    ]);
    expect(memo.size).toBe(3);
    expect(memo.sizeBytes).toBe(3 * 356);
  });

  test('replacing an answer does not count it twice; an answer larger than the budget is not kept', () => {
    const memo = new ResponseMemo(1000);
    memo.set('a', answer('x'.repeat(100)));
    memo.set('a', answer('y'.repeat(200)));
    expect(memo.sizeBytes).toBe(456);
    memo.set('b', answer('z'.repeat(1000)));
    expect(memo.get('b')).toBeUndefined();
    expect(memo.get('a')?.tail.toString()).toBe('y'.repeat(200));
    expect(memo.sizeBytes).toBe(456);
  });
});

describe('steadyAnswer', () => {
  const status = { conditions: [{ type: 'Ready', status: 'True' }], currentVersion: 'abc' };
  const gate = { apiVersion: 'kuberik.com/v1alpha1', kind: 'RolloutGate', metadata: { name: 'g' }, spec: { allowedVersions: ['v1'] } };
  const response = { status, children: [gate], resyncAfterSeconds: 60 };

  test('keeps where the observed status is and the rest of the answer; rendering gives the answer back', () => {
    // Observed in another key order and spacing, as Metacontroller serialises it.
    const request = Buffer.from(
      `{"controller":{},"parent":{"metadata":{"name":"x"},"status": {"currentVersion":"abc","conditions":[{"status":"True","type":"Ready"}]} },"finalizing":false}`,
    );
    const steady = steadyAnswer(observeStatus(request)!, response);
    expect(steady?.tail.toString()).toBe(
      ',"children":[{"apiVersion":"kuberik.com/v1alpha1","kind":"RolloutGate","metadata":{"name":"g"},"spec":{"allowedVersions":["v1"]}}],"resyncAfterSeconds":60}',
    );
    expect(JSON.parse(renderAnswer(steady!, request).toString())).toEqual(response);
  });

  test('ignores the observedGeneration Metacontroller adds to the status it writes', () => {
    const request = Buffer.from(JSON.stringify({ parent: { metadata: { generation: 3 }, status: { ...status, observedGeneration: 3 } } }));
    const steady = steadyAnswer(observeStatus(request)!, response);
    expect(JSON.parse(renderAnswer(steady!, request).toString())).toEqual({ ...response, status: { ...status, observedGeneration: 3 } });
  });

  test('is undefined when the answer changes the status (the next request will differ)', () => {
    const request = Buffer.from(JSON.stringify({ parent: { status: { ...status, currentVersion: 'old' } } }));
    expect(steadyAnswer(observeStatus(request)!, response)).toBeUndefined();
    expect(observeStatus(Buffer.from(JSON.stringify({ parent: {} })))).toBeUndefined();
  });
});
