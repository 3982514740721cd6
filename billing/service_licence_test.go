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

func (w *world) take(actor org.Actor, e billing.EventID, p billing.PersonID) (billing.LicenceUse, error) {
	return w.svc.TakeLicence(w.ctx, actor, e, p)
}

// Each person accepted onto an event uses one licence, counted once per
// person and event.
func TestALicencePerPersonAndEvent(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 2, "order-1")
	first, err := w.take(w.member, w.gala, "ann")
	w.must(err)
	again, err := w.take(w.member, w.gala, "ann")
	if err != nil || again != first {
		t.Errorf("taking again = %+v, %v; want the first use", again, err)
	}
	_, err = w.take(w.member, w.gala, "bob")
	w.must(err)
	if got := w.balances(w.toppp).Licences; got.Available != 0 || got.Used != 2 {
		t.Errorf("licences = %+v, want 0 available and 2 used", got)
	}
	// Neither pool nor coupon has one left: refused, nothing changed.
	before := w.snapshot()
	if _, err := w.take(w.member, w.gala, "cat"); !errors.Is(err, storage.ErrInsufficientFunds) {
		t.Errorf("third licence = %v, want ErrInsufficientFunds", err)
	}
	if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
		t.Errorf("a refused take changed billing (-before +after):\n%s", diff)
	}
	w.checkLedger()
}

// An event draws first on the licences of coupons it redeemed, oldest
// redemption first, then on its organiser's pool; a returned licence
// goes back where it came from.
func TestAnEventDrawsOnCouponsFirst(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	w.buy(w.helpers, w.helpersOwner, billing.Licences, 5, "order-1")
	c := w.issue(2, time.Time{})
	_, err := w.svc.RedeemCoupon(w.ctx, w.helpersOwner, w.fair, c.Code)
	w.must(err)
	var sources []billing.CouponID
	for _, p := range []billing.PersonID{"ann", "bob", "cat"} {
		u, err := w.take(w.helpersMember, w.fair, p)
		w.must(err)
		sources = append(sources, u.Coupon)
	}
	if diff := cmp.Diff([]billing.CouponID{c.ID, c.ID, ""}, sources); diff != "" {
		t.Errorf("sources of the licences (-want +got):\n%s", diff)
	}
	if got := w.balances(w.helpers).Licences; got.Available != 4 || got.Used != 3 {
		t.Errorf("Helpers: %+v, want 4 available (one from its pool used) and 3 used", got)
	}
	// Bob withdraws: his licence goes back to the coupon, and the next
	// person takes it from there.
	u, err := w.svc.ReturnLicence(w.ctx, w.helpersMember, w.fair, "bob")
	w.must(err)
	if !u.Returned {
		t.Errorf("returned use = %+v", u)
	}
	if again, err := w.svc.ReturnLicence(w.ctx, w.helpersMember, w.fair, "bob"); err != nil || again != u {
		t.Errorf("returning again = %+v, %v; want the returned use", again, err)
	}
	d, err := w.take(w.helpersMember, w.fair, "dan")
	w.must(err)
	if d.Coupon != c.ID {
		t.Errorf("dan's licence came from %q, want the coupon", d.Coupon)
	}
	// Bob comes back: a new use, from the pool this time.
	b, err := w.take(w.helpersMember, w.fair, "bob")
	w.must(err)
	if b.Returned || b.Coupon != "" || b.TransferID == u.TransferID {
		t.Errorf("bob's new use = %+v", b)
	}
	if got := w.balances(w.helpers).Licences; got.Available != 3 || got.Used != 4 {
		t.Errorf("Helpers: %+v, want 3 available and 4 used", got)
	}
	w.checkLedger()
}

// "withdrawing before the event starts returns it": not after.
func TestALicenceIsUsedOnceTheEventStarts(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 1, "order-1")
	_, err := w.take(w.member, w.gala, "ann")
	w.must(err)
	w.clock.Set(w.galaStart)
	before := w.snapshot()
	if _, err := w.svc.ReturnLicence(w.ctx, w.member, w.gala, "ann"); !errors.Is(err, storage.ErrFailedPrecondition) || !strings.Contains(err.Error(), "started") {
		t.Errorf("return after the start = %v, want ErrFailedPrecondition", err)
	}
	if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
		t.Errorf("a refused return changed billing (-before +after):\n%s", diff)
	}
}

func TestLicenceRefusals(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 5, "order-1")
	cases := []struct {
		name   string
		actor  org.Actor
		event  billing.EventID
		person billing.PersonID
		want   error
	}{
		{"no event", w.member, "", "ann", storage.ErrInvalidArgument},
		{"no person", w.member, w.gala, "", storage.ErrInvalidArgument},
		{"unknown event", w.operator, "evt_nope", "ann", storage.ErrNotFound},
		{"another organisation's Member", w.helpersMember, w.gala, "ann", storage.ErrPermissionDenied},
		{"an outsider", w.outsider, w.gala, "ann", storage.ErrPermissionDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot()
			if _, err := w.take(tc.actor, tc.event, tc.person); !errors.Is(err, tc.want) {
				t.Errorf("TakeLicence = %v, want %v", err, tc.want)
			}
			if _, err := w.svc.ReturnLicence(w.ctx, tc.actor, tc.event, tc.person); !errors.Is(err, tc.want) {
				t.Errorf("ReturnLicence = %v, want %v", err, tc.want)
			}
			if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
				t.Errorf("a refusal changed billing (-before +after):\n%s", diff)
			}
		})
	}
	if _, err := w.svc.ReturnLicence(w.ctx, w.member, w.gala, "nobody"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("returning a licence never taken = %v, want ErrNotFound", err)
	}
}

// Events are registered once per organisation; the start may move.
func TestRegisterEvent(t *testing.T) {
	w := newWorld(t)
	later := w.galaStart.Add(time.Hour)
	w.must(w.svc.RegisterEvent(w.ctx, w.owner, billing.Event{ID: w.gala, Org: w.toppp, Start: later}))
	cases := []struct {
		name  string
		actor org.Actor
		e     billing.Event
		want  error
	}{
		{"moving to another organisation", w.operator, billing.Event{ID: w.gala, Org: w.helpers, Start: later}, storage.ErrInvalidArgument},
		{"no start", w.owner, billing.Event{ID: "evt_x", Org: w.toppp}, storage.ErrInvalidArgument},
		{"no ID", w.owner, billing.Event{Org: w.toppp, Start: later}, storage.ErrInvalidArgument},
		{"unknown organisation", w.operator, billing.Event{ID: "evt_x", Org: "org_nope", Start: later}, storage.ErrNotFound},
		{"an outsider", w.outsider, billing.Event{ID: "evt_x", Org: w.toppp, Start: later}, storage.ErrPermissionDenied},
	}
	for _, tc := range cases {
		if err := w.svc.RegisterEvent(w.ctx, tc.actor, tc.e); !errors.Is(err, tc.want) {
			t.Errorf("%s: RegisterEvent = %v, want %v", tc.name, err, tc.want)
		}
	}
}
