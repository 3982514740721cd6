package community_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// TestIndirectMembersAreNeverIdentified builds random communities, in
// which organisation Sup supports some of Org's events with coupons and
// organises events of its own, and checks every output of every community
// API Sup's users can call: none holds the name, email, birth date or
// home of a person who is only on events Sup supports, and every
// published cell that counts indirect members counts at least k people,
// while the suppressed ones cannot be derived from a table's total.
func TestIndirectMembersAreNeverIdentified(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		clock := accesstest.NewClock(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
		k := rapid.IntRange(2, 6).Draw(rt, "k")
		space, err := orgspace.Open(ctx, memstore.New(), orgspace.Config{
			Clock: clock, IDs: &org.SequentialIDs{}, CommunityK: k,
			Prices:   billing.PriceList{billing.Licences: {Currency: "EUR", Minor: 1}},
			Payments: &billing.FakeProvider{Clock: clock},
		})
		must(rt, err)
		com := space.Community
		op, _, err := space.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Op", Email: "op@platform.test"})
		must(rt, err)
		operator := org.AsOperator(op.ID)
		newOrg := func(name string) (org.OrganisationID, org.Actor) {
			o, _, err := space.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: name, Settings: org.Settings{TimeZone: "Europe/Brussels"}})
			must(rt, err)
			u, _, err := space.Org.CreateUser(ctx, operator, org.NewUser{Email: "owner@" + strings.ToLower(name) + ".test", Name: name + " owner"})
			must(rt, err)
			_, err = space.Access.SetOrganisationRole(ctx, operator, o.ID, u.ID, org.Owner)
			must(rt, err)
			_, err = space.Billing.Buy(ctx, operator, billing.PurchaseRequest{Org: o.ID, Asset: billing.Licences, Quantity: 1000, Key: "k"})
			must(rt, err)
			return o.ID, org.AsUser(u.ID)
		}
		organiser, orgOwner := newOrg("Org")
		supporter, supOwner := newOrg("Sup")

		// Events over the last months, some of Org's supported by Sup.
		var orgEvents, supEvents []community.EventID
		supported := map[community.EventID]bool{}
		for i := range rapid.IntRange(1, 5).Draw(rt, "org events") {
			start := clock.Now().AddDate(0, -rapid.IntRange(0, 10).Draw(rt, "months ago"), 0)
			e, _, err := com.CreateEvent(ctx, orgOwner, organiser, community.EventInput{Name: fmt.Sprintf("Org event %d", i), Start: start, End: start.Add(4 * time.Hour), Location: community.Location{Lat: 50.1 + float64(i)/10, Lon: 4.2}})
			must(rt, err)
			orgEvents = append(orgEvents, e.ID)
			if rapid.Bool().Draw(rt, "supported") {
				c, err := space.Billing.IssueCoupon(ctx, supOwner, billing.CouponRequest{Org: supporter, Licences: 1})
				must(rt, err)
				_, err = space.Billing.RedeemCoupon(ctx, orgOwner, e.ID, c.Code)
				must(rt, err)
				supported[e.ID] = true
			}
		}
		for i := range rapid.IntRange(0, 2).Draw(rt, "sup events") {
			start := clock.Now().AddDate(0, -rapid.IntRange(0, 10).Draw(rt, "months ago"), 0)
			e, _, err := com.CreateEvent(ctx, supOwner, supporter, community.EventInput{Name: fmt.Sprintf("Sup event %d", i), Start: start, End: start.Add(4 * time.Hour), Location: community.Location{Lat: 48.8, Lon: 2.3}})
			must(rt, err)
			supEvents = append(supEvents, e.ID)
		}

		// People with distinctive data, accepted onto random events.
		type who struct {
			name, email string
			birth       time.Time
			home        community.Location
			direct      bool // on one of Sup's own events
		}
		var people []who
		for i := range rapid.IntRange(1, 25).Draw(rt, "people") {
			p := who{
				name:  fmt.Sprintf("Person%03dX", i),
				email: fmt.Sprintf("p%03d@volunteer.test", i),
				birth: time.Date(1950+rapid.IntRange(0, 55).Draw(rt, "year"), time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
				home:  community.Location{Lat: 49 + float64(i+1)*0.0123457, Lon: 3 + float64(i+1)*0.0234567},
			}
			apply := func(e community.EventID, by org.Actor) {
				pa, _, err := com.Apply(ctx, org.System(), community.Application{Event: e, Name: p.name, Email: p.email, BirthDate: p.birth, Home: p.home})
				must(rt, err)
				_, _, err = com.Accept(ctx, by, e, pa.Person)
				must(rt, err)
				if w := rapid.IntRange(0, 8).Draw(rt, "hours"); w > 0 {
					_, _, err = com.RecordHours(ctx, by, e, pa.Person, time.Duration(w)*time.Hour)
					must(rt, err)
				}
			}
			for _, e := range orgEvents {
				if rapid.IntRange(0, 2).Draw(rt, "joins") == 0 {
					apply(e, orgOwner)
				}
			}
			for _, e := range supEvents {
				if rapid.IntRange(0, 3).Draw(rt, "joins own") == 0 {
					apply(e, supOwner)
					p.direct = true
				}
			}
			people = append(people, p)
		}

		// Everything Sup's users can read.
		var outputs []any
		read := func(v any, err error) {
			must(rt, err)
			outputs = append(outputs, v)
		}
		for _, role := range []community.EventRole{0, community.Organised, community.Supported} {
			for _, sort := range []community.EventSort{community.ByStart, community.ByName, community.ByParticipants} {
				read(com.Events(ctx, storage.Latest(), supOwner, community.EventQuery{Org: supporter, Role: role, Archived: community.WithArchived, Sort: sort}, storage.PageRequest{}))
			}
		}
		read(com.Members(ctx, storage.Latest(), supOwner, community.MemberFilter{Org: supporter}, storage.PageRequest{}))
		for _, p := range people {
			read(com.Members(ctx, storage.Latest(), supOwner, community.MemberFilter{Org: supporter, Text: p.name}, storage.PageRequest{}))
			read(com.Members(ctx, storage.Latest(), supOwner, community.MemberFilter{Org: supporter, Text: p.email}, storage.PageRequest{}))
		}
		for _, e := range supEvents {
			read(com.Members(ctx, storage.Latest(), supOwner, community.MemberFilter{Org: supporter, Event: e}, storage.PageRequest{}))
			read(com.Participants(ctx, storage.Latest(), supOwner, e, storage.PageRequest{}))
		}
		stats, err := com.Stats(ctx, storage.Latest(), supOwner, community.StatsQuery{Org: supporter})
		must(rt, err)
		outputs = append(outputs, stats)
		read(com.Fields(ctx, storage.Latest(), supOwner, supporter))
		for _, e := range orgEvents {
			_, err := com.Participants(ctx, storage.Latest(), supOwner, e, storage.PageRequest{})
			if !errors.Is(err, storage.ErrPermissionDenied) {
				rt.Fatalf("Sup lists the participants of Org's event %s: err = %v", e, err)
			}
			_, err = com.Event(ctx, storage.Latest(), supOwner, e)
			if !errors.Is(err, storage.ErrPermissionDenied) {
				rt.Fatalf("Sup reads Org's event %s: err = %v", e, err)
			}
		}

		text := fmt.Sprintf("%+v", outputs)
		for _, p := range people {
			if p.direct {
				continue
			}
			for _, secret := range []string{p.name, p.email, p.birth.Format(time.DateOnly), p.birth.String(),
				strconv.FormatFloat(p.home.Lat, 'g', -1, 64), strconv.FormatFloat(p.home.Lon, 'g', -1, 64)} {
				if strings.Contains(text, secret) {
					rt.Fatalf("an output to Sup holds %q of %s, who is only an indirect member", secret, p.name)
				}
			}
		}
		for _, tb := range []community.Table{stats.Workload, stats.Ages, stats.Distances, stats.Size} {
			checkNotDerivable(rt, tb)
		}
		for _, o := range outputs {
			if p, ok := o.(storage.Page[community.EventSummary]); ok {
				for _, e := range p.Items {
					if e.Role == community.Supported && !e.Participants.Suppressed && e.Participants.Value < int64(k) {
						rt.Fatalf("supported event %s shows %d participants, fewer than k = %d", e.ID, e.Participants.Value, k)
					}
				}
			}
		}
	})
}

// checkNotDerivable checks that no suppressed indirect cell of t can be
// computed from its published total: either the total is suppressed, or
// at least two cells are, with a positive remainder to share.
func checkNotDerivable(rt *rapid.T, t community.Table) {
	if !t.HasTotals || t.IndirectTotal.Suppressed {
		return
	}
	suppressed, rest := 0, t.IndirectTotal.Value
	for _, c := range t.Indirect {
		if c.Suppressed {
			suppressed++
		} else {
			rest -= c.Value
		}
	}
	if suppressed == 1 || (suppressed > 1 && rest <= 0) {
		rt.Fatalf("%s table: %d suppressed cells share %d of the published total %d: derivable", t.Unit, suppressed, rest, t.IndirectTotal.Value)
	}
}

func must(rt *rapid.T, err error) {
	rt.Helper()
	if err != nil {
		rt.Fatal(err)
	}
}
