package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// billingRaceTimeout bounds a race of billing transactions: a backend that
// deadlocks fails the test instead of hanging it.
const billingRaceTimeout = 2 * time.Minute

// storeBillingConcurrentOverdraft races transfers out of one pool.
func storeBillingConcurrentOverdraft(t *testing.T, db storeDB) {
	billingOverdraftRace(t, []storeDB{db})
}

// billingOverdraftRace funds a pool with exactly K units, then has many
// goroutines, spread over the handles dbs on one database, each run
// transactions that apply a transfer of one unit from the pool, more
// transfers than K in all. Exactly K succeed, the others fail with
// ErrInsufficientFunds, the pool ends at zero, every balance is conserved
// and none is negative, and the journal holds the K transfers and the
// funding, as every handle sees.
func billingOverdraftRace(t *testing.T, dbs []storeDB) {
	const goroutines, each, k = 8, 12, 40
	ctx, cancel := context.WithTimeout(t.Context(), billingRaceTimeout)
	defer cancel()
	db := dbs[0].on(t)
	db.seed(storeSeed{Orgs: []org.Organisation{sf.org("org-1")}})
	db.unlogged(func(st orgspace.Store) error {
		return billing.Apply(st, billingActor, sf.transfer("fund", bExt1, bPool1, k))
	})

	id := func(g, i int) string { return fmt.Sprintf("use-%02d-%02d", g, i) }
	errs := billingRace(goroutines, each, func(g, i int) error {
		return dbs[g%len(dbs)].tx.UpdateUnlogged(ctx, func(st orgspace.Store) error {
			return billing.Apply(st, billingActor, sf.transfer(id(g, i), bPool1, bUsed1, 1))
		})
	})
	var won []string
	for g := range errs {
		for i, err := range errs[g] {
			switch {
			case err == nil:
				won = append(won, id(g, i))
			case errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("transaction %s did not finish in %v: the backend deadlocked", id(g, i), billingRaceTimeout)
			case !errors.Is(err, storage.ErrInsufficientFunds):
				t.Errorf("transaction %s: error %v, want ErrInsufficientFunds or none", id(g, i), err)
			}
		}
	}
	if len(won) != k {
		t.Errorf("%d of %d transfers of one unit out of a pool of %d succeeded, want %d", len(won), goroutines*each, k, k)
	}
	want := map[billing.LedgerAccount]billing.Balance{
		bExt1:  {DebitsPosted: k},
		bPool1: {CreditsPosted: k, DebitsPosted: int64(len(won))},
		bUsed1: {CreditsPosted: int64(len(won))},
	}
	for i, h := range dbs {
		billingCheckRace(t, h.on(t), fmt.Sprintf("handle %d", i), want, append([]string{"fund"}, won...))
	}
}

// storeBillingConcurrentOpposite races transfers between two pools in
// both directions, and transactions that each move units out of both in
// opposite orders, which wait on each other's row locks in a cycle on a
// backend with row locks. Every transaction ends (the backend may break
// a deadlock by running one again, or fail it with ErrConflict), each
// transfer that succeeded moved its units and no other did, and every
// balance is conserved and none is negative.
func storeBillingConcurrentOpposite(t *testing.T, db storeDB) {
	const funds = 20
	ctx, cancel := context.WithTimeout(t.Context(), billingRaceTimeout)
	defer cancel()
	db.seed(storeSeed{Orgs: []org.Organisation{sf.org("org-1"), sf.org("org-2")}})
	db.unlogged(func(st orgspace.Store) error {
		return billing.Apply(st, billingActor, sf.transfer("fund-1", bExt1, bPool1, funds), sf.transfer("fund-2", bExt2, bPool2, funds))
	})
	used2 := sf.ledgerAccount("org-2", billing.Licences, billing.Consumed, "")
	shapes := []struct {
		name string
		// transfers are what transaction i of a goroutine of this shape
		// applies.
		transfers func(id string, i int) []billing.Transfer
		// conflicts is whether the transaction may fail with ErrConflict.
		conflicts  bool
		goroutines int
		each       int
	}{{
		name: "one way",
		transfers: func(id string, i int) []billing.Transfer {
			return []billing.Transfer{sf.transfer(id, bPool1, bPool2, int64(1+i%3))}
		},
		goroutines: 3, each: 10,
	}, {
		name: "the other way",
		transfers: func(id string, i int) []billing.Transfer {
			return []billing.Transfer{sf.transfer(id, bPool2, bPool1, int64(1+i%3))}
		},
		goroutines: 3, each: 10,
	}, {
		name: "out of both, the first pool first",
		transfers: func(id string, _ int) []billing.Transfer {
			return []billing.Transfer{sf.transfer(id+"-a", bPool1, bUsed1, 1), sf.transfer(id+"-b", bPool2, bUsed1, 1)}
		},
		conflicts: true, goroutines: 1, each: 3,
	}, {
		name: "out of both, the second pool first",
		transfers: func(id string, _ int) []billing.Transfer {
			return []billing.Transfer{sf.transfer(id+"-a", bPool2, used2, 1), sf.transfer(id+"-b", bPool1, used2, 1)}
		},
		conflicts: true, goroutines: 1, each: 3,
	}}
	type worker struct{ shape, n int }
	var workers []worker
	for s, shape := range shapes {
		for n := range shape.goroutines {
			workers = append(workers, worker{s, n})
		}
	}
	most := 0
	for _, shape := range shapes {
		most = max(most, shape.each)
	}
	id := func(w worker, i int) string { return fmt.Sprintf("move-%d-%d-%02d", w.shape, w.n, i) }
	errs := billingRace(len(workers), most, func(g, i int) error {
		w := workers[g]
		if i >= shapes[w.shape].each {
			return nil
		}
		ts := shapes[w.shape].transfers(id(w, i), i)
		return db.tx.UpdateUnlogged(ctx, func(st orgspace.Store) error { return billing.Apply(st, billingActor, ts...) })
	})

	want := map[billing.LedgerAccount]billing.Balance{
		bExt1:  {DebitsPosted: funds},
		bExt2:  {DebitsPosted: funds},
		bPool1: {CreditsPosted: funds},
		bPool2: {CreditsPosted: funds},
	}
	move := func(tr billing.Transfer) {
		from, to := want[tr.From], want[tr.To]
		from.DebitsPosted += tr.Amount
		to.CreditsPosted += tr.Amount
		want[tr.From], want[tr.To] = from, to
	}
	recorded := []string{"fund-1", "fund-2"}
	moved := 0
	for g, w := range workers {
		shape := shapes[w.shape]
		for i, err := range errs[g][:shape.each] {
			switch {
			case err == nil:
				for _, tr := range shape.transfers(id(w, i), i) {
					move(tr)
					recorded = append(recorded, tr.ID)
				}
				moved++
			case errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("transaction %s (%s) did not finish in %v: the backend deadlocked", id(w, i), shape.name, billingRaceTimeout)
			case errors.Is(err, storage.ErrInsufficientFunds), shape.conflicts && errors.Is(err, storage.ErrConflict):
			default:
				t.Errorf("transaction %s (%s): error %v, want none, ErrInsufficientFunds or, where transactions wait in a cycle, ErrConflict", id(w, i), shape.name, err)
			}
		}
	}
	if moved == 0 {
		t.Errorf("no transaction succeeded")
	}
	billingCheckRace(t, db, "", want, recorded)
}

// billingRace runs op(g, i) for i = 0..each-1 in each of n goroutines,
// released together so that they overlap, and returns the errors by
// goroutine.
func billingRace(n, each int, op func(g, i int) error) [][]error {
	errs := make([][]error, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	for g := range errs {
		errs[g] = make([]error, each)
		done.Go(func() {
			ready.Done()
			<-start
			for i := range each {
				errs[g][i] = op(g, i)
			}
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// billingCheckRace fails the test unless the balances are exactly want
// (conserved and none negative), and the journal holds exactly the
// transfers recorded, in any order, with unique increasing Seqs. where
// names the handle in messages.
func billingCheckRace(t *testing.T, db storeDB, where string, want map[billing.LedgerAccount]billing.Balance, recorded []string) {
	t.Helper()
	if where != "" {
		where += ": "
	}
	var balances []billing.AccountBalance
	var journal []billing.JournalEntry
	db.view(func(st orgspace.Store) (err error) {
		if balances, err = billingAllBalances(st); err != nil {
			return err
		}
		journal, err = billingAllTransfers(st) // fails on Seqs that do not increase
		return err
	})
	if err := billing.CheckConservation(billingSeq(balances)); err != nil {
		t.Errorf("%s%v", where, err)
	}
	if err := billing.CheckNoNegative(billingSeq(balances)); err != nil {
		t.Errorf("%s%v", where, err)
	}
	got := map[billing.LedgerAccount]billing.Balance{}
	for _, b := range balances {
		got[b.Account] = b.Balance
	}
	if diff := storeDiff(want, got); diff != "" {
		t.Errorf("%sbalances (-want +got):\n%s", where, diff)
	}
	var ids []string
	for _, e := range journal {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	recorded = slices.Sorted(slices.Values(recorded))
	if len(journal) != len(recorded) {
		t.Errorf("%sthe journal holds %d entries, want %d", where, len(journal), len(recorded))
	}
	if diff := storeDiff(recorded, ids); diff != "" {
		t.Errorf("%sjournal entries (-want +got):\n%s", where, diff)
	}
}
