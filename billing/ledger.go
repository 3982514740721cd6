package billing

import (
	"fmt"
	"iter"
	"maps"
	"math/bits"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// MaxAmount is the largest amount one transfer may move. It keeps every
// single transfer far below the int64 range; balances are guarded against
// overflow separately (see [Ledger.Apply]).
const MaxAmount int64 = 1_000_000_000_000

// Asset is what a ledger counts. Each asset is conserved on its own; a
// transfer moves exactly one asset.
type Asset uint8

// The assets. The zero Asset is invalid so that a forgotten field is caught.
const (
	Licences Asset = iota + 1
	SMSCredits
)

var assetNames = [...]string{Licences: "licences", SMSCredits: "sms_credits"}

// String returns the asset's name: "licences" or "sms_credits".
func (a Asset) String() string {
	if a.Valid() {
		return assetNames[a]
	}
	return fmt.Sprintf("Asset(%d)", uint8(a))
}

// Valid reports whether a is one of the defined assets.
func (a Asset) Valid() bool { return a == Licences || a == SMSCredits }

// ParseAsset returns the asset named s, as written by [Asset.String].
func ParseAsset(s string) (Asset, error) {
	for a := Licences; a <= SMSCredits; a++ {
		if assetNames[a] == s {
			return a, nil
		}
	}
	return 0, invalid("asset", "%q is not an asset", s)
}

// AccountKind is the role a ledger account plays. Only External may go
// negative: it stands for the world outside the ledger, where purchased
// units come from.
type AccountKind uint8

// The kinds of ledger account. The zero AccountKind is invalid.
const (
	// External is the outside world: the source of purchased units.
	External AccountKind = iota + 1
	// Pool holds an organisation's available units.
	Pool
	// Escrow holds the licences reserved by one coupon (Ref is its ID).
	Escrow
	// Allocation holds the licences one event uses (Ref is the event's ID).
	Allocation
	// Consumed holds SMS credits spent and licences used up.
	Consumed
)

var kindNames = [...]string{External: "external", Pool: "pool", Escrow: "escrow", Allocation: "allocation", Consumed: "consumed"}

// String returns the kind's name: "external", "pool", "escrow",
// "allocation" or "consumed".
func (k AccountKind) String() string {
	if k.Valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("AccountKind(%d)", uint8(k))
}

// Valid reports whether k is one of the defined kinds.
func (k AccountKind) Valid() bool { return k >= External && k <= Consumed }

// ParseAccountKind returns the kind named s, as written by
// [AccountKind.String].
func ParseAccountKind(s string) (AccountKind, error) {
	for k := External; k <= Consumed; k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return 0, invalid("account kind", "%q is not an account kind", s)
}

// needsRef reports whether accounts of kind k exist once per object (a
// coupon, an event) rather than once per organisation and asset.
func (k AccountKind) needsRef() bool { return k == Escrow || k == Allocation }

// LedgerAccount names one ledger account. It is a comparable key: two
// values are the same account exactly when they are equal. Ref is the
// coupon ID for Escrow, the event ID for Allocation, and empty otherwise.
type LedgerAccount struct {
	Org   org.OrganisationID
	Asset Asset
	Kind  AccountKind
	Ref   string
}

// String returns org/asset/kind[/ref], for messages.
func (a LedgerAccount) String() string {
	s := fmt.Sprintf("%s/%s/%s", a.Org, a.Asset, a.Kind)
	if a.Ref != "" {
		s += "/" + a.Ref
	}
	return s
}

// Validate checks that a names an account that can exist: an organisation,
// a valid asset and kind, and a Ref exactly when the kind needs one.
// field names the input in the error ("from").
func (a LedgerAccount) Validate(field string) error {
	switch {
	case a.Org == "":
		return invalid(field+" organisation", "is empty")
	case !a.Asset.Valid():
		return invalid(field+" asset", "%v is not an asset", a.Asset)
	case !a.Kind.Valid():
		return invalid(field+" kind", "%v is not an account kind", a.Kind)
	case a.Kind.needsRef() && a.Ref == "":
		return invalid(field+" ref", "is empty; a %s account needs one", a.Kind)
	case !a.Kind.needsRef() && a.Ref != "":
		return invalid(field+" ref", "%q is set; a %s account has none", a.Ref, a.Kind)
	}
	return nil
}

// Balance is the state of one ledger account. The posted totals only grow;
// the pending ones also shrink, when a pending transfer is resolved.
type Balance struct {
	DebitsPosted   int64
	CreditsPosted  int64
	DebitsPending  int64
	CreditsPending int64
}

// Available is what the account may still send: posted credits minus
// posted debits minus debits reserved by pending transfers. Pending credits
// do not count: they may still be voided.
func (b Balance) Available() int64 {
	return b.CreditsPosted - b.DebitsPosted - b.DebitsPending
}

// Reserved is what pending transfers hold back from the account.
func (b Balance) Reserved() int64 { return b.DebitsPending }

// Transfer moves Amount units of Asset from one ledger account to another.
//
// There are three shapes:
//   - posted (Pending false, PendingID empty): moves the units now;
//   - pending (Pending true): reserves the units in DebitsPending of From
//     and CreditsPending of To, until a later transfer resolves it;
//   - resolving (PendingID set, made with [Post] or [Void]): posts up to
//     the pending amount, releasing the rest, or voids the whole of it.
//     Its Asset, From and To may be left zero; the ledger records them as
//     those of the pending transfer.
type Transfer struct {
	ID        string
	Asset     Asset
	From      LedgerAccount
	To        LedgerAccount
	Amount    int64
	Pending   bool
	PendingID string
	// Void, with PendingID, releases the pending transfer without moving
	// anything.
	Void   bool
	Time   time.Time
	Reason string
}

// Post returns a transfer, with the given ID, that posts amount (at most
// the pending amount) of the pending transfer pendingID and releases the
// rest.
func Post(id, pendingID string, amount int64) Transfer {
	return Transfer{ID: id, PendingID: pendingID, Amount: amount}
}

// Void returns a transfer, with the given ID, that releases the whole of
// the pending transfer pendingID.
func Void(id, pendingID string) Transfer {
	return Transfer{ID: id, PendingID: pendingID, Void: true}
}

// Ledger is the pure state of a double-entry ledger: a balance per account,
// every applied transfer by ID, and the pending transfers not yet resolved.
// The zero Ledger is empty and ready to use. A Ledger is not safe for
// concurrent use; [Ledger.Clone] makes an independent copy.
type Ledger struct {
	balances  map[LedgerAccount]Balance
	transfers map[string]Transfer
	open      map[string]struct{} // IDs of pending transfers not yet resolved
}

// Clone returns a copy of l that shares nothing with it.
func (l *Ledger) Clone() *Ledger {
	return &Ledger{
		balances:  maps.Clone(l.balances),
		transfers: maps.Clone(l.transfers),
		open:      maps.Clone(l.open),
	}
}

// Balance returns the balance of account a; zero if nothing moved yet.
func (l *Ledger) Balance(a LedgerAccount) Balance { return l.balances[a] }

// Balances yields every account that a transfer has touched, with its
// balance, in no particular order.
func (l *Ledger) Balances() iter.Seq2[LedgerAccount, Balance] {
	return func(yield func(LedgerAccount, Balance) bool) {
		for a, b := range l.balances {
			if !yield(a, b) {
				return
			}
		}
	}
}

// Transfer returns the applied transfer with the given ID, as recorded (a
// resolving transfer with its Asset, From, To and Amount filled in).
func (l *Ledger) Transfer(id string) (Transfer, bool) {
	t, ok := l.transfers[id]
	return t, ok
}

// IsOpen reports whether id is a pending transfer not yet posted or voided.
func (l *Ledger) IsOpen(id string) bool {
	_, ok := l.open[id]
	return ok
}

// Apply validates t against the rules and the current state and, if it
// passes, applies the whole of it; otherwise it returns an error and
// changes nothing. The rules are those of [Apply] on a Store: the same
// code checks both.
//
// Errors wrap storage.ErrInvalidArgument (malformed input, naming the
// field), storage.ErrAlreadyExists (the ID was used by a different
// transfer), storage.ErrNotFound (an unknown PendingID),
// storage.ErrFailedPrecondition (PendingID names a transfer that is not
// pending or is already resolved; a balance would overflow) or
// storage.ErrInsufficientFunds (From is not External and its available
// balance is less than Amount).
//
// Applying a transfer equal (==, so with the same Time value) to the one
// already recorded under its ID returns nil and changes nothing, so a
// caller that does not know whether its first attempt went through may
// simply retry. A resolving transfer is compared after its empty fields
// are filled in from the pending one.
func (l *Ledger) Apply(t Transfer) error {
	b := &memoryBooks{l: l}
	if err := apply(b, t); err != nil {
		return err
	}
	b.commit()
	return nil
}

// memoryBooks are a Ledger's maps seen as books. A transfer is staged by
// add and settle and written to the Ledger only by commit, so a failed
// apply leaves the Ledger as it was.
type memoryBooks struct {
	l        *Ledger
	staged   Transfer
	from, to Balance
	settled  bool
}

func (b *memoryBooks) pending(id string) (Transfer, bool, error) {
	p, ok := b.l.transfers[id]
	if !ok {
		return Transfer{}, false, storage.ErrNotFound
	}
	return p, b.l.IsOpen(id), nil
}

func (b *memoryBooks) lock(from, to LedgerAccount) (Balance, Balance, error) {
	return b.l.balances[from], b.l.balances[to], nil
}

func (b *memoryBooks) add(t Transfer) (Transfer, bool, error) {
	if prev, ok := b.l.transfers[t.ID]; ok {
		return prev, true, nil
	}
	b.staged = t
	return Transfer{}, false, nil
}

func (b *memoryBooks) settle(_ Transfer, from, to Balance) error {
	b.from, b.to, b.settled = from, to, true
	return nil
}

func (b *memoryBooks) commit() {
	if !b.settled {
		return // a retry of a recorded transfer
	}
	l, n := b.l, b.staged
	if l.balances == nil {
		l.balances = map[LedgerAccount]Balance{}
		l.transfers = map[string]Transfer{}
		l.open = map[string]struct{}{}
	}
	l.balances[n.From], l.balances[n.To] = b.from, b.to
	l.transfers[n.ID] = n
	if n.Pending {
		l.open[n.ID] = struct{}{}
	}
	if n.PendingID != "" {
		delete(l.open, n.PendingID)
	}
}

// CheckNoNegative reports the first account, other than an External one,
// whose available balance is below zero, or any account with a negative
// total. It is an invariant of every Ledger; a store-backed ledger checks
// its balances with it too.
func CheckNoNegative(balances iter.Seq2[LedgerAccount, Balance]) error {
	for a, b := range balances {
		if b.DebitsPosted < 0 || b.CreditsPosted < 0 || b.DebitsPending < 0 || b.CreditsPending < 0 {
			return fmt.Errorf("billing: %v has a negative total: %+v", a, b)
		}
		if a.Kind != External && b.Available() < 0 {
			return fmt.Errorf("billing: %v has %d available", a, b.Available())
		}
	}
	return nil
}

// CheckConservation reports an asset whose posted credits, summed over all
// accounts, differ from its posted debits, or whose pending credits differ
// from its pending debits: every transfer debits one account exactly as
// much as it credits another. The sums are exact for any number of
// accounts with non-negative totals.
func CheckConservation(balances iter.Seq2[LedgerAccount, Balance]) error {
	type sum struct{ hi, lo uint64 }
	add := func(s *sum, v int64) {
		var c uint64
		s.lo, c = bits.Add64(s.lo, uint64(v), 0)
		s.hi += c
	}
	type totals struct{ debitsPosted, creditsPosted, debitsPending, creditsPending sum }
	per := map[Asset]*totals{}
	for a, b := range balances {
		if b.DebitsPosted < 0 || b.CreditsPosted < 0 || b.DebitsPending < 0 || b.CreditsPending < 0 {
			return fmt.Errorf("billing: %v has a negative total: %+v", a, b)
		}
		t := per[a.Asset]
		if t == nil {
			t = &totals{}
			per[a.Asset] = t
		}
		add(&t.debitsPosted, b.DebitsPosted)
		add(&t.creditsPosted, b.CreditsPosted)
		add(&t.debitsPending, b.DebitsPending)
		add(&t.creditsPending, b.CreditsPending)
	}
	for asset, t := range per {
		if t.debitsPosted != t.creditsPosted {
			return fmt.Errorf("billing: %v is not conserved: posted debits differ from posted credits", asset)
		}
		if t.debitsPending != t.creditsPending {
			return fmt.Errorf("billing: %v is not conserved: pending debits differ from pending credits", asset)
		}
	}
	return nil
}

// invalid builds an ErrInvalidArgument error that names the field.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("billing: %s %s: %w", field, fmt.Sprintf(format, args...), storage.ErrInvalidArgument)
}
