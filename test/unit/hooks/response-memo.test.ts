import { ResponseMemo, type MemoisedAnswer } from '../../../src/hooks/response-memo.js';

function answer(text: string, valid = () => true): MemoisedAnswer {
  return { body: Buffer.from(text), reason: 'Synced', environment: 'default/my-app', stillValid: valid };
}

describe('ResponseMemo', () => {
  test('returns a kept answer while it is valid, and forgets it once it is not', () => {
    let valid = true;
    const memo = new ResponseMemo(10_000);
    memo.set('a', answer('{"x":1}', () => valid));
    expect(memo.get('a')?.body.toString()).toBe('{"x":1}');
    valid = false;
    expect(memo.get('a')).toBeUndefined();
    expect(memo.size).toBe(0);
    expect(memo.sizeBytes).toBe(0);
  });

  test('stays within its byte budget, dropping the least recently used answers', () => {
    // Each entry costs its text length plus 256 bytes of bookkeeping: 100 + 256 = 356.
    const memo = new ResponseMemo(3 * 356);
    for (const key of ['a', 'b', 'c']) memo.set(key, answer(key.repeat(100)));
    expect(memo.get('a')?.body.toString()).toBe('a'.repeat(100));
    memo.set('d', answer('d'.repeat(100)));
    expect([memo.get('a')?.body.length, memo.get('b'), memo.get('c')?.body.length, memo.get('d')?.body.length]).toEqual([100, undefined, 100, 100]);
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
    expect(memo.get('a')?.body.toString()).toBe('y'.repeat(200));
    expect(memo.sizeBytes).toBe(456);
  });
});
