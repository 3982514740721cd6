package community_test

import (
	"context"
	"fmt"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// exampleSpace opens a Space on memstore with a fixed clock and two
// organisations, each with 10 licences.
func exampleSpace() (context.Context, *orgspace.Space, *accesstest.Clock, org.OrganisationID, org.OrganisationID) {
	ctx := context.Background()
	clock := accesstest.NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	space, _ := orgspace.Open(ctx, memstore.New(), orgspace.Config{
		Clock: clock, IDs: &org.SequentialIDs{},
		Prices:   billing.PriceList{billing.Licences: {Currency: "EUR", Minor: 250}},
		Payments: &billing.FakeProvider{},
	})
	sys := org.System()
	newOrg := func(name string) org.OrganisationID {
		o, _, _ := space.Org.CreateOrganisation(ctx, sys, org.NewOrganisation{Name: name, Settings: org.Settings{TimeZone: "Europe/Brussels"}})
		_, _ = space.Billing.Buy(ctx, sys, billing.PurchaseRequest{Org: o.ID, Asset: billing.Licences, Quantity: 10, Key: "licences"})
		return o.ID
	}
	return ctx, space, clock, newOrg("Toppp"), newOrg("Helpers")
}

// Toppp organises a gala, asks volunteers their diet, accepts two of them
// (each takes a licence) and lists its community.
func ExampleService_Members() {
	ctx, space, clock, toppp, _ := exampleSpace()
	sys := org.System()
	diet, _, _ := space.Community.DefineField(ctx, sys, toppp, community.FieldInput{
		Label: "Diet", Type: community.FieldChoices, Options: []string{"Vegan", "Halal"}, Visibility: community.Public,
	})
	start := clock.Now().AddDate(0, 1, 0)
	gala, _, _ := space.Community.CreateEvent(ctx, sys, toppp, community.EventInput{
		Name: "Gala", Start: start, End: start.Add(5 * time.Hour),
		Location: community.Location{Lat: 50.8467, Lon: 4.3525}, Fields: []community.FieldID{diet.ID},
	})
	for _, name := range []string{"Zoë", "adam"} {
		p, _, err := space.Community.Apply(ctx, sys, community.Application{
			Event: gala.ID, Name: name, Email: name + "@example.com",
			BirthDate: time.Date(1994, 2, 3, 0, 0, 0, 0, time.UTC), Home: community.Location{Lat: 50.85, Lon: 4.35},
			Answers: community.Answers{diet.ID: {"vegan"}},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		_, _, _ = space.Community.Accept(ctx, sys, gala.ID, p.Person)
	}
	page, _ := space.Community.Members(ctx, storage.Latest(), sys, community.MemberFilter{Org: toppp}, storage.PageRequest{})
	for _, m := range page.Items {
		fmt.Println(m.Person.Name, m.Person.Email, m.Events)
	}
	b, _ := space.Billing.Balances(ctx, storage.Latest(), sys, toppp)
	fmt.Println("licences available:", b.Licences.Available)
	// Output:
	// adam adam@example.com 1
	// Zoë zoë@example.com 1
	// licences available: 8
}

// Toppp supports the Helpers' fair with a coupon. The fair's volunteers
// are Toppp's indirect members: counted in its stats, held to k, never
// listed.
func ExampleService_Stats() {
	ctx, space, clock, toppp, helpers := exampleSpace()
	sys := org.System()
	start := clock.Now().AddDate(0, 0, 10)
	fair, _, _ := space.Community.CreateEvent(ctx, sys, helpers, community.EventInput{
		Name: "Fair", Start: start, End: start.Add(8 * time.Hour), Location: community.Location{Lat: 50.8467, Lon: 4.3525},
	})
	coupon, _ := space.Billing.IssueCoupon(ctx, sys, billing.CouponRequest{Org: toppp, Licences: 3})
	_, _ = space.Billing.RedeemCoupon(ctx, sys, fair.ID, coupon.Code)
	for i := range 3 {
		p, _, _ := space.Community.Apply(ctx, sys, community.Application{
			Event: fair.ID, Name: fmt.Sprintf("Volunteer %d", i), Email: fmt.Sprintf("v%d@example.com", i),
			BirthDate: time.Date(1980+i*10, 1, 1, 0, 0, 0, 0, time.UTC), Home: community.Location{Lat: 50.85, Lon: 4.35},
		})
		_, _, _ = space.Community.Accept(ctx, sys, fair.ID, p.Person)
	}
	members, _ := space.Community.Members(ctx, storage.Latest(), sys, community.MemberFilter{Org: toppp}, storage.PageRequest{})
	fmt.Println("Toppp's listed members:", len(members.Items))
	events, _ := space.Community.Events(ctx, storage.Latest(), sys, community.EventQuery{Org: toppp}, storage.PageRequest{})
	for _, e := range events.Items {
		fmt.Printf("%s (%s): participants %+v\n", e.Name, e.Role, e.Participants)
	}
	s, _ := space.Community.Stats(ctx, storage.Latest(), sys, community.StatsQuery{Org: toppp, From: community.Month{Year: 2026, Month: 5}, To: community.Month{Year: 2026, Month: 5}})
	fmt.Printf("size %s: direct %+v, indirect %+v (k = %d)\n", s.Size.Rows[0], s.Size.Direct[0], s.Size.Indirect[0], s.K)
	// Output:
	// Toppp's listed members: 0
	// Fair (supported): participants {Value:0 Suppressed:true}
	// size 2026-05: direct {Value:0 Suppressed:false}, indirect {Value:0 Suppressed:true} (k = 5)
}
