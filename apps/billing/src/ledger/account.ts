/** The accounts of billing's chart of accounts. */
export const Account = {
  /** Asset: what customers owe us. */
  AccountsReceivable: 'accounts_receivable',
  /** Income: sales. */
  Revenue: 'revenue',
  /** Liability: sales tax collected for the tax office. */
  SalesTaxPayable: 'sales_tax_payable',
} as const;

/** One of billing's account names. */
export type AccountName = (typeof Account)[keyof typeof Account];

/** Normal balance side: assets grow with debits; income and liabilities with credits. */
export const NORMAL_SIDE: Record<AccountName, 'debit' | 'credit'> = {
  [Account.AccountsReceivable]: 'debit',
  [Account.Revenue]: 'credit',
  [Account.SalesTaxPayable]: 'credit',
};
