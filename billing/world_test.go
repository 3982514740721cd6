package billing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// world is two organisations on a memstore: Toppp, which buys licences
// and SMS credits and supports events with coupons, and Helpers, whose
// event redeems them. Each has an Owner and a Member; an outsider has
// no role in either.
type world struct {
	t        *testing.T
	ctx      context.Context
	db       *memstore.DB
	clock    *accesstest.Clock
	env      org.Env
	space    *orgspace.Space
	svc      *billing.Service
	pay      *billing.FakeProvider
	sms      *billing.FakeSMSSender
	operator org.Actor

	toppp, helpers                             org.OrganisationID
	owner, member, helpersOwner, helpersMember org.Actor
	outsider                                   org.Actor
	gala, fair                                 billing.EventID // Toppp's and Helpers' events
	galaStart, fairStart                       time.Time
}

var prices = billing.PriceList{
	billing.Licences:   {Currency: "EUR", Minor: 250},
	billing.SMSCredits: {Currency: "EUR", Minor: 8},
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: memstore.New(),
		clock: accesstest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))}
	w.env = org.Env{Clock: w.clock, IDs: &org.SequentialIDs{}}
	w.pay = &billing.FakeProvider{Clock: w.clock}
	w.sms = &billing.FakeSMSSender{Reject: []string{"+4400000000"}}
	var err error
	w.space, err = orgspace.Open(w.ctx, w.db, orgspace.Config{Clock: w.clock, IDs: w.env.IDs,
		Prices: prices, Payments: w.pay, SMS: w.sms})
	w.must(err)
	w.svc = w.space.Billing
	op, _, err := w.space.Org.CreateOperator(w.ctx, org.System(), org.NewOperator{Name: "Support", Email: "support@platform.test"})
	w.must(err)
	w.operator = org.AsOperator(op.ID)

	w.toppp = w.newOrg("Toppp")
	w.owner = w.newUser("owner@toppp.test", w.toppp, org.Owner)
	w.member = w.newUser("member@toppp.test", w.toppp, org.Member)
	w.helpers = w.newOrg("Helpers")
	w.helpersOwner = w.newUser("owner@helpers.test", w.helpers, org.Owner)
	w.helpersMember = w.newUser("member@helpers.test", w.helpers, org.Member)
	w.outsider = w.newUser("someone@elsewhere.test", "", 0)

	w.galaStart = w.clock.Now().Add(30 * 24 * time.Hour)
	w.fairStart = w.clock.Now().Add(20 * 24 * time.Hour)
	w.gala, w.fair = "evt_gala", "evt_fair"
	w.must(w.svc.RegisterEvent(w.ctx, w.member, billing.Event{ID: w.gala, Org: w.toppp, Start: w.galaStart}))
	w.must(w.svc.RegisterEvent(w.ctx, w.helpersMember, billing.Event{ID: w.fair, Org: w.helpers, Start: w.fairStart}))
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) newOrg(name string) org.OrganisationID {
	w.t.Helper()
	o, _, err := w.space.Org.CreateOrganisation(w.ctx, w.operator, org.NewOrganisation{Name: name})
	w.must(err)
	return o.ID
}

// newUser creates a user with role in o (none when o is empty).
func (w *world) newUser(email string, o org.OrganisationID, role org.Role) org.Actor {
	w.t.Helper()
	u, _, err := w.space.Org.CreateUser(w.ctx, w.operator, org.NewUser{Email: email, Name: email})
	w.must(err)
	if o != "" {
		_, err = w.space.Access.SetOrganisationRole(w.ctx, w.operator, o, u.ID, role)
		w.must(err)
	}
	return org.AsUser(u.ID)
}

// buy buys units for o as its Owner.
func (w *world) buy(o org.OrganisationID, owner org.Actor, a billing.Asset, n int64, key string) billing.Purchase {
	w.t.Helper()
	p, err := w.svc.Buy(w.ctx, owner, billing.PurchaseRequest{Org: o, Asset: a, Quantity: n, Key: key})
	w.must(err)
	return p
}

// balances reads o's balances as the operator.
func (w *world) balances(o org.OrganisationID) billing.Balances {
	w.t.Helper()
	b, err := w.svc.Balances(w.ctx, storage.Latest(), w.operator, o)
	w.must(err)
	return b
}

// checkLedger checks the invariants of the whole ledger: no negative
// balance, each asset conserved, and the balances equal to a replay of
// the journal.
func (w *world) checkLedger() {
	w.t.Helper()
	var stored []billing.AccountBalance
	var journal []billing.JournalEntry
	w.must(w.db.View(w.ctx, storage.Latest(), func(tx *memstore.Tx) error {
		return errors.Join(
			tx.AllBalances(func(b billing.AccountBalance) error { stored = append(stored, b); return nil }),
			tx.AllTransfers(func(e billing.JournalEntry) error { journal = append(journal, e); return nil }),
		)
	}))
	seq := func(yield func(billing.LedgerAccount, billing.Balance) bool) {
		for _, b := range stored {
			if !yield(b.Account, b.Balance) {
				return
			}
		}
	}
	if err := billing.CheckNoNegative(seq); err != nil {
		w.t.Fatal(err)
	}
	if err := billing.CheckConservation(seq); err != nil {
		w.t.Fatal(err)
	}
	var replay billing.Ledger
	for _, e := range journal {
		if err := replay.Apply(e.Transfer); err != nil {
			w.t.Fatalf("replaying journal entry %d: %v", e.Seq, err)
		}
	}
	for _, b := range stored {
		if got := replay.Balance(b.Account); got != b.Balance {
			w.t.Errorf("%v: stored %+v, journal gives %+v", b.Account, b.Balance, got)
		}
	}
	n := 0
	for range replay.Balances() {
		n++
	}
	if n != len(stored) {
		w.t.Errorf("the journal touches %d accounts, %d have a stored balance", n, len(stored))
	}
}

// snapshot is everything billing holds for both organisations, to check
// that a refused write changed nothing.
type snapshot struct {
	balances []billing.AccountBalance
	journal  []billing.JournalEntry
	coupons  []billing.Coupon
	purchase []billing.Purchase
}

func (w *world) snapshot() snapshot {
	w.t.Helper()
	var s snapshot
	w.must(w.db.View(w.ctx, storage.Latest(), func(tx *memstore.Tx) error {
		err := tx.AllBalances(func(b billing.AccountBalance) error { s.balances = append(s.balances, b); return nil })
		err = errors.Join(err, tx.AllTransfers(func(e billing.JournalEntry) error { s.journal = append(s.journal, e); return nil }))
		for _, o := range []org.OrganisationID{w.toppp, w.helpers} {
			cs, e1 := tx.CouponsOfOrg(o, time.Time{}, "", 1000)
			ps, e2 := tx.PurchasesOfOrg(o, time.Time{}, "", 1000)
			s.coupons, s.purchase = append(s.coupons, cs...), append(s.purchase, ps...)
			err = errors.Join(err, e1, e2)
		}
		return err
	}))
	return s
}
