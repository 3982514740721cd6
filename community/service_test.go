package community_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// "In the Events menu, you will find the events you organize and those you
// support, including past events that are already archived."
func TestEventListHoldsOrganisedSupportedAndArchivedEvents(t *testing.T) {
	w := newWorld(t)
	w.support(3)
	old := w.createEvent(w.member, w.toppp, "Spring cleanup", w.clock.Now().Add(-40*24*time.Hour))
	_, _, err := w.svc.ArchiveEvent(w.ctx, w.owner, old.ID, true)
	w.must(err)

	list := func(q community.EventQuery) []string {
		t.Helper()
		q.Org = w.toppp
		p, err := w.svc.Events(w.ctx, storage.Latest(), w.member, q, storage.PageRequest{})
		w.must(err)
		var out []string
		for _, e := range p.Items {
			out = append(out, e.Name+":"+e.Role.String())
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    community.EventQuery
		want []string
	}{
		{"not archived, by start", community.EventQuery{}, []string{"Fair:supported", "Gala:organised"}},
		{"archived included", community.EventQuery{Archived: community.WithArchived}, []string{"Spring cleanup:organised", "Fair:supported", "Gala:organised"}},
		{"archived only", community.EventQuery{Archived: community.OnlyArchived}, []string{"Spring cleanup:organised"}},
		{"organised only", community.EventQuery{Role: community.Organised, Archived: community.WithArchived}, []string{"Spring cleanup:organised", "Gala:organised"}},
		{"supported only", community.EventQuery{Role: community.Supported}, []string{"Fair:supported"}},
		{"by name descending", community.EventQuery{Archived: community.WithArchived, Sort: community.ByName, Descending: true}, []string{"Spring cleanup:organised", "Gala:organised", "Fair:supported"}},
		{"text ignores case", community.EventQuery{Archived: community.WithArchived, Text: "CLEAN"}, []string{"Spring cleanup:organised"}},
		{"period", community.EventQuery{From: w.gala.Start, To: w.gala.End}, []string{"Gala:organised"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, list(tc.q)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// "You can filter and sort the list": by number of participants too, a
// page at a time.
func TestEventListSortsByParticipantsAndPages(t *testing.T) {
	w := newWorld(t)
	w.licences(w.toppp, 10, "l")
	small := w.createEvent(w.member, w.toppp, "Small", w.gala.Start.Add(time.Hour))
	w.join(w.member, person(w.gala.ID, "ann"))
	w.join(w.member, person(w.gala.ID, "bob"))
	w.join(w.member, person(small.ID, "cat"))
	var names []string
	page := storage.PageRequest{Limit: 1}
	for {
		p, err := w.svc.Events(w.ctx, storage.Latest(), w.owner, community.EventQuery{Org: w.toppp, Sort: community.ByParticipants, Descending: true}, page)
		w.must(err)
		for _, e := range p.Items {
			names = append(names, e.Name)
		}
		if p.Next == "" {
			break
		}
		page.After = p.Next
	}
	if want := []string{"Gala", "Small"}; !slices.Equal(names, want) {
		t.Errorf("events by participants = %v, want %v", names, want)
	}
	_, err := w.svc.Events(w.ctx, storage.Latest(), w.owner, community.EventQuery{Org: w.toppp, Sort: community.ByName}, storage.PageRequest{After: page.After})
	if !errors.Is(err, storage.ErrInvalidArgument) {
		t.Errorf("cursor of another sort: err = %v, want ErrInvalidArgument", err)
	}
}

// "As soon as a coupon issued by your organization is used by an event,
// it joins your community and appears in the list of events you support."
// Its participants are counted, held to k, never listed.
func TestRedeemedCouponMakesEventSupported(t *testing.T) {
	w := newWorld(t)
	supported := func() []community.EventSummary {
		p, err := w.svc.Events(w.ctx, storage.Latest(), w.owner, community.EventQuery{Org: w.toppp, Role: community.Supported}, storage.PageRequest{})
		w.must(err)
		return p.Items
	}
	if got := supported(); len(got) != 0 {
		t.Fatalf("before the coupon: supported %v", got)
	}
	w.support(6)
	for _, n := range []string{"ann", "bob"} {
		w.join(w.helpersMember, person(w.fair.ID, n))
	}
	got := supported()
	if len(got) != 1 || got[0].ID != w.fair.ID || !got[0].Participants.Suppressed {
		t.Fatalf("supported = %+v, want the fair with its 2 participants suppressed", got)
	}
	for _, n := range []string{"cat", "dan", "eve"} {
		w.join(w.helpersMember, person(w.fair.ID, n))
	}
	if got := supported(); got[0].Participants != (community.Cell{Value: 5}) {
		t.Errorf("participants at k = %+v, want 5 published", got[0].Participants)
	}
	_, err := w.svc.Participants(w.ctx, storage.Latest(), w.owner, w.fair.ID, storage.PageRequest{})
	if !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("supporter lists the fair's participants: err = %v, want ErrPermissionDenied", err)
	}
}

// "The list includes only the direct members of your organization, those
// who participate in the events you organize. The personal data of
// indirect members, who participate in the events you support, are not
// shared with your organization."
func TestCommunityListsOnlyDirectMembers(t *testing.T) {
	w := newWorld(t)
	w.licences(w.toppp, 5, "l")
	w.support(5)
	w.join(w.member, person(w.gala.ID, "ann"))
	w.join(w.helpersMember, person(w.fair.ID, "bob"))
	both := person(w.fair.ID, "cat")
	w.join(w.helpersMember, both)
	both.Event = w.gala.ID
	w.join(w.member, both)
	p, _, err := w.svc.Apply(w.ctx, org.System(), person(w.gala.ID, "dan")) // applied, not accepted
	w.must(err)
	_ = p

	members := func(f community.MemberFilter) []string {
		t.Helper()
		f.Org = w.toppp
		p, err := w.svc.Members(w.ctx, storage.Latest(), w.member, f, storage.PageRequest{})
		w.must(err)
		var out []string
		for _, m := range p.Items {
			out = append(out, m.Person.Name)
		}
		return out
	}
	if got, want := members(community.MemberFilter{}), []string{"ann", "cat"}; !slices.Equal(got, want) {
		t.Errorf("Toppp's members = %v, want %v (bob is only an indirect member, dan only applied)", got, want)
	}
	if got, want := members(community.MemberFilter{Text: "CA"}), []string{"cat"}; !slices.Equal(got, want) {
		t.Errorf("members matching CA = %v, want %v", got, want)
	}
	_, err = w.svc.Members(w.ctx, storage.Latest(), w.member, community.MemberFilter{Org: w.toppp, Event: w.fair.ID}, storage.PageRequest{})
	if !errors.Is(err, storage.ErrInvalidArgument) {
		t.Errorf("members of a supported event: err = %v, want ErrInvalidArgument", err)
	}
	p2, err := w.svc.Members(w.ctx, storage.Latest(), w.helpersOwner, community.MemberFilter{Org: w.helpers}, storage.PageRequest{})
	w.must(err)
	if len(p2.Items) != 2 {
		t.Errorf("Helpers' members = %d, want bob and cat", len(p2.Items))
	}
}

// "The users of the organization have rights on all the events of the
// organization (creation, modification, management, etc.)": a user invited
// by email as a Member may; a user of another organisation may not.
func TestInvitedOrganisationUsersHaveRightsOnAllEvents(t *testing.T) {
	w := newWorld(t)
	_, _, err := w.space.Access.Invite(w.ctx, w.owner, access.InviteRequest{Email: "new@toppp.test", Org: w.toppp, OrgRole: org.Member})
	w.must(err)
	u, _, err := w.space.Access.Accept(w.ctx, w.mails[len(w.mails)-1].Token, "New")
	w.must(err)
	invited := org.AsUser(u.ID)
	w.licences(w.toppp, 2, "l")

	e, _, err := w.svc.CreateEvent(w.ctx, invited, w.toppp, community.EventInput{Name: "Run", Start: w.gala.Start, End: w.gala.End, Location: brussels})
	w.must(err)
	_, _, err = w.svc.EditEvent(w.ctx, invited, w.gala.ID, community.EventInput{Name: "Gala 2026", Start: w.gala.Start, End: w.gala.End, Location: brussels})
	w.must(err)
	w.join(invited, person(w.gala.ID, "ann"))
	_, err = w.svc.Stats(w.ctx, storage.Latest(), invited, community.StatsQuery{Org: w.toppp})
	w.must(err)

	for _, other := range []org.Actor{w.helpersOwner, w.helpersMember, w.outsider} {
		calls := map[string]func() error{
			"create": func() error {
				_, _, err := w.svc.CreateEvent(w.ctx, other, w.toppp, community.EventInput{Name: "X", Start: w.gala.Start, End: w.gala.End, Location: brussels})
				return err
			},
			"edit": func() error {
				_, _, err := w.svc.EditEvent(w.ctx, other, e.ID, community.EventInput{Name: "X", Start: w.gala.Start, End: w.gala.End, Location: brussels})
				return err
			},
			"archive": func() error { _, _, err := w.svc.ArchiveEvent(w.ctx, other, e.ID, true); return err },
			"accept":  func() error { _, _, err := w.svc.Accept(w.ctx, other, w.gala.ID, "per_x"); return err },
			"read":    func() error { _, err := w.svc.Event(w.ctx, storage.Latest(), other, e.ID); return err },
			"list": func() error {
				_, err := w.svc.Events(w.ctx, storage.Latest(), other, community.EventQuery{Org: w.toppp}, storage.PageRequest{})
				return err
			},
			"members": func() error {
				_, err := w.svc.Members(w.ctx, storage.Latest(), other, community.MemberFilter{Org: w.toppp}, storage.PageRequest{})
				return err
			},
			"stats": func() error {
				_, err := w.svc.Stats(w.ctx, storage.Latest(), other, community.StatsQuery{Org: w.toppp})
				return err
			},
			"fields": func() error { _, err := w.svc.Fields(w.ctx, storage.Latest(), other, w.toppp); return err },
			"roster": func() error {
				_, err := w.svc.Participants(w.ctx, storage.Latest(), other, w.gala.ID, storage.PageRequest{})
				return err
			},
			"managers": func() error { _, err := w.svc.AddManager(w.ctx, other, w.gala.ID, other.User()); return err },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, storage.ErrPermissionDenied) {
				t.Errorf("%s by %s: err = %v, want ErrPermissionDenied", name, other, err)
			}
		}
	}
}

// Accepting takes one licence in the same transaction; without one it is
// refused and changes nothing; nobody is charged twice for one event, and
// withdrawing before the event gives the licence back.
func TestAcceptingTakesOneLicence(t *testing.T) {
	w := newWorld(t)
	avail := func() int64 {
		b, err := w.space.Billing.Balances(w.ctx, storage.Latest(), w.owner, w.toppp)
		w.must(err)
		return b.Of(billing.Licences).Available
	}
	p, _, err := w.svc.Apply(w.ctx, org.System(), person(w.gala.ID, "ann"))
	w.must(err)
	before := w.snapshot()
	if _, _, err := w.svc.Accept(w.ctx, w.member, w.gala.ID, p.Person); !errors.Is(err, storage.ErrInsufficientFunds) {
		t.Fatalf("accept without licences: err = %v, want ErrInsufficientFunds", err)
	}
	if diff := cmp.Diff(before, w.snapshot()); diff != "" {
		t.Fatalf("refused accept changed the log:\n%s", diff)
	}
	w.licences(w.toppp, 2, "l")
	for range 2 {
		_, _, err := w.svc.Accept(w.ctx, w.member, w.gala.ID, p.Person)
		w.must(err)
	}
	if got := avail(); got != 1 {
		t.Fatalf("after accepting twice: %d available, want 1", got)
	}
	_, _, err = w.svc.Withdraw(w.ctx, w.manager, w.gala.ID, p.Person)
	w.must(err)
	if got := avail(); got != 2 {
		t.Fatalf("after withdrawing: %d available, want 2", got)
	}
	// Applying again and being accepted takes one again.
	_, _, err = w.svc.Apply(w.ctx, org.System(), person(w.gala.ID, "ann"))
	w.must(err)
	_, _, err = w.svc.Accept(w.ctx, w.member, w.gala.ID, p.Person)
	w.must(err)
	if got := avail(); got != 1 {
		t.Fatalf("after re-accepting: %d available, want 1", got)
	}
	w.clock.Advance(31 * 24 * time.Hour) // the gala has started
	if _, _, err := w.svc.Withdraw(w.ctx, w.member, w.gala.ID, p.Person); !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Errorf("withdraw after the start: err = %v, want ErrFailedPrecondition", err)
	}
	if _, _, err := w.svc.RecordHours(w.ctx, w.manager, w.gala.ID, p.Person, 5*time.Hour); err != nil {
		t.Errorf("record hours: %v", err)
	}
}

// Bad input returns a clear error naming the field and changes nothing.
func TestBadInputNamesTheFieldAndChangesNothing(t *testing.T) {
	w := newWorld(t)
	size, _, err := w.svc.DefineField(w.ctx, w.owner, w.toppp, community.FieldInput{Label: "T-shirt size", Type: community.FieldChoice, Options: []string{"S", "M", "L"}, Required: true, Visibility: community.Public})
	w.must(err)
	ev := community.EventInput{Name: "Run", Start: w.gala.Start, End: w.gala.End, Location: brussels, Fields: []community.FieldID{size.ID}}
	_, _, err = w.svc.EditEvent(w.ctx, w.owner, w.gala.ID, ev)
	w.must(err)
	good := person(w.gala.ID, "ann")
	good.Answers = community.Answers{size.ID: {"m"}}
	edit := func(f func(*community.EventInput)) func() error {
		return func() error {
			in := ev
			f(&in)
			_, _, err := w.svc.EditEvent(w.ctx, w.owner, w.gala.ID, in)
			return err
		}
	}
	apply := func(f func(*community.Application)) func() error {
		return func() error {
			a := good
			f(&a)
			_, _, err := w.svc.Apply(w.ctx, org.System(), a)
			return err
		}
	}
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"end before start", "event end", edit(func(in *community.EventInput) { in.End = in.Start.Add(-time.Hour) })},
		{"end equal to start", "event end", edit(func(in *community.EventInput) { in.End = in.Start })},
		{"empty name", "event name", edit(func(in *community.EventInput) { in.Name = " " })},
		{"latitude above 90", "event location", edit(func(in *community.EventInput) { in.Location.Lat = 91 })},
		{"longitude below -180", "event location", edit(func(in *community.EventInput) { in.Location.Lon = -181 })},
		{"unknown time zone", "event time zone", edit(func(in *community.EventInput) { in.TimeZone = "Mars/Olympus" })},
		{"unknown field on event", "event fields", edit(func(in *community.EventInput) { in.Fields = []community.FieldID{"fld_nope"} })},
		{"field twice on event", "event fields", edit(func(in *community.EventInput) { in.Fields = []community.FieldID{size.ID, size.ID} })},
		{"birth date in the future", "birth date", apply(func(a *community.Application) { a.BirthDate = w.clock.Now().Add(48 * time.Hour) })},
		{"no birth date", "birth date", apply(func(a *community.Application) { a.BirthDate = time.Time{} })},
		{"home off the globe", "home location", apply(func(a *community.Application) { a.Home.Lat = -90.5 })},
		{"bad email", "email", apply(func(a *community.Application) { a.Email = "ann" })},
		{"unknown field in answers", "answers", apply(func(a *community.Application) { a.Answers = community.Answers{size.ID: {"M"}, "fld_nope": {"x"}} })},
		{"wrong value for the field type", `answer to "T-shirt size"`, apply(func(a *community.Application) { a.Answers = community.Answers{size.ID: {"XXL"}} })},
		{"two values for a single choice", `answer to "T-shirt size"`, apply(func(a *community.Application) { a.Answers = community.Answers{size.ID: {"S", "M"}} })},
		{"required field missing", `answer to "T-shirt size"`, apply(func(a *community.Application) { a.Answers = nil })},
		{"negative hours", "hours worked", func() error {
			_, _, err := w.svc.RecordHours(w.ctx, w.owner, w.gala.ID, "per_x", -time.Hour)
			return err
		}},
		{"choice field without options", "field options", func() error {
			_, _, err := w.svc.DefineField(w.ctx, w.owner, w.toppp, community.FieldInput{Label: "Diet", Type: community.FieldChoices, Visibility: community.Public})
			return err
		}},
		{"unknown field type", "field type", func() error {
			_, _, err := w.svc.DefineField(w.ctx, w.owner, w.toppp, community.FieldInput{Label: "Diet", Type: 99, Visibility: community.Public})
			return err
		}},
		{"stats range backwards", "stats to", func() error {
			_, err := w.svc.Stats(w.ctx, storage.Latest(), w.owner, community.StatsQuery{Org: w.toppp, From: community.Month{Year: 2026, Month: 5}, To: community.Month{Year: 2026, Month: 4}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot()
			err := tc.call()
			if !errors.Is(err, storage.ErrInvalidArgument) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err = %v, want ErrInvalidArgument naming %q", err, tc.field)
			}
			if diff := cmp.Diff(before, w.snapshot()); diff != "" {
				t.Errorf("refused call changed the log:\n%s", diff)
			}
		})
	}
}

// "consult the library of shared fields": organisation-only fields are
// hidden from users who can see only one event, a person's last answer
// pre-fills later applications, and a field's type cannot change while
// values exist.
func TestSharedFields(t *testing.T) {
	w := newWorld(t)
	w.licences(w.toppp, 3, "l")
	diet, _, err := w.svc.DefineField(w.ctx, w.member, w.toppp, community.FieldInput{Label: "Diet", Type: community.FieldChoices, Options: []string{"Vegan", "Halal", "No nuts"}, Visibility: community.Public})
	w.must(err)
	notes, _, err := w.svc.DefineField(w.ctx, w.member, w.toppp, community.FieldInput{Label: "Staff notes", Type: community.FieldText, Visibility: community.OrgOnly})
	w.must(err)
	if _, _, err := w.svc.DefineField(w.ctx, w.member, w.toppp, community.FieldInput{Label: "diet ", Type: community.FieldText, Visibility: community.Public}); err != nil {
		t.Logf("labels differing in case are distinct fields: %v", err)
	}
	in := community.EventInput{Name: w.gala.Name, Start: w.gala.Start, End: w.gala.End, Location: brussels, Fields: []community.FieldID{diet.ID, notes.ID}}
	_, _, err = w.svc.EditEvent(w.ctx, w.owner, w.gala.ID, in)
	w.must(err)

	form := func(actor org.Actor) []string {
		fs, err := w.svc.Form(w.ctx, storage.Latest(), actor, w.gala.ID)
		w.must(err)
		var out []string
		for _, f := range fs {
			out = append(out, f.Label)
		}
		return out
	}
	if got := form(org.System()); !slices.Equal(got, []string{"Diet"}) {
		t.Errorf("application form = %v, want the public field only", got)
	}
	if got := form(w.manager); !slices.Equal(got, []string{"Diet"}) {
		t.Errorf("manager's form = %v, want the public field only", got)
	}
	if got := form(w.member); !slices.Equal(got, []string{"Diet", "Staff notes"}) {
		t.Errorf("member's form = %v, want both fields", got)
	}

	a := person(w.gala.ID, "ann")
	a.Answers = community.Answers{diet.ID: {"no nuts", "vegan"}}
	p, _, err := w.svc.Apply(w.ctx, org.System(), a)
	w.must(err)
	if want := []string{"Vegan", "No nuts"}; !slices.Equal(p.Answers[diet.ID], want) {
		t.Errorf("stored answer = %v, want canonical %v", p.Answers[diet.ID], want)
	}
	a.Answers = community.Answers{notes.ID: {"x"}}
	if _, _, err := w.svc.Apply(w.ctx, org.System(), a); !errors.Is(err, storage.ErrInvalidArgument) {
		t.Errorf("applicant answers an organisation-only field: err = %v, want ErrInvalidArgument", err)
	}
	b := person(w.gala.ID, "bob")
	b.Answers = community.Answers{notes.ID: {"brings a van"}}
	_, _, err = w.svc.Apply(w.ctx, w.member, b)
	w.must(err)
	roster := func(actor org.Actor) map[string]community.Answers {
		p, err := w.svc.Participants(w.ctx, storage.Latest(), actor, w.gala.ID, storage.PageRequest{})
		w.must(err)
		out := map[string]community.Answers{}
		for _, x := range p.Items {
			out[x.Person.Name] = x.Participation.Answers
		}
		return out
	}
	if got := roster(w.manager)["bob"]; got != nil {
		t.Errorf("manager sees bob's answers %v, want the organisation-only one hidden", got)
	}
	if got := roster(w.owner)["bob"]; !slices.Equal(got[notes.ID], []string{"brings a van"}) {
		t.Errorf("owner sees bob's answers %v", got)
	}

	next := w.createEvent(w.member, w.toppp, "Next", w.gala.Start.Add(24*time.Hour))
	in.Name, in.Start, in.End = "Next", next.Start, next.End
	_, _, err = w.svc.EditEvent(w.ctx, w.owner, next.ID, in)
	w.must(err)
	got, err := w.svc.Prefill(w.ctx, storage.Latest(), org.System(), next.ID, "ANN@volunteers.test")
	w.must(err)
	if diff := cmp.Diff(community.Answers{diet.ID: {"Vegan", "No nuts"}}, got); diff != "" {
		t.Errorf("prefill (-want +got):\n%s", diff)
	}

	_, _, err = w.svc.EditField(w.ctx, w.owner, diet.ID, community.FieldInput{Label: "Diet", Type: community.FieldText, Visibility: community.Public})
	if !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Errorf("type change while values exist: err = %v, want ErrFailedPrecondition", err)
	}
	_, _, err = w.svc.EditField(w.ctx, w.owner, diet.ID, community.FieldInput{Label: "Diet", Type: community.FieldChoices, Options: []string{"Vegan", "Halal"}, Visibility: community.Public})
	if !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Errorf("removing a used option: err = %v, want ErrFailedPrecondition", err)
	}
	_, _, err = w.svc.EditField(w.ctx, w.owner, diet.ID, community.FieldInput{Label: "Diet", Type: community.FieldChoices, Options: []string{"Vegan", "Halal", "No nuts", "Kosher"}, Required: true, Visibility: community.Public})
	w.must(err)
	unused, _, err := w.svc.DefineField(w.ctx, w.member, w.toppp, community.FieldInput{Label: "Age group", Type: community.FieldNumber, Visibility: community.Public})
	w.must(err)
	_, _, err = w.svc.EditField(w.ctx, w.owner, unused.ID, community.FieldInput{Label: "Age group", Type: community.FieldChoice, Options: []string{"Youth", "Adult"}, Visibility: community.Public})
	w.must(err)
}

// A write that is refused for its status changes nothing and says why.
func TestParticipationSteps(t *testing.T) {
	w := newWorld(t)
	w.licences(w.toppp, 5, "l")
	p, _, err := w.svc.Apply(w.ctx, org.System(), person(w.gala.ID, "ann"))
	w.must(err)
	if _, _, err := w.svc.Apply(w.ctx, org.System(), person(w.gala.ID, "ann")); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("second application: err = %v, want ErrAlreadyExists", err)
	}
	if _, _, err := w.svc.RecordHours(w.ctx, w.owner, w.gala.ID, p.Person, time.Hour); !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Errorf("hours of an applicant: err = %v, want ErrFailedPrecondition", err)
	}
	_, _, err = w.svc.Decline(w.ctx, w.manager, w.gala.ID, p.Person)
	w.must(err)
	if _, _, err := w.svc.Withdraw(w.ctx, w.owner, w.gala.ID, p.Person); !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Errorf("withdraw a declined person: err = %v, want ErrFailedPrecondition", err)
	}
	_, _, err = w.svc.Accept(w.ctx, w.owner, w.gala.ID, p.Person)
	w.must(err)
	_, _, err = w.svc.ArchiveEvent(w.ctx, w.owner, w.gala.ID, true)
	w.must(err)
	if _, _, err := w.svc.Apply(w.ctx, org.System(), person(w.gala.ID, "bob")); !errors.Is(err, storage.ErrFailedPrecondition) {
		t.Errorf("apply to an archived event: err = %v, want ErrFailedPrecondition", err)
	}
}

var _ = context.Background
