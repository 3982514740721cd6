package backendbench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Clients is how many goroutines the concurrent billing benchmarks run: as
// many as pgbench's clients in the comparison of BENCHMARKS.md. A
// PostgreSQL pool needs at least this many connections for them.
const Clients = 16

// ledgerOrgs is how many organisations Transfers moves licences of.
const ledgerOrgs = 10

// Transfers measures billing.Service.Transfer, as operators and System
// post transfers, on the fresh, empty backend that open returns. Ten
// organisations each start with a pool of a million licences; every third
// transfer buys a licence (External to Pool), the others consume one (Pool
// to Consumed), each of an organisation that changes from one transfer to
// the next. Sub-benchmarks:
//
//   - clients=1: one goroutine, one transfer per call (one transaction);
//   - clients=16: [Clients] goroutines (SetParallelism), one transfer per
//     call: transactions that commit concurrently where the backend allows
//     it, and contend on the pools of the ten organisations;
//   - batch=1000: one goroutine, 1,000 transfers per call, which posts
//     them in one transaction, all or nothing.
//
// The metric transfers/s is b.N over the wall time. Afterwards each
// organisation's balances must add up to the transfers posted.
func Transfers[T billing.Store](b *testing.B, open func(b *testing.B) storage.Transactor[T]) {
	b.Run("clients=1", func(b *testing.B) { transfers(b, open, 1, 1) })
	b.Run(fmt.Sprintf("clients=%d", Clients), func(b *testing.B) { transfers(b, open, Clients, 1) })
	b.Run("batch=1000", func(b *testing.B) { transfers(b, open, 1, 1000) })
}

func transfers[T billing.Store](b *testing.B, open func(b *testing.B) storage.Transactor[T], clients, batch int) {
	ctx := context.Background()
	svc, l := openLedger(b, open)
	system := org.System()
	b.ReportAllocs()
	b.ResetTimer()
	if clients > 1 {
		b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := svc.Transfer(ctx, system, l.next()); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		buf := make([]billing.Transfer, batch)
		for done := 0; done < b.N; {
			ts := buf[:min(batch, b.N-done)]
			for i := range ts {
				ts[i] = l.next()
			}
			if err := svc.Transfer(ctx, system, ts...); err != nil {
				b.Fatal(err)
			}
			done += len(ts)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	l.check(b, svc)
}

// ledger is the world of Transfers: its organisations, funded, and the
// count of transfers made.
type ledger struct {
	orgs [ledgerOrgs]org.OrganisationID
	now  time.Time
	n    atomic.Int64
}

// fund is the licences each organisation's pool starts with.
const fund = 1_000_000

// openLedger opens the backend, writes the organisations through the store
// and funds their pools through the service.
func openLedger[T billing.Store](b *testing.B, open func(b *testing.B) storage.Transactor[T]) (*billing.Service, *ledger) {
	ctx := context.Background()
	db := open(b)
	l := &ledger{now: time.Now().UTC()}
	for i := range l.orgs {
		l.orgs[i] = org.OrganisationID(fmt.Sprintf("org_ledger_%02d", i))
	}
	if err := insertOrgs(ctx, db, l.orgs[:], l.now); err != nil {
		b.Fatal(err)
	}
	svc := newService(b, db)
	var seed []billing.Transfer
	for _, o := range l.orgs {
		seed = append(seed, billing.Transfer{ID: "seed_" + string(o), Asset: billing.Licences,
			From: licences(o, billing.External), To: licences(o, billing.Pool), Amount: fund, Time: l.now})
	}
	if err := svc.Transfer(ctx, org.System(), seed...); err != nil {
		b.Fatal(err)
	}
	return svc, l
}

// next makes the next transfer: transfer i is of organisation 9i mod 10,
// so consecutive transfers are of different organisations, and buys a
// licence when i is a multiple of 3, else consumes one.
func (l *ledger) next() billing.Transfer {
	i := l.n.Add(1)
	o := l.orgs[(i*7919)%ledgerOrgs]
	t := billing.Transfer{ID: fmt.Sprintf("t_%d", i), Asset: billing.Licences,
		From: licences(o, billing.Pool), To: licences(o, billing.Consumed), Amount: 1, Time: l.now, Reason: "bench"}
	if i%3 == 0 {
		t.From, t.To = licences(o, billing.External), licences(o, billing.Pool)
	}
	return t
}

// check fails b unless the organisations' balances add up to the
// transfers made: every buy purchased a licence, every consume used one.
func (l *ledger) check(b *testing.B, svc *billing.Service) {
	n := l.n.Load()
	buys := n / 3
	var purchased, used int64
	for _, o := range l.orgs {
		bal, err := svc.Balances(context.Background(), storage.Latest(), org.System(), o)
		if err != nil {
			b.Fatal(err)
		}
		purchased += bal.Licences.Purchased
		used += bal.Licences.Used
	}
	if want := ledgerOrgs*fund + buys; purchased != want {
		b.Fatalf("the pools hold %d licences purchased, want %d after %d transfers", purchased, want, n)
	}
	if want := n - buys; used != want {
		b.Fatalf("the organisations used %d licences, want %d after %d transfers", used, want, n)
	}
}

// CouponRedeem measures billing.Service.RedeemCoupon on the fresh, empty
// backend that open returns. An issuer organisation, its pool funded,
// issues the coupons of 1 licence first, untimed; then [Clients]
// goroutines redeem them, each as the Owner of an organisation of its own,
// for that organisation's event. Every redemption moves licences out of
// the issuer's pool, so they all contend on that one balance. Sub-benchmarks:
//
//   - distinct-coupons: b.N coupons, each goroutine redeems coupons no other
//     goroutine redeems; every redemption succeeds;
//   - same-coupon: b.N rounds; in each, every goroutine tries to redeem the
//     round's coupon. One succeeds, the others fail with
//     billing.ErrCouponRedeemed, and the next round starts when all have
//     returned.
//
// The metric redemptions/s is the successful redemptions (b.N) over the
// wall time.
func CouponRedeem[T billing.Store](b *testing.B, open func(b *testing.B) storage.Transactor[T]) {
	b.Run("distinct-coupons", func(b *testing.B) { redeem(b, open, false) })
	b.Run("same-coupon", func(b *testing.B) { redeem(b, open, true) })
}

func redeem[T billing.Store](b *testing.B, open func(b *testing.B) storage.Transactor[T], same bool) {
	ctx := context.Background()
	svc, w := openCoupons(b, open, b.N)
	var won atomic.Int64
	try := func(g int, code string) {
		_, err := svc.RedeemCoupon(ctx, w.owners[g], w.events[g], code)
		switch {
		case err == nil:
			won.Add(1)
		case !same || !errors.Is(err, billing.ErrCouponRedeemed):
			b.Error(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if same {
		for _, code := range w.codes {
			var wg sync.WaitGroup
			for g := range Clients {
				wg.Go(func() { try(g, code) })
			}
			wg.Wait()
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for g := range Clients {
			wg.Go(func() {
				for i := next.Add(1) - 1; i < int64(len(w.codes)); i = next.Add(1) - 1 {
					try(g, w.codes[i])
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "redemptions/s")
	if got := won.Load(); got != int64(b.N) {
		b.Fatalf("%d coupons redeemed, want %d", got, b.N)
	}
}

// coupons is the world of CouponRedeem: the codes of the coupons issued,
// and the redeemers' Owners and events, one organisation each.
type coupons struct {
	codes  []string
	owners [Clients]org.Actor
	events [Clients]billing.EventID
}

// openCoupons opens the backend, writes the organisations and their Owners
// through the store, registers the events and funds the issuer's pool
// through the service, and issues n coupons of 1 licence from it,
// [Clients] at a time.
func openCoupons[T billing.Store](b *testing.B, open func(b *testing.B) storage.Transactor[T], n int) (*billing.Service, *coupons) {
	ctx := context.Background()
	db := open(b)
	now := time.Now().UTC()
	issuer := org.OrganisationID("org_issuer")
	orgs := []org.OrganisationID{issuer}
	w := &coupons{codes: make([]string, n)}
	for g := range Clients {
		orgs = append(orgs, org.OrganisationID(fmt.Sprintf("org_redeemer_%02d", g)))
	}
	if err := insertOrgs(ctx, db, orgs, now); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Update(ctx, func(st T) error {
		for g, o := range orgs[1:] {
			u := org.UserID(fmt.Sprintf("usr_redeemer_%02d", g))
			if err := st.InsertUser(org.User{ID: u, Email: string(u) + "@bench.example", Name: "Owner", CreatedAt: now}); err != nil {
				return err
			}
			if err := st.PutMembership(org.Membership{Org: o, User: u, Role: org.Owner, Since: now}); err != nil {
				return err
			}
			w.owners[g] = org.AsUser(u)
		}
		return st.Append(storage.Entry{Time: now, Actor: "system", Action: "bench.seed", Detail: "coupon redeemers"})
	}); err != nil {
		b.Fatalf("backendbench: seed: %v", err)
	}
	svc := newService(b, db)
	for g, o := range orgs[1:] {
		w.events[g] = billing.EventID(fmt.Sprintf("evt_redeemer_%02d", g))
		if err := svc.RegisterEvent(ctx, w.owners[g], billing.Event{ID: w.events[g], Org: o, Start: now.Add(24 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
	if err := svc.Transfer(ctx, org.System(), billing.Transfer{ID: "seed_" + string(issuer), Asset: billing.Licences,
		From: licences(issuer, billing.External), To: licences(issuer, billing.Pool), Amount: int64(n), Time: now}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range Clients {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				c, err := svc.IssueCoupon(ctx, org.System(), billing.CouponRequest{Org: issuer, Licences: 1})
				if err != nil {
					b.Error(err)
					return
				}
				w.codes[i] = c.Code
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return svc, w
}

// insertOrgs writes organisations through the store, in one transaction.
func insertOrgs[T billing.Store](ctx context.Context, db storage.Transactor[T], orgs []org.OrganisationID, now time.Time) error {
	_, err := db.Update(ctx, func(st T) error {
		for _, o := range orgs {
			if err := st.InsertOrganisation(org.Organisation{ID: o, Name: string(o), CreatedAt: now}); err != nil {
				return err
			}
		}
		return st.Append(storage.Entry{Time: now, Actor: "system", Action: "bench.seed", Detail: fmt.Sprintf("%d organisations", len(orgs))})
	})
	if err != nil {
		return fmt.Errorf("backendbench: seed: %w", err)
	}
	return nil
}

// newService returns a billing service over db, as a host makes one.
func newService[T billing.Store](b *testing.B, db storage.Transactor[T]) *billing.Service {
	svc, err := billing.NewService(storage.Narrow(db, func(t T) billing.Store { return t }), billing.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return svc
}

// licences is organisation o's licence account of kind k.
func licences(o org.OrganisationID, k billing.AccountKind) billing.LedgerAccount {
	return billing.LedgerAccount{Org: o, Asset: billing.Licences, Kind: k}
}
