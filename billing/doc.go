// Package billing keeps the licence and SMS-credit ledgers of organisations:
// purchases charged through a [PaymentProvider], licence coupons that
// support other organisations' events, a licence per person accepted onto
// an event, and SMS credits spent on events.
//
// [Service] is the API (its documentation says who may do what). Under it
// lies a double-entry ledger whose rules are pure: a [Ledger] holds a
// balance per ledger account and the transfers applied to it, and
// [Ledger.Apply] checks a [Transfer] against the rules and applies all of
// it or nothing. [Apply] runs the very same code against a [Store] inside
// a transaction, which is how the Service writes and how package
// community takes a licence in the transaction that accepts a
// participant ([TakeLicence], [ReturnLicence], [RegisterEvent],
// [Supporters]).
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
// # Where units go
//
// Buying credits the organisation's Pool from its External account, once
// the charge succeeded. Issuing a coupon moves licences from the Pool to
// the coupon's Escrow as a pending transfer; redeeming posts it, revoking
// or expiry voids it. A licence for a person on an event moves one unit
// into the event's Allocation, from the escrow of a coupon the event
// redeemed if one has a licence left, else from the organiser's Pool;
// returning it moves it back. An SMS moves its credits from the Pool to
// Consumed. Every transfer's ID is derived from what it does
// ("purchase/<id>", "coupon/<id>/issue", "sms/<org>/<id>", …) or stored
// with the object it belongs to, so a retried operation can only repeat
// a transfer, never add a second one.
//
// # Idempotency and failures
//
// Purchases are idempotent by the caller's key, SMS by message ID,
// licences by person and event, coupon redemption by coupon and event. A
// purchase spans two transactions with the payment between them; a crash
// or a lost answer leaves it pending, and a retry with the same key (or
// [Service.RecoverPurchases]) asks the provider again under the same
// idempotency key, so it charges at most once, and credits once.
package billing
