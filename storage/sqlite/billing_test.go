package sqlite

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Times outside what a column holds (1678 to 2262) still bound a listing
// exactly; a missing creation time is the zero time, before all others.
func TestListingBoundsOutsideTheColumnsRange(t *testing.T) {
	db := openTemp(t)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	early, late := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.Update(t.Context(), func(tx *Tx) error {
		return tx.InsertOrganisation(org.Organisation{ID: "org-1", Name: "Org 1"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
		return errors.Join(
			tx.InsertCoupon(billing.Coupon{ID: "cpn-1", Org: "org-1", Licences: 1, Status: billing.CouponActive, ExpiresAt: t0}),
			tx.InsertPurchase(billing.Purchase{ID: "pur-1", Org: "org-1", Key: "k1", Asset: billing.Licences, Quantity: 1, Status: billing.PurchasePending, CreatedAt: t0}),
			tx.InsertPurchase(billing.Purchase{ID: "pur-0", Org: "org-1", Key: "k0", Asset: billing.Licences, Quantity: 1, Status: billing.PurchasePending}))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.View(t.Context(), storage.Latest(), func(tx *Tx) error {
		for _, tc := range []struct {
			now  time.Time
			want int
		}{{early, 0}, {time.Time{}, 0}, {t0, 1}, {late, 1}} {
			cs, err := tx.ExpiredCoupons("", tc.now, 10)
			if err != nil || len(cs) != tc.want {
				t.Errorf("ExpiredCoupons(%v) = %d coupons, %v; want %d", tc.now, len(cs), err, tc.want)
			}
		}
		for _, tc := range []struct {
			before time.Time
			want   []billing.PurchaseID
		}{{time.Time{}, nil}, {early, []billing.PurchaseID{"pur-0"}}, {t0, []billing.PurchaseID{"pur-0"}}, {late, []billing.PurchaseID{"pur-0", "pur-1"}}} {
			ps, err := tx.PendingPurchases(tc.before, 10)
			var got []billing.PurchaseID
			for _, p := range ps {
				got = append(got, p.ID)
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("PendingPurchases(%v) = %v, %v; want %v", tc.before, got, err, tc.want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A transaction that posts many transfers between a few accounts keeps
// their balances in memory and writes each back once; the journal numbers
// the transfers in order, from 1.
func TestManyTransfersInOneTransaction(t *testing.T) {
	db := openTemp(t)
	if _, err := db.Update(t.Context(), func(tx *Tx) error {
		return tx.InsertOrganisation(org.Organisation{ID: "org-1", Name: "Org 1"})
	}); err != nil {
		t.Fatal(err)
	}
	account := func(k billing.AccountKind) billing.LedgerAccount {
		return billing.LedgerAccount{Org: "org-1", Asset: billing.SMSCredits, Kind: k}
	}
	ts := []billing.Transfer{{ID: "buy", Asset: billing.SMSCredits, From: account(billing.External), To: account(billing.Pool), Amount: 100}}
	for i := range 60 {
		ts = append(ts, billing.Transfer{ID: fmt.Sprintf("sms-%d", i), Asset: billing.SMSCredits, From: account(billing.Pool), To: account(billing.Consumed), Amount: 1})
	}
	if err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error { return billing.Apply(tx, "system", ts...) }); err != nil {
		t.Fatal(err)
	}
	if err := db.View(t.Context(), storage.Latest(), func(tx *Tx) error {
		bs, err := tx.BalancesOfOrg("org-1")
		want := []billing.Balance{{DebitsPosted: 100}, {CreditsPosted: 100, DebitsPosted: 60}, {CreditsPosted: 60}}
		if len(bs) != len(want) {
			t.Fatalf("BalancesOfOrg = %+v, want 3 balances", bs)
		}
		for i, b := range bs {
			if b.Balance != want[i] {
				t.Errorf("%s: %+v, want %+v", b.Account, b.Balance, want[i])
			}
		}
		i := 0
		return errors.Join(err, tx.AllTransfers(func(e billing.JournalEntry) error {
			if e.Seq != int64(i+1) || e.ID != ts[i].ID {
				t.Errorf("journal entry %d: %s numbered %d", i, e.ID, e.Seq)
			}
			i++
			return nil
		}))
	}); err != nil {
		t.Fatal(err)
	}
}
