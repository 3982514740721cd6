package community

import (
	"context"
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Config configures a Service. The zero Config is usable.
type Config struct {
	// Env supplies the clock and the IDs of new events, people and fields.
	Env org.Env
	// K is the suppression threshold of stats cells that count indirect
	// members: a cell counting fewer people is withheld. Default DefaultK;
	// it must not be negative.
	K int
}

// Service keeps events, their participants and the shared fields of
// organisations, and answers who an organisation's community is.
//
// # Who may do what
//
//   - Owners and Members of an organisation have rights on all its
//     events: create, edit and archive them, manage their participants
//     and managers, define shared fields, list the direct members and
//     read the stats. Operators and System may do the same.
//   - An event's managers (users added to one event) manage that event's
//     participants and read its roster, without the organisation-only
//     fields; they see no other event, member or stat.
//   - Applications come from the host's event pages, as System, or from
//     the organisation's users and the event's managers.
//
// Users who hold only account grants, and users of other organisations,
// have no rights on an organisation's events.
//
// # Privacy of indirect members
//
// An organisation's indirect members are the people on the events it
// supports. They are never identified to it, by construction rather
// than by checks alone: the only public type that carries a person's
// data is [Person], and it reaches callers only in a [Member] (built by
// Store.DirectMembers, which selects people on the organisation's own
// events) and a [Participant] (listed for the organiser's users and the
// event's managers). A supported event reaches the supporting
// organisation as an [EventSummary], whose participant count is a [Cell]
// held to k, and the stats get rosters, which hold no name and no email,
// and publish only cells (see [Stats]).
//
// # Writes
//
// Writes are logged (storage.Transactor.Update) and return the revision
// they committed. Accepting a participant takes their licence through
// billing.TakeLicence in the same transaction, and withdrawing before the
// event returns it. Log entries name events, people and fields by ID,
// never by personal data, and belong to the organising organisation.
//
// # Errors
//
// Bad input fails with storage.ErrInvalidArgument naming the field, an
// unknown organisation, event, person or field with storage.ErrNotFound,
// a refused actor with storage.ErrPermissionDenied, a step the
// participation's status or the event does not allow with
// storage.ErrFailedPrecondition, accepting without a licence left with
// storage.ErrInsufficientFunds; each changes nothing.
type Service struct {
	tx  storage.Transactor[Store]
	env org.Env
	k   int
}

// NewService returns a Service over tx. It refuses a negative K.
func NewService(tx storage.Transactor[Store], cfg Config) (*Service, error) {
	switch {
	case cfg.K < 0:
		return nil, invalid("k", "is negative")
	case cfg.K == 0:
		cfg.K = DefaultK
	}
	return &Service{tx: tx, env: cfg.Env, k: cfg.K}, nil
}

// K is the suppression threshold the Service holds indirect cells to.
func (s *Service) K() int { return s.k }

func (s *Service) update(ctx context.Context, fn func(st Store) error) (storage.Revision, error) {
	return s.tx.Update(ctx, fn)
}

func (s *Service) view(ctx context.Context, c storage.Consistency, fn func(st Store) error) error {
	return s.tx.View(ctx, c, fn)
}

// log appends an audit entry of the organising organisation o.
func (s *Service) log(st Store, actor org.Actor, action, target string, o org.OrganisationID, detail string) error {
	return org.Log(st, s.env, actor, "community."+action, target, org.Subject{Org: o}, detail)
}

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("community: %s %s: %w", field, fmt.Sprintf(format, args...), storage.ErrInvalidArgument)
}

// reach is what an actor may see and do of one event.
type reach uint8

const (
	// noReach: nothing.
	noReach reach = iota
	// eventReach: the event's managers: this event, without the
	// organisation-only fields.
	eventReach
	// orgReach: the organisation's Owners and Members, operators and
	// System: every event of the organisation, every field.
	orgReach
)

// orgReachOf authorises actor on every event of organisation o, which
// must exist. what names the operation in the error.
func orgReachOf(st Store, actor org.Actor, o org.OrganisationID, what string) error {
	if _, err := st.Organisation(o); err != nil {
		return fmt.Errorf("community: %s: organisation %q: %w", what, o, err)
	}
	r, err := reachOrg(st, actor, o)
	if err != nil {
		return err
	}
	if r != orgReach {
		return fmt.Errorf("community: only an Owner or Member of organisation %s may %s (actor %s): %w", o, what, actor, storage.ErrPermissionDenied)
	}
	return nil
}

// reachOrg is actor's reach on the events of organisation o.
func reachOrg(st Store, actor org.Actor, o org.OrganisationID) (reach, error) {
	if err := org.Resolve(st, actor); err != nil {
		return noReach, err
	}
	if actor.Kind != org.ActorUser {
		return orgReach, nil
	}
	m, err := st.Membership(o, actor.User())
	switch {
	case err == nil && (m.Role == org.Owner || m.Role == org.Member):
		return orgReach, nil
	case err != nil && !storage.IsNotFound(err):
		return noReach, err
	}
	return noReach, nil
}

// eventFor looks event id up and authorises actor on it with at least
// min; it returns the event and the actor's reach.
func eventFor(st Store, actor org.Actor, id EventID, min reach, what string) (Event, reach, error) {
	if err := org.CheckID("event", string(id)); err != nil {
		return Event{}, noReach, err
	}
	e, err := st.CommunityEvent(id)
	if err != nil {
		return Event{}, noReach, fmt.Errorf("community: %s: event %q: %w", what, id, err)
	}
	r, err := reachOrg(st, actor, e.Org)
	if err != nil {
		return Event{}, noReach, err
	}
	if r == noReach && actor.Kind == org.ActorUser {
		ok, err := st.IsEventManager(id, actor.User())
		if err != nil {
			return Event{}, noReach, err
		}
		if ok {
			r = eventReach
		}
	}
	if r < min {
		who := "an Owner or Member of organisation " + string(e.Org)
		if min == eventReach {
			who += " or a manager of event " + string(id)
		}
		return Event{}, noReach, fmt.Errorf("community: only %s may %s (actor %s): %w", who, what, actor, storage.ErrPermissionDenied)
	}
	return e, r, nil
}
