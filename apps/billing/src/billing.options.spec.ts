import { tmpdir } from 'node:os';
import { InvalidBillingOptionError, resolveBillingOptions } from './billing.options.js';

describe('resolveBillingOptions', () => {
  it('defaults: tax 0.2, journal under the temp folder, invoices pushed', () => {
    const resolved = resolveBillingOptions({}, {});
    expect(resolved.taxRate).toBe(0.2);
    expect(resolved.journalPath.startsWith(tmpdir())).toBe(true);
    expect(resolved.pushInvoices).toBe(true);
  });

  it('reads the environment; options win over it', () => {
    expect(resolveBillingOptions({}, { BILLING_TAX_RATE: '0.1', BILLING_JOURNAL: '/x/j', BILLING_PUSH_INVOICES: '0' })).toEqual({
      taxRate: 0.1,
      journalPath: '/x/j',
      pushInvoices: false,
    });
    expect(resolveBillingOptions({ taxRate: 0, journalPath: '/y' }, { BILLING_TAX_RATE: '0.1' })).toMatchObject({ taxRate: 0, journalPath: '/y' });
  });

  it.each([['abc'], ['1'], ['-0.1']])('rejects tax rate %s with a message naming the option', (rate) => {
    expect(() => resolveBillingOptions({}, { BILLING_TAX_RATE: rate })).toThrow(InvalidBillingOptionError);
    expect(() => resolveBillingOptions({}, { BILLING_TAX_RATE: rate })).toThrow('BILLING_TAX_RATE');
  });
});
