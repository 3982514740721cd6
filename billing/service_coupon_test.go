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

// issue issues a coupon of n licences from Toppp as its Owner.
func (w *world) issue(n int64, expires time.Time) billing.IssuedCoupon {
	w.t.Helper()
	c, err := w.svc.IssueCoupon(w.ctx, w.owner, billing.CouponRequest{Org: w.toppp, Licences: n, ExpiresAt: expires})
	w.must(err)
	return c
}

// "Your organization's licenses can be used in your own events, or to
// support third-party events by offering them license coupons." Issuing
// reserves the licences; redeeming gives them to the event and makes the
// issuer a supporter of it.
func TestCouponReservesThenGivesLicencesToTheEvent(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	c := w.issue(3, time.Time{})
	if c.Status != billing.CouponActive || len(c.Code) != 31 || c.CodeHash == nil {
		t.Errorf("issued coupon = %+v, want an active coupon with a grouped code", c)
	}
	if got := w.balances(w.toppp).Licences; got != (billing.AssetBalance{Purchased: 10, Available: 7, Reserved: 3}) {
		t.Errorf("after issue: %+v, want 7 available and 3 reserved", got)
	}
	// Case, spaces and dashes do not matter when the code is typed.
	typed := strings.ToLower(strings.ReplaceAll(c.Code, "-", " "))
	red, err := w.svc.RedeemCoupon(w.ctx, w.helpersMember, w.fair, typed)
	w.must(err)
	if red.Status != billing.CouponRedeemed || red.Event != w.fair || red.ClosedBy != w.helpersMember.String() {
		t.Errorf("redeemed coupon = %+v", red)
	}
	if got := w.balances(w.toppp).Licences; got != (billing.AssetBalance{Purchased: 10, Available: 7, Given: 3}) {
		t.Errorf("issuer after redeem: %+v, want 7 available and 3 given", got)
	}
	// "As soon as a coupon issued by your organization is used by an event,
	// it joins your community and appears in the list of events you support."
	sup, err := w.svc.SupportersOf(w.ctx, storage.Latest(), w.helpersOwner, w.fair)
	w.must(err)
	if diff := cmp.Diff([]org.OrganisationID{w.toppp}, sup); diff != "" {
		t.Errorf("supporters (-want +got):\n%s", diff)
	}
	// A retry by the same event changes nothing.
	again, err := w.svc.RedeemCoupon(w.ctx, w.helpersMember, w.fair, c.Code)
	if err != nil || again.ClosedAt != red.ClosedAt {
		t.Errorf("redeeming again for the same event = %+v, %v; want the coupon as redeemed", again, err)
	}
	w.checkLedger()
}

// A coupon is redeemed at most once; revoked or expired coupons do not
// redeem; a redeemed coupon cannot be revoked; each refusal changes
// nothing.
func TestCouponRedeemRefusals(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 20, "order-1")
	redeemed := w.issue(2, time.Time{})
	_, err := w.svc.RedeemCoupon(w.ctx, w.helpersMember, w.fair, redeemed.Code)
	w.must(err)
	revoked := w.issue(2, time.Time{})
	_, err = w.svc.RevokeCoupon(w.ctx, w.owner, revoked.ID)
	w.must(err)
	expiring := w.issue(2, w.clock.Now().Add(time.Hour))
	active := w.issue(2, time.Time{})
	w.clock.Advance(2 * time.Hour)

	other := billing.EventID("evt_other")
	third := w.newOrg("Third")
	thirdOwner := w.newUser("owner@third.test", third, org.Owner)
	w.must(w.svc.RegisterEvent(w.ctx, thirdOwner, billing.Event{ID: other, Org: third, Start: w.fairStart}))

	cases := []struct {
		name  string
		actor org.Actor
		event billing.EventID
		code  string
		want  error
	}{
		{"by a second event", thirdOwner, other, redeemed.Code, billing.ErrCouponRedeemed},
		{"revoked", w.helpersMember, w.fair, revoked.Code, billing.ErrCouponRevoked},
		{"expired", w.helpersMember, w.fair, expiring.Code, billing.ErrCouponExpired},
		{"by the issuer's own event", w.owner, w.gala, active.Code, storage.ErrInvalidArgument},
		{"for another organisation's event", w.owner, w.fair, active.Code, storage.ErrPermissionDenied},
		{"by an outsider", w.outsider, w.fair, active.Code, storage.ErrPermissionDenied},
		{"unknown event", w.operator, "evt_nope", active.Code, storage.ErrNotFound},
		{"unknown code", w.helpersMember, w.fair, "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A", storage.ErrNotFound},
		{"malformed code", w.helpersMember, w.fair, "not a code", storage.ErrInvalidArgument},
		{"empty code", w.helpersMember, w.fair, "", storage.ErrInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot()
			_, err := w.svc.RedeemCoupon(w.ctx, tc.actor, tc.event, tc.code)
			if !errors.Is(err, tc.want) {
				t.Errorf("RedeemCoupon = %v, want %v", err, tc.want)
			}
			if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
				t.Errorf("a refused redeem changed billing (-before +after):\n%s", diff)
			}
		})
	}
	if _, err := w.svc.RevokeCoupon(w.ctx, w.owner, redeemed.ID); !errors.Is(err, billing.ErrCouponRedeemed) {
		t.Errorf("revoking a redeemed coupon = %v, want ErrCouponRedeemed", err)
	}
	if _, err := w.svc.RevokeCoupon(w.ctx, w.member, active.ID); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("a Member revoking = %v, want ErrPermissionDenied", err)
	}
	if _, err := w.svc.RevokeCoupon(w.ctx, w.helpersOwner, active.ID); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("another organisation's Owner revoking = %v, want ErrPermissionDenied", err)
	}
	w.checkLedger()
}

// "Revoke and expiry return the licences to the pool."
func TestRevokeAndExpiryReturnTheLicences(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 10, "order-1")
	revoked := w.issue(3, time.Time{})
	w.issue(4, w.clock.Now().Add(time.Hour))
	c, err := w.svc.RevokeCoupon(w.ctx, w.owner, revoked.ID)
	w.must(err)
	if c.Status != billing.CouponRevoked || c.ClosedBy != w.owner.String() {
		t.Errorf("revoked coupon = %+v", c)
	}
	if again, err := w.svc.RevokeCoupon(w.ctx, w.owner, revoked.ID); err != nil || again.ClosedAt != c.ClosedAt {
		t.Errorf("revoking again = %+v, %v; want the coupon unchanged", again, err)
	}
	if got := w.balances(w.toppp).Licences; got.Available != 6 || got.Reserved != 4 {
		t.Errorf("after revoke: %+v, want 6 available and 4 reserved", got)
	}
	w.clock.Advance(2 * time.Hour)
	// Listed as expired at once; the licences come back with ExpireCoupons.
	page, err := w.svc.Coupons(w.ctx, storage.Latest(), w.owner, w.toppp, storage.PageRequest{})
	w.must(err)
	var statuses []billing.CouponStatus
	for _, c := range page.Items {
		statuses = append(statuses, c.Status)
	}
	if diff := cmp.Diff([]billing.CouponStatus{billing.CouponRevoked, billing.CouponExpired}, statuses); diff != "" {
		t.Errorf("coupon statuses (-want +got):\n%s", diff)
	}
	if _, err := w.svc.ExpireCoupons(w.ctx, w.owner); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("an Owner running ExpireCoupons = %v, want ErrPermissionDenied", err)
	}
	n, err := w.svc.ExpireCoupons(w.ctx, w.operator)
	if err != nil || n != 1 {
		t.Errorf("ExpireCoupons = %d, %v; want 1, nil", n, err)
	}
	if got := w.balances(w.toppp).Licences; got.Available != 10 || got.Reserved != 0 {
		t.Errorf("after expiry: %+v, want all 10 available", got)
	}
	if n, err := w.svc.ExpireCoupons(w.ctx, w.operator); err != nil || n != 0 {
		t.Errorf("ExpireCoupons again = %d, %v; want 0, nil", n, err)
	}
	w.checkLedger()
}

// An organisation's own writes expire its due coupons first, so their
// licences can be issued again without waiting for ExpireCoupons.
func TestIssueUsesLicencesOfExpiredCoupons(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 5, "order-1")
	w.issue(5, w.clock.Now().Add(time.Hour))
	w.clock.Advance(time.Hour)
	w.issue(5, time.Time{})
	w.checkLedger()
}

func TestIssueCouponRefusesBadInput(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 5, "order-1")
	cases := []struct {
		name  string
		actor org.Actor
		req   billing.CouponRequest
		want  error
		field string
	}{
		{"zero licences", w.owner, billing.CouponRequest{Org: w.toppp}, storage.ErrInvalidArgument, "licences"},
		{"negative licences", w.owner, billing.CouponRequest{Org: w.toppp, Licences: -1}, storage.ErrInvalidArgument, "licences"},
		{"huge", w.owner, billing.CouponRequest{Org: w.toppp, Licences: billing.MaxAmount + 1}, storage.ErrInvalidArgument, "licences"},
		{"more than available", w.owner, billing.CouponRequest{Org: w.toppp, Licences: 6}, storage.ErrInsufficientFunds, "available"},
		{"expiry in the past", w.owner, billing.CouponRequest{Org: w.toppp, Licences: 1, ExpiresAt: w.clock.Now()}, storage.ErrInvalidArgument, "expires at"},
		{"no organisation", w.owner, billing.CouponRequest{Licences: 1}, storage.ErrInvalidArgument, "organisation"},
		{"unknown organisation", w.operator, billing.CouponRequest{Org: "org_nope", Licences: 1}, storage.ErrNotFound, "org_nope"},
		{"a Member", w.member, billing.CouponRequest{Org: w.toppp, Licences: 1}, storage.ErrPermissionDenied, "Owner"},
		{"another organisation's Owner", w.helpersOwner, billing.CouponRequest{Org: w.toppp, Licences: 1}, storage.ErrPermissionDenied, "Owner"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot()
			_, err := w.svc.IssueCoupon(w.ctx, tc.actor, tc.req)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("IssueCoupon = %v, want %v naming %q", err, tc.want, tc.field)
			}
			if diff := cmp.Diff(before, w.snapshot(), cmp.AllowUnexported(snapshot{})); diff != "" {
				t.Errorf("a refused issue changed billing (-before +after):\n%s", diff)
			}
		})
	}
}

func TestCouponCodes(t *testing.T) {
	w := newWorld(t)
	w.buy(w.toppp, w.owner, billing.Licences, 100, "order-1")
	seen := map[string]bool{}
	for range 50 {
		c := w.issue(1, time.Time{})
		canon, err := billing.ParseCouponCode(c.Code)
		if err != nil || canon != c.Code {
			t.Fatalf("ParseCouponCode(%q) = %q, %v; want it unchanged", c.Code, canon, err)
		}
		if seen[c.Code] {
			t.Fatalf("code %q issued twice", c.Code)
		}
		seen[c.Code] = true
	}
	// Coupons list without their codes: only the hash is kept.
	page, err := w.svc.Coupons(w.ctx, storage.Latest(), w.owner, w.toppp, storage.PageRequest{Limit: 1000})
	w.must(err)
	for _, c := range page.Items {
		for code := range seen {
			if strings.Contains(string(c.CodeHash), code) {
				t.Fatalf("coupon %s keeps its code", c.ID)
			}
		}
	}
	for in, want := range map[string]string{
		"abcde fghij klmno pqrst uvwxy z": "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z",
		"0BCDE-FGH1J-KLMNO-PQRST-UVWXY-Z": "OBCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z",
	} {
		if got, err := billing.ParseCouponCode(in); got != want || err != nil {
			t.Errorf("ParseCouponCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ABCDE", "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-ZZ", "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-8", "ÀBCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z"} {
		if _, err := billing.ParseCouponCode(bad); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("ParseCouponCode(%q) = %v, want ErrInvalidArgument", bad, err)
		}
	}
}
