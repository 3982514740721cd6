// Package billing keeps the licence and SMS-credit ledgers of organisations.
//
// This is its functional core: the types and rules of a double-entry
// ledger, with no storage. A [Ledger] holds a balance per ledger account and
// the transfers applied to it; [Ledger.Apply] checks a [Transfer] against
// the rules and applies all of it or nothing.
//
// # Accounts and assets
//
// Two assets are counted, [Licences] and [SMSCredits], in whole units
// (int64, at most [MaxAmount] per transfer). Each organisation has, per
// asset, an [External] account (the outside world, where purchased units
// come from), a [Pool] (its available units) and a [Consumed] account (SMS
// credits spent, licences used up); each coupon has an [Escrow] account and
// each event an [Allocation] account, named by Ref. A [LedgerAccount] is a
// comparable key.
//
// # Rules
//
//   - Every transfer moves a positive amount, at most MaxAmount, of one
//     asset between two different accounts of that asset.
//   - No account other than External ever has a negative available
//     balance: [Balance.Available] is posted credits minus posted debits
//     minus pending debits. A transfer that would overdraw fails with
//     storage.ErrInsufficientFunds.
//   - Each asset is conserved: summed over all accounts, credits equal
//     debits, posted and pending alike ([CheckConservation]).
//   - Transfer IDs are unique. Applying again a transfer equal to the one
//     recorded under its ID succeeds and changes nothing, so a retry after
//     an unknown outcome is safe; a different transfer under a used ID
//     fails with storage.ErrAlreadyExists.
//
// # Two phases
//
// A pending transfer reserves its amount: it raises DebitsPending of From
// and CreditsPending of To, and the reserved units are no longer available
// to From. A later transfer made with [Post] posts part or all of it (the
// rest is released) or one made with [Void] releases all of it. A pending
// transfer is resolved exactly once; resolving it again fails with
// storage.ErrFailedPrecondition. Issuing a coupon is a pending transfer from
// the pool into the coupon's escrow; redeeming posts it, and revoking or
// expiry voids it. Pending transfers do not time out by themselves: expiry
// is a Void applied by whoever tracks the deadline.
//
// # Prices and payments
//
// A purchase costs quantity times a unit price from a [PriceList], in
// integer minor units of a [Currency] (ISO 4217; CHF, EUR, GBP, JPY and
// USD are accepted, others refused rather than guessed). Unit prices are
// capped at [MaxUnitPrice] so that [PriceList.Quote] of up to MaxAmount
// units never overflows. A [PaymentProvider] charges at most once per
// idempotency key, and an error other than [ErrPaymentDeclined] leaves
// the outcome unknown, to be settled by retrying with the same key.
// [FakeProvider] keeps that contract for tests and examples, or breaks it
// on request: decline, time out after charging, or charge a key twice.
//
// # Not here yet
//
// Purchases themselves, which post the credit only after the charge and
// are idempotent by key in the store, come with the service.
//
// Any transfer between accounts of the right asset is allowed; which kinds
// of account may send to which (a Consumed account never sends, say) is for
// the service that builds transfers to decide.
package billing
