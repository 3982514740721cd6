package billing_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/storage"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

var at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func eur(minor int64) billing.Money { return billing.Money{Currency: "EUR", Minor: minor} }

func charge(key string) billing.Charge {
	return billing.Charge{IdempotencyKey: key, Org: "org_a", Amount: eur(5000), Description: "10 licences"}
}

func TestFakeProviderChargesOncePerKeyAndReturnsTheFirstReceipt(t *testing.T) {
	p := &billing.FakeProvider{Clock: fixedClock(at)}
	ctx := context.Background()
	first, err := p.Charge(ctx, charge("k1"))
	if err != nil {
		t.Fatal(err)
	}
	want := billing.Receipt{ProviderRef: "fake_1", Amount: eur(5000), At: at}
	if first != want {
		t.Fatalf("first receipt = %+v, want %+v", first, want)
	}
	again, err := p.Charge(ctx, charge("k1"))
	if err != nil || again != first {
		t.Fatalf("repeated key: %+v, %v; want the first receipt %+v", again, err, first)
	}
	other, err := p.Charge(ctx, charge("k2"))
	if err != nil || other.ProviderRef != "fake_2" {
		t.Fatalf("second key: %+v, %v; want ref fake_2", other, err)
	}
	if n := p.Count("k1"); n != 1 {
		t.Fatalf("Count(k1) = %d, want 1", n)
	}
	if n, a := len(p.Charges()), len(p.Attempts()); n != 2 || a != 3 {
		t.Fatalf("%d charges from %d attempts, want 2 from 3", n, a)
	}
}

func TestFakeProviderRefusesBadChargesWithoutCharging(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	with := func(f func(*billing.Charge)) billing.Charge { c := charge("k"); f(&c); return c }
	tests := []struct {
		name    string
		ctx     context.Context
		c       billing.Charge
		wantErr error
		field   string
	}{
		{"no key", context.Background(), with(func(c *billing.Charge) { c.IdempotencyKey = "" }), storage.ErrInvalidArgument, "idempotency key"},
		{"no organisation", context.Background(), with(func(c *billing.Charge) { c.Org = "" }), storage.ErrInvalidArgument, "organisation"},
		{"unknown currency", context.Background(), with(func(c *billing.Charge) { c.Amount.Currency = "SEK" }), storage.ErrInvalidArgument, "amount currency"},
		{"zero amount", context.Background(), with(func(c *billing.Charge) { c.Amount.Minor = 0 }), storage.ErrInvalidArgument, "amount"},
		{"negative amount", context.Background(), with(func(c *billing.Charge) { c.Amount.Minor = -1 }), storage.ErrInvalidArgument, "amount"},
		{"cancelled context", done, charge("k"), context.Canceled, "k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &billing.FakeProvider{}
			r, err := p.Charge(tt.ctx, tt.c)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Charge = %+v, %v; want %v naming %q", r, err, tt.wantErr, tt.field)
			}
			if len(p.Charges()) != 0 || len(p.Attempts()) != 1 {
				t.Fatalf("%d charges from %d attempts, want 0 from 1", len(p.Charges()), len(p.Attempts()))
			}
		})
	}
}

func TestFakeProviderRefusesAKeyReusedForADifferentCharge(t *testing.T) {
	p := &billing.FakeProvider{}
	if _, err := p.Charge(context.Background(), charge("k")); err != nil {
		t.Fatal(err)
	}
	c := charge("k")
	c.Amount = eur(1)
	if _, err := p.Charge(context.Background(), c); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("reused key: %v, want ErrConflict", err)
	}
	if n := p.Count("k"); n != 1 {
		t.Fatalf("Count = %d, want 1", n)
	}
}

func TestFakeProviderFaults(t *testing.T) {
	ctx := context.Background()
	t.Run("a decline charges nothing and a retry may succeed", func(t *testing.T) {
		p := &billing.FakeProvider{}
		p.FailNext(billing.Decline)
		_, err := p.Charge(ctx, charge("k"))
		if !errors.Is(err, billing.ErrPaymentDeclined) || !errors.Is(err, storage.ErrFailedPrecondition) {
			t.Fatalf("declined charge: %v, want ErrPaymentDeclined (a failed precondition)", err)
		}
		if n := p.Count("k"); n != 0 {
			t.Fatalf("Count after a decline = %d, want 0", n)
		}
		if r, err := p.Charge(ctx, charge("k")); err != nil || r.ProviderRef != "fake_1" {
			t.Fatalf("retry = %+v, %v; want fake_1", r, err)
		}
	})
	t.Run("a timeout still charges and the retry returns the receipt", func(t *testing.T) {
		p := &billing.FakeProvider{}
		p.FailNext(billing.Timeout)
		if _, err := p.Charge(ctx, charge("k")); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("timed-out charge: %v, want DeadlineExceeded", err)
		}
		if n := p.Count("k"); n != 1 {
			t.Fatalf("Count after a timeout = %d, want 1 (the nasty case)", n)
		}
		if r, err := p.Charge(ctx, charge("k")); err != nil || r.ProviderRef != "fake_1" {
			t.Fatalf("retry = %+v, %v; want the first receipt fake_1", r, err)
		}
		if n := p.Count("k"); n != 1 {
			t.Fatalf("Count after the retry = %d, want 1", n)
		}
	})
	t.Run("a timeout on a charged key charges nothing more", func(t *testing.T) {
		p := &billing.FakeProvider{}
		if _, err := p.Charge(ctx, charge("k")); err != nil {
			t.Fatal(err)
		}
		p.FailKey("k", billing.Timeout)
		if _, err := p.Charge(ctx, charge("k")); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("timed-out charge: %v, want DeadlineExceeded", err)
		}
		if n := p.Count("k"); n != 1 {
			t.Fatalf("Count = %d, want 1", n)
		}
	})
	t.Run("charge twice breaks the contract", func(t *testing.T) {
		p := &billing.FakeProvider{}
		p.FailKey("k", billing.ChargeTwice) // waits for the first charge
		var refs []string
		for range 3 {
			r, err := p.Charge(ctx, charge("k"))
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, r.ProviderRef)
		}
		// A first charge, a forced second one, then the contract again.
		if got := strings.Join(refs, " "); got != "fake_1 fake_2 fake_1" {
			t.Fatalf("refs = %s, want fake_1 fake_2 fake_1", got)
		}
		if n := p.Count("k"); n != 2 {
			t.Fatalf("Count = %d, want 2", n)
		}
	})
	t.Run("a key's fault comes before the next call's and only hits that key", func(t *testing.T) {
		p := &billing.FakeProvider{}
		p.FailNext(billing.Decline)
		p.FailKey("k", billing.Timeout)
		if _, err := p.Charge(ctx, charge("k")); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("key fault: %v, want DeadlineExceeded", err)
		}
		if _, err := p.Charge(ctx, charge("other")); !errors.Is(err, billing.ErrPaymentDeclined) {
			t.Fatalf("call fault: %v, want ErrPaymentDeclined", err)
		}
		if _, err := p.Charge(ctx, charge("other")); err != nil {
			t.Fatalf("no fault left: %v", err)
		}
	})
}

func TestFakeProviderCharges64ConcurrentCallsWithOneKeyOnce(t *testing.T) {
	for _, tt := range []struct {
		name   string
		faults []billing.Fault
		want   int
	}{
		{"keeping the contract", nil, 1},
		{"told to charge twice", []billing.Fault{billing.ChargeTwice}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &billing.FakeProvider{}
			p.FailKey("k", tt.faults...)
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					if _, err := p.Charge(context.Background(), charge("k")); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := p.Count("k"); n != tt.want {
				t.Fatalf("Count = %d, want %d", n, tt.want)
			}
			if n, a := len(p.Charges()), len(p.Attempts()); n != tt.want || a != 64 {
				t.Fatalf("%d charges from %d attempts, want %d from 64", n, a, tt.want)
			}
		})
	}
}

// An organisation buys 10 licences at 5 EUR each: the price list quotes
// them and the provider charges the quote. Retrying with the same key
// returns the same receipt and charges nothing more.
func ExampleFakeProvider() {
	prices := billing.PriceList{
		billing.Licences:   {Currency: "EUR", Minor: 500},
		billing.SMSCredits: {Currency: "EUR", Minor: 8},
	}
	if err := prices.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	amount, err := prices.Quote(billing.Licences, 10)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("quote:", amount)

	p := &billing.FakeProvider{}
	c := billing.Charge{IdempotencyKey: "purchase_1", Org: "org_1", Amount: amount, Description: "10 licences"}
	for range 2 {
		r, err := p.Charge(context.Background(), c)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("receipt:", r.ProviderRef, r.Amount)
	}
	fmt.Println("charged:", p.Count("purchase_1"), "time(s)")

	_, err = prices.Quote(billing.Licences, 0)
	fmt.Println(err)
	// Output:
	// quote: 50.00 EUR
	// receipt: fake_1 50.00 EUR
	// receipt: fake_1 50.00 EUR
	// charged: 1 time(s)
	// billing: quantity 0 is not between 1 and 1000000000000: invalid argument
}
