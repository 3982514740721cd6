package community_test

import (
	"context"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// world is two organisations on a memstore: Toppp organises a gala and
// supports Helpers' fair with a licence coupon; each has an Owner and a
// Member, the gala a manager, and an outsider has no role anywhere.
type world struct {
	t        *testing.T
	ctx      context.Context
	db       *memstore.DB
	clock    *accesstest.Clock
	space    *orgspace.Space
	svc      *community.Service
	operator org.Actor
	mails    []access.InvitationMail

	toppp, helpers                             org.OrganisationID
	owner, member, helpersOwner, helpersMember org.Actor
	manager, outsider                          org.Actor
	gala, fair                                 community.Event
}

var brussels = community.Location{Lat: 50.8503, Lon: 4.3517}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: memstore.New(),
		clock: accesstest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))}
	var err error
	w.space, err = orgspace.Open(w.ctx, w.db, orgspace.Config{
		Clock: w.clock, IDs: &org.SequentialIDs{},
		Prices:   billing.PriceList{billing.Licences: {Currency: "EUR", Minor: 250}},
		Payments: &billing.FakeProvider{Clock: w.clock},
		Notifier: access.NotifierFunc(func(_ context.Context, m access.InvitationMail) error { w.mails = append(w.mails, m); return nil }),
	})
	w.must(err)
	w.svc = w.space.Community
	op, _, err := w.space.Org.CreateOperator(w.ctx, org.System(), org.NewOperator{Name: "Support", Email: "support@platform.test"})
	w.must(err)
	w.operator = org.AsOperator(op.ID)

	w.toppp = w.newOrg("Toppp")
	w.owner = w.newUser("owner@toppp.test", w.toppp, org.Owner)
	w.member = w.newUser("member@toppp.test", w.toppp, org.Member)
	w.helpers = w.newOrg("Helpers")
	w.helpersOwner = w.newUser("owner@helpers.test", w.helpers, org.Owner)
	w.helpersMember = w.newUser("member@helpers.test", w.helpers, org.Member)
	w.manager = w.newUser("manager@gala.test", "", 0)
	w.outsider = w.newUser("someone@elsewhere.test", "", 0)

	start := w.clock.Now().Add(30 * 24 * time.Hour)
	w.gala = w.createEvent(w.member, w.toppp, "Gala", start)
	w.fair = w.createEvent(w.helpersMember, w.helpers, "Fair", start.Add(-10*24*time.Hour))
	_, err = w.svc.AddManager(w.ctx, w.owner, w.gala.ID, w.manager.User())
	w.must(err)
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
	o, _, err := w.space.Org.CreateOrganisation(w.ctx, w.operator, org.NewOrganisation{Name: name, Settings: org.Settings{TimeZone: "Europe/Brussels"}})
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

func (w *world) createEvent(actor org.Actor, o org.OrganisationID, name string, start time.Time) community.Event {
	w.t.Helper()
	e, _, err := w.svc.CreateEvent(w.ctx, actor, o, community.EventInput{Name: name, Start: start, End: start.Add(6 * time.Hour), Location: brussels})
	w.must(err)
	return e
}

// licences buys n licences for o.
func (w *world) licences(o org.OrganisationID, n int64, key string) {
	w.t.Helper()
	_, err := w.space.Billing.Buy(w.ctx, w.operator, billing.PurchaseRequest{Org: o, Asset: billing.Licences, Quantity: n, Key: key})
	w.must(err)
}

// support makes Toppp support Helpers' fair with a coupon of n licences.
func (w *world) support(n int64) {
	w.t.Helper()
	w.licences(w.toppp, n, "support")
	c, err := w.space.Billing.IssueCoupon(w.ctx, w.owner, billing.CouponRequest{Org: w.toppp, Licences: n})
	w.must(err)
	_, err = w.space.Billing.RedeemCoupon(w.ctx, w.helpersMember, w.fair.ID, c.Code)
	w.must(err)
}

// person is an application of a volunteer born in 1990 living in Brussels.
func person(e community.EventID, name string) community.Application {
	return community.Application{Event: e, Name: name, Email: name + "@volunteers.test",
		BirthDate: time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), Home: brussels}
}

// join applies and accepts a volunteer as the actor.
func (w *world) join(actor org.Actor, a community.Application) community.Participation {
	w.t.Helper()
	p, _, err := w.svc.Apply(w.ctx, org.System(), a)
	w.must(err)
	p, _, err = w.svc.Accept(w.ctx, actor, a.Event, p.Person)
	w.must(err)
	return p
}

// snapshot is everything a community write may change, for checking
// that a refused write changed nothing.
func (w *world) snapshot() []storage.Entry {
	w.t.Helper()
	var out []storage.Entry
	w.must(w.db.View(w.ctx, storage.Latest(), func(tx *memstore.Tx) error {
		var err error
		out, err = tx.Entries(storage.LogQuery{Limit: 1 << 20})
		return err
	}))
	return out
}
