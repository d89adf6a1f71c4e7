import { describe, expect, it } from '@jest/globals';
import { censorSettings, maskBrokerUrl, sanitizeUrl } from './worker-conf.js';

describe("inspect conf censoring (Celery's filter_hidden_settings)", () => {
  it('masks broker URLs like kombu Connection.as_uri(mask) (vectors from kombu 5.2.4)', () => {
    expect(maskBrokerUrl('amqp://guest:guest@127.0.0.1:5672/h4')).toBe('amqp://guest:********@127.0.0.1:5672/h4');
    expect(maskBrokerUrl('amqp://guest:guest@127.0.0.1:5672//')).toBe('amqp://guest:********@127.0.0.1:5672//');
    expect(maskBrokerUrl('amqp://host')).toBe('amqp://guest:********@host:5672//');
    expect(maskBrokerUrl('amqp://guest@localhost:5672/v')).toBe('amqp://guest:********@localhost:5672/v');
    expect(maskBrokerUrl('amqps://a:b@h/v')).toBe('amqps://a:********@h:5671/v');
    expect(maskBrokerUrl('amqp://:p@h/v')).toBe('amqp://guest:********@h:5672/v');
    expect(maskBrokerUrl('memory://tests')).toBe('memory://tests/');
  });

  it('sanitizes backend URLs like maybe_sanitize_url (vectors from kombu 5.2.4)', () => {
    expect(sanitizeUrl('rpc://')).toBe('rpc:///');
    expect(sanitizeUrl('redis://:secret@h:6379/0')).toBe('redis://:********@h:6379/0');
    expect(sanitizeUrl('redis://u:p@h/1')).toBe('redis://u:********@h/1');
    expect(sanitizeUrl('rpc')).toBe('rpc');
    expect(sanitizeUrl(null)).toBeNull();
  });

  it('masks secret-looking keys entirely and leaves the rest', () => {
    expect(
      censorSettings({ broker_url: 'amqp://u:p@h/v', result_backend: 'rpc://', api_token: 'x', broker_password: 'y', worker_concurrency: 4 }),
    ).toEqual({
      broker_url: 'amqp://u:********@h:5672/v',
      result_backend: 'rpc:///',
      api_token: '********',
      broker_password: '********',
      worker_concurrency: 4,
    });
  });
});

describe('a failover URL list in inspect conf and stats', () => {
  it('masks the password of every URL of `a;b`', async () => {
    const { brokerInfo } = await import('../worker-stats.js');
    const list = 'amqp://u:pw-one@n1:5672//;amqp://u:pw-two@n2:5673//';
    const conf = censorSettings({ broker_url: list, other: list });
    expect(JSON.stringify(conf)).not.toMatch(/pw-one|pw-two/);
    expect(conf.broker_url).toBe('amqp://u:********@n1:5672//;amqp://u:********@n2:5673//');
    const info = brokerInfo(list, 30);
    expect(JSON.stringify(info)).not.toMatch(/pw-one|pw-two/);
    expect(info).toMatchObject({ hostname: 'n1', port: 5672, alternates: ['amqp://u:********@n2:5673//'] });
  });
});
