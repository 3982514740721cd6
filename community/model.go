package community

import (
	"fmt"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
)

// EventID names an event. It is billing's EventID: an event's licences
// and SMS credits are kept under the same ID.
type EventID = billing.EventID

// PersonID names a person who takes part in events (a volunteer). It is
// billing's PersonID: a licence is counted per person and event.
type PersonID = billing.PersonID

// FieldID names a shared field of an organisation's library.
type FieldID string

// Event is an event an organisation organises. Other organisations may
// support it with licence coupons (package billing); it is then in their
// event list too, as a supported event.
type Event struct {
	ID EventID
	// Org is the organising organisation.
	Org  org.OrganisationID
	Name string
	// Start and End are instants; End is after Start.
	Start, End time.Time
	// TimeZone is the IANA zone the event takes place in.
	TimeZone string
	Location Location
	// Fields are the shared fields of Org's library its applications
	// ask, in form order.
	Fields []FieldID
	// Archived events stay in the list on request and in the stats.
	Archived bool
	// Participants counts the people accepted onto the event; the service
	// keeps it with the event's roster.
	Participants int
	CreatedAt    time.Time
	// CreatedBy is the actor who created it, as rendered by org.Actor.
	CreatedBy string
	UpdatedAt time.Time
}

// Location is a point on Earth in decimal degrees (WGS 84).
type Location struct {
	Lat, Lon float64
}

// Person is someone who takes part in events: a volunteer, identified by
// email. People are not users of orgspace; they apply through the host's
// event pages.
type Person struct {
	ID   PersonID
	Name string
	// Email is normalised (org.NormaliseEmail) and unique.
	Email string
	// BirthDate is a calendar date, stored as midnight UTC.
	BirthDate time.Time
	Home      Location
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Status is where a participation is. An application starts Applied; it
// is then Accepted or Declined, and an applied or accepted person may
// withdraw. A declined or withdrawn person may apply again.
type Status uint8

// The participation statuses. The zero Status is invalid.
const (
	// Applied: the person asked to take part.
	Applied Status = iota + 1
	// Accepted: the organisation took them on; they hold a licence.
	Accepted
	// Declined: the organisation turned the application down.
	Declined
	// Withdrawn: the person withdrew; a licence they held went back.
	Withdrawn
)

var statusNames = [...]string{Applied: "applied", Accepted: "accepted", Declined: "declined", Withdrawn: "withdrawn"}

// String returns the status's name: "applied", "accepted", "declined" or
// "withdrawn".
func (s Status) String() string {
	if s.Valid() {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// Valid reports whether s is one of the defined statuses.
func (s Status) Valid() bool { return s >= Applied && s <= Withdrawn }

// Participation is a person's part in one event.
type Participation struct {
	Event  EventID
	Person PersonID
	Status Status
	// Answers are the person's values for the event's fields.
	Answers Answers
	// Worked is the time the person worked on the event, as recorded.
	Worked    time.Duration
	AppliedAt time.Time
	UpdatedAt time.Time
	// UpdatedBy is the actor of the last change, as rendered by org.Actor.
	UpdatedBy string
}

// Answers are values of shared fields, by field, as a form sends them:
// one value for every type but FieldChoices, which takes any number.
type Answers map[FieldID][]string

// RosterEntry is one accepted participant of an event as the stats see
// it: no name and no email.
type RosterEntry struct {
	Person    PersonID
	Worked    time.Duration
	BirthDate time.Time
	Home      Location
}

// Roster is an event's accepted participants, ordered by Person. The
// service rewrites it whenever one of them changes, so the stats of an
// organisation read one row per event, not one per participation.
type Roster []RosterEntry

// Member is a direct member of an organisation, with the number of its
// events they were accepted onto.
type Member struct {
	Person Person
	Events int
}

// FieldType is the type of a shared field's values.
type FieldType uint8

// The field types. The zero FieldType is invalid.
const (
	// FieldText: free text.
	FieldText FieldType = iota + 1
	// FieldNumber: a decimal number.
	FieldNumber
	// FieldDate: a calendar date, YYYY-MM-DD.
	FieldDate
	// FieldChoice: exactly one of the field's options.
	FieldChoice
	// FieldChoices: any number of the field's options.
	FieldChoices
	// FieldYesNo: "yes" or "no".
	FieldYesNo
)

var fieldTypeNames = [...]string{FieldText: "text", FieldNumber: "number", FieldDate: "date", FieldChoice: "single choice", FieldChoices: "multiple choice", FieldYesNo: "yes/no"}

// String returns the type's name: "text", "number", "date", "single
// choice", "multiple choice" or "yes/no".
func (t FieldType) String() string {
	if t.Valid() {
		return fieldTypeNames[t]
	}
	return fmt.Sprintf("FieldType(%d)", uint8(t))
}

// Valid reports whether t is one of the defined types.
func (t FieldType) Valid() bool { return t >= FieldText && t <= FieldYesNo }

// Visibility says who sees a shared field and its values.
type Visibility uint8

// The visibilities. The zero Visibility is invalid.
const (
	// Public fields are on the application form and seen by everyone who
	// sees the participant.
	Public Visibility = iota + 1
	// OrgOnly fields are filled and seen by the organisation's users
	// only: not on the application form, and hidden from users who can
	// see only one event (its managers).
	OrgOnly
)

var visibilityNames = [...]string{Public: "public", OrgOnly: "organisation only"}

// String returns the visibility's name: "public" or "organisation only".
func (v Visibility) String() string {
	if v.Valid() {
		return visibilityNames[v]
	}
	return fmt.Sprintf("Visibility(%d)", uint8(v))
}

// Valid reports whether v is one of the defined visibilities.
func (v Visibility) Valid() bool { return v >= Public && v <= OrgOnly }

// Field is a custom participant field of an organisation's shared
// library.
type Field struct {
	ID  FieldID
	Org org.OrganisationID
	// Label is what the form shows; unique within the organisation.
	Label string
	Type  FieldType
	// Options are the choices of a FieldChoice or FieldChoices field, in
	// order; empty for the other types.
	Options    []string
	Required   bool
	Visibility Visibility
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
