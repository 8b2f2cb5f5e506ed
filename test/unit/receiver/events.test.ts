import { parseEvent } from '../../../src/receiver/events.js';
import { kuberikDelivery, webhookExample } from '../../support/webhooks.js';

describe('parseEvent', () => {
  it('ignores GitHub’s own examples: task "deploy" is not kuberik’s', () => {
    expect(parseEvent('deployment', webhookExample('deployment'))).toEqual({ ignored: 'not a kuberik deployment task' });
    expect(parseEvent('deployment_status', webhookExample('deployment_status'))).toEqual({ ignored: 'not a kuberik deployment task' });
  });

  it('names the repository (lower-cased), the application and the short environment', () => {
    expect(parseEvent('deployment', kuberikDelivery('deployment', 'Acme/Shop', 'my-app', 'staging'))).toEqual({
      subjects: [{ repository: 'acme/shop', application: 'kuberik/my-app', environment: 'staging' }],
    });
    expect(parseEvent('deployment_status', kuberikDelivery('deployment_status', 'acme/shop', 'my-app', 'production'))).toEqual({
      subjects: [{ repository: 'acme/shop', application: 'kuberik/my-app', environment: 'production' }],
    });
  });

  it('reports both environments when a status moves the deployment to another one', () => {
    const payload = kuberikDelivery('deployment_status', 'acme/shop', 'my-app', 'staging');
    payload.deployment_status.environment = 'kuberik/my-app/qa';
    expect(parseEvent('deployment_status', payload)).toEqual({
      subjects: [
        { repository: 'acme/shop', application: 'kuberik/my-app', environment: 'staging' },
        { repository: 'acme/shop', application: 'kuberik/my-app', environment: 'qa' },
      ],
    });
  });

  it('ignores environments of another application, nested names and broken payloads', () => {
    const other = kuberikDelivery('deployment', 'acme/shop', 'my-app', 'staging');
    other.deployment.environment = 'kuberik/other-app/staging';
    expect(parseEvent('deployment', other)).toEqual({ ignored: 'environment is not one of kuberik/my-app' });
    const nested = kuberikDelivery('deployment', 'acme/shop', 'my-app', 'staging');
    nested.deployment.environment = 'kuberik/my-app/a/b';
    expect(parseEvent('deployment', nested)).toEqual({ ignored: 'environment is not one of kuberik/my-app' });
    expect(parseEvent('deployment', [])).toEqual({ ignored: 'payload is not an object' });
    expect(parseEvent('deployment', { repository: { full_name: 'no-slash' } })).toEqual({ ignored: 'no repository.full_name' });
    expect(parseEvent('deployment', { repository: { full_name: 'a/b' } })).toEqual({ ignored: 'no deployment' });
    expect(parseEvent('deployment', { repository: { full_name: 'a/b' }, deployment: { task: 'deploy:kuberik/' } })).toEqual({
      ignored: 'not a kuberik deployment task',
    });
  });
});
