package billing

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// ErrPaymentDeclined is returned when a payment provider refuses a charge
// (card declined, insufficient funds at the bank). Nothing was charged. It
// wraps storage.ErrFailedPrecondition: the request was well formed, the
// payer's state forbids it.
var ErrPaymentDeclined = fmt.Errorf("billing: payment declined: %w", storage.ErrFailedPrecondition)

// Charge asks a [PaymentProvider] to take Amount from the organisation Org.
type Charge struct {
	// IdempotencyKey identifies the charge across retries: a provider
	// charges at most once per key.
	IdempotencyKey string
	// Org is the organisation that pays.
	Org org.OrganisationID
	// Amount is what to take, positive.
	Amount Money
	// Description is shown to the payer, on their statement say.
	Description string
}

// Validate checks that c has a key, an organisation and a positive amount
// in an accepted currency; the error names the field.
func (c Charge) Validate() error {
	switch {
	case c.IdempotencyKey == "":
		return invalid("idempotency key", "is empty")
	case c.Org == "":
		return invalid("organisation", "is empty")
	case !c.Amount.Currency.Valid():
		return invalid("amount currency", "%q is not supported", string(c.Amount.Currency))
	case c.Amount.Minor <= 0:
		return invalid("amount", "%d is not positive", c.Amount.Minor)
	}
	return nil
}

// Receipt is a provider's proof of a charge.
type Receipt struct {
	// ProviderRef is the provider's own reference for the charge.
	ProviderRef string
	// Amount is what was charged.
	Amount Money
	// At is when the provider charged.
	At time.Time
}

// PaymentProvider takes payments. The library calls it; a user plugs in
// their payment service, and tests use [FakeProvider].
//
// The contract:
//   - Charge charges at most once per IdempotencyKey. Called again with a
//     key that was charged, it charges nothing and returns the first
//     receipt.
//   - An error that wraps ErrPaymentDeclined means nothing was charged.
//   - Any other error, in particular a timeout (context.DeadlineExceeded),
//     leaves it unknown whether the charge happened. The caller finds out
//     by calling Charge again with the same key and the same charge, until
//     it gets a receipt or a decline.
type PaymentProvider interface {
	Charge(ctx context.Context, c Charge) (Receipt, error)
}

// Fault is a misbehaviour a [FakeProvider] can be told to show on a call.
type Fault uint8

// The faults.
const (
	// Decline refuses the charge with ErrPaymentDeclined and charges
	// nothing.
	Decline Fault = iota + 1
	// Timeout charges (at most once per key, as usual) but returns an
	// error wrapping context.DeadlineExceeded instead of the receipt: the
	// caller cannot tell whether the charge happened.
	Timeout
	// ChargeTwice charges again a key that was charged already and
	// returns the new receipt: a provider that breaks its own contract.
	// It waits, queued, for a call whose key was charged; a first charge
	// passes it by.
	ChargeTwice
)

// FakeCharge is one charge a [FakeProvider] made: the request and the
// receipt issued for it.
type FakeCharge struct {
	Request Charge
	Receipt Receipt
}

// FakeProvider is an in-memory [PaymentProvider] for tests and examples.
// It keeps the contract unless told otherwise with [FakeProvider.FailNext]
// or [FakeProvider.FailKey], and records every attempt and every charge.
// Receipts are numbered "fake_1", "fake_2", … in the order the charges
// are made and stamped with Clock (the zero time if Clock is nil), so a
// single-goroutine run is deterministic.
//
// Like a real provider, it refuses a known key with a different request
// (storage.ErrConflict), and a declined attempt is not remembered: a
// retry with the same key is a new attempt.
//
// The zero FakeProvider is ready to use; it is safe for concurrent use.
type FakeProvider struct {
	// Clock stamps receipts; nil stamps them with the zero time.
	Clock org.Clock

	mu        sync.Mutex
	attempts  []Charge
	charges   []FakeCharge
	first     map[string]FakeCharge // the first charge made per key
	count     map[string]int        // charges made per key
	nextFault []Fault
	keyFaults map[string]*[]Fault
}

var _ PaymentProvider = (*FakeProvider)(nil)

// FailNext makes the next calls, one fault each in order, misbehave. A
// fault set for the call's key with FailKey takes precedence and leaves
// this queue untouched.
func (f *FakeProvider) FailNext(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextFault = append(f.nextFault, faults...)
}

// FailKey makes the next calls with the idempotency key, one fault each in
// order, misbehave.
func (f *FakeProvider) FailKey(key string, faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keyFaults == nil {
		f.keyFaults = map[string]*[]Fault{}
	}
	q := f.keyFaults[key]
	if q == nil {
		q = new([]Fault)
		f.keyFaults[key] = q
	}
	*q = append(*q, faults...)
}

// Charge records the attempt and, unless a fault says otherwise, charges
// c once per key. It fails with storage.ErrInvalidArgument for a charge
// that does not pass [Charge.Validate] and with the context's error if
// ctx is done, in both cases charging nothing.
func (f *FakeProvider) Charge(ctx context.Context, c Charge) (Receipt, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts = append(f.attempts, c)
	if err := c.Validate(); err != nil {
		return Receipt{}, fmt.Errorf("billing: fake provider: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Receipt{}, fmt.Errorf("billing: fake provider: charge %q: %w", c.IdempotencyKey, err)
	}
	prev, known := f.first[c.IdempotencyKey]
	if known && prev.Request != c {
		return Receipt{}, fmt.Errorf("billing: fake provider: key %q was used for a different charge: %w", c.IdempotencyKey, storage.ErrConflict)
	}
	switch f.takeFault(c.IdempotencyKey, known) {
	case Decline:
		return Receipt{}, fmt.Errorf("billing: fake provider: charge %q: %w", c.IdempotencyKey, ErrPaymentDeclined)
	case Timeout:
		if !known {
			f.charge(c)
		}
		return Receipt{}, fmt.Errorf("billing: fake provider: charge %q: %w", c.IdempotencyKey, context.DeadlineExceeded)
	case ChargeTwice:
		return f.charge(c).Receipt, nil
	}
	if known {
		return prev.Receipt, nil
	}
	return f.charge(c).Receipt, nil
}

// takeFault pops the fault for this call: the key's first, else the next
// call's, else none (0). A ChargeTwice stays queued until the key is known.
func (f *FakeProvider) takeFault(key string, known bool) Fault {
	for _, q := range []*[]Fault{f.keyFaults[key], &f.nextFault} {
		if q == nil || len(*q) == 0 {
			continue
		}
		fault := (*q)[0]
		if fault == ChargeTwice && !known {
			return 0
		}
		*q = (*q)[1:]
		return fault
	}
	return 0
}

// charge makes a charge; f.mu is held.
func (f *FakeProvider) charge(c Charge) FakeCharge {
	var at time.Time
	if f.Clock != nil {
		at = f.Clock.Now()
	}
	fc := FakeCharge{Request: c, Receipt: Receipt{
		ProviderRef: fmt.Sprintf("fake_%d", len(f.charges)+1),
		Amount:      c.Amount,
		At:          at,
	}}
	f.charges = append(f.charges, fc)
	if f.first == nil {
		f.first = map[string]FakeCharge{}
		f.count = map[string]int{}
	}
	if _, ok := f.first[c.IdempotencyKey]; !ok {
		f.first[c.IdempotencyKey] = fc
	}
	f.count[c.IdempotencyKey]++
	return fc
}

// Attempts returns every call to Charge, in order, including refused ones.
func (f *FakeProvider) Attempts() []Charge {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.attempts)
}

// Charges returns every charge made, in order: what the payer would see on
// their statement.
func (f *FakeProvider) Charges() []FakeCharge {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.charges)
}

// Count returns how many charges were made with the key: 0 or 1 for a
// provider keeping its contract.
func (f *FakeProvider) Count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[key]
}
