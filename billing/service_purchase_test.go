package billing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// "To add licenses to your organization's account, click on Add Licenses,
// choose the number of licenses you need and proceed with the payment."
func TestBuyChargesThenCreditsThePool(t *testing.T) {
	w := newWorld(t)
	p := w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	if p.Status != billing.PurchaseCompleted || p.Price != (billing.Money{Currency: "EUR", Minor: 2500}) || p.ProviderRef == "" {
		t.Errorf("purchase = %+v, want completed at 25.00 EUR with a provider reference", p)
	}
	if n := w.pay.Count(string(p.ID)); n != 1 {
		t.Errorf("charged %d times, want 1", n)
	}
	w.buy(w.toppp, w.owner, billing.SMSCredits, 500, "order-2")
	b := w.balances(w.toppp)
	want := billing.Balances{Org: w.toppp,
		Licences:   billing.AssetBalance{Purchased: 10, Available: 10},
		SMSCredits: billing.AssetBalance{Purchased: 500, Available: 500}}
	if diff := cmp.Diff(want, b); diff != "" {
		t.Errorf("balances (-want +got):\n%s", diff)
	}
	w.checkLedger()
}

// A purchase is idempotent by key: the same request returns the first
// result, a different one conflicts, and neither charges nor credits again.
func TestBuyIsIdempotentByKey(t *testing.T) {
	w := newWorld(t)
	first := w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	again := w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("retry returned another purchase (-first +retry):\n%s", diff)
	}
	before := w.snapshot()
	_, err := w.svc.Buy(w.ctx, w.owner, billing.PurchaseRequest{Org: w.toppp, Asset: billing.Licences, Quantity: 11, Key: "order-1"})
	if !errors.Is(err, storage.ErrConflict) {
		t.Errorf("same key, other quantity: %v, want ErrConflict", err)
	}
	_, err = w.svc.Buy(w.ctx, w.owner, billing.PurchaseRequest{Org: w.toppp, Asset: billing.SMSCredits, Quantity: 10, Key: "order-1"})
	if !errors.Is(err, storage.ErrConflict) {
		t.Errorf("same key, other asset: %v, want ErrConflict", err)
	}
	if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
		t.Errorf("a conflicting request changed billing (-before +after):\n%s", diff)
	}
	// Keys are per organisation.
	w.buy(w.helpers, w.helpersOwner, billing.Licences, 3, "order-1")
	if got := len(w.pay.Charges()); got != 2 {
		t.Errorf("%d charges, want 2", got)
	}
	if got := w.balances(w.toppp).Licences.Available; got != 10 {
		t.Errorf("Toppp has %d licences, want 10", got)
	}
	w.checkLedger()
}

// A declined payment credits nothing, and asking again with its key
// returns the decline without charging.
func TestBuyDeclinedCreditsNothing(t *testing.T) {
	w := newWorld(t)
	w.pay.FailNext(billing.Decline)
	req := billing.PurchaseRequest{Org: w.toppp, Asset: billing.Licences, Quantity: 10, Key: "order-1"}
	p, err := w.svc.Buy(w.ctx, w.owner, req)
	if !errors.Is(err, billing.ErrPaymentDeclined) || p.Status != billing.PurchaseDeclined {
		t.Fatalf("Buy = %+v, %v; want a declined purchase and ErrPaymentDeclined", p, err)
	}
	again, err := w.svc.Buy(w.ctx, w.owner, req)
	if !errors.Is(err, billing.ErrPaymentDeclined) || again.ID != p.ID {
		t.Errorf("retry = %+v, %v; want the declined purchase again", again, err)
	}
	if n := len(w.pay.Attempts()); n != 1 {
		t.Errorf("%d attempts to charge, want 1", n)
	}
	if got := w.balances(w.toppp).Licences; got != (billing.AssetBalance{}) {
		t.Errorf("licences = %+v, want none", got)
	}
	w.checkLedger()
}

// A crash or timeout between the charge and the credit leaves the purchase
// pending; a retry with the same key, or RecoverPurchases, completes it
// without charging again.
func TestBuyRecoversFromALostAnswerWithoutChargingTwice(t *testing.T) {
	for _, recover := range []string{"retry", "RecoverPurchases"} {
		t.Run(recover, func(t *testing.T) {
			w := newWorld(t)
			w.pay.FailNext(billing.Timeout) // charges, then the answer is lost
			req := billing.PurchaseRequest{Org: w.toppp, Asset: billing.Licences, Quantity: 10, Key: "order-1"}
			p, err := w.svc.Buy(w.ctx, w.owner, req)
			if err == nil || errors.Is(err, billing.ErrPaymentDeclined) || p.Status != billing.PurchasePending {
				t.Fatalf("Buy = %+v, %v; want a pending purchase and an unknown outcome", p, err)
			}
			if got := w.balances(w.toppp).Licences.Available; got != 0 {
				t.Fatalf("%d licences credited before the charge was known", got)
			}
			switch recover {
			case "retry":
				p = w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
			default:
				w.clock.Advance(time.Minute)
				n, err := w.svc.RecoverPurchases(w.ctx, w.operator, 30*time.Second)
				if err != nil || n != 1 {
					t.Fatalf("RecoverPurchases = %d, %v; want 1, nil", n, err)
				}
				p = w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
			}
			if p.Status != billing.PurchaseCompleted {
				t.Errorf("purchase = %+v, want completed", p)
			}
			if n := w.pay.Count(string(p.ID)); n != 1 {
				t.Errorf("charged %d times, want 1", n)
			}
			if got := w.balances(w.toppp).Licences.Available; got != 10 {
				t.Errorf("%d licences, want 10", got)
			}
			w.checkLedger()
		})
	}
}

// A provider that charges a key twice (breaking its contract) still gets
// one credit: the credit's transfer is named after the purchase.
func TestBuyCreditsOnceEvenIfTheProviderChargesTwice(t *testing.T) {
	w := newWorld(t)
	w.pay.FailNext(billing.Timeout, billing.ChargeTwice)
	req := billing.PurchaseRequest{Org: w.toppp, Asset: billing.Licences, Quantity: 10, Key: "order-1"}
	if _, err := w.svc.Buy(w.ctx, w.owner, req); err == nil {
		t.Fatal("Buy with a lost answer succeeded")
	}
	w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	if got := w.balances(w.toppp).Licences.Available; got != 10 {
		t.Errorf("%d licences, want 10", got)
	}
	w.checkLedger()
}

// Bad input fails with a clear error naming the field and changes nothing.
func TestBuyRefusesBadInput(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 5, "first")
	ok := billing.PurchaseRequest{Org: w.toppp, Asset: billing.Licences, Quantity: 1, Key: "k"}
	with := func(f func(*billing.PurchaseRequest)) billing.PurchaseRequest { r := ok; f(&r); return r }
	cases := []struct {
		name  string
		actor org.Actor
		req   billing.PurchaseRequest
		want  error
		field string
	}{
		{"zero quantity", w.owner, with(func(r *billing.PurchaseRequest) { r.Quantity = 0 }), storage.ErrInvalidArgument, "quantity"},
		{"negative quantity", w.owner, with(func(r *billing.PurchaseRequest) { r.Quantity = -3 }), storage.ErrInvalidArgument, "quantity"},
		{"huge quantity", w.owner, with(func(r *billing.PurchaseRequest) { r.Quantity = billing.MaxAmount + 1 }), storage.ErrInvalidArgument, "quantity"},
		{"no asset", w.owner, with(func(r *billing.PurchaseRequest) { r.Asset = 0 }), storage.ErrInvalidArgument, "asset"},
		{"unknown asset", w.owner, with(func(r *billing.PurchaseRequest) { r.Asset = 9 }), storage.ErrInvalidArgument, "asset"},
		{"no key", w.owner, with(func(r *billing.PurchaseRequest) { r.Key = "" }), storage.ErrInvalidArgument, "idempotency key"},
		{"long key", w.owner, with(func(r *billing.PurchaseRequest) { r.Key = strings.Repeat("k", billing.MaxKeyLength+1) }), storage.ErrInvalidArgument, "idempotency key"},
		{"no organisation", w.owner, with(func(r *billing.PurchaseRequest) { r.Org = "" }), storage.ErrInvalidArgument, "organisation"},
		{"unknown organisation", w.operator, with(func(r *billing.PurchaseRequest) { r.Org = "org_nope" }), storage.ErrNotFound, "org_nope"},
		{"reused key", w.owner, with(func(r *billing.PurchaseRequest) { r.Key = "first" }), storage.ErrConflict, "first"},
		{"a Member", w.member, ok, storage.ErrPermissionDenied, "Owner"},
		{"another organisation's Owner", w.helpersOwner, ok, storage.ErrPermissionDenied, "Owner"},
		{"an outsider", w.outsider, ok, storage.ErrPermissionDenied, "Owner"},
		{"no actor", org.Actor{}, ok, storage.ErrPermissionDenied, "actor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, attempts := w.snapshot(), len(w.pay.Attempts())
			_, err := w.svc.Buy(w.ctx, tc.actor, tc.req)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("Buy = %v, want %v naming %q", err, tc.want, tc.field)
			}
			if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
				t.Errorf("a refused purchase changed billing (-before +after):\n%s", diff)
			}
			if n := len(w.pay.Attempts()); n != attempts {
				t.Errorf("a refused purchase reached the provider")
			}
		})
	}
}

// A price list with an unknown currency, or an asset without a price,
// cannot be used.
func TestPricesAreChecked(t *testing.T) {
	w := newWorld(t)
	bad := billing.PriceList{billing.Licences: {Currency: "XYZ", Minor: 100}}
	if _, err := billing.NewService(nil, billing.Config{Prices: bad}); !errors.Is(err, storage.ErrInvalidArgument) || !strings.Contains(err.Error(), "currency") {
		t.Errorf("NewService with currency XYZ = %v, want ErrInvalidArgument naming the currency", err)
	}
	svc, err := billing.NewService(nil, billing.Config{Prices: billing.PriceList{billing.Licences: {Currency: "EUR", Minor: 1}}, Payments: w.pay})
	w.must(err)
	if _, err := svc.Buy(w.ctx, w.owner, billing.PurchaseRequest{Org: w.toppp, Asset: billing.SMSCredits, Quantity: 1, Key: "k"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("buying an asset without a price = %v, want ErrNotFound", err)
	}
}

// Purchases are listed oldest first, a page at a time, to Owners.
func TestPurchasesArePaged(t *testing.T) {
	w := newWorld(t)
	var want []billing.PurchaseID
	for i := range 5 {
		w.clock.Advance(time.Second) // oldest first; equal times would go by ID
		want = append(want, w.buy(w.toppp, w.owner, billing.Licences, int64(i+1), "order-"+string(rune('a'+i))).ID)
	}
	var got []billing.PurchaseID
	page := storage.PageRequest{Limit: 2}
	for {
		p, err := w.svc.Purchases(w.ctx, storage.Latest(), w.owner, w.toppp, page)
		w.must(err)
		for _, it := range p.Items {
			got = append(got, it.ID)
		}
		if p.Next == "" {
			break
		}
		page.After = p.Next
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("purchases (-want +got):\n%s", diff)
	}
	if _, err := w.svc.Purchases(w.ctx, storage.Latest(), w.member, w.toppp, storage.PageRequest{}); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("a Member listing purchases: %v, want ErrPermissionDenied", err)
	}
	if _, err := w.svc.Purchases(w.ctx, storage.Latest(), w.owner, w.toppp, storage.PageRequest{After: "garbage"}); !errors.Is(err, storage.ErrInvalidArgument) {
		t.Errorf("a bad cursor: %v, want ErrInvalidArgument", err)
	}
}
