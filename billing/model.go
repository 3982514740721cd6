package billing

import (
	"fmt"
	"time"

	"github.com/orgspace/orgspace/org"
)

// EventID names an event. Events are package community's; billing knows
// of one only what its ledger needs (see [Event]).
type EventID string

// PersonID names a person who takes part in events (a volunteer). People
// are package community's; billing counts licences per person and event.
type PersonID string

// Event is what billing knows of an event: which organisation organises
// it, so whose pool its licences and SMS credits come from, and when it
// starts, after which a licence taken for it is no longer returned.
type Event struct {
	ID    EventID
	Org   org.OrganisationID
	Start time.Time
}

// CouponID names a licence coupon.
type CouponID string

// CouponStatus is where a coupon is in its life: active until it is
// redeemed, revoked or expired, each of which is final.
type CouponStatus uint8

// The coupon statuses. The zero CouponStatus is invalid.
const (
	// CouponActive: issued, its licences reserved in escrow, redeemable.
	CouponActive CouponStatus = iota + 1
	// CouponRedeemed: an event redeemed it and holds its licences.
	CouponRedeemed
	// CouponRevoked: its issuer revoked it; its licences went back.
	CouponRevoked
	// CouponExpired: it passed its expiry unredeemed; its licences went
	// back.
	CouponExpired
)

var couponStatusNames = [...]string{CouponActive: "active", CouponRedeemed: "redeemed", CouponRevoked: "revoked", CouponExpired: "expired"}

// String returns the status's name: "active", "redeemed", "revoked" or
// "expired".
func (s CouponStatus) String() string {
	if s.Valid() {
		return couponStatusNames[s]
	}
	return fmt.Sprintf("CouponStatus(%d)", uint8(s))
}

// Valid reports whether s is one of the defined statuses.
func (s CouponStatus) Valid() bool { return s >= CouponActive && s <= CouponExpired }

// Coupon is a licence coupon: licences an organisation reserves for one
// event of another organisation, which redeems it with its code.
type Coupon struct {
	ID CouponID
	// Org is the issuing organisation.
	Org      org.OrganisationID
	Licences int64
	// CodeHash is the SHA-256 of the code; the code itself is shown once,
	// when the coupon is issued, and never stored.
	CodeHash []byte
	Status   CouponStatus
	// ExpiresAt is when an active coupon expires; zero for never.
	ExpiresAt time.Time
	CreatedAt time.Time
	// CreatedBy is the actor who issued it, as rendered by org.Actor.
	CreatedBy string
	// Event is the event that redeemed it; empty unless redeemed.
	Event EventID
	// ClosedAt is when it was redeemed, revoked or expired; ClosedBy who
	// did it. Both are zero while it is active.
	ClosedAt time.Time
	ClosedBy string
}

// PurchaseID names a purchase.
type PurchaseID string

// PurchaseStatus is where a purchase is: pending from the moment it is
// recorded until the payment provider's answer is, then completed (and
// credited) or declined.
type PurchaseStatus uint8

// The purchase statuses. The zero PurchaseStatus is invalid.
const (
	// PurchasePending: recorded, the charge not yet known to have
	// succeeded or failed.
	PurchasePending PurchaseStatus = iota + 1
	// PurchaseCompleted: charged and credited to the pool.
	PurchaseCompleted
	// PurchaseDeclined: the provider refused the charge; nothing moved.
	PurchaseDeclined
)

var purchaseStatusNames = [...]string{PurchasePending: "pending", PurchaseCompleted: "completed", PurchaseDeclined: "declined"}

// String returns the status's name: "pending", "completed" or "declined".
func (s PurchaseStatus) String() string {
	if s.Valid() {
		return purchaseStatusNames[s]
	}
	return fmt.Sprintf("PurchaseStatus(%d)", uint8(s))
}

// Valid reports whether s is one of the defined statuses.
func (s PurchaseStatus) Valid() bool { return s >= PurchasePending && s <= PurchaseDeclined }

// Purchase is an organisation buying units of an asset.
type Purchase struct {
	ID  PurchaseID
	Org org.OrganisationID
	// Key is the caller's idempotency key, unique per organisation.
	Key      string
	Asset    Asset
	Quantity int64
	// Price is what the purchase costs: Quantity times the unit price of
	// the price list when it was first requested.
	Price  Money
	Status PurchaseStatus
	// ProviderRef is the payment provider's reference of the charge, once
	// known.
	ProviderRef string
	CreatedAt   time.Time
	CreatedBy   string
	// SettledAt is when the provider's answer was recorded; zero while
	// pending.
	SettledAt time.Time
}

// SMSStatus is what became of an SMS: accepted (its credits consumed)
// until the sender's answer is recorded as sent or failed.
type SMSStatus uint8

// The SMS statuses. The zero SMSStatus is invalid.
const (
	// SMSAccepted: its credits are consumed, delivery not yet known.
	SMSAccepted SMSStatus = iota + 1
	// SMSSent: the sender took it.
	SMSSent
	// SMSFailed: the sender refused it; its credits stay consumed.
	SMSFailed
)

var smsStatusNames = [...]string{SMSAccepted: "accepted", SMSSent: "sent", SMSFailed: "failed"}

// String returns the status's name: "accepted", "sent" or "failed".
func (s SMSStatus) String() string {
	if s.Valid() {
		return smsStatusNames[s]
	}
	return fmt.Sprintf("SMSStatus(%d)", uint8(s))
}

// Valid reports whether s is one of the defined statuses.
func (s SMSStatus) Valid() bool { return s >= SMSAccepted && s <= SMSFailed }

// SMS is a text message sent for an event, paid for with the SMS credits
// of the event's organising organisation.
type SMS struct {
	// ID is the caller's message ID, unique per organisation: sending
	// again under it consumes nothing more.
	ID    string
	Org   org.OrganisationID
	Event EventID
	To    string
	Body  string
	// Credits is what it cost: one credit per 160-character segment.
	Credits int64
	Status  SMSStatus
	// ProviderRef is the sender's reference; Error the reason it failed.
	ProviderRef string
	Error       string
	CreatedAt   time.Time
	CreatedBy   string
	// SettledAt is when the sender's answer was recorded.
	SettledAt time.Time
}

// LicenceUse is the licence one person holds on one event.
type LicenceUse struct {
	Event  EventID
	Person PersonID
	// Coupon is the redeemed coupon the licence came from; empty when it
	// came from the organiser's pool.
	Coupon CouponID
	// TransferID is the transfer that took it.
	TransferID string
	// Returned is set once it went back, when the person withdrew before
	// the event started. Taking it again makes a new use.
	Returned  bool
	TakenAt   time.Time
	UpdatedAt time.Time
}

// JournalEntry is a transfer as the journal holds it: numbered in the
// order it was recorded, and, for a pending transfer, whether it is still
// open.
type JournalEntry struct {
	// Seq numbers the journal's entries, from 1, increasing in the order
	// they were recorded (which is commit order on a backend whose write
	// transactions run one at a time; see the backend's documentation).
	Seq int64
	Transfer
	// Open is set on a pending transfer not yet posted or voided.
	Open bool
	// Actor is who made it, as rendered by org.Actor.
	Actor string
}

// JournalQuery selects journal entries that touch one organisation's
// ledger accounts.
type JournalQuery struct {
	Org org.OrganisationID
	// Asset, Kind and Ref, when set, keep the entries with an account on
	// either side that has them (of Org).
	Asset Asset
	Kind  AccountKind
	Ref   string
	// After excludes the entries with a Seq at or below it.
	After int64
	// Limit is the most entries to return; it must be positive.
	Limit int
}
