package memstore

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

var _ community.Store = (*Tx)(nil)

// The community's values are stored as copies with their times in UTC, and
// handed out as copies. A participation's answers and a person's last
// answers keep only the fields that have values: a field with none holds
// nothing, for FieldInUse as for the readers.

// communityWrite returns the state for a community write, with the
// community's maps made.
func (tx *Tx) communityWrite() (*state, error) {
	st, err := tx.write()
	if err == nil {
		st.initCommunity()
	}
	return st, err
}

// initCommunity makes the community's maps, the first time. It runs under
// the write lock, and a rollback may leave them made: empty maps hold
// nothing more than nil ones.
func (st *state) initCommunity() {
	if st.persons != nil {
		return
	}
	st.communityEvents = map[community.EventID]community.Event{}
	st.eventsOfOrg = index[org.OrganisationID, community.EventID]{}
	st.persons = map[community.PersonID]community.Person{}
	st.personByEmail = map[string]community.PersonID{}
	st.participations = map[participationKey]community.Participation{}
	st.partsOfEvent = index[community.EventID, community.PersonID]{}
	st.partsOfPerson = index[community.PersonID, community.EventID]{}
	st.rosters = map[community.EventID]community.Roster{}
	st.memberEvents = map[memberEventsKey]int{}
	st.memberOrder = memberIndex{}
	st.orgsOfMember = index[community.PersonID, org.OrganisationID]{}
	st.fields = map[community.FieldID]community.Field{}
	st.fieldsOfOrg = index[org.OrganisationID, community.FieldID]{}
	st.fieldByLabel = map[fieldLabelKey]community.FieldID{}
	st.fieldUses = map[community.FieldID]int{}
	st.lastAnswers = map[lastAnswerKey][]string{}
	st.managers = index[community.EventID, org.UserID]{}
}

func copyEvent(e community.Event) community.Event {
	e.Start, e.End, e.CreatedAt, e.UpdatedAt = e.Start.UTC(), e.End.UTC(), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	e.Fields = cloneList(e.Fields)
	return e
}

func copyPerson(p community.Person) community.Person {
	p.BirthDate, p.CreatedAt, p.UpdatedAt = p.BirthDate.UTC(), p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p
}

func copyParticipation(p community.Participation) community.Participation {
	p.Answers = copyAnswers(p.Answers)
	p.AppliedAt, p.UpdatedAt = p.AppliedAt.UTC(), p.UpdatedAt.UTC()
	return p
}

// copyAnswers deep-copies a, leaving out fields without values; nil when
// none is left.
func copyAnswers(a community.Answers) community.Answers {
	var out community.Answers
	for f, vs := range a {
		if len(vs) == 0 {
			continue
		}
		if out == nil {
			out = make(community.Answers, len(a))
		}
		out[f] = cloneList(vs)
	}
	return out
}

func copyRoster(r community.Roster) community.Roster {
	out := cloneList(r)
	for i := range out {
		out[i].BirthDate = out[i].BirthDate.UTC()
	}
	return out
}

func copyField(f community.Field) community.Field {
	f.Options = cloneList(f.Options)
	f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
	return f
}

// InsertEvent implements community.Store.
func (tx *Tx) InsertEvent(e community.Event) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	if _, ok := st.communityEvents[e.ID]; ok {
		return exists("community event", e.ID)
	}
	put(tx, st.communityEvents, e.ID, copyEvent(e))
	indexAdd(tx, st.eventsOfOrg, e.Org, e.ID)
	return nil
}

// UpdateEvent implements community.Store: the organisation and who created
// the event when stay.
func (tx *Tx) UpdateEvent(e community.Event) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	n, err := lookup(st.communityEvents, "community event", e.ID)
	if err != nil {
		return err
	}
	n.Name, n.Start, n.End, n.TimeZone, n.Location = e.Name, e.Start, e.End, e.TimeZone, e.Location
	n.Fields, n.Archived, n.Participants, n.UpdatedAt = e.Fields, e.Archived, e.Participants, e.UpdatedAt
	put(tx, st.communityEvents, e.ID, copyEvent(n))
	return nil
}

// CommunityEvent implements community.Store.
func (tx *Tx) CommunityEvent(id community.EventID) (community.Event, error) {
	st, err := tx.read()
	if err != nil {
		return community.Event{}, err
	}
	e, err := lookup(st.communityEvents, "community event", id)
	return copyEvent(e), err
}

// EventsOfOrg implements community.Store.
func (tx *Tx) EventsOfOrg(o org.OrganisationID, fn func(community.Event) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	for _, id := range st.eventsOfOrg[o].all() {
		if err := fn(copyEvent(st.communityEvents[id])); err != nil {
			return err
		}
	}
	return nil
}

// EventsIn implements community.Store: an ID given twice is one event.
func (tx *Tx) EventsIn(ids []community.EventID, fn func(community.Event) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	for _, id := range sortedIDs(ids) {
		if e, ok := st.communityEvents[id]; ok {
			if err := fn(copyEvent(e)); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortedIDs returns ids sorted, each once, leaving ids as it was.
func sortedIDs(ids []community.EventID) []community.EventID {
	return slices.Compact(slices.Sorted(slices.Values(ids)))
}

// PutPerson implements community.Store.
func (tx *Tx) PutPerson(p community.Person) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	if other, ok := st.personByEmail[p.Email]; ok && other != p.ID {
		return fmt.Errorf("memstore: person %q: email %q is person %q's: %w", p.ID, p.Email, other, storage.ErrAlreadyExists)
	}
	old, had := st.persons[p.ID]
	p = copyPerson(p)
	if had {
		p.CreatedAt = old.CreatedAt
	}
	put(tx, st.persons, p.ID, p)
	if !had || old.Email != p.Email {
		if had {
			del(tx, st.personByEmail, old.Email)
		}
		put(tx, st.personByEmail, p.Email, p.ID)
	}
	// The person's place among each organisation's members follows the
	// name.
	if was, is := community.NameKey(old.Name), community.NameKey(p.Name); was != is {
		for _, o := range st.orgsOfMember[p.ID].all() {
			memberIndexRemove(tx, st.memberOrder, o, memberKey{was, p.ID})
			memberIndexAdd(tx, st.memberOrder, o, memberKey{is, p.ID})
		}
	}
	return nil
}

// Person implements community.Store.
func (tx *Tx) Person(id community.PersonID) (community.Person, error) {
	st, err := tx.read()
	if err != nil {
		return community.Person{}, err
	}
	return lookup(st.persons, "person", id)
}

// PersonByEmail implements community.Store. The email is compared
// exactly.
func (tx *Tx) PersonByEmail(email string) (community.Person, error) {
	st, err := tx.read()
	if err != nil {
		return community.Person{}, err
	}
	id, err := lookup(st.personByEmail, "person with email", email)
	if err != nil {
		return community.Person{}, err
	}
	return st.persons[id], nil
}

func participationNotFound(e community.EventID, p community.PersonID) error {
	return fmt.Errorf("memstore: participation of person %q in event %q: %w", p, e, storage.ErrNotFound)
}

// InsertParticipation implements community.Store.
func (tx *Tx) InsertParticipation(p community.Participation) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	k := participationKey{p.Event, p.Person}
	if _, ok := st.participations[k]; ok {
		return fmt.Errorf("memstore: participation of person %q in event %q: %w", p.Person, p.Event, storage.ErrAlreadyExists)
	}
	p = copyParticipation(p)
	put(tx, st.participations, k, p)
	indexAdd(tx, st.partsOfEvent, p.Event, p.Person)
	indexAdd(tx, st.partsOfPerson, p.Person, p.Event)
	tx.useFields(st, nil, p.Answers)
	return nil
}

// UpdateParticipation implements community.Store.
func (tx *Tx) UpdateParticipation(p community.Participation) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	k := participationKey{p.Event, p.Person}
	old, ok := st.participations[k]
	if !ok {
		return participationNotFound(p.Event, p.Person)
	}
	n := old
	n.Status, n.Answers, n.Worked, n.UpdatedAt, n.UpdatedBy = p.Status, p.Answers, p.Worked, p.UpdatedAt, p.UpdatedBy
	n = copyParticipation(n)
	put(tx, st.participations, k, n)
	tx.useFields(st, old.Answers, n.Answers)
	return nil
}

// useFields moves the use counts of fields from the answers was to is,
// both as stored (every field with values).
func (tx *Tx) useFields(st *state, was, is community.Answers) {
	for f := range was {
		if _, ok := is[f]; !ok {
			count(tx, st.fieldUses, f, -1)
		}
	}
	for f := range is {
		if _, ok := was[f]; !ok {
			count(tx, st.fieldUses, f, +1)
		}
	}
}

// Participation implements community.Store.
func (tx *Tx) Participation(e community.EventID, p community.PersonID) (community.Participation, error) {
	st, err := tx.read()
	if err != nil {
		return community.Participation{}, err
	}
	x, ok := st.participations[participationKey{e, p}]
	if !ok {
		return community.Participation{}, participationNotFound(e, p)
	}
	return copyParticipation(x), nil
}

// ParticipationsOfEvent implements community.Store.
func (tx *Tx) ParticipationsOfEvent(e community.EventID, after community.PersonID, limit int) ([]community.Participation, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("participations of event", limit); err != nil {
		return nil, err
	}
	people := st.partsOfEvent[e].after(after, limit)
	out := make([]community.Participation, 0, len(people))
	for _, p := range people {
		out = append(out, copyParticipation(st.participations[participationKey{e, p}]))
	}
	return out, nil
}

// ParticipationsOfPerson implements community.Store.
func (tx *Tx) ParticipationsOfPerson(p community.PersonID) ([]community.Participation, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	events := st.partsOfPerson[p].all()
	out := make([]community.Participation, 0, len(events))
	for _, e := range events {
		out = append(out, copyParticipation(st.participations[participationKey{e, p}]))
	}
	return out, nil
}

// FieldInUse implements community.Store.
func (tx *Tx) FieldInUse(f community.FieldID) (bool, error) {
	st, err := tx.read()
	if err != nil {
		return false, err
	}
	return st.fieldUses[f] > 0, nil
}

// PutRoster implements community.Store.
func (tx *Tx) PutRoster(e community.EventID, r community.Roster) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	if len(r) == 0 {
		del(tx, st.rosters, e)
	} else {
		put(tx, st.rosters, e, copyRoster(r))
	}
	return nil
}

// Roster implements community.Store.
func (tx *Tx) Roster(e community.EventID) (community.Roster, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return copyRoster(st.rosters[e]), nil
}

// Rosters implements community.Store: an ID given twice is one event.
func (tx *Tx) Rosters(ids []community.EventID, fn func(community.EventID, community.Roster) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	for _, id := range sortedIDs(ids) {
		if r, ok := st.rosters[id]; ok {
			if err := fn(id, copyRoster(r)); err != nil {
				return err
			}
		}
	}
	return nil
}

// AdjustMember implements community.Store. A member is a stored person:
// adding to the count of an unknown person fails with storage.ErrNotFound,
// as in the SQL backends.
func (tx *Tx) AdjustMember(o org.OrganisationID, p community.PersonID, delta int) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	if delta == 0 {
		return nil
	}
	person, known := st.persons[p]
	if !known && delta > 0 {
		return notFound("person", p)
	}
	k := memberEventsKey{o, p}
	n := st.memberEvents[k]
	if n+delta < 0 {
		return fmt.Errorf("memstore: member %q of organisation %q: %d events %+d is negative: %w", p, o, n, delta, storage.ErrFailedPrecondition)
	}
	mk := memberKey{community.NameKey(person.Name), p}
	switch {
	case n == 0:
		memberIndexAdd(tx, st.memberOrder, o, mk)
		indexAdd(tx, st.orgsOfMember, p, o)
	case n+delta == 0:
		memberIndexRemove(tx, st.memberOrder, o, mk)
		indexRemove(tx, st.orgsOfMember, p, o)
	}
	count(tx, st.memberEvents, k, delta)
	return nil
}

// DirectMembers implements community.Store. Without an event it reads the
// organisation's member order from the cursor on, so a page without a
// text costs its length; with one it orders the event's accepted
// participants.
func (tx *Tx) DirectMembers(q community.MemberQuery) ([]community.Member, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("direct members", q.Limit); err != nil {
		return nil, err
	}
	after := memberKey{q.AfterName, q.AfterPerson}
	var keys []memberKey
	if q.Event != "" {
		keys = st.acceptedMembers(q.Org, q.Event, after)
	} else {
		keys = st.memberOrder[q.Org].after(after)
	}
	text := community.NameKey(q.Text)
	var out []community.Member
	for _, k := range keys {
		if len(out) == q.Limit {
			break
		}
		p := st.persons[k.person]
		if text != "" && !strings.Contains(k.name, text) && !strings.Contains(p.Email, text) {
			continue
		}
		out = append(out, community.Member{Person: p, Events: st.memberEvents[memberEventsKey{q.Org, k.person}]})
	}
	return out, nil
}

// acceptedMembers returns, in member order and after the key after, the
// members of o accepted onto event e.
func (st *state) acceptedMembers(o org.OrganisationID, e community.EventID, after memberKey) []memberKey {
	var keys []memberKey
	for _, p := range st.partsOfEvent[e].all() {
		if st.participations[participationKey{e, p}].Status != community.Accepted || st.memberEvents[memberEventsKey{o, p}] == 0 {
			continue
		}
		if k := (memberKey{community.NameKey(st.persons[p].Name), p}); compareMemberKeys(k, after) > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareMemberKeys)
	return keys
}

// InsertField implements community.Store.
func (tx *Tx) InsertField(f community.Field) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	if _, ok := st.fields[f.ID]; ok {
		return exists("field", f.ID)
	}
	lk := fieldLabelKey{f.Org, f.Label}
	if other, ok := st.fieldByLabel[lk]; ok {
		return labelTaken(f, other)
	}
	put(tx, st.fields, f.ID, copyField(f))
	put(tx, st.fieldByLabel, lk, f.ID)
	indexAdd(tx, st.fieldsOfOrg, f.Org, f.ID)
	return nil
}

// UpdateField implements community.Store: the organisation and creation
// time stay.
func (tx *Tx) UpdateField(f community.Field) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	old, err := lookup(st.fields, "field", f.ID)
	if err != nil {
		return err
	}
	n := old
	n.Label, n.Type, n.Options, n.Required, n.Visibility, n.UpdatedAt = f.Label, f.Type, f.Options, f.Required, f.Visibility, f.UpdatedAt
	if n.Label != old.Label {
		lk := fieldLabelKey{old.Org, n.Label}
		if other, ok := st.fieldByLabel[lk]; ok {
			return labelTaken(n, other)
		}
		del(tx, st.fieldByLabel, fieldLabelKey{old.Org, old.Label})
		put(tx, st.fieldByLabel, lk, f.ID)
	}
	put(tx, st.fields, f.ID, copyField(n))
	return nil
}

func labelTaken(f community.Field, other community.FieldID) error {
	return fmt.Errorf("memstore: field %q: label %q of organisation %q is field %q's: %w", f.ID, f.Label, f.Org, other, storage.ErrAlreadyExists)
}

// Field implements community.Store.
func (tx *Tx) Field(id community.FieldID) (community.Field, error) {
	st, err := tx.read()
	if err != nil {
		return community.Field{}, err
	}
	f, err := lookup(st.fields, "field", id)
	return copyField(f), err
}

// FieldsOfOrg implements community.Store.
func (tx *Tx) FieldsOfOrg(o org.OrganisationID) ([]community.Field, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return collect(st.fields, st.fieldsOfOrg[o].all(), copyField), nil
}

// PutLastAnswers implements community.Store: a field given without values
// drops the person's last values of it.
func (tx *Tx) PutLastAnswers(p community.PersonID, a community.Answers) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	for f, vs := range a {
		k := lastAnswerKey{p, f}
		_, had := st.lastAnswers[k]
		switch {
		case len(vs) > 0:
			put(tx, st.lastAnswers, k, cloneList(vs))
			if !had {
				count(tx, st.fieldUses, f, +1)
			}
		case had:
			del(tx, st.lastAnswers, k)
			count(tx, st.fieldUses, f, -1)
		}
	}
	return nil
}

// LastAnswers implements community.Store.
func (tx *Tx) LastAnswers(p community.PersonID, fields []community.FieldID) (community.Answers, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	var out community.Answers
	for _, f := range fields {
		if vs, ok := st.lastAnswers[lastAnswerKey{p, f}]; ok {
			if out == nil {
				out = community.Answers{}
			}
			out[f] = cloneList(vs)
		}
	}
	return out, nil
}

// PutEventManager implements community.Store.
func (tx *Tx) PutEventManager(e community.EventID, u org.UserID) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	indexAdd(tx, st.managers, e, u)
	return nil
}

// DeleteEventManager implements community.Store.
func (tx *Tx) DeleteEventManager(e community.EventID, u org.UserID) error {
	st, err := tx.communityWrite()
	if err != nil {
		return err
	}
	if !st.isManager(e, u) {
		return fmt.Errorf("memstore: user %q managing event %q: %w", u, e, storage.ErrNotFound)
	}
	indexRemove(tx, st.managers, e, u)
	return nil
}

// IsEventManager implements community.Store.
func (tx *Tx) IsEventManager(e community.EventID, u org.UserID) (bool, error) {
	st, err := tx.read()
	if err != nil {
		return false, err
	}
	return st.isManager(e, u), nil
}

func (st *state) isManager(e community.EventID, u org.UserID) bool {
	_, found := slices.BinarySearch(st.managers[e].all(), u)
	return found
}

// ManagersOfEvent implements community.Store.
func (tx *Tx) ManagersOfEvent(e community.EventID) ([]org.UserID, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	return cloneList(st.managers[e].all()), nil
}

// memberKey is a member's place in its organisation's member order: by
// the NameKey of its name, then by ID.
type memberKey struct {
	name   string
	person community.PersonID
}

func compareMemberKeys(a, b memberKey) int {
	return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.person, b.person))
}

// memberSet is a set of memberKeys kept sorted, as sortedSet keeps keys.
type memberSet struct {
	keys []memberKey
}

// after returns the keys greater than k. The result aliases the set: use
// it before the next change.
func (s *memberSet) after(k memberKey) []memberKey {
	if s == nil {
		return nil
	}
	i, found := slices.BinarySearchFunc(s.keys, k, compareMemberKeys)
	if found {
		i++
	}
	return s.keys[i:]
}

// memberIndex holds each organisation's member order. Empty sets are
// dropped.
type memberIndex map[org.OrganisationID]*memberSet

func (ix memberIndex) add(o org.OrganisationID, k memberKey) bool {
	s := ix[o]
	if s == nil {
		s = new(memberSet)
		ix[o] = s
	}
	i, found := slices.BinarySearchFunc(s.keys, k, compareMemberKeys)
	if found {
		return false
	}
	s.keys = slices.Insert(s.keys, i, k)
	return true
}

func (ix memberIndex) remove(o org.OrganisationID, k memberKey) bool {
	s := ix[o]
	if s == nil {
		return false
	}
	i, found := slices.BinarySearchFunc(s.keys, k, compareMemberKeys)
	if !found {
		return false
	}
	if s.keys = slices.Delete(s.keys, i, i+1); len(s.keys) == 0 {
		delete(ix, o)
	}
	return true
}

// memberIndexAdd adds k to organisation o's member order.
func memberIndexAdd(tx *Tx, ix memberIndex, o org.OrganisationID, k memberKey) {
	if ix.add(o, k) {
		tx.onUndo(func() { ix.remove(o, k) })
	}
}

// memberIndexRemove removes k from organisation o's member order.
func memberIndexRemove(tx *Tx, ix memberIndex, o org.OrganisationID, k memberKey) {
	if ix.remove(o, k) {
		tx.onUndo(func() { ix.add(o, k) })
	}
}
