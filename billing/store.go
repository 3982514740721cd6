package billing

import (
	"time"

	"github.com/orgspace/orgspace/org"
)

// Store is what package billing needs from a backend transaction: org.Store
// plus the ledger, events as billing knows them, purchases, coupons,
// licence uses and SMS.
//
// The conventions are org.Store's: lookups return storage.ErrNotFound when
// nothing matches, inserts storage.ErrAlreadyExists when a key is taken,
// values round-trip exactly (times in UTC to the nanosecond, an empty
// byte slice as nil) and the All methods stream to fn, which must not use
// the Store. Updates write only the fields their comment names.
//
// Row locks. Billing writes run in transactions that take no part in the
// change log (storage.Transactor.UpdateUnlogged), so on a backend where
// such transactions run concurrently they are kept apart by row locks: in
// a read-write transaction, every lookup of one row below (LockBalances,
// Transfer, Purchase, PurchaseByKey, Coupon, CouponByCode, LicenceUse,
// SMS, Event) locks that row until the transaction ends, and returns its
// latest committed version. A backend whose write transactions run one
// at a time needs no locks.
type Store interface {
	org.Store

	// LockBalances returns the balances of two different ledger accounts,
	// zero for an account with none yet, and locks both. Callers pass the
	// accounts in any order; the backend locks them in one fixed order
	// so that two transactions never wait on each other in a cycle.
	LockBalances(a, b LedgerAccount) (Balance, Balance, error)
	// PutBalance writes an account's balance.
	PutBalance(a LedgerAccount, b Balance) error
	// Balance returns an account's balance without locking it; zero for an
	// account with none.
	Balance(a LedgerAccount) (Balance, error)
	// BalancesOfOrg lists the accounts of organisation o that have a
	// balance, ordered by asset, kind and ref.
	BalancesOfOrg(o org.OrganisationID) ([]AccountBalance, error)
	// AllBalances calls fn for every account that has a balance.
	AllBalances(fn func(AccountBalance) error) error

	// InsertTransfer appends t to the journal, numbered after every entry
	// recorded before, open if it is pending, with the actor who made it.
	InsertTransfer(t Transfer, actor string) error
	// Transfer returns the journal entry of the transfer with that ID.
	Transfer(id string) (JournalEntry, error)
	// CloseTransfer marks a pending transfer resolved (Open false).
	CloseTransfer(id string) error
	// Journal returns the entries q selects, ordered by Seq.
	Journal(q JournalQuery) ([]JournalEntry, error)
	// AllTransfers calls fn for every journal entry, ordered by Seq.
	AllTransfers(fn func(JournalEntry) error) error

	// PutEvent inserts an event or updates its start; an event never moves
	// to another organisation (the service checks that).
	PutEvent(e Event) error
	Event(id EventID) (Event, error)

	// InsertPurchase fails with storage.ErrAlreadyExists when the ID, or
	// the key within the organisation, is taken.
	InsertPurchase(p Purchase) error
	// UpdatePurchase writes Status, ProviderRef and SettledAt.
	UpdatePurchase(p Purchase) error
	Purchase(id PurchaseID) (Purchase, error)
	PurchaseByKey(o org.OrganisationID, key string) (Purchase, error)
	// PurchasesOfOrg lists an organisation's purchases ordered by
	// CreatedAt and then ID, after the purchase (afterTime, afterID); a
	// zero afterTime and empty afterID start at the first.
	PurchasesOfOrg(o org.OrganisationID, afterTime time.Time, afterID PurchaseID, limit int) ([]Purchase, error)
	// PendingPurchases lists the pending purchases of every organisation
	// created before t, ordered by CreatedAt and then ID.
	PendingPurchases(before time.Time, limit int) ([]Purchase, error)

	// InsertCoupon fails with storage.ErrAlreadyExists when the ID or the
	// code hash is taken.
	InsertCoupon(c Coupon) error
	// UpdateCoupon writes Status, Event, ClosedAt and ClosedBy.
	UpdateCoupon(c Coupon) error
	Coupon(id CouponID) (Coupon, error)
	CouponByCode(hash []byte) (Coupon, error)
	// CouponsOfOrg lists the coupons an organisation issued ordered by
	// CreatedAt and then ID, after (afterTime, afterID), as
	// PurchasesOfOrg does.
	CouponsOfOrg(o org.OrganisationID, afterTime time.Time, afterID CouponID, limit int) ([]Coupon, error)
	// CouponsOfEvent lists the coupons event e redeemed, ordered by
	// ClosedAt and then ID: by redemption time, coupons redeemed at the
	// same instant by ID.
	CouponsOfEvent(e EventID) ([]Coupon, error)
	// ExpiredCoupons lists the active coupons whose ExpiresAt is set and
	// not after now, of organisation o or, when o is empty, of all,
	// ordered by ExpiresAt and then ID.
	ExpiredCoupons(o org.OrganisationID, now time.Time, limit int) ([]Coupon, error)

	// PutLicenceUse inserts or replaces the use of (u.Event, u.Person).
	PutLicenceUse(u LicenceUse) error
	LicenceUse(e EventID, p PersonID) (LicenceUse, error)
	// LicenceUsesOfEvent lists an event's uses, returned ones too, ordered
	// by person.
	LicenceUsesOfEvent(e EventID) ([]LicenceUse, error)

	// InsertSMS fails with storage.ErrAlreadyExists when the organisation
	// has an SMS with that ID.
	InsertSMS(m SMS) error
	// UpdateSMS writes Status, ProviderRef, Error and SettledAt.
	UpdateSMS(m SMS) error
	SMS(o org.OrganisationID, id string) (SMS, error)
}

// AccountBalance is a ledger account with its balance.
type AccountBalance struct {
	Account LedgerAccount
	Balance
}
