package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// billingDB opens a fresh database with the organisation "org-1".
func billingDB(t *testing.T) *DB {
	t.Helper()
	db := openTemp(t)
	if _, err := db.Update(t.Context(), func(tx *Tx) error {
		return tx.InsertOrganisation(org.Organisation{ID: "org-1", Name: "Org 1"})
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func ledgerAccount(k billing.AccountKind) billing.LedgerAccount {
	return billing.LedgerAccount{Org: "org-1", Asset: billing.Licences, Kind: k}
}

var (
	external = ledgerAccount(billing.External)
	pool     = ledgerAccount(billing.Pool)
	consumed = ledgerAccount(billing.Consumed)
	t0       = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
)

func transfer(id string, from, to billing.LedgerAccount, amount int64) billing.Transfer {
	return billing.Transfer{ID: id, Asset: billing.Licences, From: from, To: to, Amount: amount, Time: t0}
}

// apply posts ts in one UpdateUnlogged and returns its error and how many
// times the function ran.
func apply(t *testing.T, db *DB, ts ...billing.Transfer) (error, int) {
	t.Helper()
	runs := 0
	err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
		runs++
		return billing.Apply(tx, "system", ts...)
	})
	return err, runs
}

func balances(t *testing.T, db *DB) []billing.AccountBalance {
	t.Helper()
	var bs []billing.AccountBalance
	if err := db.View(t.Context(), storage.Latest(), func(tx *Tx) error {
		var err error
		bs, err = tx.BalancesOfOrg("org-1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return bs
}

func TestUpdateUnloggedDoesNotWaitForAnUpdateHoldingTheHead(t *testing.T) {
	db := billingDB(t)
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := db.Update(t.Context(), func(tx *Tx) error {
			close(locked) // Update locked the head row before fn
			<-release
			return nil
		})
		done <- err
	}()
	<-locked
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	err := db.UpdateUnlogged(ctx, func(tx *Tx) error {
		return billing.Apply(tx, "system", transfer("buy", external, pool, 5))
	})
	close(release)
	if err != nil {
		t.Fatalf("UpdateUnlogged while an Update holds the head: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if bs := balances(t, db); len(bs) != 2 || bs[1].Account != pool || bs[1].CreditsPosted != 5 {
		t.Errorf("balances %+v, want the pool credited 5", bs)
	}
}

func TestUpdateUnloggedRetriesADeadlock(t *testing.T) {
	db := billingDB(t)
	if err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
		return errors.Join(tx.PutEvent(billing.Event{ID: "ev-1", Org: "org-1"}), tx.PutEvent(billing.Event{ID: "ev-2", Org: "org-1"}))
	}); err != nil {
		t.Fatal(err)
	}
	// Each function locks one event, waits until the other has locked the
	// other event, then locks that one: PostgreSQL aborts one of them.
	var both sync.WaitGroup
	both.Add(2)
	var runs atomic.Int32
	lockBoth := func(first, second billing.EventID) func(tx *Tx) error {
		attempt := 0
		return func(tx *Tx) error {
			runs.Add(1)
			attempt++
			if _, err := tx.Event(first); err != nil {
				return err
			}
			if attempt == 1 {
				both.Done()
				both.Wait()
			}
			if _, err := tx.Event(second); err != nil {
				return err
			}
			return tx.PutEvent(billing.Event{ID: first, Org: "org-1", Start: t0})
		}
	}
	errs := make(chan error, 2)
	go func() { errs <- db.UpdateUnlogged(t.Context(), lockBoth("ev-1", "ev-2")) }()
	go func() { errs <- db.UpdateUnlogged(t.Context(), lockBoth("ev-2", "ev-1")) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("UpdateUnlogged: %v", err)
		}
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("the functions ran %d times, want 3: one deadlocked and ran again", n)
	}
}

func TestLockBalancesWaitsForTheLockAndReadsTheLatestBalance(t *testing.T) {
	db := billingDB(t)
	if err, _ := apply(t, db, transfer("buy", external, pool, 5)); err != nil {
		t.Fatal(err)
	}
	locked, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
			if _, _, err := tx.LockBalances(pool, consumed); err != nil {
				return err
			}
			close(locked)
			<-release
			return billing.Apply(tx, "system", transfer("spend-1", pool, consumed, 2))
		})
	}()
	<-locked
	second := make(chan error, 1)
	var got billing.Balance
	go func() {
		second <- db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
			var err error
			_, got, err = tx.LockBalances(consumed, pool) // the other order
			return err
		})
	}()
	select {
	case err := <-second:
		t.Fatalf("LockBalances returned (%v) while another transaction held the balances", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if want := (billing.Balance{CreditsPosted: 5, DebitsPosted: 2}); got != want {
		t.Errorf("LockBalances read the pool as %+v, want %+v as the first transaction committed it", got, want)
	}
}

func TestAccountsLockedButNeverWrittenHaveNoBalance(t *testing.T) {
	db := billingDB(t)
	if err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error {
		_, _, err := tx.LockBalances(pool, consumed)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if bs := balances(t, db); len(bs) != 0 {
		t.Errorf("after LockBalances alone, BalancesOfOrg = %+v, want none", bs)
	}
	if err := db.UpdateUnlogged(t.Context(), func(tx *Tx) error { return tx.PutBalance(pool, billing.Balance{}) }); err != nil {
		t.Fatal(err)
	}
	if bs := balances(t, db); len(bs) != 1 || bs[0].Account != pool || bs[0].Balance != (billing.Balance{}) {
		t.Errorf("after PutBalance of a zero balance, BalancesOfOrg = %+v, want the pool's zero balance", bs)
	}
}

// An optimistic UpdateUnlogged assumes that the IDs of the transfers it
// records are free; when one is not, it runs the function again without
// the assumption, and the answer is the one a pessimistic run gives.
func TestUpdateUnloggedRunsAgainWhenAnIDAssumedFreeIsTaken(t *testing.T) {
	db := billingDB(t)
	buy, spend := transfer("buy", external, pool, 5), transfer("spend", pool, consumed, 5)
	if err, runs := apply(t, db, buy, spend); err != nil || runs != 1 {
		t.Fatalf("first posting: %v after %d runs", err, runs)
	}
	want := balances(t, db)
	for _, tc := range []struct {
		name string
		t    billing.Transfer
		err  error
	}{
		// The commit finds the ID taken.
		{"a retry that would succeed", buy, nil},
		// The function fails (the pool is empty) after assuming the ID
		// free; the failure is the assumption's.
		{"a retry that would overdraw", spend, nil},
		{"another transfer under a taken ID", transfer("buy", external, pool, 6), storage.ErrAlreadyExists},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err, runs := apply(t, db, tc.t)
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Errorf("got %v, want %v", err, tc.err)
			}
			if runs != 2 {
				t.Errorf("the function ran %d times, want 2", runs)
			}
			if got := balances(t, db); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
				t.Errorf("balances changed from %+v to %+v", want, got)
			}
		})
	}
	// A failure that does not follow from the assumption runs once.
	if err, runs := apply(t, db, transfer("spend-2", pool, consumed, 1)); !errors.Is(err, storage.ErrInsufficientFunds) || runs != 1 {
		t.Errorf("an overdraft under a new ID: %v after %d runs, want ErrInsufficientFunds after 1", err, runs)
	}
}

// A batch of transfers that repeat accounts reads and writes each account
// once, and records the transfers in order.
func TestUpdateUnloggedBatchKeepsOrderAndBalances(t *testing.T) {
	db := billingDB(t)
	ts := []billing.Transfer{transfer("buy", external, pool, 100)}
	for i := range 50 {
		ts = append(ts, transfer(fmt.Sprintf("spend-%d", i), pool, consumed, 1))
	}
	if err, _ := apply(t, db, ts...); err != nil {
		t.Fatal(err)
	}
	bs := balances(t, db)
	want := []billing.Balance{{DebitsPosted: 100}, {CreditsPosted: 100, DebitsPosted: 50}, {CreditsPosted: 50}}
	for i, b := range bs {
		if b.Balance != want[i] {
			t.Errorf("%s: %+v, want %+v", b.Account, b.Balance, want[i])
		}
	}
	if err := db.View(t.Context(), storage.Latest(), func(tx *Tx) error {
		i, prev := 0, int64(0)
		err := tx.AllTransfers(func(e billing.JournalEntry) error {
			if i >= len(ts) || e.ID != ts[i].ID || e.Seq <= prev {
				t.Errorf("journal entry %d is %s (seq %d after %d)", i, e.ID, e.Seq, prev)
			}
			i, prev = i+1, e.Seq
			return nil
		})
		if i != len(ts) {
			t.Errorf("the journal has %d entries, want %d", i, len(ts))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
