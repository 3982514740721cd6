package community

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// EventRole is how an organisation takes part in an event.
type EventRole uint8

// The event roles. The zero EventRole, in an EventQuery, means both.
const (
	// Organised: the organisation organises the event.
	Organised EventRole = iota + 1
	// Supported: the organisation supports another's event with a
	// licence coupon the event redeemed.
	Supported
)

// String returns "organised" or "supported".
func (r EventRole) String() string {
	switch r {
	case Organised:
		return "organised"
	case Supported:
		return "supported"
	}
	return fmt.Sprintf("EventRole(%d)", uint8(r))
}

// EventSummary is an event in an organisation's event list. It carries
// what the event's public page shows, never its participants: for a
// supported event the participant count is held to k like every cell
// counting indirect members.
type EventSummary struct {
	ID EventID
	// Org is the organising organisation.
	Org        org.OrganisationID
	Name       string
	Start, End time.Time
	TimeZone   string
	Location   Location
	Archived   bool
	// Role is how the listing organisation takes part.
	Role EventRole
	// Participants counts the accepted participants.
	Participants Cell
}

// ArchiveFilter says which events a listing holds by archive state.
type ArchiveFilter uint8

// The archive filters; the zero value lists events not archived.
const (
	// NotArchived: events that are not archived.
	NotArchived ArchiveFilter = iota
	// WithArchived: every event, archived included.
	WithArchived
	// OnlyArchived: archived events only.
	OnlyArchived
)

// EventSort is the order of an event list.
type EventSort uint8

// The event sorts; every sort breaks ties by event ID.
const (
	// ByStart orders by start time (the default).
	ByStart EventSort = iota
	// ByName orders by NameKey of the name.
	ByName
	// ByParticipants orders by participant count, a suppressed count
	// as zero.
	ByParticipants
)

// EventQuery selects and orders an organisation's event list.
type EventQuery struct {
	Org org.OrganisationID
	// Role keeps organised or supported events; zero keeps both.
	Role     EventRole
	Archived ArchiveFilter
	// From and To keep the events that overlap [From, To); a zero bound
	// is open.
	From, To time.Time
	// Text keeps events whose name contains it, ignoring case.
	Text       string
	Sort       EventSort
	Descending bool
}

func (q EventQuery) check() error {
	switch {
	case q.Role > Supported:
		return invalid("event role", "%d is unknown", q.Role)
	case q.Archived > OnlyArchived:
		return invalid("archive filter", "%d is unknown", q.Archived)
	case q.Sort > ByParticipants:
		return invalid("event sort", "%d is unknown", q.Sort)
	case !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From):
		return invalid("event period", "ends at %s, not after its start %s", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	return nil
}

// Events lists organisation q.Org's events, organised and supported, as
// q selects and orders them, a page at a time. Its Owners and Members may.
// The listing reads all the organisation's events, so its cost grows with
// their number, not the page's.
func (s *Service) Events(ctx context.Context, c storage.Consistency, actor org.Actor, q EventQuery, page storage.PageRequest) (storage.Page[EventSummary], error) {
	if err := q.check(); err != nil {
		return storage.Page[EventSummary]{}, err
	}
	limit, err := page.Size()
	if err != nil {
		return storage.Page[EventSummary]{}, err
	}
	var after *eventKey
	if page.After != "" {
		k, err := decodeEventKey(page.After)
		if err != nil {
			return storage.Page[EventSummary]{}, err
		}
		if k.sort != q.Sort || k.desc != q.Descending {
			return storage.Page[EventSummary]{}, invalid("cursor", "was made for another sort")
		}
		after = &k
	}
	var all []EventSummary
	err = s.view(ctx, c, func(st Store) error {
		if err := orgReachOf(st, actor, q.Org, "list events"); err != nil {
			return err
		}
		all, err = s.eventsOf(st, q.Org)
		return err
	})
	if err != nil {
		return storage.Page[EventSummary]{}, err
	}
	return selectEvents(all, q, after, limit), nil
}

// eventsOf returns organisation o's organised and supported events.
func (s *Service) eventsOf(st Store, o org.OrganisationID) ([]EventSummary, error) {
	var out []EventSummary
	err := eachEvent(st, o, func(e Event, r EventRole) {
		out = append(out, summaryOf(e, r, s.k))
	})
	return out, err
}

// eachEvent calls fn with every event organisation o organises and then
// every event it supports, with the role it plays. An organisation's
// coupon redeemed by its own event does not make the event supported: it
// is organised.
func eachEvent(st Store, o org.OrganisationID, fn func(Event, EventRole)) error {
	if err := st.EventsOfOrg(o, func(e Event) error { fn(e, Organised); return nil }); err != nil {
		return err
	}
	supported, err := billing.SupportedEvents(st, o)
	if err != nil {
		return err
	}
	return st.EventsIn(supported, func(e Event) error {
		if e.Org != o {
			fn(e, Supported)
		}
		return nil
	})
}

func summaryOf(e Event, r EventRole, k int) EventSummary {
	n := Cell{Value: int64(e.Participants)}
	if r == Supported && e.Participants < k {
		n = Cell{Suppressed: true}
	}
	return EventSummary{
		ID: e.ID, Org: e.Org, Name: e.Name, Start: e.Start, End: e.End, TimeZone: e.TimeZone,
		Location: e.Location, Archived: e.Archived, Role: r, Participants: n,
	}
}

// eventKey is an event's place in a sorted listing.
type eventKey struct {
	sort  EventSort
	desc  bool
	start int64
	name  string
	n     int64
	id    EventID
}

func keyOf(e EventSummary, q EventQuery) eventKey {
	return eventKey{sort: q.Sort, desc: q.Descending, start: e.Start.UnixNano(), name: NameKey(e.Name), n: e.Participants.Value, id: e.ID}
}

func (a eventKey) compare(b eventKey) int {
	var c int
	switch a.sort {
	case ByName:
		c = strings.Compare(a.name, b.name)
	case ByParticipants:
		c = cmp.Compare(a.n, b.n)
	default:
		c = cmp.Compare(a.start, b.start)
	}
	if a.desc {
		c = -c
	}
	if c == 0 {
		c = strings.Compare(string(a.id), string(b.id))
	}
	return c
}

func (a eventKey) cursor() storage.Cursor {
	desc := "0"
	if a.desc {
		desc = "1"
	}
	return storage.EncodeCursor(strconv.Itoa(int(a.sort)), desc, strconv.FormatInt(a.start, 10), a.name, strconv.FormatInt(a.n, 10), string(a.id))
}

func decodeEventKey(c storage.Cursor) (eventKey, error) {
	p, err := storage.DecodeCursor(c, 6)
	if err != nil {
		return eventKey{}, err
	}
	sort, err1 := strconv.Atoi(p[0])
	start, err2 := strconv.ParseInt(p[2], 10, 64)
	n, err3 := strconv.ParseInt(p[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || (p[1] != "0" && p[1] != "1") {
		return eventKey{}, invalid("cursor", "is not an event list cursor")
	}
	return eventKey{sort: EventSort(sort), desc: p[1] == "1", start: start, name: p[3], n: n, id: EventID(p[5])}, nil
}

// selectEvents filters, sorts and pages all as q and the page ask; after,
// when set, was made for q's sort.
func selectEvents(all []EventSummary, q EventQuery, after *eventKey, limit int) storage.Page[EventSummary] {
	text := NameKey(strings.TrimSpace(q.Text))
	kept := all[:0:0]
	for _, e := range all {
		switch {
		case q.Role != 0 && e.Role != q.Role:
		case q.Archived == NotArchived && e.Archived, q.Archived == OnlyArchived && !e.Archived:
		case !q.From.IsZero() && !e.End.After(q.From):
		case !q.To.IsZero() && !e.Start.Before(q.To):
		case text != "" && !strings.Contains(NameKey(e.Name), text):
		default:
			kept = append(kept, e)
		}
	}
	slices.SortFunc(kept, func(a, b EventSummary) int { return keyOf(a, q).compare(keyOf(b, q)) })
	start := 0
	if after != nil {
		start, _ = slices.BinarySearchFunc(kept, *after, func(e EventSummary, k eventKey) int {
			if keyOf(e, q).compare(k) <= 0 {
				return -1
			}
			return 1
		})
	}
	rest := kept[start:]
	if len(rest) <= limit {
		return storage.Page[EventSummary]{Items: rest}
	}
	return storage.Page[EventSummary]{Items: rest[:limit], Next: keyOf(rest[limit-1], q).cursor()}
}
