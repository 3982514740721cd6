package main

import (
	"fmt"
	"strings"
	"time"
	// The events' time zone comes with the program, so the story runs
	// where the system has no zone database.
	_ "time/tzdata"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// eventZone is the time zone every event of the story takes place in.
const eventZone = "Europe/Zurich"

// eventSpec is an event as its organiser describes it: a day, local times
// in eventZone, and where it takes place.
type eventSpec struct {
	Name     string
	Day      string // 2006-01-02
	From, To string // 15:04, on Day
	Place    string // where Location is: the host's own label
	Location community.Location
}

// The story's events. The billing steps create the first three: Toppp's
// Summer Gala, Client Co's Charity Run (which Toppp supports with a
// coupon) and its Winter Run; the community steps add the Lake Cleanup.
var (
	summerGala  = eventSpec{"Summer Gala", "2026-04-03", "12:00", "23:00", "Kongresshaus, Zürich", community.Location{Lat: 47.3663, Lon: 8.5324}}
	charityRun  = eventSpec{"Charity Run", "2026-03-23", "11:00", "15:00", "the lakefront, Lucerne", community.Location{Lat: 47.0502, Lon: 8.3093}}
	winterRun   = eventSpec{"Winter Run", "2026-12-06", "10:00", "13:00", "Davos", community.Location{Lat: 46.8027, Lon: 9.8360}}
	lakeCleanup = eventSpec{"Lake Cleanup", "2026-05-16", "09:00", "13:00", "Zürichhorn, Zürich", community.Location{Lat: 47.3544, Lon: 8.5519}}
)

// volunteer is a person as they describe themselves on the host's event
// pages.
type volunteer struct {
	Name, Email string
	Born        string // 2006-01-02
	Town        string // where Home is: the host's own label
	Home        community.Location
	Diet        []string
}

// The story's volunteers: the first six on Toppp's events, the last four
// on Client Co's Charity Run.
var (
	nina    = volunteer{"Nina Novak", "nina@mail.example", "1993-05-14", "Zürich", community.Location{Lat: 47.3686, Lon: 8.5156}, []string{"vegetarian"}}
	omar    = volunteer{"Omar Haddad", "omar@mail.example", "1984-11-02", "Winterthur", community.Location{Lat: 47.4988, Lon: 8.7237}, nil}
	paula   = volunteer{"Paula Rossi", "paula@mail.example", "1961-07-21", "Baden", community.Location{Lat: 47.4733, Lon: 8.3059}, []string{"vegan", "gluten-free"}}
	quentin = volunteer{"Quentin Blanc", "quentin@mail.example", "2003-02-09", "Bern", community.Location{Lat: 46.9480, Lon: 7.4474}, nil}
	rosa    = volunteer{"Rosa Meier", "rosa@mail.example", "2009-08-30", "Adliswil", community.Location{Lat: 47.3100, Lon: 8.5250}, nil}
	sven    = volunteer{"Sven Keller", "sven@mail.example", "1976-03-12", "Zug", community.Location{Lat: 47.1662, Lon: 8.5155}, []string{"gluten-free"}}
	tara    = volunteer{"Tara Weber", "tara@mail.example", "1995-09-03", "Lucerne", community.Location{Lat: 47.0547, Lon: 8.2956}, nil}
	ugo     = volunteer{"Ugo Ferrari", "ugo@mail.example", "1980-01-27", "Kriens", community.Location{Lat: 47.0336, Lon: 8.2785}, nil}
	vera    = volunteer{"Vera Huber", "vera@mail.example", "1966-12-05", "Zürich", community.Location{Lat: 47.3769, Lon: 8.5417}, nil}
	will    = volunteer{"Will Schmid", "will@mail.example", "1999-04-18", "Emmen", community.Location{Lat: 47.0782, Lon: 8.2737}, nil}
)

// seasonOver is when the story's spring events are over and their hours
// get recorded.
var seasonOver = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// eventInput turns an eventSpec into what community takes, with the
// shared fields its form asks.
func eventInput(e eventSpec, fields ...community.FieldID) community.EventInput {
	loc := value(time.LoadLocation(eventZone))
	at := func(hm string) time.Time { return value(time.ParseInLocation("2006-01-02 15:04", e.Day+" "+hm, loc)) }
	return community.EventInput{Name: e.Name, Start: at(e.From), End: at(e.To), TimeZone: eventZone, Location: e.Location, Fields: fields}
}

// createEvent creates an event of organisation o; community registers it
// with billing in the same transaction.
func (d *demo) createEvent(actor org.Actor, o org.OrganisationID, e eventSpec) community.Event {
	return must(d.space.Community.CreateEvent(d.ctx, actor, o, eventInput(e)))
}

// communityStory tells the event platform's seed: shared fields, events
// and their volunteers, and the community they make up for Toppp, whose
// direct members are listed while the people on the event it supports
// are only counted.
func (d *demo) communityStory(toppp org.OrganisationID, owner org.Actor, client org.OrganisationID, carl org.Actor, gala, run community.Event) {
	ctx, c, latest, host := d.ctx, d.space.Community, storage.Latest(), org.System()

	d.title("The owner defines shared fields for Toppp's events: a public %q and an organisation-only %q.", "Diet", "Staff notes")
	diet := must(c.DefineField(ctx, owner, toppp, community.FieldInput{Label: "Diet", Type: community.FieldChoices,
		Options: []string{"vegetarian", "vegan", "gluten-free"}, Visibility: community.Public}))
	notes := must(c.DefineField(ctx, owner, toppp, community.FieldInput{Label: "Staff notes", Type: community.FieldText,
		Visibility: community.OrgOnly}))
	for _, f := range []community.Field{diet, notes} {
		opts := ""
		if len(f.Options) > 0 {
			opts = " (" + strings.Join(f.Options, ", ") + ")"
		}
		d.say("field %s %q: %s%s, %s", f.ID, f.Label, f.Type, opts, f.Visibility)
	}

	d.title("The gala's form asks both, and so does a second event the owner creates, the %q.", lakeCleanup.Name)
	gala = must(c.EditEvent(ctx, owner, gala.ID, eventInput(summerGala, diet.ID, notes.ID)))
	cleanup := must(c.CreateEvent(ctx, owner, toppp, eventInput(lakeCleanup, diet.ID, notes.ID)))
	for _, e := range []struct {
		community.Event
		place string
	}{{gala, summerGala.Place}, {cleanup, lakeCleanup.Place}} {
		d.say("%-6s %-12s %s at %s (%.4f, %.4f)", e.ID, e.Name, when(e.Start, e.End, e.TimeZone), e.place, e.Location.Lat, e.Location.Lon)
	}
	var asked []string
	for _, f := range value(c.Form(ctx, latest, host, cleanup.ID)) {
		asked = append(asked, fmt.Sprintf("%q", f.Label))
	}
	d.say("the host's application page asks %s; %q is for Toppp's users only", strings.Join(asked, ", "), notes.Label)

	d.title("Volunteers apply on the event pages (the owner signs one up by phone) and are accepted: a licence each.")
	people := map[string]community.PersonID{} // email → person
	for _, a := range []struct {
		v    volunteer
		e    community.Event
		note string // the owner signs them up, with this staff note
	}{
		{v: nina, e: gala}, {v: omar, e: gala}, {v: paula, e: gala},
		{v: quentin, e: gala, note: "sound technician, brings his own kit"},
		{v: nina, e: cleanup}, {v: rosa, e: cleanup}, {v: sven, e: cleanup},
	} {
		by, answers, how := host, community.Answers{}, ""
		if len(a.v.Diet) > 0 {
			answers[diet.ID] = a.v.Diet
		}
		if a.note != "" {
			by, answers[notes.ID], how = owner, []string{a.note}, ", signed up by the owner"
		}
		if prior := value(c.Prefill(ctx, latest, host, a.e.ID, a.v.Email)); prior != nil {
			answers, how = prior, ", the form prefilled with the last answers"
		}
		p := d.apply(by, a.e, a.v, answers)
		p = must(c.Accept(ctx, owner, a.e.ID, p.Person))
		people[a.v.Email] = p.Person
		d.say("%-6s %-13s → %-12s %s%s%s", p.Person, a.v.Name, a.e.Name, p.Status, how, answered(p.Answers, diet, notes))
	}
	d.balance(toppp)

	d.title("Omar withdraws before the gala: his licence goes back to the pool, and he is no longer a member.")
	p := must(c.Withdraw(ctx, owner, gala.ID, people[omar.Email]))
	d.say("%s on the %s: %s; his licence is back, Toppp has %d available", omar.Name, gala.Name, p.Status, d.licences(toppp).Available)

	d.title("Carl's Charity Run, which Toppp's coupon supports, takes volunteers of its own: the coupon's last 3 licences.")
	for _, v := range []volunteer{tara, ugo, vera} {
		p := must(c.Accept(ctx, carl, run.ID, d.apply(host, run, v, nil).Person))
		people[v.Email] = p.Person
		d.say("%-6s %-13s → %-12s %s", p.Person, v.Name, run.Name, p.Status)
	}
	w := d.apply(host, run, will, nil)
	d.say("%-6s %-13s → %-12s %s; Carl accepts him, but no licence is left:", w.Person, will.Name, run.Name, w.Status)
	_, _, err := c.Accept(ctx, carl, run.ID, w.Person)
	d.refused(err, storage.ErrInsufficientFunds)
	for _, pt := range all(func(r storage.PageRequest) (storage.Page[community.Participant], error) {
		return c.Participants(ctx, latest, carl, run.ID, r)
	}) {
		if pt.Person.ID == w.Person {
			l := d.licences(client)
			d.say("nothing changed: %s is still %s; Client Co has %d licences available, %d used", will.Name, pt.Participation.Status, l.Available, l.Used)
		}
	}

	d.clock.now = seasonOver
	d.title("The spring is over (it is now %s); the organisers record the hours worked.", d.clock.now.Format(time.DateOnly))
	for _, e := range []struct {
		by     org.Actor
		event  community.Event
		worked []volunteer
		hours  []time.Duration
	}{
		{owner, gala, []volunteer{nina, paula, quentin}, []time.Duration{6 * time.Hour, 5*time.Hour + 30*time.Minute, 8 * time.Hour}},
		{owner, cleanup, []volunteer{nina, rosa, sven}, []time.Duration{4 * time.Hour, 3 * time.Hour, 4 * time.Hour}},
		{carl, run, []volunteer{tara, ugo, vera}, []time.Duration{4 * time.Hour, 3 * time.Hour, 4*time.Hour + 30*time.Minute}},
	} {
		var done []string
		for i, v := range e.worked {
			p := must(c.RecordHours(ctx, e.by, e.event.ID, people[v.Email], e.hours[i]))
			done = append(done, fmt.Sprintf("%s %s", strings.Fields(v.Name)[0], hours(int64(p.Worked/time.Minute))))
		}
		d.say("%-13s %s", e.event.Name+":", strings.Join(done, ", "))
	}

	k := c.K()
	d.title("Toppp's event list: the events it organises and the one it supports (fewer than %d participants there show as <%d).", k, k)
	d.say("%-6s %-9s  %-12s  %-30s  %-17s  %s", "event", "role", "name", "starts", "organiser", "participants")
	for _, e := range all(func(r storage.PageRequest) (storage.Page[community.EventSummary], error) {
		return c.Events(ctx, latest, owner, community.EventQuery{Org: toppp, Archived: community.WithArchived}, r)
	}) {
		loc := value(time.LoadLocation(e.TimeZone))
		d.say("%-6s %-9s  %-12s  %-30s  %-17s  %12s", e.ID, e.Role, e.Name, e.Start.In(loc).Format("2006-01-02 15:04 ")+e.TimeZone,
			d.orgName(e.Org), cell(e.Participants, k))
	}

	d.title("Toppp's community: its direct members, the people on its own events, listed with their personal data.")
	towns := map[string]string{}
	for _, v := range []volunteer{nina, omar, paula, quentin, rosa, sven} {
		towns[v.Email] = v.Town
	}
	d.say("%-13s  %-20s  %-10s  %-8s  %s", "name", "email", "born", "home", "events")
	for _, m := range all(func(r storage.PageRequest) (storage.Page[community.Member], error) {
		return c.Members(ctx, latest, owner, community.MemberFilter{Org: toppp}, r)
	}) {
		d.say("%-13s  %-20s  %-10s  %-8s  %6d", m.Person.Name, m.Person.Email, m.Person.BirthDate.Format(time.DateOnly), towns[m.Person.Email], m.Events)
	}
	n := value(c.Event(ctx, latest, carl, run.ID)).Participants
	d.say("and %d indirect members, the Charity Run's volunteers (as Carl counts them): in Toppp's stats, never listed", n)

	st := value(c.Stats(ctx, latest, owner, community.StatsQuery{Org: toppp,
		From: community.Month{Year: 2026, Month: time.March}, To: community.Month{Year: 2026, Month: time.May}}))
	d.title("Toppp's community stats, %s to %s (%s): direct members, and indirect ones held to k = %d.", st.From, st.To, st.TimeZone, st.K)
	d.table("hours worked", st.Workload, st.K, hours)
	d.table("members by age", st.Ages, st.K, count)
	d.table("home → event", st.Distances, st.K, count)
	d.table("members a month", st.Size, st.K, count)
	d.say("<%d: withheld, as it counts fewer than %d people (or would give such a cell away through the total)", st.K, st.K)
}

// licences returns organisation o's licence balance, as the host reads
// it.
func (d *demo) licences(o org.OrganisationID) billing.AssetBalance {
	return value(d.space.Billing.Balances(d.ctx, storage.Latest(), org.System(), o)).Licences
}

// apply sends volunteer v's application to event e, as actor.
func (d *demo) apply(actor org.Actor, e community.Event, v volunteer, answers community.Answers) community.Participation {
	born := value(time.Parse(time.DateOnly, v.Born))
	return must(d.space.Community.Apply(d.ctx, actor, community.Application{
		Event: e.ID, Name: v.Name, Email: v.Email, BirthDate: born, Home: v.Home, Answers: answers,
	}))
}

// answered renders answers to fields, in their order.
func answered(a community.Answers, fields ...community.Field) string {
	var out string
	for _, f := range fields {
		if v := a[f.ID]; len(v) > 0 {
			out += fmt.Sprintf("; %s: %s", f.Label, strings.Join(v, ", "))
		}
	}
	return out
}

// when renders an event's start and end in its time zone.
func when(start, end time.Time, zone string) string {
	loc := value(time.LoadLocation(zone))
	start, end = start.In(loc), end.In(loc)
	layout := "15:04"
	if start.Format(time.DateOnly) != end.Format(time.DateOnly) {
		layout = "2006-01-02 15:04"
	}
	return start.Format("2006-01-02 15:04") + "–" + end.Format(layout) + " " + zone
}

// hours renders minutes as hours: "6h", "5h30".
func hours(minutes int64) string {
	if minutes%60 == 0 {
		return fmt.Sprintf("%dh", minutes/60)
	}
	return fmt.Sprintf("%dh%02d", minutes/60, minutes%60)
}

func count(n int64) string { return fmt.Sprint(n) }

// cell renders a published figure with format, and a withheld one as
// "<k".
func cell(c community.Cell, k int) string {
	if c.Suppressed {
		return fmt.Sprintf("<%d", k)
	}
	return fmt.Sprint(c.Value)
}

// table prints a stats table on its side, its rows as columns: a line of
// row labels (and "total" when the table has totals), then the direct
// and the indirect values under them.
func (d *demo) table(title string, t community.Table, k int, format func(int64) string) {
	show := func(c community.Cell) string {
		if c.Suppressed {
			return fmt.Sprintf("<%d", k)
		}
		return format(c.Value)
	}
	head, direct, indirect := []string{title}, []string{"  direct"}, []string{"  indirect"}
	for i, r := range t.Rows {
		head = append(head, r)
		direct = append(direct, show(t.Direct[i]))
		indirect = append(indirect, show(t.Indirect[i]))
	}
	if t.HasTotals {
		head = append(head, "total")
		direct = append(direct, show(t.DirectTotal))
		indirect = append(indirect, show(t.IndirectTotal))
	}
	for _, line := range [][]string{head, direct, indirect} {
		var b strings.Builder
		fmt.Fprintf(&b, "%-16s", line[0])
		for i := 1; i < len(line); i++ {
			fmt.Fprintf(&b, "  %*s", len([]rune(head[i])), line[i])
		}
		d.say("%s", b.String())
	}
}

// communityOf prints what survived of an organisation's community, as the
// host reads it: its events, shared fields and direct members, counted.
func (d *demo) communityOf(o org.Organisation) {
	ctx, c, latest, host := d.ctx, d.space.Community, storage.Latest(), org.System()
	roles := map[community.EventRole]int{}
	for _, e := range all(func(r storage.PageRequest) (storage.Page[community.EventSummary], error) {
		return c.Events(ctx, latest, host, community.EventQuery{Org: o.ID, Archived: community.WithArchived}, r)
	}) {
		roles[e.Role]++
	}
	members := all(func(r storage.PageRequest) (storage.Page[community.Member], error) {
		return c.Members(ctx, latest, host, community.MemberFilter{Org: o.ID}, r)
	})
	fields := value(c.Fields(ctx, latest, host, o.ID))
	d.say("%s: %d events organised and %d supported, %d shared fields, %d direct members",
		o.Name, roles[community.Organised], roles[community.Supported], len(fields), len(members))
}
