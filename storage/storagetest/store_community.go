package storagetest

// The store-level tests of community.Store: events, people,
// participations, rosters, direct members, shared fields, last answers
// and event managers. Values round-trip exactly: times come back in UTC to
// the nanosecond whatever zone they were written in, floats to the bit,
// and empty slices and maps come back nil.

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// communityT0 is the time of the community fixtures: UTC, with
// nanoseconds.
var communityT0 = storeT0.Add(14*time.Minute + 987654321*time.Nanosecond)

// communityBirth is the fixtures' birth date: a calendar date, stored as
// midnight UTC.
var communityBirth = time.Date(1990, time.February, 3, 0, 0, 0, 0, time.UTC)

// communityZone is a zone other than UTC to write times in.
var communityZone = time.FixedZone("UTC+05:30", 5*3600+30*60)

func (storeFixtures) communityEvent(id, o string) community.Event {
	start := communityT0.Add(30 * 24 * time.Hour)
	return community.Event{
		ID:        community.EventID(id),
		Org:       org.OrganisationID(o),
		Name:      "Event " + id,
		Start:     start,
		End:       start.Add(6 * time.Hour),
		TimeZone:  "Europe/Brussels",
		Location:  community.Location{Lat: 50.8466, Lon: 4.3528},
		CreatedAt: communityT0,
		CreatedBy: "user:user-1",
		UpdatedAt: communityT0,
	}
}

// person makes a person whose email is id + "@people.example.com".
func (storeFixtures) person(id, name string) community.Person {
	return community.Person{
		ID:        community.PersonID(id),
		Name:      name,
		Email:     id + "@people.example.com",
		BirthDate: communityBirth,
		Home:      community.Location{Lat: 51.0543, Lon: 3.7174},
		CreatedAt: communityT0.Add(time.Minute),
		UpdatedAt: communityT0.Add(time.Minute),
	}
}

func (storeFixtures) participation(e, p string, s community.Status) community.Participation {
	return community.Participation{
		Event:     community.EventID(e),
		Person:    community.PersonID(p),
		Status:    s,
		AppliedAt: communityT0.Add(2 * time.Minute),
		UpdatedAt: communityT0.Add(2 * time.Minute),
		UpdatedBy: "user:user-1",
	}
}

// field makes a public text field.
func (storeFixtures) field(id, o, label string) community.Field {
	return community.Field{
		ID:         community.FieldID(id),
		Org:        org.OrganisationID(o),
		Label:      label,
		Type:       community.FieldText,
		Visibility: community.Public,
		CreatedAt:  communityT0.Add(3 * time.Minute),
		UpdatedAt:  communityT0.Add(3 * time.Minute),
	}
}

func (storeFixtures) rosterEntry(p string) community.RosterEntry {
	return community.RosterEntry{
		Person:    community.PersonID(p),
		Worked:    3*time.Hour + 7*time.Nanosecond,
		BirthDate: communityBirth,
		Home:      community.Location{Lat: -33.868820123456789, Lon: 151.20929999999998},
	}
}

// withAnswers returns p with answers a.
func withAnswers(p community.Participation, a community.Answers) community.Participation {
	p.Answers = a
	return p
}

// choiceField returns f as a choice field of type t with options.
func choiceField(f community.Field, t community.FieldType, options ...string) community.Field {
	f.Type, f.Options = t, options
	return f
}

// memberDelta is an AdjustMember call.
type memberDelta struct {
	Org, Person string
	Delta       int
}

// communitySeed is a set of community objects to write, parents first.
type communitySeed struct {
	Fields         []community.Field
	Events         []community.Event
	Persons        []community.Person
	Participations []community.Participation
	Rosters        map[community.EventID]community.Roster
	Members        []memberDelta
	LastAnswers    map[community.PersonID]community.Answers
	// Managers are (event, user) pairs.
	Managers [][2]string
}

func (s communitySeed) write(st community.Store) error {
	for _, f := range s.Fields {
		if err := st.InsertField(f); err != nil {
			return err
		}
	}
	for _, e := range s.Events {
		if err := st.InsertEvent(e); err != nil {
			return err
		}
	}
	for _, p := range s.Persons {
		if err := st.PutPerson(p); err != nil {
			return err
		}
	}
	for _, p := range s.Participations {
		if err := st.InsertParticipation(p); err != nil {
			return err
		}
	}
	for e, r := range s.Rosters {
		if err := st.PutRoster(e, r); err != nil {
			return err
		}
	}
	for _, m := range s.Members {
		if err := st.AdjustMember(org.OrganisationID(m.Org), community.PersonID(m.Person), m.Delta); err != nil {
			return err
		}
	}
	for p, a := range s.LastAnswers {
		if err := st.PutLastAnswers(p, a); err != nil {
			return err
		}
	}
	for _, m := range s.Managers {
		if err := st.PutEventManager(community.EventID(m[0]), org.UserID(m[1])); err != nil {
			return err
		}
	}
	return nil
}

// communityBase is what most community tests start from, on storeBase:
// fields, events, people and participations in org-1 and org-2, a roster,
// members, last answers and a manager. fld-1, fld-2 and fld-3 are in use
// (fld-2 by a participation only), fld-4 is not; fld-1 and fld-3 share a
// label in different organisations.
func communityBase() communitySeed {
	p11 := withAnswers(sf.participation("ev-1", "person-1", community.Accepted),
		community.Answers{"fld-1": {"M"}, "fld-2": {"vegetarian"}})
	p12 := withAnswers(sf.participation("ev-1", "person-2", community.Applied), community.Answers{"fld-1": {"L"}})
	p33 := withAnswers(sf.participation("ev-3", "person-3", community.Accepted), community.Answers{"fld-3": {"S", "XL"}})
	ev1 := sf.communityEvent("ev-1", "org-1")
	ev1.Fields, ev1.Participants = []community.FieldID{"fld-2", "fld-1"}, 1
	return communitySeed{
		Fields: []community.Field{
			choiceField(sf.field("fld-1", "org-1", "T-shirt size"), community.FieldChoice, "S", "M", "L"),
			sf.field("fld-2", "org-1", "Diet"),
			choiceField(sf.field("fld-3", "org-2", "T-shirt size"), community.FieldChoices, "S", "M", "L", "XL"),
			choiceField(sf.field("fld-4", "org-1", "Allergies"), community.FieldChoices, "nuts", "gluten"),
		},
		Events: []community.Event{ev1, sf.communityEvent("ev-2", "org-1"), sf.communityEvent("ev-3", "org-2")},
		Persons: []community.Person{
			sf.person("person-1", "Alice"), sf.person("person-2", "bob"), sf.person("person-3", "Carol"), sf.person("person-4", "Dave"),
		},
		Participations: []community.Participation{p11, p12, sf.participation("ev-2", "person-1", community.Withdrawn), p33},
		Rosters:        map[community.EventID]community.Roster{"ev-1": {sf.rosterEntry("person-1")}},
		Members:        []memberDelta{{"org-1", "person-1", 1}, {"org-2", "person-3", 1}},
		LastAnswers:    map[community.PersonID]community.Answers{"person-1": {"fld-1": {"M"}}},
		Managers:       [][2]string{{"ev-1", "user-2"}},
	}
}

// seedCommunity writes storeBase and s in one Update.
func (db storeDB) seedCommunity(s communitySeed) storage.Revision {
	db.t.Helper()
	return db.update(func(st orgspace.Store) error {
		return errors.Join(storeBase().write(st), s.write(st))
	})
}

// communityProbe names the keys a community snapshot looks up one by one.
type communityProbe struct {
	Orgs    []string
	Events  []string
	Persons []string
	Emails  []string
	Fields  []string
	Users   []string
}

func communityBaseProbe() communityProbe {
	return communityProbe{
		Orgs:    []string{"org-1", "org-2", "org-x"},
		Events:  []string{"ev-1", "ev-2", "ev-3", "ev-9", "ev-x"},
		Persons: []string{"person-1", "person-2", "person-3", "person-4", "person-9", "person-x"},
		Emails: []string{"person-1@people.example.com", "person-2@people.example.com", "person-3@people.example.com",
			"person-9@people.example.com", "changed@people.example.com", "nobody@people.example.com"},
		Fields: []string{"fld-1", "fld-2", "fld-3", "fld-4", "fld-9", "fld-x"},
		Users:  []string{"user-1", "user-2", "user-3"},
	}
}

// communitySnapshot is everything a Store shows of the community. Pairs
// are keyed "first/second".
type communitySnapshot struct {
	EventsOfOrg            map[string][]community.Event
	EventsIn               []community.Event
	Event                  map[string]storeLookup[community.Event]
	Person                 map[string]storeLookup[community.Person]
	PersonByEmail          map[string]storeLookup[community.Person]
	Participation          map[string]storeLookup[community.Participation]
	ParticipationsOfEvent  map[string][]community.Participation
	ParticipationsOfPerson map[string][]community.Participation
	Roster                 map[string]community.Roster
	Rosters                map[string]community.Roster
	Members                map[string][]community.Member
	Field                  map[string]storeLookup[community.Field]
	FieldsOfOrg            map[string][]community.Field
	FieldInUse             map[string]bool
	LastAnswers            map[string]community.Answers
	Managers               map[string][]org.UserID
	IsManager              map[string]bool
}

func takeCommunitySnapshot(st orgspace.Store, p communityProbe) (s communitySnapshot, err error) {
	events := make([]community.EventID, len(p.Events))
	for i, e := range p.Events {
		events[i] = community.EventID(e)
	}
	fields := make([]community.FieldID, len(p.Fields))
	for i, f := range p.Fields {
		fields[i] = community.FieldID(f)
	}
	s.EventsOfOrg = map[string][]community.Event{}
	s.Members = map[string][]community.Member{}
	s.FieldsOfOrg = map[string][]community.Field{}
	for _, o := range p.Orgs {
		id := org.OrganisationID(o)
		if s.EventsOfOrg[o], err = communityCollect(func(fn func(community.Event) error) error { return st.EventsOfOrg(id, fn) }); err != nil {
			return s, err
		}
		if s.Members[o], err = communityMembers(st, community.MemberQuery{Org: id}, storage.MaxPageSize); err != nil {
			return s, err
		}
		if s.FieldsOfOrg[o], err = st.FieldsOfOrg(id); err != nil {
			return s, err
		}
	}
	if s.EventsIn, err = communityCollect(func(fn func(community.Event) error) error { return st.EventsIn(events, fn) }); err != nil {
		return s, err
	}
	s.Rosters = map[string]community.Roster{}
	if err = st.Rosters(events, func(e community.EventID, r community.Roster) error {
		s.Rosters[string(e)] = r
		return nil
	}); err != nil {
		return s, err
	}
	s.Event = map[string]storeLookup[community.Event]{}
	s.ParticipationsOfEvent = map[string][]community.Participation{}
	s.Roster = map[string]community.Roster{}
	s.Managers = map[string][]org.UserID{}
	s.IsManager = map[string]bool{}
	s.Participation = map[string]storeLookup[community.Participation]{}
	for _, e := range events {
		if s.Event[string(e)], err = storeLookupOf(func() (community.Event, error) { return st.CommunityEvent(e) }); err != nil {
			return s, err
		}
		if s.ParticipationsOfEvent[string(e)], err = communityParticipations(st, e, storage.MaxPageSize); err != nil {
			return s, err
		}
		if s.Roster[string(e)], err = st.Roster(e); err != nil {
			return s, err
		}
		if s.Managers[string(e)], err = st.ManagersOfEvent(e); err != nil {
			return s, err
		}
		for _, u := range p.Users {
			if s.IsManager[string(e)+"/"+u], err = st.IsEventManager(e, org.UserID(u)); err != nil {
				return s, err
			}
		}
		for _, person := range p.Persons {
			if s.Participation[string(e)+"/"+person], err = storeLookupOf(func() (community.Participation, error) {
				return st.Participation(e, community.PersonID(person))
			}); err != nil {
				return s, err
			}
		}
	}
	s.ParticipationsOfPerson = map[string][]community.Participation{}
	s.LastAnswers = map[string]community.Answers{}
	for _, person := range p.Persons {
		id := community.PersonID(person)
		if s.ParticipationsOfPerson[person], err = st.ParticipationsOfPerson(id); err != nil {
			return s, err
		}
		if s.LastAnswers[person], err = st.LastAnswers(id, fields); err != nil {
			return s, err
		}
	}
	if s.Person, err = storeLookupsOf(p.Persons, storeKeyOf, func(id string) (community.Person, error) { return st.Person(community.PersonID(id)) }); err != nil {
		return s, err
	}
	if s.PersonByEmail, err = storeLookupsOf(p.Emails, storeKeyOf, st.PersonByEmail); err != nil {
		return s, err
	}
	if s.Field, err = storeLookupsOf(p.Fields, storeKeyOf, func(id string) (community.Field, error) { return st.Field(community.FieldID(id)) }); err != nil {
		return s, err
	}
	s.FieldInUse = map[string]bool{}
	for _, f := range fields {
		if s.FieldInUse[string(f)], err = st.FieldInUse(f); err != nil {
			return s, err
		}
	}
	return s, nil
}

// problems returns the ways the snapshot's listings and lookups disagree.
func (s communitySnapshot) problems() []string {
	var out []string
	for o, es := range s.EventsOfOrg {
		for _, e := range es {
			if got, ok := s.Event[string(e.ID)]; ok && storeDiff(storeLookup[community.Event]{Found: true, Value: e}, got) != "" {
				out = append(out, fmt.Sprintf("EventsOfOrg(%s) lists %+v, CommunityEvent reads %+v", o, e, got))
			}
			if string(e.Org) != o {
				out = append(out, fmt.Sprintf("EventsOfOrg(%s) lists event %s of %s", o, e.ID, e.Org))
			}
		}
	}
	var found []community.Event
	for _, l := range s.Event {
		if l.Found {
			found = append(found, l.Value)
		}
	}
	slices.SortFunc(found, func(a, b community.Event) int { return cmp.Compare(a.ID, b.ID) })
	if diff := storeDiff(found, s.EventsIn); diff != "" {
		out = append(out, fmt.Sprintf("EventsIn disagrees with CommunityEvent (-lookups +EventsIn):\n%s", diff))
	}
	for e, ps := range s.ParticipationsOfEvent {
		for _, p := range ps {
			if got, ok := s.Participation[e+"/"+string(p.Person)]; ok && storeDiff(storeLookup[community.Participation]{Found: true, Value: p}, got) != "" {
				out = append(out, fmt.Sprintf("ParticipationsOfEvent(%s) lists %+v, Participation reads %+v", e, p, got))
			}
		}
	}
	for k, l := range s.Participation {
		if !l.Found {
			continue
		}
		e, p, _ := strings.Cut(k, "/")
		if !slices.ContainsFunc(s.ParticipationsOfPerson[p], func(x community.Participation) bool { return string(x.Event) == e }) {
			out = append(out, fmt.Sprintf("ParticipationsOfPerson(%s) misses event %s", p, e))
		}
	}
	for e, r := range s.Roster {
		if diff := storeDiff(r, s.Rosters[e]); diff != "" {
			out = append(out, fmt.Sprintf("Rosters disagrees with Roster(%s) (-Roster +Rosters):\n%s", e, diff))
		}
	}
	for k, is := range s.IsManager {
		e, u, _ := strings.Cut(k, "/")
		if listed := slices.Contains(s.Managers[e], org.UserID(u)); listed != is {
			out = append(out, fmt.Sprintf("IsEventManager(%s, %s) = %v, but ManagersOfEvent lists %v", e, u, is, s.Managers[e]))
		}
	}
	return out
}

// communitySnapshot reads everything p names in one View and fails the
// test when its listings and lookups disagree.
func (db storeDB) communitySnapshot(p communityProbe) communitySnapshot {
	db.t.Helper()
	var s communitySnapshot
	db.view(func(st orgspace.Store) (err error) {
		s, err = takeCommunitySnapshot(st, p)
		return err
	})
	if problems := s.problems(); len(problems) > 0 {
		db.t.Fatalf("inconsistent community:\n%s", strings.Join(problems, "\n"))
	}
	return s
}

// requireCommunityUnchanged fails the test when the community differs
// from before.
func (db storeDB) requireCommunityUnchanged(t *testing.T, p communityProbe, before communitySnapshot) {
	t.Helper()
	if diff := storeDiff(before, db.on(t).communitySnapshot(p)); diff != "" {
		t.Fatalf("community changed (-before +after):\n%s", diff)
	}
}

// communityCollect gathers what a streaming method yields, in its order.
func communityCollect[T any](stream func(fn func(T) error) error) ([]T, error) {
	var out []T
	err := stream(func(v T) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// communityParticipations pages through event e's participations with
// limit; persons that do not increase fail.
func communityParticipations(st community.Store, e community.EventID, limit int) ([]community.Participation, error) {
	return storeAllPages(func(after community.PersonID) ([]community.Participation, error) {
		return st.ParticipationsOfEvent(e, after, limit)
	}, func(p community.Participation) community.PersonID { return p.Person })
}

// memberKeyOf is a member's place in DirectMembers' order.
func memberKeyOf(m community.Member) [2]string {
	return [2]string{community.NameKey(m.Person.Name), string(m.Person.ID)}
}

func compareMemberKeys(a, b [2]string) int {
	return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
}

// communityMemberPages pages through DirectMembers(q) with limit from
// q's cursor to the end. Keys that do not increase fail, and so does a
// page longer than limit.
func communityMemberPages(st community.Store, q community.MemberQuery, limit int) ([][]community.Member, error) {
	var pages [][]community.Member
	q.Limit = limit
	for {
		page, err := st.DirectMembers(q)
		if err != nil {
			return pages, err
		}
		if len(page) > limit {
			return pages, fmt.Errorf("storagetest: DirectMembers with limit %d returns %d members", limit, len(page))
		}
		if len(page) == 0 {
			return pages, nil
		}
		pages = append(pages, page)
		for _, m := range page {
			k := memberKeyOf(m)
			if compareMemberKeys(k, [2]string{q.AfterName, string(q.AfterPerson)}) <= 0 {
				return pages, fmt.Errorf("storagetest: DirectMembers after (%q, %s) returns (%q, %s)", q.AfterName, q.AfterPerson, k[0], k[1])
			}
			q.AfterName, q.AfterPerson = k[0], m.Person.ID
		}
	}
}

// communityMembers returns every member q selects, paging by limit.
func communityMembers(st community.Store, q community.MemberQuery, limit int) ([]community.Member, error) {
	pages, err := communityMemberPages(st, q, limit)
	return slices.Concat(pages...), err
}

// inZone returns t in communityZone, for writes in a zone other than UTC.
func inZone(t time.Time) time.Time { return t.In(communityZone) }

// storeCommunityRoundTrip writes every community object, with its times
// in a zone other than UTC, and reads it back exactly, through every
// lookup and listing, in a View and in an UpdateUnlogged: times in UTC and
// equal to the nanosecond, floats to the bit, lists in their order. It
// then changes the object and reads it again.
func storeCommunityRoundTrip(t *testing.T, db storeDB) {
	base := communityBase()
	db.seedCommunity(base)
	at := func(d time.Duration) time.Time { return inZone(communityT0.Add(d + time.Nanosecond)) }

	event := sf.communityEvent("ev-rt", "org-1")
	event.Start, event.End = at(40*24*time.Hour), at(40*24*time.Hour+90*time.Minute)
	event.Location = community.Location{Lat: 1.0 / 3, Lon: -122.41941550000001}
	event.Fields, event.Participants, event.CreatedAt, event.UpdatedAt = []community.FieldID{"fld-2", "fld-1", "fld-4"}, 3, at(0), at(0)
	changedEvent := event
	changedEvent.Name, changedEvent.TimeZone, changedEvent.Archived, changedEvent.Participants = "Renamed", "America/Los_Angeles", true, 0
	changedEvent.Start, changedEvent.End, changedEvent.UpdatedAt = at(50*24*time.Hour), at(51*24*time.Hour), at(time.Hour)
	changedEvent.Location, changedEvent.Fields = community.Location{Lat: -0.1, Lon: 179.99999999999997}, []community.FieldID{"fld-4"}
	type eventReads struct {
		Event       community.Event
		EventsOfOrg []community.Event
		EventsIn    []community.Event
	}
	readEvent := func(id community.EventID, o org.OrganisationID) func(st orgspace.Store) (any, error) {
		return func(st orgspace.Store) (any, error) {
			var r eventReads
			var errs [3]error
			r.Event, errs[0] = st.CommunityEvent(id)
			r.EventsOfOrg, errs[1] = communityCollect(func(fn func(community.Event) error) error { return st.EventsOfOrg(o, fn) })
			r.EventsIn, errs[2] = communityCollect(func(fn func(community.Event) error) error {
				return st.EventsIn([]community.EventID{"ev-x", id}, fn)
			})
			return r, errors.Join(errs[:]...)
		}
	}

	person := sf.person("person-rt", "Zoë Ñandú")
	person.Home = community.Location{Lat: 48.85661400000001, Lon: 2.3522219}
	person.CreatedAt, person.UpdatedAt = at(time.Minute), at(time.Minute)
	changedPerson := person
	changedPerson.Name, changedPerson.Email, changedPerson.UpdatedAt = "Zoe", "zoe.rt@people.example.com", at(2*time.Hour)
	changedPerson.BirthDate, changedPerson.Home = time.Date(2001, time.December, 31, 0, 0, 0, 0, time.UTC), community.Location{Lat: -90, Lon: 180}
	unborn := sf.person("person-unborn", "No Birth Date")
	unborn.BirthDate = time.Time{}
	type personReads struct {
		Person           community.Person
		ByEmail, ByOther storeLookup[community.Person]
	}
	readPerson := func(st orgspace.Store) (any, error) {
		var r personReads
		var errs [3]error
		r.Person, errs[0] = st.Person("person-rt")
		r.ByEmail, errs[1] = storeLookupOf(func() (community.Person, error) { return st.PersonByEmail(person.Email) })
		r.ByOther, errs[2] = storeLookupOf(func() (community.Person, error) { return st.PersonByEmail(changedPerson.Email) })
		return r, errors.Join(errs[:]...)
	}

	part := withAnswers(sf.participation("ev-1", "person-4", community.Applied),
		community.Answers{"fld-1": {"S"}, "fld-4": {"nuts", "gluten", "nuts"}, "fld-2": {"Ünïcode, \"quoted\"\nand two lines"}})
	part.AppliedAt, part.UpdatedAt = at(3*time.Minute), at(3*time.Minute)
	changedPart := part
	changedPart.Status, changedPart.Worked, changedPart.UpdatedAt, changedPart.UpdatedBy = community.Accepted, 5*time.Hour+time.Nanosecond, at(4*time.Hour), "operator:op-1"
	changedPart.Answers = community.Answers{"fld-4": {"gluten"}}
	type participationReads struct {
		Participation     community.Participation
		OfEvent, OfPerson []community.Participation
	}
	readParticipation := func(e community.EventID, p community.PersonID, after community.PersonID) func(st orgspace.Store) (any, error) {
		return func(st orgspace.Store) (any, error) {
			var r participationReads
			var errs [3]error
			r.Participation, errs[0] = st.Participation(e, p)
			r.OfEvent, errs[1] = st.ParticipationsOfEvent(e, after, 1)
			r.OfPerson, errs[2] = st.ParticipationsOfPerson(p)
			return r, errors.Join(errs[:]...)
		}
	}

	roster := community.Roster{sf.rosterEntry("person-1"), sf.rosterEntry("person-2"), sf.rosterEntry("person-4")}
	roster[1].Worked, roster[1].BirthDate, roster[1].Home = 0, time.Time{}, community.Location{}
	roster[2].Worked, roster[2].Home = time.Nanosecond, community.Location{Lat: 1e-300, Lon: -1.7976931348623157e308}
	changedRoster := community.Roster{sf.rosterEntry("person-3")}
	type rosterReads struct {
		Roster  community.Roster
		Rosters map[community.EventID]community.Roster
	}
	readRoster := func(st orgspace.Store) (any, error) {
		r := rosterReads{Rosters: map[community.EventID]community.Roster{}}
		var errs [2]error
		r.Roster, errs[0] = st.Roster("ev-2")
		errs[1] = st.Rosters([]community.EventID{"ev-2"}, func(e community.EventID, x community.Roster) error {
			r.Rosters[e] = x
			return nil
		})
		return r, errors.Join(errs[:]...)
	}

	field := choiceField(sf.field("fld-rt", "org-1", "Shift"), community.FieldChoices, "morning", "afternoon", "evening")
	field.Required, field.Visibility, field.CreatedAt, field.UpdatedAt = true, community.OrgOnly, at(5*time.Minute), at(5*time.Minute)
	changedField := field
	changedField.Label, changedField.Type, changedField.Options = "Shift wanted", community.FieldChoice, []string{"evening", "morning"}
	changedField.Required, changedField.Visibility, changedField.UpdatedAt = false, community.Public, at(6*time.Hour)
	yesNo := sf.field("fld-rt-yn", "org-2", "Driving licence")
	yesNo.Type = community.FieldYesNo
	type fieldReads struct {
		Field       community.Field
		FieldsOfOrg []community.Field
	}
	readField := func(id community.FieldID, o org.OrganisationID) func(st orgspace.Store) (any, error) {
		return func(st orgspace.Store) (any, error) {
			var r fieldReads
			var errs [2]error
			r.Field, errs[0] = st.Field(id)
			r.FieldsOfOrg, errs[1] = st.FieldsOfOrg(o)
			return r, errors.Join(errs[:]...)
		}
	}
	org1Fields := []community.Field{base.Fields[0], base.Fields[1], base.Fields[3]}

	type managerReads struct {
		Managers  []org.UserID
		IsManager [3]bool
	}
	readManagers := func(st orgspace.Store) (any, error) {
		var r managerReads
		var errs [4]error
		r.Managers, errs[0] = st.ManagersOfEvent("ev-2")
		r.IsManager[0], errs[1] = st.IsEventManager("ev-2", "user-3")
		r.IsManager[1], errs[2] = st.IsEventManager("ev-2", "user-1")
		r.IsManager[2], errs[3] = st.IsEventManager("ev-1", "user-3")
		return r, errors.Join(errs[:]...)
	}

	// Empty slices and maps read back nil.
	bare := sf.communityEvent("ev-bare", "org-2")
	bare.Fields = []community.FieldID{}
	bareWant := bare
	bareWant.Fields = nil
	bareField := sf.field("fld-bare", "org-2", "Bare")
	bareField.Options = []string{}
	bareFieldWant := bareField
	bareFieldWant.Options = nil
	barePart := withAnswers(sf.participation("ev-2", "person-2", community.Declined), community.Answers{})
	barePartWant := barePart
	barePartWant.Answers = nil

	cases := []struct {
		name    string
		write   func(st orgspace.Store) error
		get     func(st orgspace.Store) (any, error)
		want    any
		change  func(st orgspace.Store) error // nil: nothing to change
		changed any
	}{{
		name:    "Event",
		write:   func(st orgspace.Store) error { return st.InsertEvent(event) },
		get:     readEvent("ev-rt", "org-1"),
		want:    eventReads{event, []community.Event{base.Events[0], base.Events[1], event}, []community.Event{event}},
		change:  func(st orgspace.Store) error { return st.UpdateEvent(changedEvent) },
		changed: eventReads{changedEvent, []community.Event{base.Events[0], base.Events[1], changedEvent}, []community.Event{changedEvent}},
	}, {
		name:    "EventWithEmptyFieldsReadsNil",
		write:   func(st orgspace.Store) error { return st.InsertEvent(bare) },
		get:     readEvent("ev-bare", "org-2"),
		want:    eventReads{bareWant, []community.Event{base.Events[2], bareWant}, []community.Event{bareWant}},
		change:  func(st orgspace.Store) error { return st.UpdateEvent(bare) },
		changed: eventReads{bareWant, []community.Event{base.Events[2], bareWant}, []community.Event{bareWant}},
	}, {
		name:    "Person",
		write:   func(st orgspace.Store) error { return st.PutPerson(person) },
		get:     readPerson,
		want:    personReads{person, storeLookup[community.Person]{true, person}, storeLookup[community.Person]{}},
		change:  func(st orgspace.Store) error { return st.PutPerson(changedPerson) },
		changed: personReads{changedPerson, storeLookup[community.Person]{}, storeLookup[community.Person]{true, changedPerson}},
	}, {
		name:  "PersonWithoutBirthDate",
		write: func(st orgspace.Store) error { return st.PutPerson(unborn) },
		get:   func(st orgspace.Store) (any, error) { return st.Person("person-unborn") },
		want:  unborn,
	}, {
		name:    "Participation",
		write:   func(st orgspace.Store) error { return st.InsertParticipation(part) },
		get:     readParticipation("ev-1", "person-4", "person-3"),
		want:    participationReads{part, []community.Participation{part}, []community.Participation{part}},
		change:  func(st orgspace.Store) error { return st.UpdateParticipation(changedPart) },
		changed: participationReads{changedPart, []community.Participation{changedPart}, []community.Participation{changedPart}},
	}, {
		name:  "ParticipationWithEmptyAnswersReadsNil",
		write: func(st orgspace.Store) error { return st.InsertParticipation(barePart) },
		get:   readParticipation("ev-2", "person-2", "person-1"),
		want:  participationReads{barePartWant, []community.Participation{barePartWant}, []community.Participation{base.Participations[1], barePartWant}},
		change: func(st orgspace.Store) error {
			return st.UpdateParticipation(withAnswers(barePart, community.Answers{}))
		},
		changed: participationReads{barePartWant, []community.Participation{barePartWant}, []community.Participation{base.Participations[1], barePartWant}},
	}, {
		name:    "Roster",
		write:   func(st orgspace.Store) error { return st.PutRoster("ev-2", roster) },
		get:     readRoster,
		want:    rosterReads{roster, map[community.EventID]community.Roster{"ev-2": roster}},
		change:  func(st orgspace.Store) error { return st.PutRoster("ev-2", changedRoster) },
		changed: rosterReads{changedRoster, map[community.EventID]community.Roster{"ev-2": changedRoster}},
	}, {
		name:    "Field",
		write:   func(st orgspace.Store) error { return st.InsertField(field) },
		get:     readField("fld-rt", "org-1"),
		want:    fieldReads{field, append(slices.Clone(org1Fields), field)},
		change:  func(st orgspace.Store) error { return st.UpdateField(changedField) },
		changed: fieldReads{changedField, append(slices.Clone(org1Fields), changedField)},
	}, {
		name:  "FieldYesNo",
		write: func(st orgspace.Store) error { return st.InsertField(yesNo) },
		get:   func(st orgspace.Store) (any, error) { return st.Field("fld-rt-yn") },
		want:  yesNo,
	}, {
		name:    "FieldWithEmptyOptionsReadsNil",
		write:   func(st orgspace.Store) error { return st.InsertField(bareField) },
		get:     func(st orgspace.Store) (any, error) { return st.Field("fld-bare") },
		want:    bareFieldWant,
		change:  func(st orgspace.Store) error { return st.UpdateField(bareField) },
		changed: bareFieldWant,
	}, {
		name: "LastAnswers",
		write: func(st orgspace.Store) error {
			return st.PutLastAnswers("person-4", community.Answers{"fld-1": {"S"}, "fld-4": {"nuts", "gluten"}})
		},
		get: func(st orgspace.Store) (any, error) {
			return st.LastAnswers("person-4", []community.FieldID{"fld-1", "fld-2", "fld-4", "fld-x"})
		},
		want: community.Answers{"fld-1": {"S"}, "fld-4": {"nuts", "gluten"}},
		change: func(st orgspace.Store) error {
			return st.PutLastAnswers("person-4", community.Answers{"fld-4": {"gluten"}})
		},
		changed: community.Answers{"fld-1": {"S"}, "fld-4": {"gluten"}},
	}, {
		name: "LastAnswersOfOtherFieldsAreNil",
		write: func(st orgspace.Store) error {
			return st.PutLastAnswers("person-3", community.Answers{"fld-2": {"none"}})
		},
		get: func(st orgspace.Store) (any, error) {
			return st.LastAnswers("person-3", []community.FieldID{"fld-1", "fld-4"})
		},
		want: community.Answers(nil),
	}, {
		name: "Managers",
		write: func(st orgspace.Store) error {
			return errors.Join(st.PutEventManager("ev-2", "user-3"), st.PutEventManager("ev-2", "user-1"), st.PutEventManager("ev-2", "user-3"))
		},
		get:     readManagers,
		want:    managerReads{[]org.UserID{"user-1", "user-3"}, [3]bool{true, true, false}},
		change:  func(st orgspace.Store) error { return st.DeleteEventManager("ev-2", "user-1") },
		changed: managerReads{[]org.UserID{"user-3"}, [3]bool{true, false, false}},
	}, {
		name:  "Member",
		write: func(st orgspace.Store) error { return st.AdjustMember("org-2", "person-4", 2) },
		get: func(st orgspace.Store) (any, error) {
			return st.DirectMembers(community.MemberQuery{Org: "org-2", Limit: 10})
		},
		want:    []community.Member{{Person: base.Persons[2], Events: 1}, {Person: base.Persons[3], Events: 2}},
		change:  func(st orgspace.Store) error { return st.AdjustMember("org-2", "person-4", 3) },
		changed: []community.Member{{Person: base.Persons[2], Events: 1}, {Person: base.Persons[3], Events: 5}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			db.update(tc.write)
			db.billingReadBack(tc.get, tc.want, false)
			if tc.change != nil {
				db.update(tc.change)
				db.billingReadBack(tc.get, tc.changed, false)
			}
		})
	}
}

// storeCommunityDuplicates writes community objects whose key is taken:
// each write fails with ErrAlreadyExists and changes nothing. The same
// field label in another organisation, a person's own email, a field's
// own label and a label another field gave up are no duplicates.
func storeCommunityDuplicates(t *testing.T, db storeDB) {
	head := db.seedCommunity(communityBase())
	p := communityBaseProbe()
	before := db.communitySnapshot(p)
	takenEmail := sf.person("person-9", "Nine")
	takenEmail.Email = "person-1@people.example.com"
	cases := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"EventID", func(st orgspace.Store) error { return st.InsertEvent(sf.communityEvent("ev-1", "org-2")) }},
		{"EventIDTakenInTheSameUpdate", func(st orgspace.Store) error {
			return errors.Join(st.InsertEvent(sf.communityEvent("ev-9", "org-1")), st.InsertEvent(sf.communityEvent("ev-9", "org-1")))
		}},
		{"ParticipationOfAPersonInAnEvent", func(st orgspace.Store) error {
			return st.InsertParticipation(sf.participation("ev-1", "person-1", community.Applied))
		}},
		{"PersonEmailOnInsert", func(st orgspace.Store) error { return st.PutPerson(takenEmail) }},
		{"PersonEmailOnUpdate", func(st orgspace.Store) error {
			p := sf.person("person-2", "bob")
			p.Email = "person-1@people.example.com"
			return st.PutPerson(p)
		}},
		{"FieldID", func(st orgspace.Store) error { return st.InsertField(sf.field("fld-1", "org-2", "Another label")) }},
		{"FieldLabelInItsOrganisation", func(st orgspace.Store) error { return st.InsertField(sf.field("fld-9", "org-1", "Diet")) }},
		{"UpdateFieldToATakenLabel", func(st orgspace.Store) error {
			return st.UpdateField(sf.field("fld-2", "org-1", "T-shirt size"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			rev, err := db.tryUpdate(tc.write)
			if !errors.Is(err, storage.ErrAlreadyExists) || rev != 0 {
				t.Errorf("Update = %d, %v; want 0 and ErrAlreadyExists", rev, err)
			}
			db.requireCommunityUnchanged(t, p, before)
		})
	}
	if h := db.head(); h != head {
		t.Errorf("Head = %d, want %d", h, head)
	}

	t.Run("NoDuplicates", func(t *testing.T) {
		db := db.on(t)
		sameEmail := sf.person("person-1", "Alice Renamed")
		diet := sf.field("fld-2", "org-1", "Diet")
		diet.Required = true
		food := sf.field("fld-4", "org-1", "Food")
		dietAgain := sf.field("fld-9", "org-1", "Allergies")
		elsewhere := sf.field("fld-8", "org-2", "Diet")
		db.update(func(st orgspace.Store) error {
			return errors.Join(
				st.PutPerson(sameEmail),
				st.UpdateField(diet),
				st.UpdateField(food),
				st.InsertField(dietAgain),
				st.InsertField(elsewhere),
			)
		})
		db.view(func(st orgspace.Store) error {
			for _, want := range []community.Field{diet, food, dietAgain, elsewhere} {
				got, err := st.Field(want.ID)
				if err != nil {
					t.Errorf("Field(%s): %v", want.ID, err)
				} else if got.Label != want.Label || got.Org != want.Org {
					t.Errorf("Field(%s) = %q of %s, want %q of %s", want.ID, got.Label, got.Org, want.Label, want.Org)
				}
			}
			got, err := st.PersonByEmail(sameEmail.Email)
			if err != nil || got.Name != sameEmail.Name {
				t.Errorf("PersonByEmail(%s) = %+v, %v; want %q", sameEmail.Email, got, err, sameEmail.Name)
			}
			return nil
		})
	})
}

// storeCommunityNotFound looks up and updates community objects that do
// not exist: ErrNotFound, and nothing changes. Listings and lookups of
// unknown keys that are not errors are empty.
func storeCommunityNotFound(t *testing.T, db storeDB) {
	db.seedCommunity(communityBase())
	p := communityBaseProbe()
	before := db.communitySnapshot(p)
	ignore := func(_ any, err error) error { return err }
	reads := []struct {
		name string
		read func(st orgspace.Store) error
	}{
		{"CommunityEvent", func(st orgspace.Store) error { return ignore(st.CommunityEvent("ev-x")) }},
		{"Person", func(st orgspace.Store) error { return ignore(st.Person("person-x")) }},
		{"PersonByEmail", func(st orgspace.Store) error { return ignore(st.PersonByEmail("nobody@people.example.com")) }},
		{"ParticipationOfAPersonNotInTheEvent", func(st orgspace.Store) error { return ignore(st.Participation("ev-1", "person-3")) }},
		{"ParticipationInAnUnknownEvent", func(st orgspace.Store) error { return ignore(st.Participation("ev-x", "person-1")) }},
		{"Field", func(st orgspace.Store) error { return ignore(st.Field("fld-x")) }},
	}
	for _, tc := range reads {
		t.Run(tc.name, func(t *testing.T) {
			err := db.on(t).tx.View(t.Context(), storage.Latest(), tc.read)
			if !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("error %v, want ErrNotFound", err)
			}
		})
	}
	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"UpdateEvent", func(st orgspace.Store) error { return st.UpdateEvent(sf.communityEvent("ev-x", "org-1")) }},
		{"UpdateParticipation", func(st orgspace.Store) error {
			return st.UpdateParticipation(sf.participation("ev-1", "person-3", community.Accepted))
		}},
		{"UpdateField", func(st orgspace.Store) error { return st.UpdateField(sf.field("fld-x", "org-1", "Unknown")) }},
		{"DeleteEventManagerOfANonManager", func(st orgspace.Store) error { return st.DeleteEventManager("ev-1", "user-1") }},
		{"DeleteEventManagerOfAnotherEvent", func(st orgspace.Store) error { return st.DeleteEventManager("ev-2", "user-2") }},
		{"DeleteEventManagerTwice", func(st orgspace.Store) error {
			return errors.Join(st.DeleteEventManager("ev-1", "user-2"), st.DeleteEventManager("ev-1", "user-2"))
		}},
	}
	for _, tc := range writes {
		t.Run(tc.name, func(t *testing.T) {
			db := db.on(t)
			rev, err := db.tryUpdate(tc.write)
			if !errors.Is(err, storage.ErrNotFound) || rev != 0 {
				t.Errorf("Update = %d, %v; want 0 and ErrNotFound", rev, err)
			}
			db.requireCommunityUnchanged(t, p, before)
		})
	}
	for what, n := range map[string]int{
		"EventsOfOrg(org-x)":               len(before.EventsOfOrg["org-x"]),
		"DirectMembers(org-x)":             len(before.Members["org-x"]),
		"FieldsOfOrg(org-x)":               len(before.FieldsOfOrg["org-x"]),
		"ParticipationsOfEvent(ev-x)":      len(before.ParticipationsOfEvent["ev-x"]),
		"ParticipationsOfPerson(person-x)": len(before.ParticipationsOfPerson["person-x"]),
		"ManagersOfEvent(ev-x)":            len(before.Managers["ev-x"]),
	} {
		if n != 0 {
			t.Errorf("%s lists %d, want none", what, n)
		}
	}
	for _, k := range []string{"ev-x", "ev-2"} {
		if r := before.Roster[k]; r != nil {
			t.Errorf("Roster(%s) = %#v, want nil", k, r)
		}
	}
	for _, k := range []string{"person-x", "person-2"} {
		if a := before.LastAnswers[k]; a != nil {
			t.Errorf("LastAnswers(%s) = %#v, want nil", k, a)
		}
	}
	if before.FieldInUse["fld-x"] || before.IsManager["ev-x/user-2"] {
		t.Errorf("FieldInUse(fld-x) = %v, IsEventManager(ev-x, user-2) = %v; want false", before.FieldInUse["fld-x"], before.IsManager["ev-x/user-2"])
	}
}

// storeCommunityUpdatesWriteOnlyTheirFields updates an event, a
// participation, a field and a person with every field changed: only the
// fields each update names change (PutPerson: all but CreatedAt), and the
// listings and lookups by the other fields still find them where they were.
func storeCommunityUpdatesWriteOnlyTheirFields(t *testing.T, db storeDB) {
	base := communityBase()
	db.seedCommunity(base)
	p := communityBaseProbe()
	p.Emails = append(p.Emails, "alice@elsewhere.example.com")
	before := db.communitySnapshot(p)
	later := communityT0.Add(5*time.Hour + time.Nanosecond)

	event := community.Event{
		ID: "ev-1", Org: "org-2", Name: "Changed", Start: later, End: later.Add(time.Hour), TimeZone: "Asia/Tokyo",
		Location: community.Location{Lat: 35.6762, Lon: 139.6503}, Fields: []community.FieldID{"fld-4"}, Archived: true,
		Participants: 7, CreatedAt: later, CreatedBy: "someone else", UpdatedAt: later,
	}
	wantEvent := event
	wantEvent.Org, wantEvent.CreatedAt, wantEvent.CreatedBy = base.Events[0].Org, base.Events[0].CreatedAt, base.Events[0].CreatedBy

	part := community.Participation{
		Event: "ev-1", Person: "person-1", Status: community.Withdrawn, Answers: community.Answers{"fld-4": {"nuts"}},
		Worked: 2 * time.Hour, AppliedAt: later, UpdatedAt: later, UpdatedBy: "user:user-3",
	}
	wantPart := part
	wantPart.AppliedAt = base.Participations[0].AppliedAt

	field := community.Field{
		ID: "fld-1", Org: "org-2", Label: "Size", Type: community.FieldChoices, Options: []string{"XS", "S"},
		Required: true, Visibility: community.OrgOnly, CreatedAt: later, UpdatedAt: later,
	}
	wantField := field
	wantField.Org, wantField.CreatedAt = base.Fields[0].Org, base.Fields[0].CreatedAt

	person := community.Person{
		ID: "person-1", Name: "Alicia", Email: "alice@elsewhere.example.com", BirthDate: time.Date(1985, time.July, 14, 0, 0, 0, 0, time.UTC),
		Home: community.Location{Lat: 45.764, Lon: 4.8357}, CreatedAt: later, UpdatedAt: later,
	}
	wantPerson := person
	wantPerson.CreatedAt = base.Persons[0].CreatedAt

	db.update(func(st orgspace.Store) error {
		return errors.Join(st.UpdateEvent(event), st.UpdateParticipation(part), st.UpdateField(field), st.PutPerson(person))
	})
	after := db.communitySnapshot(p)
	withParticipation := func(ps []community.Participation) []community.Participation {
		out := slices.Clone(ps)
		for i := range out {
			if out[i].Event == part.Event && out[i].Person == part.Person {
				out[i] = wantPart
			}
		}
		return out
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"CommunityEvent(ev-1)", after.Event["ev-1"], storeLookup[community.Event]{Found: true, Value: wantEvent}},
		{"EventsOfOrg(org-1)", after.EventsOfOrg["org-1"], []community.Event{wantEvent, base.Events[1]}},
		{"EventsOfOrg(org-2)", after.EventsOfOrg["org-2"], before.EventsOfOrg["org-2"]},
		{"Participation(ev-1, person-1)", after.Participation["ev-1/person-1"], storeLookup[community.Participation]{Found: true, Value: wantPart}},
		{"ParticipationsOfEvent(ev-1)", after.ParticipationsOfEvent["ev-1"], withParticipation(before.ParticipationsOfEvent["ev-1"])},
		{"ParticipationsOfPerson(person-1)", after.ParticipationsOfPerson["person-1"], withParticipation(before.ParticipationsOfPerson["person-1"])},
		{"Field(fld-1)", after.Field["fld-1"], storeLookup[community.Field]{Found: true, Value: wantField}},
		{"FieldsOfOrg(org-1)", after.FieldsOfOrg["org-1"], []community.Field{wantField, base.Fields[1], base.Fields[3]}},
		{"FieldsOfOrg(org-2)", after.FieldsOfOrg["org-2"], before.FieldsOfOrg["org-2"]},
		{"Person(person-1)", after.Person["person-1"], storeLookup[community.Person]{Found: true, Value: wantPerson}},
		{"PersonByEmail(the new email)", after.PersonByEmail[person.Email], storeLookup[community.Person]{Found: true, Value: wantPerson}},
		{"PersonByEmail(the old email)", after.PersonByEmail[base.Persons[0].Email].Found, false},
		{"DirectMembers(org-1)", after.Members["org-1"], []community.Member{{Person: wantPerson, Events: 1}}},
		// fld-2 was in ev-1/person-1's answers only; fld-4 is now.
		{"FieldInUse", after.FieldInUse, map[string]bool{"fld-1": true, "fld-2": false, "fld-3": true, "fld-4": true, "fld-9": false, "fld-x": false}},
	} {
		if diff := storeDiff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}
}

// answersWithRoom deep-copies a into slices with spare capacity, so that
// an append past a value's end by the caller writes into the same array.
func answersWithRoom(a community.Answers) community.Answers {
	out := community.Answers{}
	for f, vs := range a {
		out[f] = slices3(vs)
	}
	return out
}

// scribbleAnswers changes a's values in place and past their end, and the
// map itself (when it has one).
func scribbleAnswers(a community.Answers) {
	if a == nil {
		return
	}
	for f, vs := range a {
		for i := range vs {
			vs[i] = "scribbled"
		}
		_ = append(vs, "scribbled")
		a[f] = []string{"replaced"}
	}
	a["fld-scribbled"] = []string{"scribbled"}
}

func scribbleEvent(e *community.Event) {
	e.Name = "scribbled"
	for i := range e.Fields {
		e.Fields[i] = "scribbled"
	}
	_ = append(e.Fields, "scribbled")
}

func scribbleField(f *community.Field) {
	f.Label = "scribbled"
	for i := range f.Options {
		f.Options[i] = "scribbled"
	}
	_ = append(f.Options, "scribbled")
}

func scribbleRoster(r community.Roster) {
	for i := range r {
		r[i].Person, r[i].Worked = "scribbled", -1
	}
	_ = append(r, community.RosterEntry{Person: "scribbled"})
}

// storeCommunityCopies checks that a caller cannot change the store
// through the slices and maps of what it wrote (an event's fields, a
// participation's answers, a field's options, a roster, last answers),
// nor through the values, slices and maps it read.
func storeCommunityCopies(t *testing.T, db storeDB) {
	db.seedCommunity(communityBase())
	p := communityBaseProbe()
	event := sf.communityEvent("ev-9", "org-1")
	event.Fields = []community.FieldID{"fld-1", "fld-2"}
	changedEvent := event
	changedEvent.Fields = []community.FieldID{"fld-4", "fld-2"}
	part := withAnswers(sf.participation("ev-9", "person-4", community.Applied), community.Answers{"fld-1": {"S"}, "fld-4": {"nuts", "gluten"}})
	changedPart := withAnswers(part, community.Answers{"fld-4": {"gluten", "nuts"}})
	field := choiceField(sf.field("fld-9", "org-1", "Colour"), community.FieldChoice, "red", "blue")
	changedField := choiceField(field, community.FieldChoices, "green", "red", "blue")
	roster := community.Roster{sf.rosterEntry("person-1"), sf.rosterEntry("person-4")}
	last := community.Answers{"fld-4": {"nuts", "gluten"}, "fld-2": {"vegan"}}

	db.update(func(st orgspace.Store) error {
		e := event
		e.Fields = slices3(event.Fields)
		x := withAnswers(part, answersWithRoom(part.Answers))
		f := field
		f.Options = slices3(field.Options)
		r := slices3(roster)
		a := answersWithRoom(last)
		err := errors.Join(st.InsertEvent(e), st.InsertParticipation(x), st.InsertField(f), st.PutRoster("ev-9", r), st.PutLastAnswers("person-4", a))
		scribbleEvent(&e)
		scribbleAnswers(x.Answers)
		scribbleField(&f)
		scribbleRoster(r)
		scribbleAnswers(a)
		return err
	})
	db.update(func(st orgspace.Store) error {
		e := changedEvent
		e.Fields = slices3(changedEvent.Fields)
		x := withAnswers(changedPart, answersWithRoom(changedPart.Answers))
		f := changedField
		f.Options = slices3(changedField.Options)
		err := errors.Join(st.UpdateEvent(e), st.UpdateParticipation(x), st.UpdateField(f))
		scribbleEvent(&e)
		scribbleAnswers(x.Answers)
		scribbleField(&f)
		return err
	})
	before := db.communitySnapshot(p)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"CommunityEvent(ev-9)", before.Event["ev-9"], storeLookup[community.Event]{Found: true, Value: changedEvent}},
		{"Participation(ev-9, person-4)", before.Participation["ev-9/person-4"], storeLookup[community.Participation]{Found: true, Value: changedPart}},
		{"Field(fld-9)", before.Field["fld-9"], storeLookup[community.Field]{Found: true, Value: changedField}},
		{"Roster(ev-9)", before.Roster["ev-9"], roster},
		{"LastAnswers(person-4)", before.LastAnswers["person-4"], last},
	} {
		if diff := storeDiff(c.want, c.got); diff != "" {
			t.Errorf("after scribbling on its input: %s (-want +got):\n%s", c.what, diff)
		}
	}

	events := []community.EventID{"ev-1", "ev-2", "ev-3", "ev-9"}
	scribbleAll := func(st orgspace.Store) error {
		var errs []error
		for _, e := range events {
			ev, err := st.CommunityEvent(e)
			scribbleEvent(&ev)
			r, err2 := st.Roster(e)
			scribbleRoster(r)
			ps, err3 := st.ParticipationsOfEvent(e, "", 10)
			for _, x := range ps {
				scribbleAnswers(x.Answers)
			}
			_ = append(ps, community.Participation{})
			ms, err4 := st.ManagersOfEvent(e)
			for i := range ms {
				ms[i] = "scribbled"
			}
			_ = append(ms, "scribbled")
			errs = append(errs, err, err2, err3, err4)
		}
		x, err := st.Participation("ev-9", "person-4")
		scribbleAnswers(x.Answers)
		errs = append(errs, err)
		for _, person := range []community.PersonID{"person-1", "person-4"} {
			ps, err := st.ParticipationsOfPerson(person)
			for _, x := range ps {
				scribbleAnswers(x.Answers)
			}
			_ = append(ps, community.Participation{})
			a, err2 := st.LastAnswers(person, []community.FieldID{"fld-1", "fld-2", "fld-4"})
			scribbleAnswers(a)
			errs = append(errs, err, err2)
		}
		for _, o := range []org.OrganisationID{"org-1", "org-2"} {
			fs, err := st.FieldsOfOrg(o)
			for i := range fs {
				scribbleField(&fs[i])
			}
			_ = append(fs, community.Field{})
			ms, err2 := st.DirectMembers(community.MemberQuery{Org: o, Limit: 10})
			for i := range ms {
				ms[i].Person.Name = "scribbled"
			}
			_ = append(ms, community.Member{})
			err3 := st.EventsOfOrg(o, func(e community.Event) error {
				scribbleEvent(&e)
				return nil
			})
			errs = append(errs, err, err2, err3)
		}
		f, err := st.Field("fld-9")
		scribbleField(&f)
		errs = append(errs, err,
			st.EventsIn(events, func(e community.Event) error {
				scribbleEvent(&e)
				return nil
			}),
			st.Rosters(events, func(_ community.EventID, r community.Roster) error {
				scribbleRoster(r)
				return nil
			}))
		return errors.Join(errs...)
	}
	db.view(scribbleAll)
	db.requireCommunityUnchanged(t, p, before)
	// Inside a write transaction, where a backend may hand out what it
	// staged, and then reading on in the same transaction.
	var inside communitySnapshot
	db.update(func(st orgspace.Store) (err error) {
		if err := scribbleAll(st); err != nil {
			return err
		}
		inside, err = takeCommunitySnapshot(st, p)
		return err
	})
	if diff := storeDiff(before, inside); diff != "" {
		t.Errorf("inside the transaction that scribbled, the community changed (-before +after):\n%s", diff)
	}
	db.requireCommunityUnchanged(t, p, before)
}

// storeCommunityListings writes events, fields, people, participations
// and managers of two organisations in scrambled order: each listing
// holds exactly its objects in its key order, EventsIn skips unknown IDs,
// and ParticipationsOfEvent pages by person from any cursor.
func storeCommunityListings(t *testing.T, db storeDB) {
	var s communitySeed
	ns := []int{7, 2, 9, 4, 1, 8, 3, 6, 5}
	statuses := []community.Status{community.Applied, community.Accepted, community.Declined, community.Withdrawn}
	for _, n := range ns {
		o := "org-1"
		if n%3 == 0 {
			o = "org-2"
		}
		e, person := fmt.Sprintf("ev-%02d", n), fmt.Sprintf("person-%02d", n)
		s.Events = append(s.Events, sf.communityEvent(e, o))
		s.Fields = append(s.Fields, sf.field(fmt.Sprintf("fld-%02d", n), o, fmt.Sprintf("Label %d", n)))
		s.Persons = append(s.Persons, sf.person(person, fmt.Sprintf("Person %d", n)))
	}
	// Everyone takes part in ev-01, and each person n in ev-n too.
	for _, n := range ns {
		person := fmt.Sprintf("person-%02d", n)
		s.Participations = append(s.Participations, sf.participation("ev-01", person, statuses[n%4]))
		if n != 1 {
			s.Participations = append(s.Participations, sf.participation(fmt.Sprintf("ev-%02d", n), person, community.Accepted))
		}
	}
	s.Managers = [][2]string{{"ev-01", "user-3"}, {"ev-01", "user-1"}, {"ev-02", "user-2"}, {"ev-01", "user-2"}}
	db.seedCommunity(s)

	byEvent := func(a, b community.Event) int { return cmp.Compare(a.ID, b.ID) }
	byField := func(a, b community.Field) int { return cmp.Compare(a.ID, b.ID) }
	byPerson := func(a, b community.Participation) int { return cmp.Compare(a.Person, b.Person) }
	inEvent := func(e community.EventID) []community.Participation {
		return storeFilterSorted(s.Participations, func(p community.Participation) bool { return p.Event == e }, byPerson)
	}
	db.view(func(st orgspace.Store) error {
		for _, o := range []org.OrganisationID{"org-1", "org-2", "org-3"} {
			got, err := communityCollect(func(fn func(community.Event) error) error { return st.EventsOfOrg(o, fn) })
			want := storeFilterSorted(s.Events, func(e community.Event) bool { return e.Org == o }, byEvent)
			if diff := storeDiff(want, got); err != nil || diff != "" {
				t.Errorf("EventsOfOrg(%s): %v (-want +got):\n%s", o, err, diff)
			}
			fs, err := st.FieldsOfOrg(o)
			wantFields := storeFilterSorted(s.Fields, func(f community.Field) bool { return f.Org == o }, byField)
			if diff := storeDiff(wantFields, fs); err != nil || diff != "" {
				t.Errorf("FieldsOfOrg(%s): %v (-want +got):\n%s", o, err, diff)
			}
		}
		ids := []community.EventID{"ev-05", "ev-x", "ev-02", "ev-09", "ev-00"}
		got, err := communityCollect(func(fn func(community.Event) error) error { return st.EventsIn(ids, fn) })
		want := storeFilterSorted(s.Events, func(e community.Event) bool { return slices.Contains(ids, e.ID) }, byEvent)
		if diff := storeDiff(want, got); err != nil || len(want) != 3 || diff != "" {
			t.Errorf("EventsIn(%v): %v (-want +got):\n%s", ids, err, diff)
		}
		if got, err := communityCollect(func(fn func(community.Event) error) error { return st.EventsIn(nil, fn) }); err != nil || len(got) != 0 {
			t.Errorf("EventsIn(nil) = %v, %v; want none", got, err)
		}

		all := inEvent("ev-01")
		for _, limit := range []int{1, 2, 4, len(all), len(all) + 1} {
			var pages [][]community.Participation
			var after community.PersonID
			for range len(all) + 2 {
				page, err := st.ParticipationsOfEvent("ev-01", after, limit)
				if err != nil {
					return err
				}
				if len(page) == 0 {
					break
				}
				pages = append(pages, page)
				after = page[len(page)-1].Person
			}
			for i, page := range pages {
				if len(page) > limit || i < len(pages)-1 && len(page) != limit {
					t.Errorf("ParticipationsOfEvent with limit %d: page %d holds %d", limit, i, len(page))
				}
			}
			if diff := storeDiff(all, slices.Concat(pages...)); diff != "" {
				t.Errorf("ParticipationsOfEvent paged by %d (-want +got):\n%s", limit, diff)
			}
		}
		for _, c := range []struct {
			after community.PersonID
			limit int
			want  []community.Participation
		}{
			{"person-05", 2, all[5:7]},
			{"person-045", 2, all[4:6]}, // a cursor between two people
			{"person-09", 5, nil},
			{"", 3, all[:3]},
		} {
			got, err := st.ParticipationsOfEvent("ev-01", c.after, c.limit)
			if diff := storeDiff(c.want, got); err != nil || diff != "" {
				t.Errorf("ParticipationsOfEvent(ev-01, %q, %d): %v (-want +got):\n%s", c.after, c.limit, err, diff)
			}
		}
		if got, err := st.ParticipationsOfEvent("ev-07", "", 10); err != nil || storeDiff(inEvent("ev-07"), got) != "" {
			t.Errorf("ParticipationsOfEvent(ev-07) = %+v, %v; want %+v", got, err, inEvent("ev-07"))
		}

		for _, person := range []community.PersonID{"person-01", "person-03", "person-x"} {
			got, err := st.ParticipationsOfPerson(person)
			want := storeFilterSorted(s.Participations, func(p community.Participation) bool { return p.Person == person },
				func(a, b community.Participation) int { return cmp.Compare(a.Event, b.Event) })
			if diff := storeDiff(want, got); err != nil || diff != "" {
				t.Errorf("ParticipationsOfPerson(%s): %v (-want +got):\n%s", person, err, diff)
			}
		}

		for e, want := range map[community.EventID][]org.UserID{"ev-01": {"user-1", "user-2", "user-3"}, "ev-02": {"user-2"}, "ev-03": nil} {
			got, err := st.ManagersOfEvent(e)
			if diff := storeDiff(want, got); err != nil || diff != "" {
				t.Errorf("ManagersOfEvent(%s): %v (-want +got):\n%s", e, err, diff)
			}
		}
		return nil
	})
}

// storeCommunityListingLimit refuses community listings whose limit is
// not positive.
func storeCommunityListingLimit(t *testing.T, db storeDB) {
	db.seedCommunity(communityBase())
	members := func(q community.MemberQuery) func(st orgspace.Store, limit int) error {
		return func(st orgspace.Store, limit int) error {
			q.Limit = limit
			_, err := st.DirectMembers(q)
			return err
		}
	}
	listings := []struct {
		name string
		list func(st orgspace.Store, limit int) error
	}{
		{"ParticipationsOfEvent", func(st orgspace.Store, limit int) error {
			_, err := st.ParticipationsOfEvent("ev-1", "", limit)
			return err
		}},
		{"DirectMembers", members(community.MemberQuery{Org: "org-1"})},
		{"DirectMembersWithText", members(community.MemberQuery{Org: "org-1", Text: "ali"})},
		{"DirectMembersOfAnEvent", members(community.MemberQuery{Org: "org-1", Event: "ev-1"})},
	}
	for _, l := range listings {
		for _, limit := range []int{0, -1} {
			t.Run(fmt.Sprintf("%s/%d", l.name, limit), func(t *testing.T) {
				err := db.on(t).tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error { return l.list(st, limit) })
				if !errors.Is(err, storage.ErrInvalidArgument) {
					t.Errorf("error %v, want ErrInvalidArgument", err)
				}
			})
		}
	}
}

// storeCommunityAllStopsAtError checks that EventsOfOrg, EventsIn and
// Rosters stop at their function's first error and return it.
func storeCommunityAllStopsAtError(t *testing.T, db storeDB) {
	s := communityBase()
	s.Rosters["ev-2"] = community.Roster{sf.rosterEntry("person-2")}
	db.seedCommunity(s)
	stop := errors.New("stop here")
	ids := []community.EventID{"ev-1", "ev-2", "ev-3"}
	streams := []struct {
		name   string
		stream func(st orgspace.Store, fn func() error) error
	}{
		{"EventsOfOrg", func(st orgspace.Store, fn func() error) error {
			return st.EventsOfOrg("org-1", func(community.Event) error { return fn() })
		}},
		{"EventsIn", func(st orgspace.Store, fn func() error) error {
			return st.EventsIn(ids, func(community.Event) error { return fn() })
		}},
		{"Rosters", func(st orgspace.Store, fn func() error) error {
			return st.Rosters(ids, func(community.EventID, community.Roster) error { return fn() })
		}},
	}
	for _, tc := range streams {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := db.on(t).tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error {
				return tc.stream(st, func() error {
					calls++
					return stop
				})
			})
			if !errors.Is(err, stop) || calls != 1 {
				t.Errorf("%d calls, error %v; want 1 call and the function's error", calls, err)
			}
		})
	}
}

// membersSeed is what the DirectMembers tests start from: five members of
// org-1 whose names differ in case and sort apart from their IDs, members
// of org-2, and participations in ev-1 of every status, one of someone
// who is no member.
func membersSeed() communitySeed {
	person := func(id, name, email string) community.Person {
		p := sf.person(id, name)
		p.Email = email
		return p
	}
	return communitySeed{
		Events: []community.Event{sf.communityEvent("ev-1", "org-1"), sf.communityEvent("ev-2", "org-1"), sf.communityEvent("ev-3", "org-2")},
		Persons: []community.Person{
			person("person-1", "bob", "bob@example.com"),
			person("person-2", "alice", "a.smith@example.org"),
			person("person-3", "Alice", "alice.jones@example.org"),
			person("person-4", "Zoë", "zoe@example.net"),
			person("person-5", "Carol", "xavier.carol@example.net"),
			person("person-6", "Dave", "dave@example.org"),
			person("person-7", "Eve", "eve@example.org"),
		},
		Participations: []community.Participation{
			sf.participation("ev-1", "person-1", community.Accepted),
			sf.participation("ev-1", "person-2", community.Withdrawn),
			sf.participation("ev-1", "person-3", community.Accepted),
			sf.participation("ev-1", "person-4", community.Applied),
			sf.participation("ev-1", "person-5", community.Declined),
			sf.participation("ev-1", "person-7", community.Accepted),
			sf.participation("ev-2", "person-5", community.Accepted),
			sf.participation("ev-3", "person-6", community.Accepted),
		},
		Members: []memberDelta{
			{"org-1", "person-1", 1}, {"org-1", "person-2", 2}, {"org-1", "person-3", 1}, {"org-1", "person-4", 1}, {"org-1", "person-5", 3},
			{"org-2", "person-6", 1}, {"org-2", "person-2", 1},
		},
	}
}

// membersProbe names membersSeed's keys.
func membersProbe() communityProbe {
	return communityProbe{
		Orgs:    []string{"org-1", "org-2"},
		Events:  []string{"ev-1", "ev-2", "ev-3"},
		Persons: []string{"person-1", "person-2", "person-3", "person-4", "person-5", "person-6", "person-7"},
	}
}

// membersByID looks up the members of o with the given IDs in s's
// snapshot, in that order: the listing a test expects.
func membersByID(t *testing.T, s communitySnapshot, o string, ids ...string) []community.Member {
	t.Helper()
	var out []community.Member
	for _, id := range ids {
		i := slices.IndexFunc(s.Members[o], func(m community.Member) bool { return string(m.Person.ID) == id })
		if i < 0 {
			t.Fatalf("%s is no member of %s: %+v", id, o, s.Members[o])
		}
		out = append(out, s.Members[o][i])
	}
	return out
}

// checkMemberPages pages through DirectMembers(q) with several limits and
// fails the test unless every paging returns want, each page full but the
// last.
func checkMemberPages(t *testing.T, db storeDB, q community.MemberQuery, want []community.Member) {
	t.Helper()
	db.on(t).view(func(st orgspace.Store) error {
		for _, limit := range []int{1, 2, 3, len(want), len(want) + 1} {
			if limit <= 0 {
				continue
			}
			pages, err := communityMemberPages(st, q, limit)
			if err != nil {
				t.Errorf("DirectMembers(%+v) by %d: %v", q, limit, err)
				continue
			}
			for i, page := range pages {
				if i < len(pages)-1 && len(page) != limit {
					t.Errorf("DirectMembers(%+v) by %d: page %d holds %d", q, limit, i, len(page))
				}
			}
			if diff := storeDiff(want, slices.Concat(pages...)); diff != "" {
				t.Errorf("DirectMembers(%+v) by %d (-want +got):\n%s", q, limit, diff)
			}
		}
		return nil
	})
}

// storeDirectMembersOrder lists direct members ordered by the NameKey of
// their name and then by ID, whatever the case of the names, with their
// number of events; keyset paging from any cursor returns each once.
// Members of another organisation and people accepted onto no event of
// the organisation are not listed.
func storeDirectMembersOrder(t *testing.T, db storeDB) {
	s := membersSeed()
	db.seedCommunity(s)
	persons := map[string]community.Person{}
	for _, p := range s.Persons {
		persons[string(p.ID)] = p
	}
	member := func(id string, events int) community.Member {
		return community.Member{Person: persons[id], Events: events}
	}
	org1 := []community.Member{member("person-2", 2), member("person-3", 1), member("person-1", 1), member("person-5", 3), member("person-4", 1)}
	org2 := []community.Member{member("person-2", 1), member("person-6", 1)}
	got := db.communitySnapshot(membersProbe())
	if diff := billingExact(org1, got.Members["org-1"]); diff != "" {
		t.Errorf("DirectMembers(org-1) (-want +got):\n%s", diff)
	}
	if diff := billingExact(org2, got.Members["org-2"]); diff != "" {
		t.Errorf("DirectMembers(org-2) (-want +got):\n%s", diff)
	}
	checkMemberPages(t, db, community.MemberQuery{Org: "org-1"}, org1)
	for _, c := range []struct {
		name      string
		afterName string
		afterID   community.PersonID
		want      []community.Member
	}{
		{"AfterAMember", "alice", "person-2", org1[1:]},
		{"AfterTheLastOfAName", "alice", "person-3", org1[2:]},
		{"AfterANameWithNoMember", "b", "", org1[2:]},
		{"AfterAnIDWithNoMember", "alice", "person-25", org1[1:]},
		{"AfterTheLast", "zoë", "person-4", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkMemberPages(t, db, community.MemberQuery{Org: "org-1", AfterName: c.afterName, AfterPerson: c.afterID}, c.want)
		})
	}
	checkMemberPages(t, db, community.MemberQuery{Org: "org-x"}, nil)
}

// storeDirectMembersFilter keeps, with a text, the members whose name in
// any case or email contains it in any case; with an event, the members
// accepted onto it; with both, those that both keep. Either pages as the
// whole listing does.
func storeDirectMembersFilter(t *testing.T, db storeDB) {
	db.seedCommunity(membersSeed())
	s := db.communitySnapshot(membersProbe())
	for _, c := range []struct {
		name string
		q    community.MemberQuery
		want []string
	}{
		{"TextInNamesOfAnyCase", community.MemberQuery{Text: "ALI"}, []string{"person-2", "person-3"}},
		{"TextInAnEmailOnly", community.MemberQuery{Text: "Jones"}, []string{"person-3"}},
		{"TextInAnotherEmailOnly", community.MemberQuery{Text: "xav"}, []string{"person-5"}},
		{"TextWithAnAccent", community.MemberQuery{Text: "ZOË"}, []string{"person-4"}},
		{"TextOfAnEmailDomain", community.MemberQuery{Text: "example.net"}, []string{"person-5", "person-4"}},
		{"TextMatchingNobody", community.MemberQuery{Text: "mallory"}, nil},
		{"TextAfterACursor", community.MemberQuery{Text: "ali", AfterName: "alice", AfterPerson: "person-2"}, []string{"person-3"}},
		{"Event", community.MemberQuery{Event: "ev-1"}, []string{"person-3", "person-1"}},
		{"AnotherEvent", community.MemberQuery{Event: "ev-2"}, []string{"person-5"}},
		{"EventAfterACursor", community.MemberQuery{Event: "ev-1", AfterName: "alice", AfterPerson: "person-3"}, []string{"person-1"}},
		{"EventAndText", community.MemberQuery{Event: "ev-1", Text: "B"}, []string{"person-1"}},
		{"UnknownEvent", community.MemberQuery{Event: "ev-x"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			q.Org = "org-1"
			checkMemberPages(t, db, q, membersByID(t, s, "org-1", c.want...))
		})
	}
}

// storeDirectMembersFollowRenames renames members with PutPerson: each
// moves to its new name's place in the order, among members of the same
// NameKey by ID, in every organisation and in the event and text filters.
func storeDirectMembersFollowRenames(t *testing.T, db storeDB) {
	s := membersSeed()
	db.seedCommunity(s)
	rename := func(id, name string) community.Person {
		i := slices.IndexFunc(s.Persons, func(p community.Person) bool { return string(p.ID) == id })
		p := s.Persons[i]
		p.Name, p.UpdatedAt = name, communityT0.Add(time.Hour)
		return p
	}
	db.update(func(st orgspace.Store) error {
		return errors.Join(
			st.PutPerson(rename("person-1", "Aaron")),
			st.PutPerson(rename("person-4", "ALICE")),
			st.PutPerson(rename("person-2", "Alice")), // case only: stays
			st.PutPerson(rename("person-7", "Adam")),  // no member
		)
	})
	after := db.communitySnapshot(membersProbe())
	for _, c := range []struct {
		o    string
		q    community.MemberQuery
		want []string
	}{
		{"org-1", community.MemberQuery{}, []string{"person-1", "person-2", "person-3", "person-4", "person-5"}},
		{"org-2", community.MemberQuery{}, []string{"person-2", "person-6"}},
		{"org-1", community.MemberQuery{Text: "aar"}, []string{"person-1"}},
		{"org-1", community.MemberQuery{Text: "bob"}, []string{"person-1"}}, // by email
		{"org-1", community.MemberQuery{Text: "zoë"}, nil},
		{"org-1", community.MemberQuery{Text: "alice"}, []string{"person-2", "person-3", "person-4"}},
		{"org-1", community.MemberQuery{Event: "ev-1"}, []string{"person-1", "person-3"}},
	} {
		q := c.q
		q.Org = org.OrganisationID(c.o)
		want := membersByID(t, after, c.o, c.want...)
		for _, m := range want {
			if p := after.Person[string(m.Person.ID)].Value; storeDiff(p, m.Person) != "" {
				t.Errorf("DirectMembers lists %+v, Person reads %+v", m.Person, p)
			}
		}
		checkMemberPages(t, db, q, want)
	}
	if got := after.Members["org-1"]; len(got) != 5 || got[0].Person.Name != "Aaron" || got[3].Person.Name != "ALICE" {
		t.Errorf("DirectMembers(org-1) after the renames = %+v", got)
	}
}

// storeAdjustMember adds to and takes from members' counts: a member
// appears when its count becomes positive, disappears at zero, delta 0
// changes nothing, a count that would go negative fails with
// ErrFailedPrecondition and changes nothing, and so does adding to the
// count of a person not stored, with ErrNotFound.
func storeAdjustMember(t *testing.T, db storeDB) {
	db.seedCommunity(membersSeed())
	p := membersProbe()
	counts := func(o string) map[string]int {
		out := map[string]int{}
		for _, m := range db.communitySnapshot(p).Members[o] {
			out[string(m.Person.ID)] = m.Events
		}
		return out
	}
	// org-1's counts after each step, and org-2's where a step says.
	base := map[string]int{"person-1": 1, "person-2": 2, "person-3": 1, "person-4": 1, "person-5": 3}
	more := map[string]int{"person-1": 1, "person-2": 2, "person-3": 1, "person-4": 1, "person-5": 5}
	fewer := map[string]int{"person-1": 1, "person-2": 2, "person-3": 1, "person-5": 5}
	newer := map[string]int{"person-1": 1, "person-2": 2, "person-3": 1, "person-4": 1, "person-5": 5, "person-7": 2}
	steps := []struct {
		name      string
		o, person string
		delta     int
		refused   error
		want      map[string]int
		wantOrg2  map[string]int
	}{
		{"ZeroChangesNothing", "org-1", "person-5", 0, nil, base, nil},
		{"AddToAMember", "org-1", "person-5", 2, nil, more, nil},
		{"ToZeroRemoves", "org-1", "person-4", -1, nil, fewer, nil},
		{"BelowZeroIsRefused", "org-1", "person-5", -6, storage.ErrFailedPrecondition, fewer, nil},
		{"BelowZeroOfANonMemberIsRefused", "org-1", "person-7", -1, storage.ErrFailedPrecondition, fewer, nil},
		{"AddingToAnUnknownPersonIsRefused", "org-1", "person-x", 1, storage.ErrNotFound, fewer, nil},
		{"ZeroOfANonMemberChangesNothing", "org-1", "person-7", 0, nil, fewer, nil},
		{"FromZeroAdds", "org-1", "person-4", 1, nil, more, nil},
		{"ANewMember", "org-1", "person-7", 2, nil, newer, nil},
		{"OneOrganisationOnly", "org-2", "person-2", -1, nil, newer, map[string]int{"person-6": 1}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			db := db.on(t)
			before := db.communitySnapshot(p)
			rev, err := db.tryUpdate(func(st orgspace.Store) error {
				return st.AdjustMember(org.OrganisationID(step.o), community.PersonID(step.person), step.delta)
			})
			if step.refused != nil {
				if !errors.Is(err, step.refused) || rev != 0 {
					t.Fatalf("Update = %d, %v; want 0 and %v", rev, err, step.refused)
				}
				db.requireCommunityUnchanged(t, p, before)
				return
			}
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
			if diff := storeDiff(step.want, counts("org-1")); diff != "" {
				t.Errorf("org-1's members (-want +got):\n%s", diff)
			}
			if step.wantOrg2 != nil {
				if diff := storeDiff(step.wantOrg2, counts("org-2")); diff != "" {
					t.Errorf("org-2's members (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// storeFieldInUse follows FieldInUse through participations' answers and
// last answers: a field is in use while either holds a value of it, and
// only then.
func storeFieldInUse(t *testing.T, db storeDB) {
	db.seedCommunity(communityBase())
	withFields := func(e, person string, s community.Status, a community.Answers) community.Participation {
		return withAnswers(sf.participation(e, person, s), a)
	}
	steps := []struct {
		name  string
		write func(st orgspace.Store) error
		want  map[string]bool // fld-1 … fld-4
	}{
		{"Base", nil, map[string]bool{"fld-1": true, "fld-2": true, "fld-3": true, "fld-4": false}},
		{"AParticipationAnswers", func(st orgspace.Store) error {
			return st.InsertParticipation(withFields("ev-2", "person-4", community.Applied, community.Answers{"fld-4": {"nuts"}}))
		}, map[string]bool{"fld-1": true, "fld-2": true, "fld-3": true, "fld-4": true}},
		{"LastAnswersToo", func(st orgspace.Store) error {
			return st.PutLastAnswers("person-4", community.Answers{"fld-4": {"gluten"}})
		}, map[string]bool{"fld-1": true, "fld-2": true, "fld-3": true, "fld-4": true}},
		{"ClearedParticipationStillInLastAnswers", func(st orgspace.Store) error {
			return st.UpdateParticipation(withFields("ev-2", "person-4", community.Applied, nil))
		}, map[string]bool{"fld-1": true, "fld-2": true, "fld-3": true, "fld-4": true}},
		{"AnAnswerDroppedByItsOnlyHolder", func(st orgspace.Store) error {
			return st.UpdateParticipation(withFields("ev-1", "person-1", community.Accepted, community.Answers{"fld-1": {"S"}}))
		}, map[string]bool{"fld-1": true, "fld-2": false, "fld-3": true, "fld-4": true}},
		{"ParticipationsClearedLastAnswersHold", func(st orgspace.Store) error {
			return errors.Join(
				st.UpdateParticipation(withFields("ev-1", "person-1", community.Accepted, nil)),
				st.UpdateParticipation(withFields("ev-1", "person-2", community.Applied, community.Answers{})))
		}, map[string]bool{"fld-1": true, "fld-2": false, "fld-3": true, "fld-4": true}},
		{"AnswersMoveToAnotherField", func(st orgspace.Store) error {
			return st.UpdateParticipation(withFields("ev-3", "person-3", community.Accepted, community.Answers{"fld-2": {"vegan"}}))
		}, map[string]bool{"fld-1": true, "fld-2": true, "fld-3": false, "fld-4": true}},
		{"LastAnswersReplaceTheirFieldsOnly", func(st orgspace.Store) error {
			return st.PutLastAnswers("person-1", community.Answers{"fld-2": {"none"}})
		}, map[string]bool{"fld-1": true, "fld-2": true, "fld-3": false, "fld-4": true}},
		{"LastAnswersHoldAfterTheParticipationMoves", func(st orgspace.Store) error {
			return st.UpdateParticipation(withFields("ev-3", "person-3", community.Accepted, community.Answers{"fld-3": {"S"}}))
		}, map[string]bool{"fld-1": true, "fld-2": true, "fld-3": true, "fld-4": true}},
	}
	inUse := func(st orgspace.Store) (map[string]bool, error) {
		out := map[string]bool{}
		for _, f := range []community.FieldID{"fld-1", "fld-2", "fld-3", "fld-4"} {
			var err error
			if out[string(f)], err = st.FieldInUse(f); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			db := db.on(t)
			if step.write != nil {
				var inside map[string]bool
				db.update(func(st orgspace.Store) (err error) {
					if err := step.write(st); err != nil {
						return err
					}
					inside, err = inUse(st)
					return err
				})
				if diff := storeDiff(step.want, inside); diff != "" {
					t.Errorf("FieldInUse inside the Update (-want +got):\n%s", diff)
				}
			}
			var got map[string]bool
			db.view(func(st orgspace.Store) (err error) {
				got, err = inUse(st)
				return err
			})
			if diff := storeDiff(step.want, got); diff != "" {
				t.Errorf("FieldInUse (-want +got):\n%s", diff)
			}
		})
	}
}

// rosterOf is one call of Rosters' function.
type rosterOf struct {
	Event  community.EventID
	Roster community.Roster
}

// storeCommunityRosters puts, replaces and deletes rosters: Roster reads
// an event's, nil when it has none; Rosters yields those of the events
// asked that have one, by event ID; an empty roster deletes.
func storeCommunityRosters(t *testing.T, db storeDB) {
	base := communityBase()
	db.seedCommunity(base)
	r1 := base.Rosters["ev-1"]
	r2 := community.Roster{sf.rosterEntry("person-2"), sf.rosterEntry("person-4")}
	r3 := community.Roster{sf.rosterEntry("person-3")}
	r1b := community.Roster{sf.rosterEntry("person-1"), sf.rosterEntry("person-2")}
	r1b[1].Worked = 90 * time.Minute
	ids := []community.EventID{"ev-3", "ev-x", "ev-2", "ev-1"}
	read := func(t *testing.T) ([]rosterOf, map[community.EventID]community.Roster) {
		t.Helper()
		var all []rosterOf
		one := map[community.EventID]community.Roster{}
		db.on(t).view(func(st orgspace.Store) error {
			for _, e := range ids {
				r, err := st.Roster(e)
				if err != nil {
					return err
				}
				one[e] = r
			}
			return st.Rosters(ids, func(e community.EventID, r community.Roster) error {
				all = append(all, rosterOf{e, r})
				return nil
			})
		})
		return all, one
	}
	steps := []struct {
		name  string
		write func(st orgspace.Store) error
		want  []rosterOf
	}{
		{"Put", func(st orgspace.Store) error {
			return errors.Join(st.PutRoster("ev-3", r3), st.PutRoster("ev-2", r2))
		}, []rosterOf{{"ev-1", r1}, {"ev-2", r2}, {"ev-3", r3}}},
		{"Replace", func(st orgspace.Store) error { return st.PutRoster("ev-1", r1b) },
			[]rosterOf{{"ev-1", r1b}, {"ev-2", r2}, {"ev-3", r3}}},
		{"EmptyDeletes", func(st orgspace.Store) error { return st.PutRoster("ev-2", community.Roster{}) },
			[]rosterOf{{"ev-1", r1b}, {"ev-3", r3}}},
		{"NilDeletes", func(st orgspace.Store) error { return st.PutRoster("ev-3", nil) },
			[]rosterOf{{"ev-1", r1b}}},
		{"DeletingNoneChangesNothing", func(st orgspace.Store) error { return st.PutRoster("ev-2", nil) },
			[]rosterOf{{"ev-1", r1b}}},
		{"PutAgainAfterDelete", func(st orgspace.Store) error { return st.PutRoster("ev-3", r2) },
			[]rosterOf{{"ev-1", r1b}, {"ev-3", r2}}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			db.on(t).update(step.write)
			all, one := read(t)
			if diff := billingExact(step.want, all); diff != "" {
				t.Errorf("Rosters(%v) (-want +got):\n%s", ids, diff)
			}
			wantOne := map[community.EventID]community.Roster{"ev-1": nil, "ev-2": nil, "ev-3": nil, "ev-x": nil}
			for _, r := range step.want {
				wantOne[r.Event] = r.Roster
			}
			if diff := billingExact(wantOne, one); diff != "" {
				t.Errorf("Roster (-want +got):\n%s", diff)
			}
		})
	}
}

// communityWriteEverything makes every kind of community write on
// communityBase and checks inside the transaction that it sees them; it
// returns what failed or was not seen.
func communityWriteEverything(st orgspace.Store) error {
	renamed := communityBase().Events[0]
	renamed.Name, renamed.Archived = "Renamed", true
	moved := sf.person("person-2", "Bobby")
	moved.Email = "changed@people.example.com"
	steps := []struct {
		name string
		err  error
	}{
		{"InsertEvent", st.InsertEvent(sf.communityEvent("ev-9", "org-2"))},
		{"UpdateEvent", st.UpdateEvent(renamed)},
		{"PutPerson new", st.PutPerson(sf.person("person-9", "Nina"))},
		{"PutPerson changed", st.PutPerson(moved)},
		{"InsertParticipation", st.InsertParticipation(withAnswers(sf.participation("ev-2", "person-9", community.Accepted),
			community.Answers{"fld-4": {"nuts"}}))},
		{"UpdateParticipation", st.UpdateParticipation(withAnswers(sf.participation("ev-1", "person-1", community.Accepted),
			community.Answers{"fld-1": {"L"}}))},
		{"UpdateParticipation clearing", st.UpdateParticipation(sf.participation("ev-3", "person-3", community.Withdrawn))},
		{"PutRoster new", st.PutRoster("ev-2", community.Roster{sf.rosterEntry("person-9")})},
		{"PutRoster empty", st.PutRoster("ev-1", nil)},
		{"AdjustMember new", st.AdjustMember("org-1", "person-9", 1)},
		{"AdjustMember to zero", st.AdjustMember("org-2", "person-3", -1)},
		{"AdjustMember more", st.AdjustMember("org-1", "person-1", 2)},
		{"InsertField", st.InsertField(sf.field("fld-9", "org-1", "New"))},
		{"UpdateField", st.UpdateField(sf.field("fld-2", "org-1", "Food"))},
		{"PutLastAnswers", st.PutLastAnswers("person-2", community.Answers{"fld-1": {"S"}, "fld-2": {"vegan"}})},
		{"PutEventManager", st.PutEventManager("ev-2", "user-3")},
		{"DeleteEventManager", st.DeleteEventManager("ev-1", "user-2")},
	}
	var problems []string
	for _, s := range steps {
		if s.err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", s.name, s.err))
		}
	}
	s, err := takeCommunitySnapshot(st, communityBaseProbe())
	if err != nil {
		return fmt.Errorf("storagetest: read inside the transaction: %w", err)
	}
	problems = append(problems, s.problems()...)
	problems = append(problems, communityEverythingWritten(s)...)
	if len(problems) > 0 {
		return fmt.Errorf("storagetest: inside the transaction: %s", strings.Join(problems, "\n"))
	}
	return nil
}

// communityEverythingWritten returns the writes of communityWriteEverything
// that s does not show.
func communityEverythingWritten(s communitySnapshot) []string {
	var problems []string
	memberIDs := func(o string) []string {
		var out []string
		for _, m := range s.Members[o] {
			out = append(out, fmt.Sprintf("%s:%d", m.Person.ID, m.Events))
		}
		return out
	}
	for _, c := range []struct {
		what string
		ok   bool
	}{
		{"events", s.Event["ev-9"].Found && s.Event["ev-1"].Value.Name == "Renamed" && len(s.EventsOfOrg["org-2"]) == 2},
		{"persons", s.Person["person-9"].Found && s.PersonByEmail["changed@people.example.com"].Found && !s.PersonByEmail["person-2@people.example.com"].Found},
		{"participations", s.Participation["ev-2/person-9"].Found && storeDiff(community.Answers{"fld-1": {"L"}}, s.Participation["ev-1/person-1"].Value.Answers) == "" &&
			s.Participation["ev-3/person-3"].Value.Status == community.Withdrawn},
		{"rosters", s.Roster["ev-1"] == nil && len(s.Roster["ev-2"]) == 1},
		{"members", slices.Equal(memberIDs("org-1"), []string{"person-1:3", "person-9:1"}) && len(s.Members["org-2"]) == 0},
		{"fields", s.Field["fld-9"].Found && s.Field["fld-2"].Value.Label == "Food" && len(s.FieldsOfOrg["org-1"]) == 4},
		{"fields in use", storeDiff(map[string]bool{"fld-1": true, "fld-2": true, "fld-3": false, "fld-4": true, "fld-9": false, "fld-x": false}, s.FieldInUse) == ""},
		{"last answers", storeDiff(community.Answers{"fld-1": {"S"}, "fld-2": {"vegan"}}, s.LastAnswers["person-2"]) == ""},
		{"managers", slices.Equal(s.Managers["ev-2"], []org.UserID{"user-3"}) && len(s.Managers["ev-1"]) == 0},
	} {
		if !c.ok {
			problems = append(problems, c.what+" do not show the writes")
		}
	}
	return problems
}

// storeCommunityFailedUpdateRollsBack checks that an Update whose function
// makes every community write, sees them, and then fails or panics leaves
// the community as it was, the use counts of fields included; the same
// writes commit when it succeeds.
func storeCommunityFailedUpdateRollsBack(t *testing.T, db storeDB) {
	head := db.seedCommunity(communityBase())
	p := communityBaseProbe()
	before := db.communitySnapshot(p)
	type boom struct{}
	failure := fmt.Errorf("storagetest: the function fails: %w", storage.ErrConflict)
	endings := []struct {
		name string
		end  func() error
	}{
		{"Error", func() error { return failure }},
		{"Panic", func() error { panic(boom{}) }},
	}
	for _, e := range endings {
		t.Run(e.name, func(t *testing.T) {
			db := db.on(t)
			var rev storage.Revision
			var err, inside error
			func() {
				defer func() {
					if r := recover(); r != nil && r != (boom{}) {
						t.Errorf("recovered %v, want the function's panic", r)
					}
				}()
				rev, err = db.tryUpdate(func(st orgspace.Store) error {
					inside = communityWriteEverything(st)
					return e.end()
				})
				if e.name == "Panic" {
					t.Errorf("Update returned %d, %v; want it to panic", rev, err)
				}
			}()
			if inside != nil {
				t.Error(inside)
			}
			if e.name == "Error" && (!errors.Is(err, storage.ErrConflict) || rev != 0) {
				t.Errorf("Update = %d, %v; want 0 and the function's error", rev, err)
			}
			db.requireCommunityUnchanged(t, p, before)
			if h := db.head(); h != head {
				t.Errorf("Head = %d, want %d", h, head)
			}
		})
	}
	// The rolled-back last answers of person-2 held fld-2: with ev-1's
	// answers of person-1, its only holder, dropped, fld-2 is in use no
	// more.
	t.Run("UseCountsRolledBack", func(t *testing.T) {
		db := db.on(t)
		var inUse bool
		undo := errors.New("undo")
		_, err := db.tryUpdate(func(st orgspace.Store) (err error) {
			if err := st.UpdateParticipation(withAnswers(sf.participation("ev-1", "person-1", community.Accepted), community.Answers{"fld-1": {"M"}})); err != nil {
				return err
			}
			if inUse, err = st.FieldInUse("fld-2"); err != nil {
				return err
			}
			return undo
		})
		if !errors.Is(err, undo) {
			t.Fatalf("Update: %v, want the function's error", err)
		}
		if inUse {
			t.Error("FieldInUse(fld-2) with no holder left = true: the failed Updates left a use behind")
		}
		db.requireCommunityUnchanged(t, p, before)
	})

	db.update(func(st orgspace.Store) error { return communityWriteEverything(st) })
	after := db.communitySnapshot(p)
	if problems := communityEverythingWritten(after); len(problems) > 0 {
		t.Errorf("after the committed Update: %s", strings.Join(problems, "\n"))
	}
}

// storeCommunityWriteInViewFails tries every community write in a View:
// each fails and nothing changes.
func storeCommunityWriteInViewFails(t *testing.T, db storeDB) {
	db.seedCommunity(communityBase())
	p := communityBaseProbe()
	before := db.communitySnapshot(p)
	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"InsertEvent", func(st orgspace.Store) error { return st.InsertEvent(sf.communityEvent("ev-9", "org-1")) }},
		{"UpdateEvent", func(st orgspace.Store) error { return st.UpdateEvent(sf.communityEvent("ev-2", "org-1")) }},
		{"PutPerson", func(st orgspace.Store) error { return st.PutPerson(sf.person("person-9", "Nina")) }},
		{"InsertParticipation", func(st orgspace.Store) error {
			return st.InsertParticipation(sf.participation("ev-2", "person-2", community.Applied))
		}},
		{"UpdateParticipation", func(st orgspace.Store) error {
			return st.UpdateParticipation(sf.participation("ev-1", "person-2", community.Declined))
		}},
		{"PutRoster", func(st orgspace.Store) error {
			return st.PutRoster("ev-2", community.Roster{sf.rosterEntry("person-2")})
		}},
		{"PutRosterEmpty", func(st orgspace.Store) error { return st.PutRoster("ev-1", nil) }},
		{"AdjustMember", func(st orgspace.Store) error { return st.AdjustMember("org-1", "person-2", 1) }},
		{"InsertField", func(st orgspace.Store) error { return st.InsertField(sf.field("fld-9", "org-1", "New")) }},
		{"UpdateField", func(st orgspace.Store) error { return st.UpdateField(sf.field("fld-2", "org-1", "Food")) }},
		{"PutLastAnswers", func(st orgspace.Store) error {
			return st.PutLastAnswers("person-2", community.Answers{"fld-4": {"nuts"}})
		}},
		{"PutEventManager", func(st orgspace.Store) error { return st.PutEventManager("ev-2", "user-1") }},
		{"DeleteEventManager", func(st orgspace.Store) error { return st.DeleteEventManager("ev-1", "user-2") }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			if err := db.tx.View(t.Context(), storage.Latest(), w.write); err == nil {
				t.Errorf("%s in a View succeeded", w.name)
			}
		})
	}
	db.requireCommunityUnchanged(t, p, before)
}
