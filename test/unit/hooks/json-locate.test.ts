import { locateValue } from '../../../src/hooks/json-locate.js';

function located(json: string, path: string[]): string | undefined {
  const bytes = Buffer.from(json);
  const range = locateValue(bytes, path);
  return range && bytes.toString('utf8', range[0], range[1]);
}

describe('locateValue', () => {
  test('finds nested values of every kind, skipping strings that hold brackets, quotes and escapes', () => {
    const json = ' { "a" : {"s":"x}\\"]{", "b": [1, {"c": "}"}], "n": -1.5e3, "t": true, "z": null, "o": {"p": {}} } } ';
    expect(located(json, ['a', 's'])).toBe('"x}\\"]{"');
    expect(located(json, ['a', 'b'])).toBe('[1, {"c": "}"}]');
    expect(located(json, ['a', 'n'])).toBe('-1.5e3');
    expect(located(json, ['a', 't'])).toBe('true');
    expect(located(json, ['a', 'z'])).toBe('null');
    expect(located(json, ['a', 'o'])).toBe('{"p": {}}');
    expect(located(json, [])).toBe('{ "a" : {"s":"x}\\"]{", "b": [1, {"c": "}"}], "n": -1.5e3, "t": true, "z": null, "o": {"p": {}} } }');
  });

  test('resolves keys as JSON.parse does: escaped spellings match, and the last duplicate wins', () => {
    expect(located('{"parent":{"st\\u0061tus":{"a":1}}}', ['parent', 'status'])).toBe('{"a":1}');
    expect(located('{"parent":{"status":{"a":1},"status":{"b":2}}}', ['parent', 'status'])).toBe('{"b":2}');
    expect(located('{"pa\\"rent":{"status":1}}', ['pa"rent', 'status'])).toBe('1');
    expect(located('{"parent":{"statuses":1,"ünïcode":2,"status":"ü"}}', ['parent', 'status'])).toBe('"ü"');
  });

  test('is undefined when the path is missing or runs into a non-object', () => {
    expect(located('{"parent":{}}', ['parent', 'status'])).toBeUndefined();
    expect(located('{"parent":[{"status":1}]}', ['parent', 'status'])).toBeUndefined();
    expect(located('{"parent":"status"}', ['parent', 'status'])).toBeUndefined();
    expect(located('[]', ['parent'])).toBeUndefined();
    expect(located('{"parent":{"status":', ['parent', 'status'])).toBeUndefined();
  });
});
