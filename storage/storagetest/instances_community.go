package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Community through several instances on one database. Accepting a
// participant is a logged write that takes a licence with billing's row
// locks, so it can meet billing's own unlogged writes in a deadlock on
// PostgreSQL; the backend must run it again, never surface the deadlock,
// and never take more licences than there are.
var instCommunityTests = []struct {
	name string
	run  func(t *testing.T, e *instEnv)
}{
	{"concurrent accepts and billing takes of an event's last licences take as many as there are", instTestAcceptLastLicences},
	{"concurrent applications with one email make one person and one application", instTestApplyOnce},
}

// instCommunity is an instBilling with the community service of every
// handle.
type instCommunity struct {
	*instBilling
	coms []*community.Service
}

func newInstCommunity(e *instEnv) *instCommunity {
	e.t.Helper()
	c := &instCommunity{instBilling: newInstBilling(e)}
	cfg := e.config()
	cfg.IDs, cfg.Prices, cfg.Payments = e.ids, svcBillPrices, c.pay
	for i, backend := range e.backends {
		s, err := backend(e.ctx, cfg)
		if err != nil {
			e.t.Fatalf("orgspace.Open on handle %d: %v", i, err)
		}
		c.coms = append(c.coms, s.Community)
	}
	return c
}

func (c *instCommunity) on(i int) *community.Service { return c.coms[i%len(c.coms)] }

// communityEvent creates an event of o that starts in a month.
func (c *instCommunity) communityEvent(o org.OrganisationID, name string) community.Event {
	c.t.Helper()
	start := c.clock.Now().Add(30 * 24 * time.Hour)
	ev, _, err := c.coms[0].CreateEvent(c.ctx, c.operator, o, community.EventInput{
		Name: name, Start: start, End: start.Add(4 * time.Hour), TimeZone: "UTC", Location: community.Location{Lat: 46.2, Lon: 6.15},
	})
	c.must(err)
	return ev
}

// applicant is the i-th application to event e.
func applicant(e community.EventID, i int) community.Application {
	return community.Application{Event: e, Name: fmt.Sprintf("Volunteer %02d", i), Email: fmt.Sprintf("v%02d@volunteers.test", i),
		BirthDate: time.Date(1990, 1, 1+i, 0, 0, 0, 0, time.UTC), Home: community.Location{Lat: 46.2, Lon: 6.14}}
}

func instTestAcceptLastLicences(t *testing.T, e *instEnv) {
	c := newInstCommunity(e)
	o, sponsor := e.newOrg("Club"), e.newOrg("Sponsor")
	ev := c.communityEvent(o, "Lake run")
	// Six licences: four in the organiser's pool, two in a coupon.
	const pool, coupon, racers = 4, 2, 14
	c.grant(o, billing.Licences, pool)
	c.grant(sponsor, billing.Licences, coupon)
	cp, err := c.bills[0].IssueCoupon(e.ctx, e.operator, billing.CouponRequest{Org: sponsor, Licences: coupon})
	c.must(err)
	_, err = c.bills[0].RedeemCoupon(e.ctx, e.operator, ev.ID, cp.Code)
	c.must(err)
	people := make([]community.PersonID, racers)
	for i := range people {
		p, _, err := c.coms[0].Apply(e.ctx, org.System(), applicant(ev.ID, i))
		c.must(err)
		people[i] = p.Person
	}
	// Even racers accept through community (logged), odd ones take a
	// licence through billing directly (unlogged) for someone else.
	errs := instRace(racers, func(i int) error {
		if i%2 == 0 {
			_, _, err := c.on(i).Accept(e.ctx, e.operator, ev.ID, people[i])
			return err
		}
		_, err := c.instBilling.on(i).TakeLicence(e.ctx, e.operator, ev.ID, billing.PersonID(fmt.Sprintf("outside-%02d", i)))
		return err
	})
	won := instWinners(t, "accept or take", errs, pool+coupon, storage.ErrInsufficientFunds)
	accepted := 0
	for _, i := range won {
		if i%2 == 0 {
			accepted++
		}
	}
	got, err := c.coms[0].Event(e.ctx, storage.Latest(), e.operator, ev.ID)
	c.must(err)
	if got.Participants != accepted {
		t.Errorf("the event counts %d participants, want the %d accepted", got.Participants, accepted)
	}
	c.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) error {
		r, err := st.Roster(ev.ID)
		if err != nil {
			return err
		}
		if len(r) != accepted {
			t.Errorf("the roster holds %d people, want the %d accepted", len(r), accepted)
		}
		ms, err := st.DirectMembers(community.MemberQuery{Org: o, Limit: racers})
		if err != nil {
			return err
		}
		if len(ms) != accepted {
			t.Errorf("the club has %d members, want the %d accepted", len(ms), accepted)
		}
		return nil
	}))
	if got := c.balances(o).Licences; got.Available != 0 || got.Used != pool+coupon {
		t.Errorf("the organiser's licences are %+v, want none available and %d used", got, pool+coupon)
	}
	c.checkLedger(o, sponsor)
}

func instTestApplyOnce(t *testing.T, e *instEnv) {
	c := newInstCommunity(e)
	o := e.newOrg("Club")
	ev := c.communityEvent(o, "Lake run")
	const racers = 8
	errs := instRace(racers, func(i int) error {
		_, _, err := c.on(i).Apply(e.ctx, org.System(), applicant(ev.ID, 0))
		return err
	})
	if instOneWinner(t, "apply", errs, storage.ErrAlreadyExists) < 0 {
		t.FailNow()
	}
	page, err := c.coms[0].Participants(e.ctx, storage.Latest(), e.operator, ev.ID, storage.PageRequest{})
	c.must(err)
	if len(page.Items) != 1 {
		t.Errorf("the event has %d participations, want 1", len(page.Items))
	}
}
