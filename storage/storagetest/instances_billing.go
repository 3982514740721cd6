package storagetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Billing through several instances on one database. Billing writes are
// unlogged: on a backend that commits them concurrently (PostgreSQL) only
// row locks keep them apart, so these races are where a missing lock
// would show, as a coupon redeemed twice, a pool overdrawn, or a purchase
// charged or credited twice.
var instBillingTests = []struct {
	name string
	run  func(t *testing.T, e *instEnv)
}{
	{"concurrent redeems of one coupon by 64 organisations' events redeem it once", instTestRedeemOnce},
	{"concurrent SMS spending the last credits send as many as the credits pay for", instTestLastCredits},
	{"concurrent takes of an event's last licences take as many as there are", instTestLastLicences},
	{"concurrent purchases under one key charge and credit once", instTestBuyOnce},
}

// instBilling is an instEnv with a billing Space on every handle, all
// paying through one fake provider and sending through one fake sender.
type instBilling struct {
	*instEnv
	pay    *billing.FakeProvider
	sender *billing.FakeSMSSender
	bills  []*billing.Service
}

func newInstBilling(e *instEnv) *instBilling {
	e.t.Helper()
	b := &instBilling{instEnv: e, pay: &billing.FakeProvider{Clock: e.clock}, sender: &billing.FakeSMSSender{}}
	cfg := e.config()
	cfg.IDs, cfg.Prices, cfg.Payments, cfg.SMS = e.ids, svcBillPrices, b.pay, b.sender
	for i, backend := range e.backends {
		s, err := backend(e.ctx, cfg)
		if err != nil {
			e.t.Fatalf("orgspace.Open on handle %d: %v", i, err)
		}
		b.bills = append(b.bills, s.Billing)
	}
	return b
}

// on returns the billing of the instance that the i-th racer uses.
func (b *instBilling) on(i int) *billing.Service { return b.bills[i%len(b.bills)] }

// grant puts n units of a into o's pool, as the operator.
func (b *instBilling) grant(o org.OrganisationID, a billing.Asset, n int64) {
	b.t.Helper()
	b.must(b.bills[0].Transfer(b.ctx, b.operator, billing.Transfer{
		ID: fmt.Sprintf("grant/%s/%v", o, a), Asset: a, Amount: n, Time: b.clock.Now(), Reason: "set-up",
		From: billing.LedgerAccount{Org: o, Asset: a, Kind: billing.External},
		To:   billing.LedgerAccount{Org: o, Asset: a, Kind: billing.Pool},
	}))
}

// event registers an event of o that starts in a month.
func (b *instBilling) event(id billing.EventID, o org.OrganisationID) billing.EventID {
	b.t.Helper()
	b.must(b.bills[0].RegisterEvent(b.ctx, b.operator, billing.Event{ID: id, Org: o, Start: b.clock.Now().Add(30 * 24 * time.Hour)}))
	return id
}

// balances reads o's balances.
func (b *instBilling) balances(o org.OrganisationID) billing.Balances {
	b.t.Helper()
	bal, err := b.bills[0].Balances(b.ctx, storage.Latest(), b.operator, o)
	b.must(err)
	return bal
}

// checkLedger checks the invariants of the whole ledger, and of the
// coupons of orgs, and returns the journal.
func (b *instBilling) checkLedger(orgs ...org.OrganisationID) []billing.JournalEntry {
	b.t.Helper()
	var balances []billing.AccountBalance
	var journal []billing.JournalEntry
	coupons := map[billing.CouponID]billing.Coupon{}
	b.must(b.space.Store().View(b.ctx, storage.Latest(), func(st orgspace.Store) error {
		err := errors.Join(
			st.AllBalances(func(a billing.AccountBalance) error { balances = append(balances, a); return nil }),
			st.AllTransfers(func(e billing.JournalEntry) error { journal = append(journal, e); return nil }),
		)
		for _, o := range orgs {
			cs, cerr := st.CouponsOfOrg(o, time.Time{}, "", storage.MaxPageSize)
			for _, c := range cs {
				coupons[c.ID] = c
			}
			err = errors.Join(err, cerr)
		}
		return err
	}))
	if err := svcBillLedgerProblem(balances, journal); err != nil {
		b.t.Errorf("the ledger: %v", err)
	}
	if err := svcBillCouponProblem(coupons, journal); err != nil {
		b.t.Errorf("the coupons: %v", err)
	}
	return journal
}

// instWinners fails t unless exactly want of errs are nil and every other
// wraps lost; it returns the indexes of the nil ones.
func instWinners(t *testing.T, what string, errs []error, want int, lost error) []int {
	t.Helper()
	var won []int
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, i)
		case !errors.Is(err, lost):
			t.Errorf("%s: call %d failed with %v (%s), want %v", what, i, err, svcBillSentinel(err), lost)
		}
	}
	if len(won) != want {
		t.Errorf("%s: %d calls succeeded, want %d", what, len(won), want)
	}
	return won
}

func instTestRedeemOnce(t *testing.T, e *instEnv) {
	b := newInstBilling(e)
	issuer := e.newOrg("Issuer")
	b.grant(issuer, billing.Licences, 3)
	c, err := b.bills[0].IssueCoupon(e.ctx, e.operator, billing.CouponRequest{Org: issuer, Licences: 3})
	b.must(err)
	const racers = 64
	events := make([]billing.EventID, racers)
	for i := range events {
		events[i] = b.event(billing.EventID(fmt.Sprintf("evt_%02d", i)), e.newOrg(fmt.Sprintf("Supporter %02d", i)))
	}
	errs := instRace(racers, func(i int) error {
		_, err := b.on(i).RedeemCoupon(e.ctx, e.operator, events[i], c.Code)
		return err
	})
	winner := instOneWinner(t, "redeem", errs, billing.ErrCouponRedeemed)
	if winner < 0 {
		t.FailNow()
	}
	journal := b.checkLedger(issuer)
	posts := 0
	for _, en := range journal {
		if en.PendingID != "" && !en.Void && en.To.Kind == billing.Escrow && en.To.Ref == string(c.ID) {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("the journal holds %d redeems of coupon %s, want 1", posts, c.ID)
	}
	if got := b.balances(issuer).Licences; got != (billing.AssetBalance{Purchased: 3, Given: 3}) {
		t.Errorf("the issuer's licences are %+v, want 3 purchased and 3 given", got)
	}
	for i, ev := range events {
		sup, err := b.on(i).SupportersOf(e.ctx, storage.Latest(), e.operator, ev)
		b.must(err)
		var want []org.OrganisationID
		if i == winner {
			want = []org.OrganisationID{issuer}
		}
		if !slices.Equal(sup, want) {
			t.Errorf("event %s (racer %d, winner %d) is supported by %v, want %v", ev, i, winner, sup, want)
		}
	}
	// The winner's event takes its licences from the coupon.
	u, err := b.on(winner).TakeLicence(e.ctx, e.operator, events[winner], "ann")
	if err != nil || u.Coupon != c.ID {
		t.Errorf("the winner's first licence: %+v, %v; want one from coupon %s", u, err, c.ID)
	}
}

func instTestLastCredits(t *testing.T, e *instEnv) {
	b := newInstBilling(e)
	o := e.newOrg("Club")
	ev := b.event("evt_club", o)
	const credits, racers = 5, 16
	b.grant(o, billing.SMSCredits, credits)
	errs := instRace(racers, func(i int) error {
		_, err := b.on(i).SendSMS(e.ctx, e.operator, billing.SMSRequest{Event: ev, ID: fmt.Sprintf("msg-%02d", i), To: "+41790000001", Body: "Doors open at 9"})
		return err
	})
	won := instWinners(t, "send", errs, credits, storage.ErrInsufficientFunds)
	if got := b.balances(o).SMSCredits; got != (billing.AssetBalance{Purchased: credits, Used: credits}) {
		t.Errorf("the SMS credits are %+v, want all %d used and none available", got, credits)
	}
	var sent []string
	for _, m := range b.sender.Sent() {
		sent = append(sent, m.ID)
	}
	slices.Sort(sent)
	var want []string
	for _, i := range won {
		want = append(want, fmt.Sprintf("msg-%02d", i))
	}
	if !slices.Equal(sent, want) {
		t.Errorf("the sender sent %v, want the winners' %v", sent, want)
	}
	// The losers left no message behind.
	b.must(b.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) error {
		for i := range racers {
			_, err := st.SMS(o, fmt.Sprintf("msg-%02d", i))
			if found := err == nil; found != slices.Contains(won, i) {
				t.Errorf("message %d: found %v (%v); it won: %v", i, found, err, slices.Contains(won, i))
			}
		}
		return nil
	}))
	b.checkLedger(o)
}

func instTestLastLicences(t *testing.T, e *instEnv) {
	b := newInstBilling(e)
	o, supporter := e.newOrg("Club"), e.newOrg("Sponsor")
	ev := b.event("evt_club", o)
	// Five licences: three in the organiser's pool, two in a coupon the
	// event redeemed.
	const pool, coupon, racers = 3, 2, 12
	b.grant(o, billing.Licences, pool)
	b.grant(supporter, billing.Licences, coupon)
	c, err := b.bills[0].IssueCoupon(e.ctx, e.operator, billing.CouponRequest{Org: supporter, Licences: coupon})
	b.must(err)
	_, err = b.bills[0].RedeemCoupon(e.ctx, e.operator, ev, c.Code)
	b.must(err)
	uses := make([]billing.LicenceUse, racers)
	errs := instRace(racers, func(i int) error {
		var err error
		uses[i], err = b.on(i).TakeLicence(e.ctx, e.operator, ev, billing.PersonID(fmt.Sprintf("person-%02d", i)))
		return err
	})
	won := instWinners(t, "take", errs, pool+coupon, storage.ErrInsufficientFunds)
	fromCoupon := 0
	for _, i := range won {
		if uses[i].Coupon == c.ID {
			fromCoupon++
		}
	}
	if fromCoupon != coupon {
		t.Errorf("%d licences came from the coupon, want its %d", fromCoupon, coupon)
	}
	if got := b.balances(o).Licences; got != (billing.AssetBalance{Purchased: pool, Used: pool + coupon}) {
		t.Errorf("the organiser's licences are %+v, want %d used, none available", got, pool+coupon)
	}
	var stored []billing.LicenceUse
	b.must(b.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) (err error) {
		stored, err = st.LicenceUsesOfEvent(ev)
		return err
	}))
	var want []billing.LicenceUse
	for _, i := range won {
		want = append(want, uses[i])
	}
	slices.SortFunc(want, func(a, b billing.LicenceUse) int { return cmp.Compare(a.Person, b.Person) })
	if diff := gocmp.Diff(want, stored, svcCmpOptions...); diff != "" {
		t.Errorf("the event's licence uses (-the winners' +stored):\n%s", diff)
	}
	b.checkLedger(o, supporter)
}

func instTestBuyOnce(t *testing.T, e *instEnv) {
	b := newInstBilling(e)
	o := e.newOrg("Club")
	r := billing.PurchaseRequest{Org: o, Asset: billing.Licences, Quantity: 7, Key: "order-1"}
	const racers = 4 * instCount
	got := make([]billing.Purchase, racers)
	errs := instRace(racers, func(i int) error {
		var err error
		got[i], err = b.on(i).Buy(e.ctx, e.operator, r)
		return err
	})
	instWinners(t, "buy", errs, racers, nil)
	for i, p := range got {
		if p.ID != got[0].ID || p.Status != billing.PurchaseCompleted {
			t.Errorf("racer %d got purchase %s (%s), racer 0 %s: want one purchase, completed", i, p.ID, p.Status, got[0].ID)
		}
	}
	if n, all := b.pay.Count(string(got[0].ID)), len(b.pay.Charges()); n != 1 || all != 1 {
		t.Errorf("the provider charged purchase %s %d times, and made %d charges in all; want 1", got[0].ID, n, all)
	}
	if bal := b.balances(o).Licences; bal != (billing.AssetBalance{Purchased: 7, Available: 7}) {
		t.Errorf("the licences are %+v, want the 7 bought once", bal)
	}
	var ps []billing.Purchase
	b.must(b.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) (err error) {
		ps, err = st.PurchasesOfOrg(o, time.Time{}, "", storage.MaxPageSize)
		return err
	}))
	if len(ps) != 1 || ps[0].ID != got[0].ID {
		t.Errorf("the store holds the purchases %+v, want only %s", ps, got[0].ID)
	}
	credits := 0
	for _, en := range b.checkLedger(o) {
		if en.From.Kind == billing.External && en.To.Org == o {
			credits++
		}
	}
	if credits != 1 {
		t.Errorf("the journal holds %d credits from outside, want 1", credits)
	}
}
