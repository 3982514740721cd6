package storagetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
)

// storeBillingListingBounds: times outside what a SQL column holds (1678 to
// 2262) still bound a listing exactly, and a missing creation time is the
// zero time, before all others.
func storeBillingListingBounds(t *testing.T, db storeDB) {
	db.seedBilling(billingSeed{})
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	early, late := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	db.unlogged(func(st orgspace.Store) error {
		return errors.Join(
			st.InsertCoupon(billing.Coupon{ID: "cpn-1", Org: "org-1", Licences: 1, Status: billing.CouponActive, ExpiresAt: t0}),
			st.InsertPurchase(billing.Purchase{ID: "pur-1", Org: "org-1", Key: "k1", Asset: billing.Licences, Quantity: 1, Status: billing.PurchasePending, CreatedAt: t0}),
			st.InsertPurchase(billing.Purchase{ID: "pur-0", Org: "org-1", Key: "k0", Asset: billing.Licences, Quantity: 1, Status: billing.PurchasePending}))
	})
	db.view(func(st orgspace.Store) error {
		for _, tc := range []struct {
			now  time.Time
			want int
		}{{early, 0}, {time.Time{}, 0}, {t0, 1}, {late, 1}} {
			cs, err := st.ExpiredCoupons("", tc.now, 10)
			if err != nil || len(cs) != tc.want {
				t.Errorf("ExpiredCoupons(%v) = %d coupons, %v; want %d", tc.now, len(cs), err, tc.want)
			}
		}
		for _, tc := range []struct {
			before time.Time
			want   []billing.PurchaseID
		}{{time.Time{}, nil}, {early, []billing.PurchaseID{"pur-0"}}, {t0, []billing.PurchaseID{"pur-0"}}, {late, []billing.PurchaseID{"pur-0", "pur-1"}}} {
			ps, err := st.PendingPurchases(tc.before, 10)
			var got []billing.PurchaseID
			for _, p := range ps {
				got = append(got, p.ID)
			}
			if err != nil || !gocmp.Equal(got, tc.want) {
				t.Errorf("PendingPurchases(%v) = %v, %v; want %v", tc.before, got, err, tc.want)
			}
		}
		return nil
	})
}

// storeBillingManyTransfers: one transaction that posts many transfers
// between a few accounts leaves each balance as their sum, and the journal
// numbers the transfers in order, from 1.
func storeBillingManyTransfers(t *testing.T, db storeDB) {
	db.seedBilling(billingSeed{})
	account := func(k billing.AccountKind) billing.LedgerAccount {
		return billing.LedgerAccount{Org: "org-1", Asset: billing.SMSCredits, Kind: k}
	}
	ts := []billing.Transfer{{ID: "buy", Asset: billing.SMSCredits, From: account(billing.External), To: account(billing.Pool), Amount: 100}}
	for i := range 60 {
		ts = append(ts, billing.Transfer{ID: fmt.Sprintf("sms-%d", i), Asset: billing.SMSCredits, From: account(billing.Pool), To: account(billing.Consumed), Amount: 1})
	}
	db.unlogged(func(st orgspace.Store) error { return billing.Apply(st, "system", ts...) })
	db.view(func(st orgspace.Store) error {
		bs, err := st.BalancesOfOrg("org-1")
		if err != nil {
			return err
		}
		want := []billing.AccountBalance{
			{Account: account(billing.External), Balance: billing.Balance{DebitsPosted: 100}},
			{Account: account(billing.Pool), Balance: billing.Balance{CreditsPosted: 100, DebitsPosted: 60}},
			{Account: account(billing.Consumed), Balance: billing.Balance{CreditsPosted: 60}},
		}
		if diff := gocmp.Diff(want, bs); diff != "" {
			t.Errorf("BalancesOfOrg (-want +got):\n%s", diff)
		}
		i := 0
		return st.AllTransfers(func(e billing.JournalEntry) error {
			if i >= len(ts) || e.Seq != int64(i+1) || e.ID != ts[i].ID {
				t.Errorf("journal entry %d: %s numbered %d", i, e.ID, e.Seq)
			}
			i++
			return nil
		})
	})
}
