package storagetest

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
)

// modelCommunity is the model of package community, written from the doc
// comments of community.Service with plain maps: events with their
// participant counts, people by email, participations with their status
// and the fields they answered, the fields each person last answered,
// shared fields and event managers. Licences, coupons and the events
// each organisation supports are the billing model's (model.billing),
// which the community model drives as community.Service drives
// billing: accepting takes a licence (billTakeLicence), leaving before
// the start returns it (billReturnLicence). Like the rest of the model,
// each operation returns the sentinel the rules predict and, when the
// operation changes something, a function that applies the change; a nil
// function means that the operation changes nothing at all.
type modelCommunity struct {
	*model
	// k is the Service's suppression threshold.
	k int
	// zone is the time zone of every organisation of the world, loc
	// its location.
	zone string
	loc  *time.Location

	events  map[community.EventID]*community.Event
	people  map[community.PersonID]*community.Person
	byEmail map[string]community.PersonID
	parts   map[modelPartKey]*modelPart
	// last holds, per person, the fields their latest answers hold a
	// value of (Store.PutLastAnswers never forgets a field).
	last     map[community.PersonID]map[community.FieldID]bool
	fields   map[community.FieldID]*community.Field
	managers map[modelManagerKey]bool
}

type modelPartKey struct {
	Event  community.EventID
	Person community.PersonID
}

type modelManagerKey struct {
	Event community.EventID
	User  org.UserID
}

// modelPart is a participation; Answers is left nil and answered names
// the fields it holds a value of.
type modelPart struct {
	community.Participation
	answered []community.FieldID
}

func newModelCommunity(m *model, k int, loc *time.Location) *modelCommunity {
	return &modelCommunity{
		model: m, k: k, zone: loc.String(), loc: loc,
		events: map[community.EventID]*community.Event{}, people: map[community.PersonID]*community.Person{},
		byEmail: map[string]community.PersonID{}, parts: map[modelPartKey]*modelPart{},
		last: map[community.PersonID]map[community.FieldID]bool{}, fields: map[community.FieldID]*community.Field{},
		managers: map[modelManagerKey]bool{},
	}
}

// --- Who may act ---------------------------------------------------------------

// comReach is what an actor may do of one event, as community.Service
// documents it.
type comReach uint8

const (
	comNoReach    comReach = iota
	comEventReach          // the event's managers
	comOrgReach            // Owners and Members of its organisation, operators, System
)

// reachOrg: the actor must resolve; operators and System reach every
// event, users those of the organisations they are Owner or Member of.
func (mc *modelCommunity) reachOrg(actor org.Actor, o org.OrganisationID) (comReach, error) {
	if err := mc.resolve(actor); err != nil {
		return comNoReach, err
	}
	if actor.Kind != org.ActorUser {
		return comOrgReach, nil
	}
	if r := mc.orgRole(o, actor.User()); r == org.Owner || r == org.Member {
		return comOrgReach, nil
	}
	return comNoReach, nil
}

// orgReachOf: the organisation must exist, then the actor reach all its
// events.
func (mc *modelCommunity) orgReachOf(actor org.Actor, o org.OrganisationID) error {
	if mc.orgs[o] == nil {
		return errNotFound
	}
	r, err := mc.reachOrg(actor, o)
	if err != nil {
		return err
	}
	if r != comOrgReach {
		return errDenied
	}
	return nil
}

// eventFor finds event id for an actor who needs at least min on it: a
// malformed ID is invalid, an unknown one not found.
func (mc *modelCommunity) eventFor(actor org.Actor, id community.EventID, min comReach) (*community.Event, comReach, error) {
	if !modelID(string(id)) {
		return nil, comNoReach, errInvalid
	}
	e := mc.events[id]
	if e == nil {
		return nil, comNoReach, errNotFound
	}
	r, err := mc.reachOrg(actor, e.Org)
	if err != nil {
		return nil, comNoReach, err
	}
	if r == comNoReach && actor.Kind == org.ActorUser && mc.managers[modelManagerKey{id, actor.User()}] {
		r = comEventReach
	}
	if r < min {
		return nil, comNoReach, errDenied
	}
	return e, r, nil
}

// --- Input rules -----------------------------------------------------------------

// modelLocation: a finite latitude in [-90, 90] and longitude in [-180, 180].
func modelLocation(l community.Location) bool {
	return !math.IsNaN(l.Lat) && l.Lat >= -90 && l.Lat <= 90 && !math.IsNaN(l.Lon) && l.Lon >= -180 && l.Lon <= 180
}

// smComZones are the time zones the machine gives events, valid or not.
var smComZones = map[string]bool{"": true, "Europe/Brussels": true, "America/New_York": true, "UTC": true, "Mars/Olympus": false, "Local": false}

// checkEvent validates in for organisation o and returns it normalised.
func (mc *modelCommunity) checkEvent(o org.OrganisationID, in community.EventInput) (community.EventInput, error) {
	name, ok := modelName(in.Name)
	switch {
	case !ok, in.Start.IsZero(), in.End.IsZero(), !in.End.After(in.Start), !smComZones[in.TimeZone], !modelLocation(in.Location):
		return in, errInvalid
	}
	for i, f := range in.Fields {
		if !modelID(string(f)) || slices.Contains(in.Fields[:i], f) || mc.fields[f] == nil || mc.fields[f].Org != o {
			return in, errInvalid
		}
	}
	in.Name, in.Start, in.End = name, in.Start.UTC(), in.End.UTC()
	if in.TimeZone == "" {
		in.TimeZone = mc.zone
	}
	in.Fields = slices.Clone(in.Fields)
	if len(in.Fields) == 0 {
		in.Fields = nil
	}
	return in, nil
}

// checkField validates a field definition and returns it normalised, as
// community.CheckField documents it.
func modelCheckField(in community.FieldInput) (community.FieldInput, error) {
	label, ok := modelName(in.Label)
	choice := in.Type == community.FieldChoice || in.Type == community.FieldChoices
	switch {
	case !ok, in.Type < community.FieldText || in.Type > community.FieldYesNo, in.Visibility < community.Public || in.Visibility > community.OrgOnly,
		choice != (len(in.Options) > 0), len(in.Options) > community.MaxOptions:
		return in, errInvalid
	}
	var opts []string
	for _, o := range in.Options {
		o, ok := modelName(o)
		if !ok || slices.Contains(opts, o) {
			return in, errInvalid
		}
		opts = append(opts, o)
	}
	in.Label, in.Options = label, opts
	return in, nil
}

// modelValues checks values of field f as community.CheckValues documents
// it: answered says whether any value is left once blanks are dropped.
func modelValues(f *community.Field, values []string) (answered bool, ok bool) {
	if f.Type != community.FieldChoices && len(values) > 1 {
		return false, false
	}
	var seen []string
	for _, v := range values {
		if !utf8.ValidString(v) {
			return false, false
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		c, ok := modelValue(f, v)
		if !ok || slices.Contains(seen, c) {
			return false, false
		}
		seen = append(seen, c)
	}
	return len(seen) > 0, true
}

// modelValue is v's canonical form for field f; ok is false when f does
// not accept it.
func modelValue(f *community.Field, v string) (string, bool) {
	switch f.Type {
	case community.FieldText:
		ctl := strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' })
		return v, ctl < 0 && utf8.RuneCountInString(v) <= community.MaxTextLength
	case community.FieldNumber:
		n, err := strconv.ParseFloat(v, 64)
		return strconv.FormatFloat(n, 'g', -1, 64), err == nil && !math.IsInf(n, 0) && !math.IsNaN(n)
	case community.FieldDate:
		d, err := time.Parse(time.DateOnly, v)
		return d.Format(time.DateOnly), err == nil
	case community.FieldYesNo:
		switch strings.ToLower(v) {
		case "yes", "true":
			return "yes", true
		case "no", "false":
			return "no", true
		}
	case community.FieldChoice, community.FieldChoices:
		for _, o := range f.Options {
			if strings.EqualFold(o, v) {
				return o, true
			}
		}
	}
	return "", false
}

// checkAnswers: every answer must be to a field of e the writer fills
// (the public ones, and the organisation-only ones with organisation
// reach), valid, and every required field among those answered. It
// returns the fields answered, in form order.
func (mc *modelCommunity) checkAnswers(e *community.Event, r comReach, a community.Answers) ([]community.FieldID, error) {
	var fills []*community.Field
	for _, id := range e.Fields {
		if f := mc.fields[id]; f.Visibility == community.Public || r == comOrgReach {
			fills = append(fills, f)
		}
	}
	for id := range a {
		if !slices.ContainsFunc(fills, func(f *community.Field) bool { return f.ID == id }) {
			return nil, errInvalid
		}
	}
	var answered []community.FieldID
	for _, f := range fills {
		has, ok := modelValues(f, a[f.ID])
		if !ok || (!has && f.Required) {
			return nil, errInvalid
		}
		if has {
			answered = append(answered, f.ID)
		}
	}
	return answered, nil
}

// modelEarliestBirth is the earliest birth date a person may give.
var modelEarliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// checkPerson validates the person of an application whose email
// normalises to email ("" for a malformed one) and returns them
// normalised: the birth date is the calendar date in its own location.
func (mc *modelCommunity) checkPerson(a community.Application, email string) (community.Person, error) {
	name, ok := modelName(a.Name)
	if !ok || email == "" || a.BirthDate.IsZero() {
		return community.Person{}, errInvalid
	}
	y, mo, d := a.BirthDate.Date()
	birth := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	if birth.After(mc.now) || birth.Before(modelEarliestBirth) || !modelLocation(a.Home) {
		return community.Person{}, errInvalid
	}
	return community.Person{Name: name, Email: email, BirthDate: birth, Home: a.Home}, nil
}

// --- Events ----------------------------------------------------------------------

func (mc *modelCommunity) createEvent(actor org.Actor, o org.OrganisationID, in community.EventInput) (func(community.EventID) *community.Event, error) {
	if err := mc.orgReachOf(actor, o); err != nil {
		return nil, err
	}
	in, err := mc.checkEvent(o, in)
	if err != nil {
		return nil, err
	}
	return func(id community.EventID) *community.Event {
		e := &community.Event{
			ID: id, Org: o, Name: in.Name, Start: in.Start, End: in.End, TimeZone: in.TimeZone, Location: in.Location,
			Fields: in.Fields, CreatedAt: mc.now, CreatedBy: actor.String(), UpdatedAt: mc.now,
		}
		mc.events[id] = e
		mc.billing.events[id] = billing.Event{ID: id, Org: o, Start: e.Start}
		return e
	}, nil
}

func (mc *modelCommunity) editEvent(actor org.Actor, id community.EventID, in community.EventInput) (func(), error) {
	e, _, err := mc.eventFor(actor, id, comOrgReach)
	if err != nil {
		return nil, err
	}
	in, err = mc.checkEvent(e.Org, in)
	if err != nil {
		return nil, err
	}
	return func() {
		e.Name, e.Start, e.End, e.TimeZone, e.Location, e.Fields = in.Name, in.Start, in.End, in.TimeZone, in.Location, in.Fields
		e.UpdatedAt = mc.now
		mc.billing.events[id] = billing.Event{ID: id, Org: e.Org, Start: e.Start}
	}, nil
}

func (mc *modelCommunity) archiveEvent(actor org.Actor, id community.EventID, archived bool) (func(), error) {
	e, _, err := mc.eventFor(actor, id, comOrgReach)
	if err != nil {
		return nil, err
	}
	return func() { e.Archived, e.UpdatedAt = archived, mc.now }, nil
}

func (mc *modelCommunity) addManager(actor org.Actor, id community.EventID, u org.UserID) (func(), error) {
	if _, _, err := mc.eventFor(actor, id, comOrgReach); err != nil {
		return nil, err
	}
	switch {
	case !modelID(string(u)):
		return nil, errInvalid
	case mc.users[u] == nil:
		return nil, errNotFound
	}
	return func() { mc.managers[modelManagerKey{id, u}] = true }, nil
}

func (mc *modelCommunity) removeManager(actor org.Actor, id community.EventID, u org.UserID) (func(), error) {
	if _, _, err := mc.eventFor(actor, id, comOrgReach); err != nil {
		return nil, err
	}
	k := modelManagerKey{id, u}
	if !mc.managers[k] {
		return nil, errNotFound
	}
	return func() { delete(mc.managers, k) }, nil
}

// --- Fields ------------------------------------------------------------------------

// labelTaken reports whether another field of o than self has label.
func (mc *modelCommunity) labelTaken(o org.OrganisationID, self community.FieldID, label string) bool {
	for _, f := range mc.fields {
		if f.Org == o && f.ID != self && f.Label == label {
			return true
		}
	}
	return false
}

// fieldInUse: a participation or a person's last answers hold a value
// of field id.
func (mc *modelCommunity) fieldInUse(id community.FieldID) bool {
	for _, p := range mc.parts {
		if slices.Contains(p.answered, id) {
			return true
		}
	}
	for _, fs := range mc.last {
		if fs[id] {
			return true
		}
	}
	return false
}

func (mc *modelCommunity) defineField(actor org.Actor, o org.OrganisationID, in community.FieldInput) (func(community.FieldID) *community.Field, error) {
	in, err := modelCheckField(in)
	if err != nil {
		return nil, err
	}
	if err := mc.orgReachOf(actor, o); err != nil {
		return nil, err
	}
	if mc.labelTaken(o, "", in.Label) {
		return nil, errExists
	}
	return func(id community.FieldID) *community.Field {
		f := &community.Field{ID: id, Org: o, Label: in.Label, Type: in.Type, Options: in.Options, Required: in.Required,
			Visibility: in.Visibility, CreatedAt: mc.now, UpdatedAt: mc.now}
		mc.fields[id] = f
		return f
	}, nil
}

func (mc *modelCommunity) editField(actor org.Actor, id community.FieldID, in community.FieldInput) (func(), error) {
	in, err := modelCheckField(in)
	if err != nil {
		return nil, err
	}
	if !modelID(string(id)) {
		return nil, errInvalid
	}
	f := mc.fields[id]
	if f == nil {
		return nil, errNotFound
	}
	if err := mc.orgReachOf(actor, f.Org); err != nil {
		return nil, err
	}
	removes := slices.ContainsFunc(f.Options, func(o string) bool { return !slices.Contains(in.Options, o) })
	if (in.Type != f.Type || removes) && mc.fieldInUse(id) {
		return nil, errPrecond
	}
	if mc.labelTaken(f.Org, id, in.Label) {
		return nil, errExists
	}
	return func() {
		f.Label, f.Type, f.Options, f.Required, f.Visibility, f.UpdatedAt = in.Label, in.Type, in.Options, in.Required, in.Visibility, mc.now
	}, nil
}

// fieldsOf is organisation o's field library ordered by ID.
func (mc *modelCommunity) fieldsOf(o org.OrganisationID) []community.Field {
	var out []community.Field
	for _, f := range mc.fields {
		if f.Org == o {
			out = append(out, *f)
		}
	}
	slices.SortFunc(out, func(a, b community.Field) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out
}

// --- Participants --------------------------------------------------------------------

// apply predicts Apply of a, whose email normalises to email, by actor.
// The function it returns takes the person ID Apply returned and returns
// the participation as the model has it.
func (mc *modelCommunity) apply(actor org.Actor, a community.Application, email string) (func(community.PersonID) *modelPart, error) {
	e, r, err := mc.eventFor(actor, a.Event, comEventReach)
	if err != nil {
		return nil, err
	}
	who, err := mc.checkPerson(a, email)
	if err != nil {
		return nil, err
	}
	if actor.Kind == org.ActorSystem {
		r = comEventReach // System fills the public fields, for the applicant
	}
	answered, err := mc.checkAnswers(e, r, a.Answers)
	if err != nil {
		return nil, err
	}
	if e.Archived {
		return nil, errPrecond
	}
	id, known := mc.byEmail[email]
	if p := mc.parts[modelPartKey{e.ID, id}]; known && p != nil && (p.Status == community.Applied || p.Status == community.Accepted) {
		return nil, errExists
	}
	return func(got community.PersonID) *modelPart {
		if !known {
			id = got
			who.ID, who.CreatedAt, who.UpdatedAt = got, mc.now, mc.now
			mc.people[got], mc.byEmail[email] = &who, got
		} else if old := mc.people[id]; old.Name != who.Name || !old.BirthDate.Equal(who.BirthDate) || old.Home != who.Home {
			old.Name, old.BirthDate, old.Home, old.UpdatedAt = who.Name, who.BirthDate, who.Home, mc.now
		}
		k := modelPartKey{e.ID, id}
		p := mc.parts[k]
		if p == nil {
			p = &modelPart{Participation: community.Participation{Event: e.ID, Person: id, AppliedAt: mc.now}}
			mc.parts[k] = p
		}
		p.Status, p.answered, p.UpdatedAt, p.UpdatedBy = community.Applied, answered, mc.now, actor.String()
		for _, f := range answered {
			if mc.last[id] == nil {
				mc.last[id] = map[community.FieldID]bool{}
			}
			mc.last[id][f] = true
		}
		return p
	}, nil
}

// decide finds person's participation in event for an actor with at
// least event reach.
func (mc *modelCommunity) decide(actor org.Actor, event community.EventID, person community.PersonID) (*community.Event, *modelPart, error) {
	if !modelID(string(person)) {
		return nil, nil, errInvalid
	}
	e, _, err := mc.eventFor(actor, event, comEventReach)
	if err != nil {
		return nil, nil, err
	}
	p := mc.parts[modelPartKey{event, person}]
	if p == nil {
		return nil, nil, errNotFound
	}
	return e, p, nil
}

// set moves p to status by actor.
func (mc *modelCommunity) set(p *modelPart, status community.Status, actor org.Actor) {
	p.Status, p.UpdatedAt, p.UpdatedBy = status, mc.now, actor.String()
}

func (mc *modelCommunity) accept(actor org.Actor, event community.EventID, person community.PersonID) (func(), error) {
	e, p, err := mc.decide(actor, event, person)
	switch {
	case err != nil:
		return nil, err
	case p.Status == community.Accepted:
		return nil, nil
	case p.Status == community.Withdrawn, e.Archived:
		return nil, errPrecond
	}
	// The licence: from the event's coupons, then its organiser's pool.
	// Community has authorised the actor; billing records no actor on a
	// licence taken without expired coupons to close, and the machine
	// issues none that expire.
	take, err := mc.billTakeLicence(org.System(), event, person)
	if err != nil {
		return nil, err
	}
	return func() {
		if take != nil {
			take()
		}
		mc.set(p, community.Accepted, actor)
		e.Participants++
	}, nil
}

// leave predicts Decline (to Declined) and Withdraw (to Withdrawn).
func (mc *modelCommunity) leave(actor org.Actor, event community.EventID, person community.PersonID, to community.Status) (func(), error) {
	e, p, err := mc.decide(actor, event, person)
	if err != nil {
		return nil, err
	}
	from := p.Status
	switch {
	case from == to:
		return nil, nil
	case from == community.Withdrawn, from == community.Declined && to == community.Withdrawn:
		return nil, errPrecond
	case from != community.Accepted:
		return func() { mc.set(p, to, actor) }, nil
	}
	back, err := mc.billReturnLicence(org.System(), event, person)
	if err != nil {
		return nil, err
	}
	return func() {
		if back != nil {
			back()
		}
		mc.set(p, to, actor)
		e.Participants--
	}, nil
}

func (mc *modelCommunity) recordHours(actor org.Actor, event community.EventID, person community.PersonID, worked time.Duration) (func(), error) {
	if worked < 0 {
		return nil, errInvalid
	}
	e, p, err := mc.decide(actor, event, person)
	if err != nil {
		return nil, err
	}
	days := (e.End.Sub(e.Start) + 24*time.Hour - 1) / (24 * time.Hour)
	switch {
	case worked > days*24*time.Hour:
		return nil, errInvalid
	case p.Status != community.Accepted:
		return nil, errPrecond
	}
	return func() {
		mc.set(p, community.Accepted, actor)
		p.Worked = worked
	}, nil
}

// --- What organisations see ----------------------------------------------------------------

// supported lists the events organisation o supports: those that
// redeemed one of its coupons, organised by another organisation.
func (mc *modelCommunity) supported(o org.OrganisationID) map[community.EventID]bool {
	out := map[community.EventID]bool{}
	for _, c := range mc.billing.coupons {
		if c.Org == o && c.Status == billing.CouponRedeemed && mc.events[c.Event] != nil && mc.events[c.Event].Org != o {
			out[c.Event] = true
		}
	}
	return out
}

// eventList is what Events lists for o with every archive state, in the
// default order (start, then ID).
func (mc *modelCommunity) eventList(o org.OrganisationID) []community.EventSummary {
	sup := mc.supported(o)
	var out []community.EventSummary
	for _, e := range mc.events {
		role := community.Organised
		switch {
		case e.Org == o:
		case sup[e.ID]:
			role = community.Supported
		default:
			continue
		}
		n := community.Cell{Value: int64(e.Participants)}
		if role == community.Supported && e.Participants < mc.k {
			n = community.Cell{Suppressed: true}
		}
		out = append(out, community.EventSummary{
			ID: e.ID, Org: e.Org, Name: e.Name, Start: e.Start, End: e.End, TimeZone: e.TimeZone, Location: e.Location,
			Archived: e.Archived, Role: role, Participants: n,
		})
	}
	slices.SortFunc(out, func(a, b community.EventSummary) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(string(a.ID), string(b.ID)))
	})
	return out
}

// members are o's direct members: the people accepted onto its events,
// with how many, ordered by NameKey of their name and then ID.
func (mc *modelCommunity) members(o org.OrganisationID) []community.Member {
	n := map[community.PersonID]int{}
	for k, p := range mc.parts {
		if p.Status == community.Accepted && mc.events[k.Event].Org == o {
			n[k.Person]++
		}
	}
	var out []community.Member
	for id, c := range n {
		out = append(out, community.Member{Person: *mc.people[id], Events: c})
	}
	slices.SortFunc(out, func(a, b community.Member) int {
		return cmp.Or(strings.Compare(community.NameKey(a.Person.Name), community.NameKey(b.Person.Name)),
			strings.Compare(string(a.Person.ID), string(b.Person.ID)))
	})
	return out
}

// hidden are the people organisation o must never see identified: those
// on an event it supports who are not its direct members.
func (mc *modelCommunity) hidden(o org.OrganisationID) []*community.Person {
	sup := mc.supported(o)
	direct := map[community.PersonID]bool{}
	for _, m := range mc.members(o) {
		direct[m.Person.ID] = true
	}
	var out []*community.Person
	for id, p := range mc.people {
		if direct[id] {
			continue
		}
		for k := range mc.parts {
			if k.Person == id && sup[k.Event] {
				out = append(out, p)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b *community.Person) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out
}

// modelTable is one stats table as a brute-force count gives it, before
// suppression: per row the direct and indirect values, and how many
// distinct indirect members each indirect cell counts.
type modelTable struct {
	Rows             []string
	Direct, Indirect []int64
	People           []int
	// PeopleTotal is how many distinct indirect members the indirect
	// column counts; HasTotals whether the table has totals.
	PeopleTotal int
	HasTotals   bool
}

// modelStats are the four tables of o's stats over months from to to.
type modelStats struct {
	Workload, Ages, Distances, Size modelTable
}

// stats counts o's stats from the model by brute force: the accepted
// people of the events o organises (direct) or supports (indirect) that
// have participants and start within the months, in o's time zone.
func (mc *modelCommunity) stats(o org.OrganisationID, from, to community.Month) modelStats {
	loc := mc.loc
	n := (to.Year-from.Year)*12 + int(to.Month) - int(from.Month) + 1
	first := time.Date(from.Year, from.Month, 1, 0, 0, 0, 0, loc)
	end := time.Date(to.Year, to.Month+1, 1, 0, 0, 0, 0, loc)
	lastY, lastM, lastD := time.Date(to.Year, to.Month+1, 0, 0, 0, 0, 0, time.UTC).Date()
	months := make([]string, n)
	for i := range months {
		months[i] = time.Date(from.Year, from.Month+time.Month(i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	table := func(rows []string, totals bool) modelTable {
		return modelTable{Rows: rows, Direct: make([]int64, len(rows)), Indirect: make([]int64, len(rows)), People: make([]int, len(rows)), HasTotals: totals}
	}
	s := modelStats{
		Workload: table(months, true), Ages: table(community.AgeBrackets(), true),
		Distances: table(community.DistanceBrackets(), true), Size: table(slices.Clone(months), false),
	}
	type cell struct {
		row    int
		person community.PersonID
	}
	size := [2]map[cell]bool{{}, {}} // distinct people per month and column
	dist := [2]map[cell]bool{{}, {}} // distinct people per distance bracket and column
	everyone := [2]map[community.PersonID]bool{{}, {}}
	worked := [2][]time.Duration{make([]time.Duration, n), make([]time.Duration, n)}
	sup := mc.supported(o)
	for k, p := range mc.parts {
		e := mc.events[k.Event]
		c := 0
		switch {
		case e.Org == o:
		case sup[e.ID]:
			c = 1
		default:
			continue
		}
		if p.Status != community.Accepted || e.Start.Before(first) || !e.Start.Before(end) {
			continue
		}
		y, mo, _ := e.Start.In(loc).Date()
		m := (y-from.Year)*12 + int(mo) - int(from.Month)
		who := mc.people[k.Person]
		worked[c][m] += p.Worked
		size[c][cell{m, who.ID}] = true
		everyone[c][who.ID] = true
		b := modelBracket(community.Distance(who.Home, e.Location), 5, 10, 25, 50, 100)
		dist[c][cell{b, who.ID}] = true
		if c == 0 {
			s.Distances.Direct[b]++
		} else {
			s.Distances.Indirect[b]++
		}
	}
	for c, col := range [2]func(*modelTable) []int64{
		func(t *modelTable) []int64 { return t.Direct },
		func(t *modelTable) []int64 { return t.Indirect },
	} {
		for m := range n {
			col(&s.Workload)[m] = int64(worked[c][m] / time.Minute)
		}
		for k := range size[c] {
			col(&s.Size)[k.row]++
		}
		for id := range everyone[c] {
			by, bm, bd := mc.people[id].BirthDate.UTC().Date()
			age := lastY - by
			if lastM < bm || lastM == bm && lastD < bd {
				age--
			}
			col(&s.Ages)[modelBracket(float64(age), 18, 25, 35, 45, 55, 65)]++
		}
	}
	for k := range dist[1] {
		s.Distances.People[k.row]++
	}
	for m := range n {
		s.Size.People[m] = int(s.Size.Indirect[m])
		s.Workload.People[m] = s.Size.People[m]
	}
	for b := range s.Ages.People {
		s.Ages.People[b] = int(s.Ages.Indirect[b])
	}
	s.Workload.PeopleTotal, s.Distances.PeopleTotal, s.Ages.PeopleTotal = len(everyone[1]), len(everyone[1]), len(everyone[1])
	return s
}

// modelBracket is the index of the bracket x falls in, given the lower
// bounds of the brackets after the first.
func modelBracket(x float64, floors ...float64) int {
	b := 0
	for b < len(floors) && x >= floors[b] {
		b++
	}
	return b
}
