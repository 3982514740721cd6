package community

import (
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
)

// Store is what package community needs from a backend transaction:
// billing.Store (accepting a participant takes a licence in the same
// transaction) plus events, people, participations, rosters, direct
// members, shared fields and event managers.
//
// The conventions are org.Store's: lookups return storage.ErrNotFound when
// nothing matches, inserts storage.ErrAlreadyExists when a key is taken,
// values round-trip exactly (times in UTC to the nanosecond, empty slices
// and maps as nil; a field of Answers with no values is no answer and is
// not kept) and the methods that take fn stream to it, once per object
// even when ids name it twice; fn must not use the Store. Updates write only the fields their comment names.
// Community writes run in logged transactions (storage.Transactor.Update),
// one at a time, so these methods take no row locks.
type Store interface {
	billing.Store

	// InsertEvent fails with storage.ErrAlreadyExists when the ID is taken.
	InsertEvent(e Event) error
	// UpdateEvent writes Name, Start, End, TimeZone, Location, Fields,
	// Archived, Participants and UpdatedAt.
	UpdateEvent(e Event) error
	// CommunityEvent returns the event with that ID.
	CommunityEvent(id EventID) (Event, error)
	// EventsOfOrg calls fn for every event organisation o organises,
	// ordered by ID.
	EventsOfOrg(o org.OrganisationID, fn func(Event) error) error
	// EventsIn calls fn for each stored event among ids, ordered by ID;
	// unknown IDs are skipped.
	EventsIn(ids []EventID, fn func(Event) error) error

	// PutPerson inserts p or updates every field of the person with its
	// ID but CreatedAt. It fails with storage.ErrAlreadyExists when
	// another person has p's email. Member rows follow the person's name
	// (DirectMembers orders by it).
	PutPerson(p Person) error
	Person(id PersonID) (Person, error)
	// PersonByEmail looks a person up by normalised email.
	PersonByEmail(email string) (Person, error)

	// InsertParticipation fails with storage.ErrAlreadyExists when the
	// person already has a participation in the event.
	InsertParticipation(p Participation) error
	// UpdateParticipation writes Status, Answers, Worked, UpdatedAt and
	// UpdatedBy.
	UpdateParticipation(p Participation) error
	Participation(e EventID, p PersonID) (Participation, error)
	// ParticipationsOfEvent lists event e's participations, every status,
	// ordered by person, after person after (the first when empty), at
	// most limit.
	ParticipationsOfEvent(e EventID, after PersonID, limit int) ([]Participation, error)
	// ParticipationsOfPerson lists person p's participations, every
	// status, ordered by event.
	ParticipationsOfPerson(p PersonID) ([]Participation, error)
	// FieldInUse reports whether a participation or a person's last
	// answers hold a value of field f.
	FieldInUse(f FieldID) (bool, error)

	// PutRoster replaces event e's roster; an empty roster deletes it.
	PutRoster(e EventID, r Roster) error
	// Roster returns event e's roster, nil when it has none.
	Roster(e EventID) (Roster, error)
	// Rosters calls fn with the roster of each event among ids that has
	// one, ordered by event ID.
	Rosters(ids []EventID, fn func(EventID, Roster) error) error

	// AdjustMember adds delta to the number of organisation o's events
	// person p was accepted onto: the row is created when it becomes
	// positive and deleted when it reaches zero. A count that would go
	// negative fails with storage.ErrFailedPrecondition, adding to a
	// person with no Person row with storage.ErrNotFound.
	AdjustMember(o org.OrganisationID, p PersonID, delta int) error
	// DirectMembers lists the members q selects (Events > 0), ordered by
	// NameKey of their name and then ID.
	DirectMembers(q MemberQuery) ([]Member, error)

	// InsertField fails with storage.ErrAlreadyExists when the ID, or the
	// label within the organisation, is taken.
	InsertField(f Field) error
	// UpdateField writes Label, Type, Options, Required, Visibility and
	// UpdatedAt; storage.ErrAlreadyExists when the label is taken.
	UpdateField(f Field) error
	Field(id FieldID) (Field, error)
	// FieldsOfOrg lists organisation o's fields ordered by ID.
	FieldsOfOrg(o org.OrganisationID) ([]Field, error)

	// PutLastAnswers records a as person p's latest values of its
	// fields, replacing earlier values of those fields only; a field
	// with no values removes p's last answer to it.
	PutLastAnswers(p PersonID, a Answers) error
	// LastAnswers returns person p's latest values of the fields among
	// fields that it has; nil when none.
	LastAnswers(p PersonID, fields []FieldID) (Answers, error)

	// PutEventManager makes user u a manager of event e; doing it again
	// changes nothing.
	PutEventManager(e EventID, u org.UserID) error
	// DeleteEventManager removes it; storage.ErrNotFound when u is not one.
	DeleteEventManager(e EventID, u org.UserID) error
	// IsEventManager reports whether u manages e.
	IsEventManager(e EventID, u org.UserID) (bool, error)
	// ManagersOfEvent lists event e's managers ordered by ID.
	ManagersOfEvent(e EventID) ([]org.UserID, error)
}

// MemberQuery selects direct members of one organisation for
// Store.DirectMembers.
type MemberQuery struct {
	Org org.OrganisationID
	// Text, when set, keeps members whose NameKey or email contains
	// NameKey(Text).
	Text string
	// Event, when set, keeps the members of Org accepted onto that
	// event, whichever organisation organises it (the service asks only
	// for Org's own events).
	Event EventID
	// AfterName and AfterPerson start the listing after the member with
	// that NameKey and ID; both empty start at the first.
	AfterName   string
	AfterPerson PersonID
	// Limit is the most members to return; positive.
	Limit int
}
