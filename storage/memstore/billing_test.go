package memstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

func licences(o org.OrganisationID, k billing.AccountKind, ref string) billing.LedgerAccount {
	return billing.LedgerAccount{Org: o, Asset: billing.Licences, Kind: k, Ref: ref}
}

// buy moves n licences from the outside world into o's pool.
func buy(id string, o org.OrganisationID, n int64) billing.Transfer {
	return billing.Transfer{ID: id, Asset: billing.Licences, From: licences(o, billing.External, ""),
		To: licences(o, billing.Pool, ""), Amount: n, Time: t0}
}

func unlogged(t *testing.T, db *DB, fn func(tx *Tx) error) {
	t.Helper()
	if err := db.UpdateUnlogged(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, db *DB, fn func(tx *Tx) error) {
	t.Helper()
	if err := db.View(t.Context(), storage.Latest(), fn); err != nil {
		t.Fatal(err)
	}
}

// seedBilling writes an object of every billing kind.
func seedBilling(tx *Tx) error {
	return errors.Join(
		tx.PutEvent(billing.Event{ID: "ev-1", Org: "org-1", Start: t0}),
		billing.Apply(tx, "system", buy("buy-1", "org-1", 100), billing.Transfer{ID: "hold-1", Asset: billing.Licences,
			From: licences("org-1", billing.Pool, ""), To: licences("org-1", billing.Escrow, "cpn-1"), Amount: 10, Pending: true, Time: t0}),
		tx.InsertPurchase(billing.Purchase{ID: "pur-1", Org: "org-1", Key: "k-1", Asset: billing.Licences, Quantity: 10,
			Status: billing.PurchasePending, CreatedAt: t0}),
		tx.InsertCoupon(billing.Coupon{ID: "cpn-1", Org: "org-1", Licences: 10, CodeHash: []byte("code-1"),
			Status: billing.CouponActive, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0}),
		tx.PutLicenceUse(billing.LicenceUse{Event: "ev-1", Person: "p-1", TransferID: "buy-1", TakenAt: t0}),
		tx.InsertSMS(billing.SMS{ID: "sms-1", Org: "org-1", Event: "ev-1", Credits: 1, Status: billing.SMSAccepted, CreatedAt: t0}),
	)
}

// writeAllBilling makes every billing write, starting new organisations,
// accounts and index entries and moving coupons between indexes.
func writeAllBilling(tx *Tx) error {
	return errors.Join(
		tx.PutEvent(billing.Event{ID: "ev-1", Org: "org-1", Start: t0.Add(time.Hour)}),
		tx.PutEvent(billing.Event{ID: "ev-2", Org: "org-2", Start: t0}),
		billing.Apply(tx, "user:1", buy("buy-2", "org-2", 5), billing.Post("post-1", "hold-1", 4),
			billing.Transfer{ID: "use-1", Asset: billing.Licences, From: licences("org-1", billing.Pool, ""),
				To: licences("org-1", billing.Allocation, "ev-1"), Amount: 1, Time: t0}),
		// A transfer whose accounts never get a balance.
		tx.InsertTransfer(billing.Transfer{ID: "raw-1", Asset: billing.SMSCredits,
			From: billing.LedgerAccount{Org: "org-3", Asset: billing.SMSCredits, Kind: billing.External},
			To:   billing.LedgerAccount{Org: "org-3", Asset: billing.SMSCredits, Kind: billing.Pool}, Amount: 1}, "x"),
		tx.UpdatePurchase(billing.Purchase{ID: "pur-1", Status: billing.PurchaseCompleted, ProviderRef: "ch-1", SettledAt: t0}),
		tx.InsertPurchase(billing.Purchase{ID: "pur-2", Org: "org-2", Key: "k-1", Status: billing.PurchasePending, CreatedAt: t0}),
		tx.UpdateCoupon(billing.Coupon{ID: "cpn-1", Status: billing.CouponRedeemed, Event: "ev-2", ClosedAt: t0, ClosedBy: "user:2"}),
		tx.InsertCoupon(billing.Coupon{ID: "cpn-2", Org: "org-2", CodeHash: []byte("code-2"), Status: billing.CouponActive,
			ExpiresAt: t0, CreatedAt: t0}),
		tx.PutLicenceUse(billing.LicenceUse{Event: "ev-1", Person: "p-1", Returned: true, UpdatedAt: t0}),
		tx.PutLicenceUse(billing.LicenceUse{Event: "ev-2", Person: "p-2", TakenAt: t0}),
		tx.UpdateSMS(billing.SMS{ID: "sms-1", Org: "org-1", Status: billing.SMSSent, ProviderRef: "m-1", SettledAt: t0}),
		tx.InsertSMS(billing.SMS{ID: "sms-1", Org: "org-2", Credits: 2, Status: billing.SMSAccepted}),
	)
}

// TestBillingRollbackRestoresInternalState checks that every billing write
// is undone, to the last map, index and journal block, by a failed Update
// and UpdateUnlogged, on an error and a panic.
func TestBillingRollbackRestoresInternalState(t *testing.T) {
	want := New()
	seed(t, want)
	unlogged(t, want, seedBilling)
	fail := errors.New("fail")
	failing := func(tx *Tx) error {
		if err := writeAllBilling(tx); err != nil {
			return fmt.Errorf("writeAllBilling: %w", err)
		}
		return fail
	}
	panicking := func(tx *Tx) error {
		_ = failing(tx)
		panic(fail)
	}
	cases := []struct {
		name string
		run  func(db *DB) error
	}{
		{"UpdateError", func(db *DB) error { _, err := db.Update(t.Context(), failing); return err }},
		{"UnloggedError", func(db *DB) error { return db.UpdateUnlogged(t.Context(), failing) }},
		{"UnloggedPanic", func(db *DB) (err error) {
			defer func() { err, _ = recover().(error) }()
			return db.UpdateUnlogged(t.Context(), panicking)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := New()
			seed(t, db)
			unlogged(t, db, seedBilling)
			if err := tc.run(db); err != fail {
				t.Fatalf("error %v, want the function's own", err)
			}
			if diff := stateDiff(&want.st, &db.st); diff != "" {
				t.Fatalf("state after rollback (-want +got):\n%s", diff)
			}
			unlogged(t, db, writeAllBilling)
		})
	}
}

// TestRollbackAcrossJournalBlocks checks the journal's blocks through a
// rollback that empties a block, and the Seq a rolled back insert hands
// out again.
func TestRollbackAcrossJournalBlocks(t *testing.T) {
	db, want := New(), New()
	for _, db := range []*DB{db, want} {
		unlogged(t, db, func(tx *Tx) error {
			for i := range journalBlock - 1 {
				if err := billing.Apply(tx, "system", buy(fmt.Sprint("t-", i), "org-1", 1)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	fail := errors.New("fail")
	for range 2 {
		err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
			return errors.Join(billing.Apply(tx, "system", buy("a", "org-1", 1), buy("b", "org-2", 1)), fail)
		})
		if !errors.Is(err, fail) {
			t.Fatal(err)
		}
		if diff := stateDiff(&want.st, &db.st); diff != "" {
			t.Fatalf("state after rollback (-want +got):\n%s", diff)
		}
	}
	unlogged(t, db, func(tx *Tx) error { return billing.Apply(tx, "system", buy("c", "org-1", 1), buy("d", "org-1", 1)) })
	view(t, db, func(tx *Tx) error {
		for id, seq := range map[string]int64{"t-0": 1, "c": journalBlock, "d": journalBlock + 1} {
			if e, err := tx.Transfer(id); err != nil || e.Seq != seq {
				t.Errorf("Transfer(%q) = Seq %d, %v; want %d", id, e.Seq, err, seq)
			}
		}
		return nil
	})
}

// TestUpdateUnloggedKeepsTheRevision checks that an unlogged transaction
// commits its writes without advancing the head or logging anything.
func TestUpdateUnloggedKeepsTheRevision(t *testing.T) {
	db := New()
	seed(t, db)
	unlogged(t, db, func(tx *Tx) error {
		if h, err := tx.Head(); h != 1 || err != nil {
			t.Errorf("Head inside = %d, %v; want 1", h, err)
		}
		return seedBilling(tx)
	})
	view(t, db, func(tx *Tx) error {
		if h, err := tx.Head(); h != 1 || err != nil {
			t.Errorf("Head after = %d, %v; want 1", h, err)
		}
		if es, err := tx.Entries(storage.LogQuery{Limit: 10}); len(es) != 1 || err != nil {
			t.Errorf("Entries = %d entries, %v; want the seed's one", len(es), err)
		}
		if _, err := tx.Transfer("buy-1"); err != nil {
			t.Errorf("the unlogged write is missing: %v", err)
		}
		return nil
	})
	if rev, err := db.Update(t.Context(), func(*Tx) error { return nil }); rev != 2 || err != nil {
		t.Errorf("next Update = %d, %v; want 2", rev, err)
	}
}

// TestAppendFailsInUpdateUnlogged checks that Append is refused in an
// unlogged transaction and that the refusal fails the transaction even
// when the function ignores it.
func TestAppendFailsInUpdateUnlogged(t *testing.T) {
	db := New()
	seed(t, db)
	err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
		err := tx.Append(storage.Entry{Time: t0, Actor: "system", Action: "test.unlogged", Org: "org-1"})
		if !errors.Is(err, storage.ErrFailedPrecondition) {
			t.Errorf("Append: %v, want ErrFailedPrecondition", err)
		}
		return seedBilling(tx) // and ignore the refusal
	})
	if !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Fatalf("UpdateUnlogged: %v, want ErrFailedPrecondition", err)
	}
	view(t, db, func(tx *Tx) error {
		if _, err := tx.Transfer("buy-1"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("a write of the failed transaction stayed: %v", err)
		}
		if es, _ := tx.Entries(storage.LogQuery{Limit: 10}); len(es) != 1 {
			t.Errorf("the log has %d entries, want the seed's one", len(es))
		}
		return nil
	})
}

// TestUpdateUnloggedChecksContextFirst checks that a cancelled context
// fails before the function runs and without waiting for the lock.
func TestUpdateUnloggedChecksContextFirst(t *testing.T) {
	db := New()
	db.mu.Lock()
	defer db.mu.Unlock()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := db.UpdateUnlogged(ctx, func(*Tx) error { t.Error("fn ran"); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("UpdateUnlogged: %v, want context.Canceled", err)
	}
}

// TestUpdateUnloggedGoexitRollsBack checks runtime.Goexit, as t.FailNow
// calls it, inside an unlogged transaction.
func TestUpdateUnloggedGoexitRollsBack(t *testing.T) {
	db, want := New(), New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
			_ = seedBilling(tx)
			runtime.Goexit()
			return nil
		})
	}()
	<-done
	if diff := stateDiff(&want.st, &db.st); diff != "" {
		t.Fatalf("state after Goexit (-want +got):\n%s", diff)
	}
	unlogged(t, db, seedBilling) // the lock is free
}

// TestBillingWritesInView checks that every billing write is refused in a
// read-only transaction.
func TestBillingWritesInView(t *testing.T) {
	db := New()
	unlogged(t, db, seedBilling)
	view(t, db, func(tx *Tx) error {
		for name, err := range map[string]error{
			"PutBalance":     tx.PutBalance(licences("org-1", billing.Pool, ""), billing.Balance{}),
			"InsertTransfer": tx.InsertTransfer(buy("x", "org-1", 1), "system"),
			"CloseTransfer":  tx.CloseTransfer("hold-1"),
			"PutEvent":       tx.PutEvent(billing.Event{ID: "ev-9"}),
			"InsertPurchase": tx.InsertPurchase(billing.Purchase{ID: "pur-9"}),
			"UpdatePurchase": tx.UpdatePurchase(billing.Purchase{ID: "pur-1"}),
			"InsertCoupon":   tx.InsertCoupon(billing.Coupon{ID: "cpn-9"}),
			"UpdateCoupon":   tx.UpdateCoupon(billing.Coupon{ID: "cpn-1"}),
			"PutLicenceUse":  tx.PutLicenceUse(billing.LicenceUse{Event: "ev-1", Person: "p-9"}),
			"InsertSMS":      tx.InsertSMS(billing.SMS{ID: "sms-9", Org: "org-1"}),
			"UpdateSMS":      tx.UpdateSMS(billing.SMS{ID: "sms-1", Org: "org-1"}),
		} {
			if !errors.Is(err, errReadOnly) {
				t.Errorf("%s: %v, want errReadOnly", name, err)
			}
		}
		return nil
	})
}

// TestJournalNumbersAndClosesEntries checks Seq, Open and Actor, and the
// errors of InsertTransfer and CloseTransfer.
func TestJournalNumbersAndClosesEntries(t *testing.T) {
	db := New()
	unlogged(t, db, seedBilling)
	unlogged(t, db, func(tx *Tx) error {
		if err := tx.InsertTransfer(buy("buy-1", "org-9", 1), "x"); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("InsertTransfer of a used ID: %v, want ErrAlreadyExists", err)
		}
		if err := tx.CloseTransfer("nope"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("CloseTransfer of an unknown ID: %v, want ErrNotFound", err)
		}
		if _, err := tx.Transfer("nope"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Transfer of an unknown ID: %v, want ErrNotFound", err)
		}
		return tx.CloseTransfer("hold-1")
	})
	view(t, db, func(tx *Tx) error {
		var got []billing.JournalEntry
		_ = tx.AllTransfers(func(e billing.JournalEntry) error { got = append(got, e); return nil })
		hold := billing.Transfer{ID: "hold-1", Asset: billing.Licences, From: licences("org-1", billing.Pool, ""),
			To: licences("org-1", billing.Escrow, "cpn-1"), Amount: 10, Pending: true, Time: t0}
		want := []billing.JournalEntry{
			{Seq: 1, Transfer: buy("buy-1", "org-1", 100), Actor: "system"},
			{Seq: 2, Transfer: hold, Actor: "system"}, // closed
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("journal (-want +got):\n%s", diff)
		}
		return nil
	})
}

// TestJournalSelectsBySide checks that a journal query keeps an entry
// only when one side's account is of the organisation and has every
// attribute the query sets, after q.After and up to q.Limit.
func TestJournalSelectsBySide(t *testing.T) {
	db := New()
	escrow := licences("org-1", billing.Escrow, "cpn-1")
	gift := billing.LedgerAccount{Org: "org-2", Asset: billing.Licences, Kind: billing.Allocation, Ref: "cpn-1"}
	unlogged(t, db, func(tx *Tx) error {
		return errors.Join(
			tx.InsertTransfer(buy("1", "org-1", 10), "x"),
			tx.InsertTransfer(buy("2", "org-2", 10), "x"),
			tx.InsertTransfer(billing.Transfer{ID: "3", Asset: billing.Licences, From: licences("org-1", billing.Pool, ""), To: escrow}, "x"),
			tx.InsertTransfer(billing.Transfer{ID: "4", Asset: billing.Licences, From: escrow, To: gift}, "x"),
			tx.InsertTransfer(billing.Transfer{ID: "5", Asset: billing.SMSCredits,
				From: billing.LedgerAccount{Org: "org-1", Asset: billing.SMSCredits, Kind: billing.External},
				To:   billing.LedgerAccount{Org: "org-1", Asset: billing.SMSCredits, Kind: billing.Pool}}, "x"),
		)
	})
	for _, tc := range []struct {
		name string
		q    billing.JournalQuery
		want []string
	}{
		{"EveryEntryOfTheOrg", billing.JournalQuery{Org: "org-1", Limit: 10}, []string{"1", "3", "4", "5"}},
		{"TheOtherOrg", billing.JournalQuery{Org: "org-2", Limit: 10}, []string{"2", "4"}},
		{"UnknownOrg", billing.JournalQuery{Org: "org-9", Limit: 10}, nil},
		{"Asset", billing.JournalQuery{Org: "org-1", Asset: billing.SMSCredits, Limit: 10}, []string{"5"}},
		{"Kind", billing.JournalQuery{Org: "org-1", Kind: billing.Pool, Limit: 10}, []string{"1", "3", "5"}},
		{"Ref", billing.JournalQuery{Org: "org-1", Ref: "cpn-1", Limit: 10}, []string{"3", "4"}},
		{"RefOfTheOtherOrgsSide", billing.JournalQuery{Org: "org-2", Ref: "cpn-1", Limit: 10}, []string{"4"}},
		{"KindAndRefOnOneSide", billing.JournalQuery{Org: "org-1", Kind: billing.Escrow, Ref: "cpn-1", Limit: 10}, []string{"3", "4"}},
		{"KindAndRefOnDifferentSides", billing.JournalQuery{Org: "org-1", Kind: billing.Pool, Ref: "cpn-1", Limit: 10}, nil},
		{"AssetAndKindOnDifferentSides", billing.JournalQuery{Org: "org-1", Asset: billing.SMSCredits, Kind: billing.Escrow, Limit: 10}, nil},
		{"After", billing.JournalQuery{Org: "org-1", After: 3, Limit: 10}, []string{"4", "5"}},
		{"AfterBetweenEntries", billing.JournalQuery{Org: "org-2", After: 2, Limit: 10}, []string{"4"}},
		{"Limit", billing.JournalQuery{Org: "org-1", Kind: billing.Pool, Limit: 2}, []string{"1", "3"}},
		{"AfterTheLast", billing.JournalQuery{Org: "org-1", After: 5, Limit: 10}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			view(t, db, func(tx *Tx) error {
				es, err := tx.Journal(tc.q)
				if err != nil {
					return err
				}
				var got []string
				for _, e := range es {
					got = append(got, e.ID)
					if want := int64(e.ID[0] - '0'); e.Seq != want {
						t.Errorf("entry %q has Seq %d, want %d", e.ID, e.Seq, want)
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("Journal(%+v) = %v, want %v", tc.q, got, tc.want)
				}
				return nil
			})
		})
	}
	view(t, db, func(tx *Tx) error {
		if _, err := tx.Journal(billing.JournalQuery{Org: "org-1"}); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("Journal with limit 0: %v, want ErrInvalidArgument", err)
		}
		return nil
	})
}

// TestBalancesOfOrgAreOrderedByAssetKindRef checks the order of an
// organisation's balances, and that only written balances are listed.
func TestBalancesOfOrgAreOrderedByAssetKindRef(t *testing.T) {
	db := New()
	sms := billing.LedgerAccount{Org: "org-1", Asset: billing.SMSCredits, Kind: billing.Pool}
	accounts := []billing.LedgerAccount{ // in the order wanted
		licences("org-1", billing.Pool, ""),
		licences("org-1", billing.Escrow, "a"),
		licences("org-1", billing.Escrow, "b"),
		licences("org-1", billing.Allocation, "a"),
		sms,
	}
	unlogged(t, db, func(tx *Tx) error {
		var errs []error
		for _, i := range []int{4, 2, 0, 3, 1} {
			errs = append(errs, tx.PutBalance(accounts[i], billing.Balance{CreditsPosted: int64(i)}))
		}
		// Journal entries alone give no balance.
		errs = append(errs, tx.InsertTransfer(buy("t", "org-1", 1), "x"))
		return errors.Join(errs...)
	})
	view(t, db, func(tx *Tx) error {
		got, err := tx.BalancesOfOrg("org-1")
		var want []billing.AccountBalance
		for i, a := range accounts {
			want = append(want, billing.AccountBalance{Account: a, Balance: billing.Balance{CreditsPosted: int64(i)}})
		}
		if diff := cmp.Diff(want, got); err != nil || diff != "" {
			t.Errorf("BalancesOfOrg: %v (-want +got):\n%s", err, diff)
		}
		n := 0
		_ = tx.AllBalances(func(billing.AccountBalance) error { n++; return nil })
		if n != len(accounts) {
			t.Errorf("AllBalances yields %d balances, want %d", n, len(accounts))
		}
		a, b, err := tx.LockBalances(sms, licences("org-1", billing.External, ""))
		if a != want[4].Balance || b != (billing.Balance{}) || err != nil {
			t.Errorf("LockBalances = %+v, %+v, %v; want the pool's and zero", a, b, err)
		}
		return nil
	})
}

// TestPurchasesPageByCreation checks the order and paging of an
// organisation's purchases, the pending ones of all, and the two
// uniqueness rules.
func TestPurchasesPageByCreation(t *testing.T) {
	db := New()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	purchases := []billing.Purchase{
		{ID: "p-3", Org: "org-1", Key: "k-3", CreatedAt: at(1), Status: billing.PurchasePending},
		{ID: "p-1", Org: "org-1", Key: "k-1", CreatedAt: at(2), Status: billing.PurchasePending},
		{ID: "p-2", Org: "org-1", Key: "k-2", CreatedAt: at(2), Status: billing.PurchaseCompleted},
		{ID: "p-4", Org: "org-2", Key: "k-1", CreatedAt: at(0), Status: billing.PurchasePending},
		{ID: "p-5", Org: "org-2", Key: "k-5", CreatedAt: at(3), Status: billing.PurchasePending},
	}
	unlogged(t, db, func(tx *Tx) error {
		for _, p := range purchases {
			if err := tx.InsertPurchase(p); err != nil {
				return err
			}
		}
		if err := tx.InsertPurchase(billing.Purchase{ID: "p-1", Org: "org-3", Key: "new"}); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("InsertPurchase of a used ID: %v", err)
		}
		if err := tx.InsertPurchase(billing.Purchase{ID: "p-9", Org: "org-1", Key: "k-1"}); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("InsertPurchase of a used key: %v", err)
		}
		// p-1 settles: no longer pending; p-2 back to pending.
		return errors.Join(
			tx.UpdatePurchase(billing.Purchase{ID: "p-1", Org: "org-9", Key: "k-9", CreatedAt: at(9),
				Status: billing.PurchaseDeclined, ProviderRef: "ch-1", SettledAt: at(5)}),
			tx.UpdatePurchase(billing.Purchase{ID: "p-2", Status: billing.PurchasePending}))
	})
	ids := func(ps []billing.Purchase, err error) []billing.PurchaseID {
		if err != nil {
			t.Error(err)
		}
		var out []billing.PurchaseID
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	view(t, db, func(tx *Tx) error {
		for _, tc := range []struct {
			name string
			got  []billing.PurchaseID
			want []billing.PurchaseID
		}{
			{"FromTheStart", ids(tx.PurchasesOfOrg("org-1", time.Time{}, "", 10)), []billing.PurchaseID{"p-3", "p-1", "p-2"}},
			{"Limit", ids(tx.PurchasesOfOrg("org-1", time.Time{}, "", 2)), []billing.PurchaseID{"p-3", "p-1"}},
			{"AfterAPurchase", ids(tx.PurchasesOfOrg("org-1", at(2), "p-1", 10)), []billing.PurchaseID{"p-2"}},
			{"AfterATime", ids(tx.PurchasesOfOrg("org-1", at(1), "p-9", 10)), []billing.PurchaseID{"p-1", "p-2"}},
			{"Pending", ids(tx.PendingPurchases(at(9), 10)), []billing.PurchaseID{"p-4", "p-3", "p-2", "p-5"}},
			{"PendingBefore", ids(tx.PendingPurchases(at(3), 10)), []billing.PurchaseID{"p-4", "p-3", "p-2"}},
			{"PendingLimit", ids(tx.PendingPurchases(at(9), 1)), []billing.PurchaseID{"p-4"}},
		} {
			if !slices.Equal(tc.got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
			}
		}
		// UpdatePurchase wrote only its three fields.
		p, err := tx.PurchaseByKey("org-1", "k-1")
		want := purchases[1]
		want.Status, want.ProviderRef, want.SettledAt = billing.PurchaseDeclined, "ch-1", at(5)
		if diff := cmp.Diff(want, p); err != nil || diff != "" {
			t.Errorf("PurchaseByKey: %v (-want +got):\n%s", err, diff)
		}
		if _, err := tx.PendingPurchases(at(9), 0); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("PendingPurchases with limit 0: %v", err)
		}
		return nil
	})
}

// TestCouponsAreCopiedAndIndexed checks that code hashes are copied both
// ways, that UpdateCoupon writes only its fields and keeps the event and
// expiry listings right, and the uniqueness of the code hash.
func TestCouponsAreCopiedAndIndexed(t *testing.T) {
	db := New()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	hash := []byte("code-1")
	coupons := []billing.Coupon{
		{ID: "c-1", Org: "org-1", Licences: 3, CodeHash: hash, Status: billing.CouponActive, ExpiresAt: at(10), CreatedAt: at(1)},
		{ID: "c-2", Org: "org-1", CodeHash: []byte("code-2"), Status: billing.CouponActive, ExpiresAt: at(5), CreatedAt: at(1)},
		{ID: "c-3", Org: "org-2", CodeHash: []byte("code-3"), Status: billing.CouponActive, ExpiresAt: at(5), CreatedAt: at(0)},
		{ID: "c-4", Org: "org-1", CodeHash: []byte{}, Status: billing.CouponActive, CreatedAt: at(0)}, // never expires
	}
	unlogged(t, db, func(tx *Tx) error {
		for _, c := range coupons {
			if err := tx.InsertCoupon(c); err != nil {
				return err
			}
		}
		hash[0] = 'X' // the store kept its own copy
		if err := tx.InsertCoupon(billing.Coupon{ID: "c-9", CodeHash: []byte("code-2")}); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("InsertCoupon of a used code hash: %v", err)
		}
		if err := tx.InsertCoupon(billing.Coupon{ID: "c-1"}); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("InsertCoupon of a used ID: %v", err)
		}
		// c-2 is redeemed by ev-1, then c-3; then c-2 moves to ev-2.
		return errors.Join(
			tx.UpdateCoupon(billing.Coupon{ID: "c-2", Org: "org-9", Licences: 9, CodeHash: []byte("new"),
				Status: billing.CouponRedeemed, Event: "ev-1", ClosedAt: at(3), ClosedBy: "u"}),
			tx.UpdateCoupon(billing.Coupon{ID: "c-3", Status: billing.CouponRedeemed, Event: "ev-1", ClosedAt: at(2)}),
			tx.UpdateCoupon(billing.Coupon{ID: "c-1", Status: billing.CouponRedeemed, Event: "ev-2", ClosedAt: at(4)}),
			tx.UpdateCoupon(billing.Coupon{ID: "c-1", Status: billing.CouponActive, Event: "ev-1", ClosedAt: at(1)}),
		)
	})
	ids := func(cs []billing.Coupon, err error) []billing.CouponID {
		if err != nil {
			t.Error(err)
		}
		var out []billing.CouponID
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	view(t, db, func(tx *Tx) error {
		c, err := tx.CouponByCode([]byte("code-1"))
		if err != nil || c.ID != "c-1" {
			t.Fatalf("CouponByCode(code-1) = %q, %v", c.ID, err)
		}
		c.CodeHash[0] = 'Y' // the caller's copy
		if c, err := tx.Coupon("c-1"); err != nil || string(c.CodeHash) != "code-1" {
			t.Errorf("Coupon(c-1) has hash %q, %v", c.CodeHash, err)
		}
		if c, err := tx.Coupon("c-4"); err != nil || c.CodeHash != nil {
			t.Errorf("an empty code hash reads back as %#v, %v; want nil", c.CodeHash, err)
		}
		if _, err := tx.CouponByCode(nil); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("CouponByCode(nil): %v", err)
		}
		c2, _ := tx.Coupon("c-2")
		want := coupons[1]
		want.Status, want.Event, want.ClosedAt, want.ClosedBy = billing.CouponRedeemed, "ev-1", at(3), "u"
		if diff := cmp.Diff(want, c2); diff != "" {
			t.Errorf("UpdateCoupon wrote more than its fields (-want +got):\n%s", diff)
		}
		for _, tc := range []struct {
			name string
			got  []billing.CouponID
			want []billing.CouponID
		}{
			{"OfOrg", ids(tx.CouponsOfOrg("org-1", time.Time{}, "", 10)), []billing.CouponID{"c-4", "c-1", "c-2"}},
			{"OfOrgAfter", ids(tx.CouponsOfOrg("org-1", at(0), "c-4", 1)), []billing.CouponID{"c-1"}},
			{"OfEvent", ids(tx.CouponsOfEvent("ev-1")), []billing.CouponID{"c-1", "c-3", "c-2"}},
			{"OfEventLeft", ids(tx.CouponsOfEvent("ev-2")), nil},
			{"Expired", ids(tx.ExpiredCoupons("", at(10), 10)), []billing.CouponID{"c-1"}},
			{"NotYetExpired", ids(tx.ExpiredCoupons("", at(9), 10)), nil},
			{"ExpiredOfAnotherOrg", ids(tx.ExpiredCoupons("org-2", at(10), 10)), nil},
		} {
			if !slices.Equal(tc.got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
			}
		}
		return nil
	})
	// Expired coupons are ordered by expiry and ID, and filtered by
	// organisation.
	unlogged(t, db, func(tx *Tx) error {
		return errors.Join(
			tx.InsertCoupon(billing.Coupon{ID: "c-6", Org: "org-2", Status: billing.CouponActive, ExpiresAt: at(7)}),
			tx.InsertCoupon(billing.Coupon{ID: "c-5", Org: "org-1", Status: billing.CouponActive, ExpiresAt: at(7)}),
			tx.InsertCoupon(billing.Coupon{ID: "c-7", Org: "org-1", Status: billing.CouponRevoked, ExpiresAt: at(7)}))
	})
	view(t, db, func(tx *Tx) error {
		if got := ids(tx.ExpiredCoupons("", at(20), 10)); !slices.Equal(got, []billing.CouponID{"c-5", "c-6", "c-1"}) {
			t.Errorf("ExpiredCoupons of all: %v", got)
		}
		if got := ids(tx.ExpiredCoupons("org-1", at(20), 10)); !slices.Equal(got, []billing.CouponID{"c-5", "c-1"}) {
			t.Errorf("ExpiredCoupons of org-1: %v", got)
		}
		if got := ids(tx.ExpiredCoupons("", at(20), 2)); !slices.Equal(got, []billing.CouponID{"c-5", "c-6"}) {
			t.Errorf("ExpiredCoupons limited: %v", got)
		}
		return nil
	})
}

// TestLicenceUsesAndSMS checks that PutLicenceUse replaces, that an
// event's uses are ordered by person, and that UpdateSMS writes only its
// fields of the organisation's message.
func TestLicenceUsesAndSMS(t *testing.T) {
	db := New()
	m := billing.SMS{ID: "m-1", Org: "org-1", Event: "ev-1", To: "+1", Body: "hi", Credits: 1, Status: billing.SMSAccepted, CreatedAt: t0}
	unlogged(t, db, func(tx *Tx) error {
		return errors.Join(
			tx.PutLicenceUse(billing.LicenceUse{Event: "ev-1", Person: "p-2", TakenAt: t0}),
			tx.PutLicenceUse(billing.LicenceUse{Event: "ev-1", Person: "p-1", TakenAt: t0}),
			tx.PutLicenceUse(billing.LicenceUse{Event: "ev-2", Person: "p-0", TakenAt: t0}),
			tx.PutLicenceUse(billing.LicenceUse{Event: "ev-1", Person: "p-2", Returned: true, TakenAt: t0}),
			tx.InsertSMS(m),
			tx.InsertSMS(billing.SMS{ID: "m-1", Org: "org-2"}),
			tx.UpdateSMS(billing.SMS{ID: "m-1", Org: "org-1", Body: "changed", Status: billing.SMSFailed, Error: "no", ProviderRef: "r", SettledAt: t0}),
		)
	})
	view(t, db, func(tx *Tx) error {
		uses, err := tx.LicenceUsesOfEvent("ev-1")
		want := []billing.LicenceUse{
			{Event: "ev-1", Person: "p-1", TakenAt: t0},
			{Event: "ev-1", Person: "p-2", Returned: true, TakenAt: t0},
		}
		if diff := cmp.Diff(want, uses); err != nil || diff != "" {
			t.Errorf("LicenceUsesOfEvent: %v (-want +got):\n%s", err, diff)
		}
		if _, err := tx.LicenceUse("ev-2", "p-1"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("LicenceUse of another event's person: %v", err)
		}
		got, err := tx.SMS("org-1", "m-1")
		m.Status, m.Error, m.ProviderRef, m.SettledAt = billing.SMSFailed, "no", "r", t0
		if diff := cmp.Diff(m, got); err != nil || diff != "" {
			t.Errorf("SMS: %v (-want +got):\n%s", err, diff)
		}
		return nil
	})
	err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error { return tx.InsertSMS(billing.SMS{ID: "m-1", Org: "org-1"}) })
	if !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("InsertSMS of a used ID: %v", err)
	}
	err = db.UpdateUnlogged(t.Context(), func(tx *Tx) error { return tx.UpdateSMS(billing.SMS{ID: "m-1", Org: "org-3"}) })
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("UpdateSMS of another organisation's ID: %v", err)
	}
}
