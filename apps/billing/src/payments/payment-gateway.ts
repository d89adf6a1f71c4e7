import { randomUUID } from 'node:crypto';

/** What a successful charge returns. */
export interface ChargeReceipt {
  chargeId: string;
  orderId: string;
  /** Amount charged, in currency units. */
  amount: number;
  /** Gateway calls it took, failed ones included. */
  attempts: number;
}

/** The payment gateway did not answer (a timeout or a 5xx): worth retrying later. */
export class PaymentGatewayUnavailableError extends Error {
  override readonly name = 'PaymentGatewayUnavailable';
}

/** A charge the gateway refuses for good (bad amount): never retried. */
export class PaymentDeclinedError extends Error {
  override readonly name = 'PaymentDeclined';
}

/** Options of the simulated {@link PaymentGateway}. */
export interface PaymentGatewayOptions {
  /** Share of calls that fail with {@link PaymentGatewayUnavailableError}, 0 ≤ rate < 1. Default `BILLING_GATEWAY_FAILURE_RATE`, else 0.3. */
  failureRate?: number;
  /** Random source in [0, 1) deciding each failure. Default `Math.random`. */
  random?: () => number;
}

/**
 * A flaky payment gateway, simulated in process: each call fails with
 * {@link PaymentGatewayUnavailableError} at `failureRate`, as a real gateway times out now and then.
 * Charges are idempotent per order, like a gateway keyed by an idempotency key: charging an order
 * again returns its first receipt, so a retried task never charges twice.
 */
export class PaymentGateway {
  private readonly failureRate: number;
  private readonly random: () => number;
  private readonly receipts = new Map<string, ChargeReceipt>();
  private readonly calls = new Map<string, number>();

  constructor(options: PaymentGatewayOptions = {}, env = process.env) {
    const rate = options.failureRate ?? (env.BILLING_GATEWAY_FAILURE_RATE !== undefined ? Number(env.BILLING_GATEWAY_FAILURE_RATE) : 0.3);
    if (!Number.isFinite(rate) || rate < 0 || rate >= 1) {
      throw new RangeError(`payment gateway failureRate (BILLING_GATEWAY_FAILURE_RATE) must be a number in [0, 1), got ${String(rate)}`);
    }
    this.failureRate = rate;
    this.random = options.random ?? Math.random;
  }

  /** Charges `amount` for `orderId` once; throws {@link PaymentGatewayUnavailableError} when the simulated gateway fails. */
  charge(orderId: string, amount: number): ChargeReceipt {
    if (!Number.isFinite(amount) || amount <= 0) throw new PaymentDeclinedError(`amount must be a positive number, got ${String(amount)}`);
    const attempts = (this.calls.get(orderId) ?? 0) + 1;
    this.calls.set(orderId, attempts);
    const done = this.receipts.get(orderId);
    if (done) return done;
    if (this.random() < this.failureRate) throw new PaymentGatewayUnavailableError(`payment gateway did not answer (order ${orderId}, call ${attempts})`);
    const receipt = { chargeId: randomUUID(), orderId, amount, attempts };
    this.receipts.set(orderId, receipt);
    return receipt;
  }
}
