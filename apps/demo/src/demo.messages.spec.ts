import { describe, expect, it } from '@jest/globals';
import { DemoMessages } from './demo.messages.js';

describe('DemoMessages', () => {
  it('never repeats the broker password of CELERY_BROKER_URL', () => {
    expect(DemoMessages.notEmbedded('amqp://guest:S3cr3tPw@[::1]:5672//')).not.toContain('S3cr3tPw');
    expect(DemoMessages.notEmbedded('AMQP://guest:S3cr3tPw@host//')).toContain('AMQP://guest:********@host//');
    expect(DemoMessages.embedded('memory://demo')).toContain('memory://demo');
  });
});
