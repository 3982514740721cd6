package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// The community state machine: events created, edited and archived,
// shared fields defined and edited, people applying (a small pool of
// them, by email, now and then with a changed name, birth date or home,
// with valid and invalid answers), accepted, declined and withdrawn,
// hours recorded, event managers added and removed, licence coupons
// issued by one organisation and redeemed by another's event, and the
// clock moving on so that events start, by random actors, against the
// model's community part (modelCommunity) and its billing part.
//
// The world is two organisations, each with an Owner and a Member, a
// user who manages events, an outsider and the operator; each
// organisation bought a few licences up front, so that accepting mostly
// succeeds and sometimes runs out (storage.ErrInsufficientFunds).
//
// After every step it checks the error class the model predicts; that a
// step the model says changes nothing committed no log entry (and, when
// it was refused or is a billing write, which billing keeps out of the
// log, that the head revision did not move); that a write's log entries
// name nobody by name or email; and then, for the organisations the step
// may have changed, read as their Owner, that Members (every page) lists
// the model's direct members in order, that Events (archived included,
// every page) lists the events they organise and support with the right
// role and participant count (held to k for supported ones), that the
// stats equal a brute-force count of the model wherever published, with
// no published indirect cell counting fewer than k people and
// complementary suppression where a total is published, that Fields and
// Balances answer as the model, and that none of those outputs (Events,
// Members, Stats, formatted with %+v) holds the name or email of a
// person who is only on events the organisation supports.
//
// Like the billing machine, it runs on about one in smComEvery of
// rapid's cases (-rapid.checks), the others drawing that they skip and
// pass, each run making smComRounds rounds of about -rapid.steps steps,
// and its checks read only what a step may have changed (everything once
// at the start and at the end of a run). A fresh backend costs more than
// a round (on PostgreSQL a schema and its migrations, about as much as a
// whole run), hence few runs with long histories, which also grow the
// communities (members, supported events) that the reads compare.

// How much of rapid's budget the community machine takes (see above).
const (
	smComEvery  = 25
	smComRounds = 3
)

// smComZone is the time zone of the world's organisations (sf.org).
const smComZone = "Europe/Brussels"

// What the machine draws from.
var (
	smComEventNames = []string{"Beach clean-up", " Food bank ", "Marathon", "marathon"}
	smComStarts     = []time.Duration{-3 * time.Hour, 2 * time.Hour, 26 * time.Hour, 4 * 24 * time.Hour, 20 * 24 * time.Hour}
	smComLengths    = []time.Duration{3 * time.Hour, 26 * time.Hour, 49 * time.Hour}
	smComEventZones = []string{"", "", "Europe/Brussels", "America/New_York", "UTC"}
	smComBadZones   = []string{"Mars/Olympus", "Local"}
	smComPlaces     = []community.Location{{Lat: 50.8503, Lon: 4.3517}, {Lat: 51.0543, Lon: 3.7174}, {Lat: 50.8798, Lon: 4.7005}, {Lat: 48.8566, Lon: 2.3522}}
	smComBadPlaces  = []community.Location{{Lat: 91, Lon: 0}, {Lat: 0, Lon: -181}}
	smComWorked     = []time.Duration{0, 90 * time.Minute, 5 * time.Hour, 24 * time.Hour, 30 * time.Hour, 49 * time.Hour, -time.Hour}
	smComAdvance    = []time.Duration{time.Hour, 26 * time.Hour, 5 * 24 * time.Hour}
	// smComNames are people's names, in mixed case so that NameKey
	// ordering matters ("ana Ruiz" and "Ana Ruiz" tie on it).
	smComNames = []string{"ana Ruiz", "Ana Ruiz", "Bea Lund", "cy Orr", "Dov Pike", "ELI Voss", " Zed Amos "}
	// smComBirths sit on the age brackets' bounds on 31 January 2027, the
	// last day of the months the stats are read over (c.to).
	smComBirths = []time.Time{
		time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC),
		time.Date(2009, 2, 1, 0, 0, 0, 0, time.UTC),  // 17, 18 the day after
		time.Date(1962, 1, 31, 0, 0, 0, 0, time.UTC), // 65 that day
		time.Date(2009, 1, 31, 0, 0, 0, 0, time.UTC), // 18 that day
		// The date in its own location counts: 31 January (in UTC it is
		// 1 February already), so 25 that day.
		time.Date(2002, 1, 31, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)),
		time.Date(1948, 7, 4, 0, 0, 0, 0, time.UTC),
	}
	smComFields = []community.FieldInput{
		{Label: "Diet", Type: community.FieldChoice, Options: []string{"Vegan", "Halal", " Veggie "}},
		{Label: "Shirt size", Type: community.FieldChoices, Options: []string{"S", "M", "L"}},
		{Label: "Shirt size", Type: community.FieldChoices, Options: []string{"S", "M"}},
		{Label: "Has car", Type: community.FieldYesNo},
		{Label: "diet", Type: community.FieldText},
		{Label: "Arrival", Type: community.FieldDate},
		{Label: "Shifts", Type: community.FieldNumber},
	}
	smComBadFields = []community.FieldInput{
		{Label: " ", Type: community.FieldText},
		{Label: "Size", Type: 0},
		{Label: "Size", Type: community.FieldText, Options: []string{"S"}},
		{Label: "Size", Type: community.FieldChoice},
		{Label: "Size", Type: community.FieldChoices, Options: []string{"S", " S"}},
		{Label: "Size", Type: community.FieldChoice, Options: []string{""}},
	}
)

// smComPerson is one of the people who apply, as they first give
// themselves.
type smComPerson struct {
	email smEmail
	name  string
	birth time.Time
	home  community.Location
}

var smComPeople = []smComPerson{
	{smEmail{"ana@volunteers.test", "ana@volunteers.test"}, "ana Ruiz", smComBirths[0], smComPlaces[0]},
	{smEmail{" Ana.B@Volunteers.TEST ", "ana.b@volunteers.test"}, "Ana Ruiz", smComBirths[1], smComPlaces[1]},
	{smEmail{"bea@volunteers.test", "bea@volunteers.test"}, "Bea Lund", smComBirths[2], smComPlaces[2]},
	{smEmail{"cy@volunteers.test", "cy@volunteers.test"}, "cy Orr", smComBirths[3], smComPlaces[3]},
	{smEmail{"Dov@volunteers.test", "dov@volunteers.test"}, "Dov Pike", smComBirths[4], smComPlaces[0]},
	{smEmail{"eli@volunteers.test", "eli@volunteers.test"}, "ELI Voss", smComBirths[5], smComPlaces[2]},
}

// smComParts name what the check reads of an organisation after a step.
type smComParts uint8

const (
	smComMembers smComParts = 1 << iota
	smComEvents
	smComStats
	smComFieldsPart
	smComBalances
	smComAll = 1<<iota - 1
)

// smComKind is what a step may have done to the log.
type smComKind uint8

const (
	// smComNone: nothing committed a logged write (refused steps, the
	// clock, and billing's writes, which are unlogged): the head stays.
	smComNone smComKind = iota
	// smComNoLog: a logged transaction changed nothing and appended no
	// entry; the head may move.
	smComNoLog
	// smComWrote: a logged write at the revision it returned.
	smComWrote
)

// smComStep is what the last step did, for the check.
type smComStep struct {
	kind  smComKind
	rev   storage.Revision
	reads map[org.OrganisationID]smComParts
}

// smCom drives a Space's community (and billing for coupons) with random
// operations and checks it against the model after each.
type smCom struct {
	*svcMachine
	mc     *modelCommunity
	owners map[org.OrganisationID]org.UserID
	// manager is the user who manages events (the last user, usr_f, has
	// no role anywhere).
	manager org.UserID
	// from and to are the months the stats are read over.
	from, to community.Month

	// In creation order, so that runs replay.
	eventIDs  []community.EventID
	fieldIDs  []community.FieldID
	couponIDs []billing.CouponID
	personIDs []community.PersonID

	head  storage.Revision // as the last check read it
	step  smComStep
	begun bool
}

// svcTestCommunityMachine runs the community machine on a fresh backend
// per case, released when the case ends.
func svcTestCommunityMachine(t *testing.T, newBackend func(t *testing.T) (svcBackend, func())) {
	rapid.Check(t, func(rt *rapid.T) {
		if !smRunCase(rt, smComEvery) {
			return
		}
		backend, release := newBackend(t)
		defer release()
		c := newComMachine(rt, backend)
		actions := c.actions()
		for range smComRounds {
			rt.Repeat(actions)
		}
		c.step = smComStep{reads: c.everything()}
		c.check(rt)
	})
}

// newComMachine opens a Space on backend over the world, written in one
// transaction straight through the store (organisations A and B, their
// Owners and Members, the manager, the outsider, the operator), then,
// through the Space, has each Owner buy a few licences and create an
// event, makes the manager manage A's, and, mostly, has A support B's
// with a coupon.
func newComMachine(rt *rapid.T, backend svcBackend) *smCom {
	sm := &svcMachine{
		ctx:     rt.Context(),
		backend: backend,
		clock:   accesstest.NewClock(svcT0),
		mail:    accesstest.NewMailbox(),
		m:       newModel(svcT0, smInvitationTTL),
	}
	pay := &billing.FakeProvider{Clock: sm.clock}
	sm.cfg = orgspace.Config{
		Clock: sm.clock, IDs: &org.SequentialIDs{}, Notifier: sm.mail, Rand: newSvcRand(4),
		InvitationTTL: smInvitationTTL, Prices: svcBillPrices, Payments: pay,
		CommunityK: rapid.SampledFrom([]int{0, 1, 2, 2, 3}).Draw(rt, "k"),
	}
	must := func(err error) {
		rt.Helper()
		if err != nil {
			rt.Fatalf("set-up: %v", err)
		}
	}
	m := sm.m
	op := sf.operator("op_community")
	seed := storeSeed{Operators: []org.Operator{op}}
	m.operator, sm.opActor = op.ID, org.AsOperator(op.ID)
	for _, id := range []string{"org_a", "org_b"} {
		o := sf.org(id)
		if o.Settings.TimeZone != smComZone {
			rt.Fatalf("set-up: organisations are in %s, the machine expects %s", o.Settings.TimeZone, smComZone)
		}
		seed.Orgs = append(seed.Orgs, o)
		m.orgs[o.ID] = &modelOrg{ID: o.ID, Name: o.Name}
		sm.orgIDs = append(sm.orgIDs, o.ID)
	}
	c := &smCom{svcMachine: sm, owners: map[org.OrganisationID]org.UserID{},
		from: community.Month{Year: 2026, Month: time.February}, to: community.Month{Year: 2027, Month: time.January}}
	roles := []struct {
		o    int
		role org.Role
	}{{0, org.Owner}, {0, org.Member}, {1, org.Owner}, {1, org.Member}, {-1, 0}, {-1, 0}}
	for i, r := range roles {
		u := sf.user(fmt.Sprintf("usr_%c", 'a'+i))
		seed.Users = append(seed.Users, u)
		m.addModelUser(u)
		sm.userIDs = append(sm.userIDs, u.ID)
		if r.o < 0 {
			continue
		}
		o := sm.orgIDs[r.o]
		ms := sf.membership(string(o), string(u.ID), r.role)
		seed.Memberships = append(seed.Memberships, ms)
		m.memberships[modelMembershipKey{o, u.ID}] = modelMembership{Role: r.role, Since: ms.Since}
		if r.role == org.Owner {
			c.owners[o] = u.ID
		}
	}
	c.manager = sm.userIDs[4]
	first, err := backend(sm.ctx, sm.cfg)
	must(err)
	_, err = first.Store().Update(sm.ctx, seed.write)
	must(err)
	sm.space, err = backend(sm.ctx, sm.cfg)
	must(err)
	loc, err := time.LoadLocation(smComZone)
	must(err)
	c.mc = newModelCommunity(m, sm.space.Community.K(), loc)
	for i, o := range sm.orgIDs {
		owner := org.AsUser(c.owners[o])
		// A, which supports B, one more.
		n := rapid.Int64Range(2, 5).Draw(rt, fmt.Sprintf("organisation %d licences", i)) + int64(1-i)
		r := billing.PurchaseRequest{Org: o, Asset: billing.Licences, Quantity: n, Key: "licences"}
		apply, want := m.billBuy(owner, r, 0)
		must(want)
		p, err := sm.space.Billing.Buy(sm.ctx, owner, r)
		must(err)
		apply(p)
		in := community.EventInput{Name: "Opening", Start: m.now.Add(4 * 24 * time.Hour), End: m.now.Add(4*24*time.Hour + 3*time.Hour), Location: smComPlaces[i]}
		create, want := c.mc.createEvent(owner, o, in)
		must(want)
		e, _, err := sm.space.Community.CreateEvent(sm.ctx, owner, o, in)
		must(err)
		create(e.ID)
		c.eventIDs = append(c.eventIDs, e.ID)
	}
	ownerA, ownerB := org.AsUser(c.owners[sm.orgIDs[0]]), org.AsUser(c.owners[sm.orgIDs[1]])
	add, want := c.mc.addManager(ownerA, c.eventIDs[0], c.manager)
	must(want)
	_, err = sm.space.Community.AddManager(sm.ctx, ownerA, c.eventIDs[0], c.manager)
	must(err)
	add()
	// Mostly, A supports B's event with a coupon from the start.
	if n := rapid.SampledFrom([]int64{1, 2, 0}).Draw(rt, "licences of A's coupon for B's event"); n > 0 {
		r := billing.CouponRequest{Org: sm.orgIDs[0], Licences: n}
		issue, want := m.billIssueCoupon(ownerA, r)
		must(want)
		cp, err := sm.space.Billing.IssueCoupon(sm.ctx, ownerA, r)
		must(err)
		issue(cp)
		c.couponIDs = append(c.couponIDs, cp.ID)
		redeem, want := m.billRedeemCoupon(ownerB, c.eventIDs[1], cp.Code)
		must(want)
		_, err = sm.space.Billing.RedeemCoupon(sm.ctx, ownerB, c.eventIDs[1], cp.Code)
		must(err)
		redeem()
	}
	return c
}

// --- Draws -------------------------------------------------------------------------

// smComOneIn draws true about once in n. rapid draws the minimum of a
// range far more often than the rest (IntRange(0, 19) is 0 in about one
// draw in seven), the maximum about as often as the others.
func smComOneIn(rt *rapid.T, label string, n int) bool {
	return rapid.IntRange(1, n).Draw(rt, label) == n
}

// bad draws which of n parts of an input to make malformed: -1 (none)
// about seven times in eight.
func (c *smCom) bad(rt *rapid.T, n int) int {
	if !smComOneIn(rt, "malformed", 8) {
		return -1
	}
	return rapid.IntRange(0, n-1).Draw(rt, "malformed part")
}

// orgUsers are the Owners and Members of o.
func (c *smCom) orgUsers(o org.OrganisationID) []org.UserID {
	var out []org.UserID
	for _, u := range c.userIDs {
		if r := c.m.orgRole(o, u); r == org.Owner || r == org.Member {
			out = append(out, u)
		}
	}
	return out
}

// orgActor draws an actor for an action on o: mostly one of its users.
func (c *smCom) orgActor(rt *rapid.T, o org.OrganisationID) org.Actor {
	return c.actorPreferring(rt, c.orgUsers(o))
}

// eventActor draws an actor for an action on event e: mostly a user of
// its organisation or one of its managers.
func (c *smCom) eventActor(rt *rapid.T, e community.EventID) org.Actor {
	ev := c.mc.events[e]
	if ev == nil {
		return c.actorPreferring(rt, nil)
	}
	in := c.orgUsers(ev.Org)
	for _, u := range c.userIDs {
		if c.mc.managers[modelManagerKey{e, u}] {
			in = append(in, u)
		}
	}
	return c.actorPreferring(rt, in)
}

// event draws a known event mostly, else an unknown or, rarely, a
// malformed ID.
func (c *smCom) event(rt *rapid.T) community.EventID {
	if smComOneIn(rt, "malformed event", 20) {
		return ""
	}
	return smPick(rt, "event", c.eventIDs, append(slices.Clone(c.eventIDs), "evt_0"))
}

// eventOrg is the organisation of event e, or A for an unknown one.
func (c *smCom) eventOrg(e community.EventID) org.OrganisationID {
	if ev := c.mc.events[e]; ev != nil {
		return ev.Org
	}
	return c.orgIDs[0]
}

// person draws a known person mostly, else an unknown or, rarely, a
// malformed ID.
func (c *smCom) person(rt *rapid.T) community.PersonID {
	if smComOneIn(rt, "malformed person", 20) {
		return ""
	}
	return smPick(rt, "person", c.personIDs, append(slices.Clone(c.personIDs), "per_0"))
}

// participation draws, three times in four, the event and person of a
// participation in one of statuses (of any status when there is none),
// else any event and person.
func (c *smCom) participation(rt *rapid.T, statuses ...community.Status) (community.EventID, community.PersonID) {
	var some []modelPartKey
	for _, e := range c.eventIDs {
		for _, p := range c.personIDs {
			if part := c.mc.parts[modelPartKey{e, p}]; part != nil && slices.Contains(statuses, part.Status) {
				some = append(some, modelPartKey{e, p})
			}
		}
	}
	if len(some) == 0 {
		for _, e := range c.eventIDs {
			for _, p := range c.personIDs {
				if c.mc.parts[modelPartKey{e, p}] != nil {
					some = append(some, modelPartKey{e, p})
				}
			}
		}
	}
	if len(some) > 0 && !smComOneIn(rt, "any event and person", 4) {
		k := rapid.SampledFrom(some).Draw(rt, "participation")
		return k.Event, k.Person
	}
	return c.event(rt), c.person(rt)
}

// eventInput draws what an organisation says of an event of o, now and
// then malformed: no name, an end not after the start, a zero start, an
// unknown time zone, a point off the Earth, or a field that is not one
// of o's.
func (c *smCom) eventInput(rt *rapid.T, o org.OrganisationID) community.EventInput {
	bad := c.bad(rt, 6)
	start := c.m.now.Add(rapid.SampledFrom(smComStarts).Draw(rt, "start"))
	if smComOneIn(rt, "start in New York", 4) {
		ny, err := time.LoadLocation("America/New_York")
		if err != nil {
			rt.Fatalf("time zone: %v", err)
		}
		start = start.In(ny)
	}
	in := community.EventInput{
		Name:     rapid.SampledFrom(smComEventNames).Draw(rt, "event name"),
		Start:    start,
		End:      start.Add(rapid.SampledFrom(smComLengths).Draw(rt, "length")),
		TimeZone: rapid.SampledFrom(smComEventZones).Draw(rt, "time zone"),
		Location: rapid.SampledFrom(smComPlaces).Draw(rt, "location"),
	}
	var own []community.FieldID
	for _, id := range c.fieldIDs {
		if c.mc.fields[id].Org == o {
			own = append(own, id)
		}
	}
	for i := range rapid.IntRange(0, min(2, len(own))).Draw(rt, "fields") {
		if f := rapid.SampledFrom(own).Draw(rt, fmt.Sprintf("field %d", i)); !slices.Contains(in.Fields, f) {
			in.Fields = append(in.Fields, f)
		}
	}
	switch bad {
	case 0:
		in.Name = rapid.SampledFrom([]string{"", "   "}).Draw(rt, "bad name")
	case 1:
		in.End = in.Start.Add(-rapid.SampledFrom([]time.Duration{0, time.Hour}).Draw(rt, "end before start"))
	case 2:
		in.Start = time.Time{}
	case 3:
		in.TimeZone = rapid.SampledFrom(smComBadZones).Draw(rt, "bad time zone")
	case 4:
		in.Location = rapid.SampledFrom(smComBadPlaces).Draw(rt, "bad location")
	case 5:
		f := community.FieldID("fld_0")
		for _, id := range c.fieldIDs {
			if c.mc.fields[id].Org != o {
				f = id
			}
		}
		if len(in.Fields) > 0 && rapid.Bool().Draw(rt, "a field twice") {
			f = in.Fields[0]
		}
		in.Fields = append(in.Fields, f)
	}
	return in
}

// fieldInput draws a field definition, now and then a malformed one.
func (c *smCom) fieldInput(rt *rapid.T) community.FieldInput {
	var in community.FieldInput
	if c.bad(rt, 1) == 0 {
		in = rapid.SampledFrom(smComBadFields).Draw(rt, "bad field")
	} else {
		in = rapid.SampledFrom(smComFields).Draw(rt, "field")
	}
	in.Options = slices.Clone(in.Options)
	in.Required = smComOneIn(rt, "required", 4)
	in.Visibility = rapid.SampledFrom([]community.Visibility{community.Public, community.Public, community.OrgOnly}).Draw(rt, "visibility")
	if smComOneIn(rt, "bad visibility", 20) {
		in.Visibility = 0
	}
	return in
}

// value draws values for field f: valid ones, or ones f refuses.
func smComValue(rt *rapid.T, f *community.Field, valid bool) []string {
	opts := f.Options
	switch f.Type {
	case community.FieldText:
		if valid {
			return []string{" Hello there "}
		}
		return []string{"a\x01b"}
	case community.FieldNumber:
		if valid {
			return []string{"42.50"}
		}
		return []string{"forty"}
	case community.FieldDate:
		if valid {
			return []string{"2024-02-29"}
		}
		return []string{"2023-02-30"}
	case community.FieldYesNo:
		if valid {
			return []string{rapid.SampledFrom([]string{"Yes", "false"}).Draw(rt, "yes or no")}
		}
		return []string{"maybe"}
	case community.FieldChoice:
		if valid {
			return []string{strings.ToLower(opts[len(opts)-1])}
		}
		return rapid.SampledFrom([][]string{{"nope"}, {opts[0], opts[0]}}).Draw(rt, "bad choice")
	case community.FieldChoices:
		switch {
		case !valid:
			return []string{opts[0], strings.ToUpper(opts[0])}
		case len(opts) == 1:
			return []string{opts[0]}
		}
		return []string{opts[len(opts)-1], strings.ToUpper(opts[0])}
	}
	return []string{"?"}
}

// answers draws answers to event e's form by actor: the fields actor
// fills mostly answered validly (always tried when required), now and
// then blank or invalid, and rarely one actor may not fill or e does not
// ask.
func (c *smCom) answers(rt *rapid.T, e community.EventID, actor org.Actor) community.Answers {
	ev := c.mc.events[e]
	if ev == nil {
		return nil
	}
	r, _ := c.mc.reachOrg(actor, ev.Org)
	if actor.Kind == org.ActorSystem {
		r = comEventReach
	}
	a := community.Answers{}
	for i, id := range ev.Fields {
		f := c.mc.fields[id]
		fills := f.Visibility == community.Public || r == comOrgReach
		label := fmt.Sprintf("answer %d", i)
		if !fills && !smComOneIn(rt, label+" to a field the actor does not fill", 16) {
			continue
		}
		switch rapid.SampledFrom([]string{"valid", "none", "valid", "valid", "none", "blank", "invalid"}).Draw(rt, label) {
		case "none":
			if !f.Required {
				continue
			}
			a[id] = smComValue(rt, f, true)
		case "blank":
			a[id] = rapid.SampledFrom([][]string{nil, {"  "}}).Draw(rt, label+" blank")
		case "invalid":
			a[id] = smComValue(rt, f, false)
		default:
			a[id] = smComValue(rt, f, true)
		}
	}
	if smComOneIn(rt, "an answer to a field not asked", 20) {
		a[smPick(rt, "field not asked", c.fieldIDs, []community.FieldID{"fld_0"})] = []string{"yes"}
	}
	if len(a) == 0 {
		return nil
	}
	return a
}

// application draws a person of the pool applying to event e as actor,
// with their data as the model has it (as first given when new), now and
// then changed or malformed; email is the address normalised, "" when
// malformed.
func (c *smCom) application(rt *rapid.T, e community.EventID, actor org.Actor) (a community.Application, email string) {
	who := rapid.SampledFrom(smComPeople).Draw(rt, "person")
	a = community.Application{Event: e, Name: who.name, Email: who.email.raw, BirthDate: who.birth, Home: who.home}
	email = who.email.norm
	if id, ok := c.mc.byEmail[email]; ok {
		p := c.mc.people[id]
		a.Name, a.BirthDate, a.Home = p.Name, p.BirthDate, p.Home
	}
	switch rapid.IntRange(0, 11).Draw(rt, "application variant") {
	case 0:
		a.Name = rapid.SampledFrom(smComNames).Draw(rt, "new name")
	case 1:
		a.BirthDate = rapid.SampledFrom(smComBirths).Draw(rt, "new birth date")
	case 2:
		a.Home = rapid.SampledFrom(smComPlaces).Draw(rt, "new home")
	case 3:
		a.Email = "  " + strings.ToUpper(who.email.norm) + " "
	case 4:
		switch rapid.IntRange(0, 5).Draw(rt, "malformed person") {
		case 0:
			a.Name = " "
		case 1:
			a.Email, email = "broken@", ""
		case 2:
			a.BirthDate = time.Time{}
		case 3:
			a.BirthDate = c.m.now.Add(48 * time.Hour)
		case 4:
			a.BirthDate = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
		case 5:
			a.Home = rapid.SampledFrom(smComBadPlaces).Draw(rt, "bad home")
		}
	}
	a.Answers = c.answers(rt, e, actor)
	return a, email
}

// --- Outcomes ----------------------------------------------------------------------

// outcome compares the Space's error with the model's and reports whether
// both succeeded.
func (c *smCom) outcome(rt *rapid.T, what string, want, got error) bool {
	rt.Helper()
	switch {
	case want == nil && got != nil:
		rt.Fatalf("%s: the model predicts success, the Space failed: %v", what, got)
	case want != nil && got == nil:
		rt.Fatalf("%s: the model predicts %s, the Space succeeded", what, svcBillSentinel(want))
	case want != nil && !errors.Is(got, want):
		rt.Fatalf("%s: the Space failed with %v (%s), the model predicts %v", what, got, svcBillSentinel(got), want)
	}
	return want == nil
}

// wrote records a logged write at rev, and what the check must read.
func (c *smCom) wrote(rev storage.Revision, reads map[org.OrganisationID]smComParts) {
	c.step = smComStep{kind: smComWrote, rev: rev, reads: reads}
}

// affected are the reads a change of event e calls for: parts of its
// organisation, those but the members of the organisations supporting
// it, and with licences the balances of its organisation (a licence
// moves between its pool or a coupon's escrow and its allocation: only
// its own balances show that).
func (c *smCom) affected(e community.EventID, parts smComParts, licences bool) map[org.OrganisationID]smComParts {
	out := map[org.OrganisationID]smComParts{}
	ev := c.mc.events[e]
	for _, o := range c.orgIDs {
		switch {
		case o == ev.Org:
			out[o] |= parts
		case c.mc.supported(o)[e]:
			out[o] |= parts &^ smComMembers
		}
		if licences && o == ev.Org {
			out[o] |= smComBalances
		}
	}
	return out
}

// everything is every read of every organisation.
func (c *smCom) everything() map[org.OrganisationID]smComParts {
	out := map[org.OrganisationID]smComParts{}
	for _, o := range c.orgIDs {
		out[o] = smComAll
	}
	return out
}

// samePart compares a participation the Space returned with the model's;
// the answers by the fields they answer.
func (c *smCom) samePart(rt *rapid.T, what string, want *modelPart, got community.Participation) {
	rt.Helper()
	var answered []community.FieldID
	for id := range got.Answers {
		answered = append(answered, id)
	}
	slices.Sort(answered)
	wantAnswered := slices.Sorted(slices.Values(want.answered))
	got.Answers = nil
	if diff := gocmp.Diff(want.Participation, got, svcCmpOptions...); diff != "" {
		rt.Fatalf("%s: the participation (-model +Space):\n%s", what, diff)
	}
	if diff := gocmp.Diff(wantAnswered, answered, svcCmpOptions...); diff != "" {
		rt.Fatalf("%s: the fields answered (-model +Space):\n%s", what, diff)
	}
}

func (c *smCom) actions() map[string]func(*rapid.T) {
	ctx, sp, mc := c.ctx, c.space.Community, c.mc
	apply := func(rt *rapid.T) {
		e := c.event(rt)
		actor := org.System()
		if rapid.Bool().Draw(rt, "not the host") {
			actor = c.eventActor(rt, e)
		}
		a, email := c.application(rt, e, actor)
		what := fmt.Sprintf("Apply by %s of %+v", actor, a)
		predict, want := mc.apply(actor, a, email)
		p, rev, err := sp.Apply(ctx, actor, a)
		if !c.outcome(rt, what, want, err) {
			return
		}
		var before community.Person
		if id, ok := mc.byEmail[email]; ok {
			before = *mc.people[id]
		} else {
			c.personIDs = append(c.personIDs, p.Person)
		}
		c.samePart(rt, what, predict(p.Person), p)
		after := *mc.people[p.Person]
		reads := map[org.OrganisationID]smComParts{}
		if before.ID != "" && before != after {
			// A person's data shows in the members and the stats of every
			// organisation they take part in.
			reads = c.everything()
		}
		c.wrote(rev, reads)
	}
	accept := func(rt *rapid.T) {
		e, p := c.participation(rt, community.Applied, community.Declined)
		actor := c.eventActor(rt, e)
		what := fmt.Sprintf("Accept by %s of %s on %s", actor, p, e)
		predict, want := mc.accept(actor, e, p)
		got, rev, err := sp.Accept(ctx, actor, e, p)
		if !c.outcome(rt, what, want, err) {
			return
		}
		if predict == nil {
			c.step.kind = smComNoLog
			c.samePart(rt, what, mc.parts[modelPartKey{e, p}], got)
			return
		}
		predict()
		c.samePart(rt, what, mc.parts[modelPartKey{e, p}], got)
		c.wrote(rev, c.affected(e, smComMembers|smComEvents|smComStats, true))
	}
	leave := func(to community.Status) func(rt *rapid.T) {
		return func(rt *rapid.T) {
			e, p := c.participation(rt, community.Applied, community.Accepted)
			actor := c.eventActor(rt, e)
			what := fmt.Sprintf("%s by %s of %s on %s", map[community.Status]string{community.Declined: "Decline", community.Withdrawn: "Withdraw"}[to], actor, p, e)
			predict, want := mc.leave(actor, e, p, to)
			var got community.Participation
			var rev storage.Revision
			var err error
			if to == community.Declined {
				got, rev, err = sp.Decline(ctx, actor, e, p)
			} else {
				got, rev, err = sp.Withdraw(ctx, actor, e, p)
			}
			if !c.outcome(rt, what, want, err) {
				return
			}
			part := mc.parts[modelPartKey{e, p}]
			if predict == nil {
				c.step.kind = smComNoLog
				c.samePart(rt, what, part, got)
				return
			}
			was := part.Status
			predict()
			c.samePart(rt, what, part, got)
			reads := map[org.OrganisationID]smComParts{}
			if was == community.Accepted {
				reads = c.affected(e, smComMembers|smComEvents|smComStats, true)
			}
			c.wrote(rev, reads)
		}
	}
	return map[string]func(*rapid.T){
		"": c.check,
		"AdvanceClock": func(rt *rapid.T) {
			d := rapid.SampledFrom(smComAdvance).Draw(rt, "advance")
			c.clock.Advance(d)
			c.m.now = c.m.now.Add(d)
		},
		"CreateEvent": func(rt *rapid.T) {
			o := c.org(rt)
			actor, in := c.orgActor(rt, o), c.eventInput(rt, o)
			what := fmt.Sprintf("CreateEvent by %s in %s of %+v", actor, o, in)
			predict, want := mc.createEvent(actor, o, in)
			e, rev, err := sp.CreateEvent(ctx, actor, o, in)
			if c.outcome(rt, what, want, err) {
				c.eventIDs = append(c.eventIDs, e.ID)
				if diff := gocmp.Diff(*predict(e.ID), e, svcCmpOptions...); diff != "" {
					rt.Fatalf("%s: the event (-model +Space):\n%s", what, diff)
				}
				c.wrote(rev, map[org.OrganisationID]smComParts{o: smComEvents})
			}
		},
		"EditEvent": func(rt *rapid.T) {
			e := c.event(rt)
			actor, in := c.eventActor(rt, e), c.eventInput(rt, c.eventOrg(e))
			what := fmt.Sprintf("EditEvent by %s of %s to %+v", actor, e, in)
			predict, want := mc.editEvent(actor, e, in)
			got, rev, err := sp.EditEvent(ctx, actor, e, in)
			if c.outcome(rt, what, want, err) {
				predict()
				if diff := gocmp.Diff(*mc.events[e], got, svcCmpOptions...); diff != "" {
					rt.Fatalf("%s: the event (-model +Space):\n%s", what, diff)
				}
				c.wrote(rev, c.affected(e, smComEvents|smComStats, false))
			}
		},
		"ArchiveEvent": func(rt *rapid.T) {
			e := c.event(rt)
			actor, archived := c.eventActor(rt, e), rapid.Bool().Draw(rt, "archived")
			what := fmt.Sprintf("ArchiveEvent by %s of %s: %v", actor, e, archived)
			predict, want := mc.archiveEvent(actor, e, archived)
			got, rev, err := sp.ArchiveEvent(ctx, actor, e, archived)
			if c.outcome(rt, what, want, err) {
				predict()
				if diff := gocmp.Diff(*mc.events[e], got, svcCmpOptions...); diff != "" {
					rt.Fatalf("%s: the event (-model +Space):\n%s", what, diff)
				}
				c.wrote(rev, c.affected(e, smComEvents, false))
			}
		},
		"DefineField": func(rt *rapid.T) {
			o := c.org(rt)
			actor, in := c.orgActor(rt, o), c.fieldInput(rt)
			what := fmt.Sprintf("DefineField by %s in %s of %+v", actor, o, in)
			predict, want := mc.defineField(actor, o, in)
			f, rev, err := sp.DefineField(ctx, actor, o, in)
			if c.outcome(rt, what, want, err) {
				c.fieldIDs = append(c.fieldIDs, f.ID)
				if diff := gocmp.Diff(*predict(f.ID), f, svcCmpOptions...); diff != "" {
					rt.Fatalf("%s: the field (-model +Space):\n%s", what, diff)
				}
				c.wrote(rev, map[org.OrganisationID]smComParts{o: smComFieldsPart})
			}
		},
		"EditField": func(rt *rapid.T) {
			id := smPick(rt, "field", c.fieldIDs, append(slices.Clone(c.fieldIDs), "fld_0"))
			o := c.orgIDs[0]
			if f := mc.fields[id]; f != nil {
				o = f.Org
			}
			actor, in := c.orgActor(rt, o), c.fieldInput(rt)
			what := fmt.Sprintf("EditField by %s of %s to %+v", actor, id, in)
			predict, want := mc.editField(actor, id, in)
			f, rev, err := sp.EditField(ctx, actor, id, in)
			if c.outcome(rt, what, want, err) {
				predict()
				if diff := gocmp.Diff(*mc.fields[id], f, svcCmpOptions...); diff != "" {
					rt.Fatalf("%s: the field (-model +Space):\n%s", what, diff)
				}
				c.wrote(rev, map[org.OrganisationID]smComParts{o: smComFieldsPart})
			}
		},
		"Apply":        apply,
		"Apply again":  apply,
		"Apply, too":   apply,
		"Accept":       accept,
		"Accept again": accept,
		"Decline":      leave(community.Declined),
		"Withdraw":     leave(community.Withdrawn),
		"RecordHours": func(rt *rapid.T) {
			e, p := c.participation(rt, community.Accepted)
			actor := c.eventActor(rt, e)
			worked := rapid.SampledFrom(smComWorked).Draw(rt, "worked")
			what := fmt.Sprintf("RecordHours by %s of %s on %s: %s", actor, p, e, worked)
			predict, want := mc.recordHours(actor, e, p, worked)
			got, rev, err := sp.RecordHours(ctx, actor, e, p, worked)
			if c.outcome(rt, what, want, err) {
				predict()
				c.samePart(rt, what, mc.parts[modelPartKey{e, p}], got)
				c.wrote(rev, c.affected(e, smComStats, false))
			}
		},
		"AddManager": func(rt *rapid.T) {
			e := c.event(rt)
			actor := c.eventActor(rt, e)
			u := smPick(rt, "manager", []org.UserID{c.manager}, append(slices.Clone(c.userIDs), smUnknownUser, ""))
			what := fmt.Sprintf("AddManager by %s of %q on %s", actor, u, e)
			predict, want := mc.addManager(actor, e, u)
			rev, err := sp.AddManager(ctx, actor, e, u)
			if c.outcome(rt, what, want, err) {
				predict()
				c.wrote(rev, nil)
			}
		},
		"RemoveManager": func(rt *rapid.T) {
			e := c.event(rt)
			actor := c.eventActor(rt, e)
			u := smPick(rt, "manager", []org.UserID{c.manager}, append(slices.Clone(c.userIDs), smUnknownUser))
			what := fmt.Sprintf("RemoveManager by %s of %q on %s", actor, u, e)
			predict, want := mc.removeManager(actor, e, u)
			rev, err := sp.RemoveManager(ctx, actor, e, u)
			if c.outcome(rt, what, want, err) {
				predict()
				c.wrote(rev, nil)
			}
		},
		"IssueCoupon": func(rt *rapid.T) {
			o := c.org(rt)
			actor := c.actorPreferring(rt, []org.UserID{c.owners[o]})
			r := billing.CouponRequest{Org: o, Licences: rapid.SampledFrom([]int64{1, 1, 2, 0}).Draw(rt, "licences")}
			what := fmt.Sprintf("IssueCoupon by %s of %+v", actor, r)
			predict, want := c.m.billIssueCoupon(actor, r)
			got, err := c.space.Billing.IssueCoupon(ctx, actor, r)
			if c.outcome(rt, what, want, err) {
				predict(got)
				c.couponIDs = append(c.couponIDs, got.ID)
			}
			c.step.reads = map[org.OrganisationID]smComParts{o: smComBalances}
		},
		"RedeemCoupon": func(rt *rapid.T) {
			if len(c.couponIDs) == 0 {
				rt.Skip("no coupon yet")
			}
			var active []billing.CouponID
			for _, id := range c.couponIDs {
				if c.m.billing.coupons[id].Status == billing.CouponActive {
					active = append(active, id)
				}
			}
			cp := c.m.billing.coupons[smPick(rt, "coupon", active, c.couponIDs)]
			var others []community.EventID
			for _, e := range c.eventIDs {
				if mc.events[e].Org != cp.Org {
					others = append(others, e)
				}
			}
			e := smPick(rt, "event", others, append(slices.Clone(c.eventIDs), "evt_0"))
			code := cp.Code
			if rapid.Bool().Draw(rt, "code in lower case") {
				code = strings.ToLower(code)
			}
			actor := c.orgActor(rt, c.eventOrg(e))
			what := fmt.Sprintf("RedeemCoupon by %s of %s (%s's) on %s", actor, cp.ID, cp.Org, e)
			predict, want := c.m.billRedeemCoupon(actor, e, code)
			_, err := c.space.Billing.RedeemCoupon(ctx, actor, e, code)
			reads := map[org.OrganisationID]smComParts{cp.Org: smComBalances}
			if c.outcome(rt, what, want, err) && predict != nil {
				predict()
				// The issuer now supports e: its event list and stats.
				reads[cp.Org] |= smComEvents | smComStats
			}
			c.step.reads = reads
		},
	}
}

// --- Invariants ----------------------------------------------------------------------

// check runs after every step: the log, then what the step may have
// changed, read through the Space.
func (c *smCom) check(rt *rapid.T) {
	rt.Helper()
	step := c.step
	c.step = smComStep{}
	first := !c.begun
	if first {
		c.begun = true
		step = smComStep{reads: c.everything()}
	}
	var head storage.Revision
	var entries []storage.Entry
	err := c.space.Store().View(c.ctx, storage.Latest(), func(st orgspace.Store) error {
		var err error
		if head, err = st.Head(); err != nil || head == c.head {
			return err
		}
		entries, err = st.Entries(storage.LogQuery{After: storage.AfterRevision(c.head), Limit: 100})
		return err
	})
	if err != nil {
		rt.Fatalf("read the log: %v", err)
	}
	switch {
	case first:
		// The set-up's writes.
	case step.kind == smComNone:
		if head != c.head || len(entries) > 0 {
			rt.Fatalf("a step that wrote nothing to the log moved the head from %d to %d and appended %d entries: %+v", c.head, head, len(entries), entries)
		}
	case step.kind == smComNoLog:
		if len(entries) > 0 {
			rt.Fatalf("a step the model says changes nothing appended %d log entries: %+v", len(entries), entries)
		}
	case step.kind == smComWrote:
		if step.rev <= c.head || head != step.rev || len(entries) == 0 {
			rt.Fatalf("a write returned revision %d after head %d; the head is %d, with %d new entries", step.rev, c.head, head, len(entries))
		}
		for _, e := range entries {
			if e.Revision != step.rev {
				rt.Fatalf("a write at revision %d appended an entry at revision %d: %+v", step.rev, e.Revision, e)
			}
			text := fmt.Sprintf("%+v", e)
			for _, p := range c.mc.people {
				if strings.Contains(text, p.Email) || strings.Contains(text, p.Name) {
					rt.Fatalf("log entry %+v names person %s (%q, %s)", e, p.ID, p.Name, p.Email)
				}
			}
		}
	}
	c.head = head
	for _, o := range c.orgIDs {
		if parts := step.reads[o]; parts != 0 {
			c.checkOrg(rt, o, parts)
		}
	}
}

// checkOrg reads parts of organisation o through the Space, as its Owner
// (balances as the operator), and compares them with the model.
func (c *smCom) checkOrg(rt *rapid.T, o org.OrganisationID, parts smComParts) {
	rt.Helper()
	ctx, sp, mc, latest := c.ctx, c.space.Community, c.mc, storage.Latest()
	owner := org.AsUser(c.owners[o])
	var outputs []any // what o's users received, for the privacy check
	if parts&smComMembers != 0 {
		var got []community.Member
		for page := (storage.PageRequest{Limit: 4}); ; {
			p, err := sp.Members(ctx, latest, owner, community.MemberFilter{Org: o}, page)
			if err != nil {
				rt.Fatalf("Members of %s: %v", o, err)
			}
			outputs = append(outputs, p)
			got = append(got, p.Items...)
			if p.Next == "" {
				break
			}
			page.After = p.Next
		}
		if diff := gocmp.Diff(mc.members(o), got, svcCmpOptions...); diff != "" {
			rt.Fatalf("Members of %s (-model +Space):\n%s", o, diff)
		}
	}
	if parts&smComEvents != 0 {
		var got []community.EventSummary
		q := community.EventQuery{Org: o, Archived: community.WithArchived}
		for page := (storage.PageRequest{Limit: 8}); ; {
			p, err := sp.Events(ctx, latest, owner, q, page)
			if err != nil {
				rt.Fatalf("Events of %s: %v", o, err)
			}
			outputs = append(outputs, p)
			got = append(got, p.Items...)
			if p.Next == "" {
				break
			}
			page.After = p.Next
		}
		if diff := gocmp.Diff(mc.eventList(o), got, svcCmpOptions...); diff != "" {
			rt.Fatalf("Events of %s (k %d) (-model +Space):\n%s", o, mc.k, diff)
		}
	}
	if parts&smComStats != 0 {
		got, err := sp.Stats(ctx, latest, owner, community.StatsQuery{Org: o, From: c.from, To: c.to})
		if err != nil {
			rt.Fatalf("Stats of %s: %v", o, err)
		}
		outputs = append(outputs, got)
		if err := c.statsProblem(o, got); err != nil {
			rt.Fatalf("Stats of %s from %s to %s (k %d): %v", o, c.from, c.to, mc.k, err)
		}
	}
	if parts&smComFieldsPart != 0 {
		got, err := sp.Fields(ctx, latest, owner, o)
		if err != nil {
			rt.Fatalf("Fields of %s: %v", o, err)
		}
		if diff := gocmp.Diff(mc.fieldsOf(o), got, svcCmpOptions...); diff != "" {
			rt.Fatalf("Fields of %s (-model +Space):\n%s", o, diff)
		}
	}
	if parts&smComBalances != 0 {
		got, err := c.space.Billing.Balances(ctx, latest, c.opActor, o)
		if err != nil {
			rt.Fatalf("Balances of %s: %v", o, err)
		}
		if diff := gocmp.Diff(*c.m.billing.balance(o), got, svcCmpOptions...); diff != "" {
			rt.Fatalf("Balances of %s (-model +Space):\n%s", o, diff)
		}
	}
	c.checkPrivacy(rt, o, outputs)
}

// checkPrivacy checks that no output o's users received names a person
// who is only on events o supports, by name or by email. A name that a
// direct member of o shares (or that is part of one's name or email) is
// not telling, and not checked.
func (c *smCom) checkPrivacy(rt *rapid.T, o org.OrganisationID, outputs []any) {
	rt.Helper()
	if len(outputs) == 0 {
		return
	}
	hidden := c.mc.hidden(o)
	if len(hidden) == 0 {
		return
	}
	var seen []string
	for _, m := range c.mc.members(o) {
		seen = append(seen, m.Person.Name, m.Person.Email)
	}
	for _, out := range outputs {
		text := fmt.Sprintf("%+v", out)
		for _, p := range hidden {
			if strings.Contains(text, p.Email) {
				rt.Fatalf("%s received the email of %s, who is only on events it supports: %s", o, p.ID, text)
			}
			shared := slices.ContainsFunc(seen, func(s string) bool { return strings.Contains(s, p.Name) })
			if !shared && strings.Contains(text, p.Name) {
				rt.Fatalf("%s received the name of %s (%q), who is only on events it supports: %s", o, p.ID, p.Name, text)
			}
		}
	}
}

// statsProblem compares o's stats with a brute-force count of the model:
// every direct cell and every published indirect cell equal to the
// count, no published indirect cell (nor total) counting fewer than k
// people, and, where an indirect total is published over suppressed
// cells, at least two of them with a positive remainder.
func (c *smCom) statsProblem(o org.OrganisationID, got community.Stats) error {
	k := c.mc.k
	if got.Org != o || got.From != c.from || got.To != c.to || got.TimeZone != smComZone || got.K != k {
		return fmt.Errorf("it is of %s from %s to %s in %s, k %d", got.Org, got.From, got.To, got.TimeZone, got.K)
	}
	want := c.mc.stats(o, c.from, c.to)
	for _, t := range []struct {
		name string
		got  community.Table
		want modelTable
	}{{"Workload", got.Workload, want.Workload}, {"Ages", got.Ages, want.Ages}, {"Distances", got.Distances, want.Distances}, {"Size", got.Size, want.Size}} {
		if err := smComTableProblem(t.got, t.want, k); err != nil {
			return fmt.Errorf("%s: %w\nthe Space's: %+v\nthe model's: %+v", t.name, err, t.got, t.want)
		}
	}
	return nil
}

func smComTableProblem(got community.Table, want modelTable, k int) error {
	if !slices.Equal(got.Rows, want.Rows) || len(got.Direct) != len(want.Rows) || len(got.Indirect) != len(want.Rows) {
		return fmt.Errorf("rows %q with %d and %d cells, want %q", got.Rows, len(got.Direct), len(got.Indirect), want.Rows)
	}
	var direct, indirect, published int64
	suppressed := 0
	for i, row := range want.Rows {
		direct += want.Direct[i]
		indirect += want.Indirect[i]
		if d := got.Direct[i]; d != (community.Cell{Value: want.Direct[i]}) {
			return fmt.Errorf("row %s: direct %+v, the model counts %d", row, d, want.Direct[i])
		}
		switch ind := got.Indirect[i]; {
		case ind.Suppressed && ind.Value != 0:
			return fmt.Errorf("row %s: a suppressed indirect cell has value %d", row, ind.Value)
		case ind.Suppressed:
			suppressed++
		case want.People[i] < k:
			return fmt.Errorf("row %s: the indirect cell %d is published and counts %d people, fewer than k", row, ind.Value, want.People[i])
		case ind.Value != want.Indirect[i]:
			return fmt.Errorf("row %s: indirect %d, the model counts %d", row, ind.Value, want.Indirect[i])
		default:
			published += ind.Value
		}
	}
	if got.HasTotals != want.HasTotals {
		return fmt.Errorf("HasTotals is %v", got.HasTotals)
	}
	if !want.HasTotals {
		if got.DirectTotal != (community.Cell{}) || got.IndirectTotal != (community.Cell{}) {
			return fmt.Errorf("a table without totals has totals %+v and %+v", got.DirectTotal, got.IndirectTotal)
		}
		return nil
	}
	if got.DirectTotal != (community.Cell{Value: direct}) {
		return fmt.Errorf("direct total %+v, the model counts %d", got.DirectTotal, direct)
	}
	switch t := got.IndirectTotal; {
	case t.Suppressed && t.Value != 0:
		return fmt.Errorf("the suppressed indirect total has value %d", t.Value)
	case t.Suppressed:
	case want.PeopleTotal < k:
		return fmt.Errorf("the indirect total %d is published and counts %d people, fewer than k", t.Value, want.PeopleTotal)
	case t.Value != indirect:
		return fmt.Errorf("indirect total %d, the model counts %d", t.Value, indirect)
	case suppressed == 1 || (suppressed > 1 && indirect-published <= 0):
		return fmt.Errorf("the indirect total %d is published over %d suppressed cells whose sum is %d: it reveals them", t.Value, suppressed, indirect-published)
	}
	return nil
}
