package billing

import (
	"errors"
	"fmt"
	"math"

	"github.com/orgspace/orgspace/storage"
)

// books are where apply reads and records transfers: a Ledger's maps, or
// a Store inside a write transaction. One algorithm over both keeps the
// in-memory Ledger, which the property tests check, and the stored
// ledger, which the service writes, to exactly the same rules.
type books interface {
	// pending returns the transfer recorded under id and whether it is a
	// pending one not yet resolved; storage.ErrNotFound when there is none.
	// A Store locks it until the transaction ends.
	pending(id string) (t Transfer, open bool, err error)
	// lock returns the balances of two accounts (zero for new ones); a
	// Store locks both until the transaction ends.
	lock(from, to LedgerAccount) (Balance, Balance, error)
	// add records t unless its ID is taken; then it records nothing and
	// returns the transfer recorded under it, with dup true. What add
	// records is kept only if apply succeeds (the Ledger stages it; a
	// Store's transaction rolls back on the error).
	add(t Transfer) (prev Transfer, dup bool, err error)
	// settle writes the new balances of t's accounts and, for a resolving
	// transfer, marks the pending one resolved.
	settle(t Transfer, from, to Balance) error
}

// apply checks t against the rules and records it in b. Checking that the
// ID is new comes after the checks that need no state, so a retry of a
// recorded transfer is recognised (and changes nothing) even when the
// balances would refuse it now.
func apply(b books, t Transfer) error {
	if t.ID == "" {
		return invalid("transfer ID", "is empty")
	}
	var p Transfer
	open := false
	if t.PendingID != "" {
		var err error
		if p, open, err = b.pending(t.PendingID); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("billing: transfer %q: pending transfer %q: %w", t.ID, t.PendingID, storage.ErrNotFound)
			}
			return err
		}
		if !p.Pending {
			return fmt.Errorf("billing: transfer %q: transfer %q is not pending: %w", t.ID, t.PendingID, storage.ErrFailedPrecondition)
		}
		t = fillFrom(t, p)
	}
	if err := validate(t, p); err != nil {
		return err
	}
	from, to, err := b.lock(t.From, t.To)
	if err != nil {
		return err
	}
	prev, dup, err := b.add(t)
	switch {
	case err != nil:
		return err
	case dup && prev == t:
		return nil
	case dup:
		return fmt.Errorf("billing: transfer %q: %w", t.ID, storage.ErrAlreadyExists)
	case t.PendingID != "" && !open:
		return fmt.Errorf("billing: transfer %q: pending transfer %q is already resolved: %w", t.ID, t.PendingID, storage.ErrFailedPrecondition)
	}
	before := from
	switch {
	case t.PendingID != "":
		from.DebitsPending -= p.Amount
		to.CreditsPending -= p.Amount
		if !t.Void {
			from.DebitsPosted += t.Amount
			to.CreditsPosted += t.Amount
		}
	case t.Pending:
		from.DebitsPending += t.Amount
		to.CreditsPending += t.Amount
	default:
		from.DebitsPosted += t.Amount
		to.CreditsPosted += t.Amount
	}
	if t.PendingID == "" {
		// Only a new movement can take an account below zero or past the
		// int64 range; resolving one only shrinks the pending totals.
		if overflows(from.DebitsPosted, from.DebitsPending) || overflows(to.CreditsPosted, to.CreditsPending) {
			return fmt.Errorf("billing: transfer %q: a balance would overflow: %w", t.ID, storage.ErrFailedPrecondition)
		}
		if t.From.Kind != External && from.Available() < 0 {
			return fmt.Errorf("billing: transfer %q: %s has %d available, needs %d: %w",
				t.ID, t.From, before.Available(), t.Amount, storage.ErrInsufficientFunds)
		}
	}
	return b.settle(t, from, to)
}

// overflows reports whether posted+pending, both non-negative, passes
// math.MaxInt64; keeping that sum in range keeps Available in range too.
func overflows(posted, pending int64) bool {
	return posted < 0 || pending < 0 || posted > math.MaxInt64-pending
}

// fillFrom fills in a resolving transfer's empty fields from the pending
// transfer p it names.
func fillFrom(t, p Transfer) Transfer {
	if t.Asset == 0 {
		t.Asset = p.Asset
	}
	if t.From == (LedgerAccount{}) {
		t.From = p.From
	}
	if t.To == (LedgerAccount{}) {
		t.To = p.To
	}
	if t.Void && t.Amount == 0 {
		t.Amount = p.Amount
	}
	return t
}

// validate checks a transfer, with a resolving one's fields filled in,
// against the rules that need no balance: its shape, and for a resolving
// one its agreement with the pending transfer p.
func validate(t, p Transfer) error {
	if t.PendingID != "" {
		switch {
		case t.Pending:
			return invalid("pending", "is set on a transfer that resolves %q", t.PendingID)
		case t.Asset != p.Asset:
			return invalid("asset", "%v differs from %v of pending transfer %q", t.Asset, p.Asset, t.PendingID)
		case t.From != p.From:
			return invalid("from", "%v differs from %v of pending transfer %q", t.From, p.From, t.PendingID)
		case t.To != p.To:
			return invalid("to", "%v differs from %v of pending transfer %q", t.To, p.To, t.PendingID)
		case t.Void && t.Amount != p.Amount:
			return invalid("amount", "%d of a void differs from the pending %d", t.Amount, p.Amount)
		case t.Amount <= 0 || t.Amount > p.Amount:
			return invalid("amount", "%d is not between 1 and the pending %d", t.Amount, p.Amount)
		}
		return nil
	}
	if t.Void {
		return invalid("void", "is set without a pending ID")
	}
	if !t.Asset.Valid() {
		return invalid("asset", "%v is not an asset", t.Asset)
	}
	if t.Amount <= 0 || t.Amount > MaxAmount {
		return invalid("amount", "%d is not between 1 and %d", t.Amount, MaxAmount)
	}
	if err := t.From.Validate("from"); err != nil {
		return err
	}
	if err := t.To.Validate("to"); err != nil {
		return err
	}
	switch {
	case t.From.Asset != t.Asset:
		return invalid("from asset", "%v differs from the transfer's %v", t.From.Asset, t.Asset)
	case t.To.Asset != t.Asset:
		return invalid("to asset", "%v differs from the transfer's %v", t.To.Asset, t.Asset)
	case t.From == t.To:
		return invalid("to", "is the same account as from (%v)", t.From)
	}
	return nil
}

// Apply records transfers in st, in order, with the rules of
// [Ledger.Apply], inside the caller's read-write transaction, and names
// actor (as rendered by org.Actor) as who made them. It is how other
// domains move units as part of their own writes.
//
// On an error Apply may have written part of the transfers: the caller
// must return the error from its transaction function so that the
// transaction rolls back, as every Update and UpdateUnlogged function
// does with its errors.
func Apply(st Store, actor string, ts ...Transfer) error {
	b := storeBooks{st: st, actor: actor}
	for _, t := range ts {
		if err := apply(b, t); err != nil {
			return err
		}
	}
	return nil
}

// storeBooks are a Store seen as books.
type storeBooks struct {
	st    Store
	actor string
}

func (b storeBooks) pending(id string) (Transfer, bool, error) {
	e, err := b.st.Transfer(id)
	return e.Transfer, e.Open, err
}

func (b storeBooks) lock(from, to LedgerAccount) (Balance, Balance, error) {
	return b.st.LockBalances(from, to)
}

func (b storeBooks) add(t Transfer) (Transfer, bool, error) {
	err := b.st.InsertTransfer(t, b.actor)
	if !errors.Is(err, storage.ErrAlreadyExists) {
		return Transfer{}, false, err
	}
	prev, err := b.st.Transfer(t.ID)
	if err != nil {
		return Transfer{}, false, err
	}
	return prev.Transfer, true, nil
}

func (b storeBooks) settle(t Transfer, from, to Balance) error {
	if err := b.st.PutBalance(t.From, from); err != nil {
		return err
	}
	if err := b.st.PutBalance(t.To, to); err != nil {
		return err
	}
	if t.PendingID != "" {
		return b.st.CloseTransfer(t.PendingID)
	}
	return nil
}
