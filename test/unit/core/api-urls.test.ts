/** API base URLs: one normal form, joined by URL, and the request URLs an allow-list covers. */
import { ApiUrlPolicy, graphqlUrlOf, joinApiPath, parseApiUrl } from '../../../src/core/api-urls.js';

describe('parseApiUrl', () => {
  it.each([
    ['https://api.github.com', 'https://api.github.com'],
    ['https://API.GITHUB.COM/', 'https://api.github.com'],
    ['https://ghe.example:443/api/v3//', 'https://ghe.example/api/v3'],
    ['http://127.0.0.1:8080/api/v3', 'http://127.0.0.1:8080/api/v3'],
    ['https://ghe.example/api/x/../v3', 'https://ghe.example/api/v3'],
  ])('%s → %s', (raw, url) => {
    expect(parseApiUrl(raw)).toMatchObject({ ok: true, url });
  });

  it.each([
    ['https://ghe.example/api/v3?x=1', 'must not have a query string or fragment'],
    ['https://ghe.example/api/v3?', 'must not have a query string or fragment'],
    ['https://ghe.example/api/v3#', 'must not have a query string or fragment'],
    ['https://u:p@ghe.example', 'must not contain credentials'],
    ['file:///etc/passwd', 'must use https'],
    ['/api/v3', 'is not an absolute URL'],
  ])('%s: %s', (raw, problem) => {
    expect(parseApiUrl(raw)).toEqual({ ok: false, problem });
  });
});

describe('joining paths', () => {
  it('keeps the base path and never turns a path into a query', () => {
    expect(joinApiPath('https://ghe.example/api/v3', '/graphql')).toBe('https://ghe.example/api/v3/graphql');
    expect(graphqlUrlOf('https://ghe.example/api/v3')).toBe('https://ghe.example/api/graphql');
    expect(graphqlUrlOf('https://api.github.com')).toBe('https://api.github.com/graphql');
  });
});

describe('ApiUrlPolicy.covers', () => {
  const policy = new ApiUrlPolicy('https://api.github.com', ['https://ghe.example/api/v3']);
  it.each([
    ['https://api.github.com/graphql', true],
    ['https://api.github.com/repos/o/r/deployments?per_page=1', true],
    ['https://ghe.example/api/v3/app/installations/1/access_tokens', true],
    ['https://ghe.example/api/graphql', true],
    ['https://ghe.example/api/v3-evil/x', false],
    ['https://ghe.example/other', false],
    ['https://api.github.com.evil.example/graphql', false],
    ['http://api.github.com/graphql', false],
  ])('%s: %s', (url, covered) => {
    expect(policy.covers(url)).toBe(covered);
  });
});
