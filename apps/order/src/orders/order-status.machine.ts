/** Where an order stands. */
export type OrderStatus = 'submitted' | 'invoiced' | 'dispatched' | 'charged_back';

/** What can happen to an order: billing invoiced it, logistic dispatched it, the customer charged it back. */
export type OrderTransition = 'invoice' | 'dispatch' | 'charge_back';

/** The outcome of a transition: the next status (`changed` false for a late or repeated event), or a refusal. */
export type TransitionResult = { ok: true; status: OrderStatus; changed: boolean } | { ok: false; reason: string };

type Rule = OrderStatus | { refuse: string };

/**
 * submitted → invoiced → dispatched, and invoiced / dispatched → charged_back. Events may arrive
 * late, twice or out of order (a dispatch before the invoice while billing is down): those never
 * move an order backwards and never fail; only the chargeback command can be refused.
 */
const RULES: Record<OrderStatus, Record<OrderTransition, Rule>> = {
  submitted: {
    invoice: 'invoiced',
    dispatch: 'dispatched',
    charge_back: { refuse: 'it is not invoiced yet; retry once billing has invoiced it' },
  },
  invoiced: { invoice: 'invoiced', dispatch: 'dispatched', charge_back: 'charged_back' },
  dispatched: { invoice: 'dispatched', dispatch: 'dispatched', charge_back: 'charged_back' },
  charged_back: {
    invoice: 'charged_back',
    dispatch: 'charged_back',
    charge_back: { refuse: 'it is already charged back' },
  },
};

/** The order status state machine (pure). */
export class OrderStatusMachine {
  /** Applies `transition` to an order in `status`. */
  static apply(status: OrderStatus, transition: OrderTransition): TransitionResult {
    const rule = RULES[status]?.[transition];
    if (rule === undefined) return { ok: false, reason: `unknown status '${status}' or transition '${transition}'` };
    if (typeof rule === 'object') return { ok: false, reason: rule.refuse };
    return { ok: true, status: rule, changed: rule !== status };
  }
}
