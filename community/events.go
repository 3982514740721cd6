package community

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// EventInput is what an organisation says about an event when it creates
// or edits it.
type EventInput struct {
	Name string
	// Start and End are instants; End must be after Start.
	Start, End time.Time
	// TimeZone is an IANA zone name; empty for the organisation's.
	TimeZone string
	Location Location
	// Fields are shared fields of the organisation's library the
	// application form asks, in order, each at most once.
	Fields []FieldID
}

// checkEvent validates in against organisation o's settings and field
// library and returns it normalised.
func checkEvent(st Store, o org.Organisation, in EventInput) (EventInput, error) {
	name, err := org.CheckName("event name", in.Name)
	if err != nil {
		return in, err
	}
	in.Name = name
	switch {
	case in.Start.IsZero():
		return in, invalid("event start", "is zero")
	case in.End.IsZero():
		return in, invalid("event end", "is zero")
	case !in.End.After(in.Start):
		return in, invalid("event end", "%s is not after its start %s", in.End.Format(time.RFC3339), in.Start.Format(time.RFC3339))
	}
	in.Start, in.End = in.Start.UTC(), in.End.UTC()
	if in.TimeZone == "" {
		in.TimeZone = o.Settings.TimeZone
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil || in.TimeZone == "" || in.TimeZone == "Local" {
		return in, invalid("event time zone", "%q is not an IANA time zone", in.TimeZone)
	}
	if err := in.Location.Validate("event location"); err != nil {
		return in, err
	}
	for i, f := range in.Fields {
		if err := org.CheckID("event field", string(f)); err != nil {
			return in, err
		}
		if slices.Contains(in.Fields[:i], f) {
			return in, invalid("event fields", "list %q twice", f)
		}
		fd, err := st.Field(f)
		switch {
		case storage.IsNotFound(err) || (err == nil && fd.Org != o.ID):
			return in, invalid("event fields", "%q is not a field of organisation %s", f, o.ID)
		case err != nil:
			return in, err
		}
	}
	in.Fields = slices.Clone(in.Fields)
	if len(in.Fields) == 0 {
		in.Fields = nil
	}
	return in, nil
}

// CreateEvent creates an event organised by organisation o and registers
// it with billing. Its Owners and Members may.
func (s *Service) CreateEvent(ctx context.Context, actor org.Actor, o org.OrganisationID, in EventInput) (Event, storage.Revision, error) {
	var e Event
	rev, err := s.update(ctx, func(st Store) error {
		if err := orgReachOf(st, actor, o, "create an event"); err != nil {
			return err
		}
		organisation, err := st.Organisation(o)
		if err != nil {
			return err
		}
		in, err := checkEvent(st, organisation, in)
		if err != nil {
			return err
		}
		now := s.env.Now()
		e = Event{
			ID: EventID(s.env.NewID("evt")), Org: o, Name: in.Name, Start: in.Start, End: in.End,
			TimeZone: in.TimeZone, Location: in.Location, Fields: in.Fields,
			CreatedAt: now, CreatedBy: actor.String(), UpdatedAt: now,
		}
		if err := st.InsertEvent(e); err != nil {
			return err
		}
		if err := billing.RegisterEvent(st, billing.Event{ID: e.ID, Org: o, Start: e.Start}); err != nil {
			return err
		}
		return s.log(st, actor, "event.create", string(e.ID), o, "created event "+string(e.ID))
	})
	if err != nil {
		return Event{}, 0, err
	}
	return e, rev, nil
}

// EditEvent replaces what in says of event id. The organisation's Owners
// and Members may.
func (s *Service) EditEvent(ctx context.Context, actor org.Actor, id EventID, in EventInput) (Event, storage.Revision, error) {
	return s.changeEvent(ctx, actor, id, "edit an event", "event.edit", func(st Store, e *Event) error {
		organisation, err := st.Organisation(e.Org)
		if err != nil {
			return err
		}
		in, err := checkEvent(st, organisation, in)
		if err != nil {
			return err
		}
		e.Name, e.Start, e.End, e.TimeZone, e.Location, e.Fields = in.Name, in.Start, in.End, in.TimeZone, in.Location, in.Fields
		return billing.RegisterEvent(st, billing.Event{ID: e.ID, Org: e.Org, Start: e.Start})
	})
}

// ArchiveEvent archives event id, or brings it back when archived is
// false. An archived event takes no applications and accepts no one; it
// stays in the stats and, on request, in the event list. The
// organisation's Owners and Members may.
func (s *Service) ArchiveEvent(ctx context.Context, actor org.Actor, id EventID, archived bool) (Event, storage.Revision, error) {
	action := "event.archive"
	if !archived {
		action = "event.unarchive"
	}
	return s.changeEvent(ctx, actor, id, "archive an event", action, func(_ Store, e *Event) error {
		e.Archived = archived
		return nil
	})
}

// changeEvent runs change on event id for an actor with organisation
// reach, then writes and logs it.
func (s *Service) changeEvent(ctx context.Context, actor org.Actor, id EventID, what, action string, change func(Store, *Event) error) (Event, storage.Revision, error) {
	var e Event
	rev, err := s.update(ctx, func(st Store) error {
		var err error
		if e, _, err = eventFor(st, actor, id, orgReach, what); err != nil {
			return err
		}
		if err := change(st, &e); err != nil {
			return err
		}
		e.UpdatedAt = s.env.Now()
		if err := st.UpdateEvent(e); err != nil {
			return err
		}
		return s.log(st, actor, action, string(id), e.Org, action+" "+string(id))
	})
	if err != nil {
		return Event{}, 0, err
	}
	return e, rev, nil
}

// Event returns event id to its organisation's users and its managers.
// Supporting organisations see it only as an EventSummary, in their
// event list.
func (s *Service) Event(ctx context.Context, c storage.Consistency, actor org.Actor, id EventID) (Event, error) {
	var e Event
	err := s.view(ctx, c, func(st Store) error {
		var err error
		e, _, err = eventFor(st, actor, id, eventReach, "read an event")
		return err
	})
	return e, err
}

// AddManager makes user u a manager of event id: u may then manage that
// event's participants, without seeing the organisation-only fields. The
// organisation's Owners and Members may.
func (s *Service) AddManager(ctx context.Context, actor org.Actor, id EventID, u org.UserID) (storage.Revision, error) {
	return s.update(ctx, func(st Store) error {
		e, _, err := eventFor(st, actor, id, orgReach, "add an event manager")
		if err != nil {
			return err
		}
		if err := org.CheckID("manager", string(u)); err != nil {
			return err
		}
		if _, err := st.User(u); err != nil {
			return fmt.Errorf("community: add an event manager: user %q: %w", u, err)
		}
		if err := st.PutEventManager(id, u); err != nil {
			return err
		}
		return s.log(st, actor, "manager.add", string(id), e.Org, "user "+string(u)+" manages event "+string(id))
	})
}

// RemoveManager removes user u from event id's managers; storage.ErrNotFound
// when u is not one. The organisation's Owners and Members may.
func (s *Service) RemoveManager(ctx context.Context, actor org.Actor, id EventID, u org.UserID) (storage.Revision, error) {
	return s.update(ctx, func(st Store) error {
		e, _, err := eventFor(st, actor, id, orgReach, "remove an event manager")
		if err != nil {
			return err
		}
		if err := st.DeleteEventManager(id, u); err != nil {
			return fmt.Errorf("community: remove manager %q of event %s: %w", u, id, err)
		}
		return s.log(st, actor, "manager.remove", string(id), e.Org, "user "+string(u)+" no longer manages event "+string(id))
	})
}

// Managers lists event id's managers. The organisation's Owners and
// Members may.
func (s *Service) Managers(ctx context.Context, c storage.Consistency, actor org.Actor, id EventID) ([]org.UserID, error) {
	var out []org.UserID
	err := s.view(ctx, c, func(st Store) error {
		if _, _, err := eventFor(st, actor, id, orgReach, "list event managers"); err != nil {
			return err
		}
		var err error
		out, err = st.ManagersOfEvent(id)
		return err
	})
	return out, err
}
