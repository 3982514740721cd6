package backendbench

import (
	"context"
	"reflect"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// smallCommunity is small enough to write through the service API.
var smallCommunity = communityShape{Organised: 4, Supported: 2, People: 40, Participations: 120, Seed: 7}

// TestCommunityLoaderMatchesService writes the same small community twice
// on memstore, by the loader (in transactions of 7 rows, so that batches
// split) and through the service API (CreateEvent, coupons through
// billing, Apply, Accept and RecordHours), and checks that every read the
// benchmarks and the hosts make answers the same: the loader writes
// nothing the service would not.
func TestCommunityLoaderMatchesService(t *testing.T) {
	ctx := context.Background()
	c, err := generateCommunity(smallCommunity)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := openCommunity(ctx, c, memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.load(ctx, loaded, 7); err != nil {
		t.Fatal(err)
	}
	served := serviceFill(t, c)
	if !reflect.DeepEqual(loaded.events, served.events) {
		t.Fatalf("events differ:\nloader  %+v\nservice %+v", loaded.events, served.events)
	}
	if !reflect.DeepEqual(loaded.people, served.people) {
		t.Fatalf("people differ:\nloader  %v\nservice %v", loaded.people, served.people)
	}

	reads := readCommunity(t, loaded)
	if want := readCommunity(t, served); !reflect.DeepEqual(reads, want) {
		for name, got := range reads {
			if !reflect.DeepEqual(got, want[name]) {
				t.Errorf("%s differs:\nloader  %+v\nservice %+v", name, got, want[name])
			}
		}
	}

	// The community is not trivial: A's stats count what was generated,
	// and its supported events count too.
	st := reads["stats of A"].(community.Stats)
	d := c.direct()
	if got := (directFigures{st.Distances.DirectTotal.Value, st.Workload.DirectTotal.Value, st.Ages.DirectTotal.Value}); got != d {
		t.Errorf("A's stats count %+v of its events, want %+v", got, d)
	}
	if st.Workload.IndirectTotal.Value == 0 && !st.Workload.IndirectTotal.Suppressed {
		t.Errorf("A's stats count no work on the events it supports: %+v", st.Workload)
	}
	supported := 0
	for _, e := range reads["events of A"].([]community.EventSummary) {
		if e.Role == community.Supported {
			supported++
		}
	}
	if supported != smallCommunity.Supported {
		t.Errorf("A lists %d supported events, want %d", supported, smallCommunity.Supported)
	}
	if n := len(reads["members of A"].([]community.Member)); int64(n) != d.people {
		t.Errorf("A lists %d members, want %d", n, d.people)
	}
}

// serviceFill writes c on a fresh memstore through the services only.
func serviceFill(t *testing.T, c *communityData) *communityWorld {
	t.Helper()
	ctx := context.Background()
	w, err := openCommunity(ctx, c, memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	// Accepting takes a licence: A's from its pool, B's from A's coupon
	// first and then B's pool.
	var need [2]int64
	for _, p := range c.parts {
		need[c.events[p.event].org]++
	}
	for o, n := range need {
		if err := w.buy(ctx, o, n, "participants"); err != nil {
			t.Fatal(err)
		}
	}
	svc := w.space.Community
	for _, e := range c.events {
		ev, _, err := svc.CreateEvent(ctx, w.owners[e.org], w.orgs[e.org], e.in)
		if err != nil {
			t.Fatal(err)
		}
		w.events = append(w.events, ev)
	}
	if err := c.support(ctx, w); err != nil {
		t.Fatal(err)
	}
	w.people = make([]community.PersonID, len(c.people))
	for _, p := range c.parts {
		who, owner, event := c.people[p.person], w.owners[c.events[p.event].org], w.events[p.event].ID
		a, _, err := svc.Apply(ctx, org.System(), community.Application{Event: event, Name: who.name, Email: who.email, BirthDate: who.birth, Home: who.home})
		if err != nil {
			t.Fatal(err)
		}
		w.people[p.person] = a.Person
		if _, _, err := svc.Accept(ctx, owner, event, a.Person); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.RecordHours(ctx, owner, event, a.Person, p.worked); err != nil {
			t.Fatal(err)
		}
	}
	// The events as stored, with their participant counts.
	for i, e := range c.events {
		if w.events[i], err = svc.Event(ctx, storage.Latest(), w.owners[e.org], w.events[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// readCommunity reads, through the services and the store, everything of
// the community the benchmarks and the hosts read: each organisation's
// stats, members and events, each event's participants and roster.
func readCommunity(t *testing.T, w *communityWorld) map[string]any {
	t.Helper()
	ctx := context.Background()
	svc := w.space.Community
	out := map[string]any{}
	for i, name := range []string{"A", "B"} {
		o, owner := w.orgs[i], w.owners[i]
		st, err := svc.Stats(ctx, storage.Latest(), owner, community.StatsQuery{Org: o})
		if err != nil {
			t.Fatal(err)
		}
		out["stats of "+name] = st
		var members []community.Member
		var cursors []storage.Cursor
		for page := (storage.PageRequest{Limit: 7}); ; {
			p, err := svc.Members(ctx, storage.Latest(), owner, community.MemberFilter{Org: o}, page)
			if err != nil {
				t.Fatal(err)
			}
			members = append(members, p.Items...)
			if p.Next == "" {
				break
			}
			cursors = append(cursors, p.Next)
			page.After = p.Next
		}
		out["members of "+name], out["member cursors of "+name] = members, cursors
		var events []community.EventSummary
		for page := (storage.PageRequest{Limit: 4}); ; {
			p, err := svc.Events(ctx, storage.Latest(), owner, community.EventQuery{Org: o, Archived: community.WithArchived}, page)
			if err != nil {
				t.Fatal(err)
			}
			events = append(events, p.Items...)
			if p.Next == "" {
				break
			}
			page.After = p.Next
		}
		out["events of "+name] = events
	}
	for _, e := range w.events {
		owner := w.owners[0]
		if e.Org != w.orgs[0] {
			owner = w.owners[1]
		}
		p, err := svc.Participants(ctx, storage.Latest(), owner, e.ID, storage.PageRequest{Limit: storage.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		out["participants of "+string(e.ID)] = p
		if err := w.space.Store().View(ctx, storage.Latest(), func(st orgspace.Store) error {
			r, err := st.Roster(e.ID)
			out["roster of "+string(e.ID)] = r
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
