package community

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Application is a person applying to an event, with their answers to
// its form.
type Application struct {
	Event EventID
	// Name, Email, BirthDate and Home describe the person; a person who
	// applied before (same email) is updated with them.
	Name  string
	Email string
	// BirthDate is a calendar date: its year, month and day in its own
	// location count.
	BirthDate time.Time
	Home      Location
	Answers   Answers
}

// Participant is a person with their part in one event, as the event's
// organisation and managers see them.
type Participant struct {
	Person        Person
	Participation Participation
}

// earliestBirth is the earliest birth date a person may give.
var earliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// checkPerson validates the person of a an application at time now and
// returns it normalised.
func checkPerson(a Application, now time.Time) (Person, error) {
	name, err := org.CheckName("person name", a.Name)
	if err != nil {
		return Person{}, err
	}
	email, err := org.NormaliseEmail(a.Email)
	if err != nil {
		return Person{}, err
	}
	if a.BirthDate.IsZero() {
		return Person{}, invalid("birth date", "is zero")
	}
	y, m, d := a.BirthDate.Date()
	birth := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case birth.After(now):
		return Person{}, invalid("birth date", "%s is in the future", birth.Format(time.DateOnly))
	case birth.Before(earliestBirth):
		return Person{}, invalid("birth date", "%s is before %s", birth.Format(time.DateOnly), earliestBirth.Format(time.DateOnly))
	}
	if err := a.Home.Validate("home location"); err != nil {
		return Person{}, err
	}
	return Person{Name: name, Email: email, BirthDate: birth, Home: a.Home}, nil
}

// Apply records a person's application to an event: the person is
// created, or updated when their email applied before, and the answers
// are checked against the event's form and kept as the person's latest.
// A person whose earlier application was declined or withdrawn applies
// again; one who applied or was accepted gets storage.ErrAlreadyExists.
// An archived event takes no applications (storage.ErrFailedPrecondition).
// System (the host's application page) fills the public fields; the
// organisation's users and the event's managers may apply on a person's
// behalf.
func (s *Service) Apply(ctx context.Context, actor org.Actor, a Application) (Participation, storage.Revision, error) {
	var p Participation
	rev, err := s.update(ctx, func(st Store) error {
		e, r, err := eventFor(st, actor, a.Event, eventReach, "apply to an event")
		if err != nil {
			return err
		}
		now := s.env.Now()
		who, err := checkPerson(a, now)
		if err != nil {
			return err
		}
		answers, err := checkAnswers(st, e, formReach(actor, r), a.Answers)
		if err != nil {
			return err
		}
		if e.Archived {
			return fmt.Errorf("community: apply to event %s: it is archived: %w", e.ID, storage.ErrFailedPrecondition)
		}
		person, err := s.putPerson(st, who, now)
		if err != nil {
			return err
		}
		p, err = st.Participation(e.ID, person.ID)
		switch {
		case storage.IsNotFound(err):
			p = Participation{Event: e.ID, Person: person.ID, Status: Applied, Answers: answers, AppliedAt: now, UpdatedAt: now, UpdatedBy: actor.String()}
			err = st.InsertParticipation(p)
		case err != nil:
		case p.Status == Applied || p.Status == Accepted:
			return fmt.Errorf("community: person %s has already applied to event %s (%s): %w", person.ID, e.ID, p.Status, storage.ErrAlreadyExists)
		default:
			p.Status, p.Answers, p.UpdatedAt, p.UpdatedBy = Applied, answers, now, actor.String()
			err = st.UpdateParticipation(p)
		}
		if err != nil {
			return err
		}
		if answers != nil {
			if err := st.PutLastAnswers(person.ID, answers); err != nil {
				return err
			}
		}
		return s.log(st, actor, "participation.apply", participationTarget(e.ID, person.ID), e.Org, "person "+string(person.ID)+" applied")
	})
	if err != nil {
		return Participation{}, 0, err
	}
	return p, rev, nil
}

func participationTarget(e EventID, p PersonID) string { return string(e) + "/" + string(p) }

// putPerson creates who or updates the person with its email, and keeps
// the rosters of a person whose birth date or home changed in step.
func (s *Service) putPerson(st Store, who Person, now time.Time) (Person, error) {
	old, err := st.PersonByEmail(who.Email)
	switch {
	case storage.IsNotFound(err):
		who.ID, who.CreatedAt, who.UpdatedAt = PersonID(s.env.NewID("per")), now, now
		return who, st.PutPerson(who)
	case err != nil:
		return Person{}, err
	case old.Name == who.Name && old.BirthDate.Equal(who.BirthDate) && old.Home == who.Home:
		return old, nil
	}
	who.ID, who.CreatedAt, who.UpdatedAt = old.ID, old.CreatedAt, now
	if err := st.PutPerson(who); err != nil {
		return Person{}, err
	}
	if old.BirthDate.Equal(who.BirthDate) && old.Home == who.Home {
		return who, nil
	}
	ps, err := st.ParticipationsOfPerson(who.ID)
	if err != nil {
		return Person{}, err
	}
	for _, p := range ps {
		if p.Status == Accepted {
			if err := setRosterEntry(st, p.Event, rosterEntry(who, p)); err != nil {
				return Person{}, err
			}
		}
	}
	return who, nil
}

func rosterEntry(who Person, p Participation) RosterEntry {
	return RosterEntry{Person: who.ID, Worked: p.Worked, BirthDate: who.BirthDate, Home: who.Home}
}

// setRosterEntry adds or replaces entry in event e's roster.
func setRosterEntry(st Store, e EventID, entry RosterEntry) error {
	r, err := st.Roster(e)
	if err != nil {
		return err
	}
	i, found := slices.BinarySearchFunc(r, entry.Person, func(x RosterEntry, p PersonID) int { return strings.Compare(string(x.Person), string(p)) })
	if found {
		r[i] = entry
	} else {
		r = slices.Insert(r, i, entry)
	}
	return st.PutRoster(e, r)
}

// dropRosterEntry removes person p from event e's roster.
func dropRosterEntry(st Store, e EventID, p PersonID) error {
	r, err := st.Roster(e)
	if err != nil {
		return err
	}
	i, found := slices.BinarySearchFunc(r, p, func(x RosterEntry, p PersonID) int { return strings.Compare(string(x.Person), string(p)) })
	if !found {
		return nil
	}
	return st.PutRoster(e, slices.Delete(r, i, i+1))
}

// Accept takes an applicant onto the event: it takes a licence for them
// (billing.TakeLicence: from the event's coupons, then its organiser's
// pool) in the same transaction, and fails with storage.ErrInsufficientFunds,
// changing nothing, when there is none. A person holding a licence on the
// event keeps it, so nobody is charged twice for one event. Accepting an
// accepted person changes nothing. Declined applicants may be accepted;
// withdrawn people must apply again. The organisation's users and the
// event's managers may.
func (s *Service) Accept(ctx context.Context, actor org.Actor, event EventID, person PersonID) (Participation, storage.Revision, error) {
	return s.decide(ctx, actor, event, person, "accept a participant", func(st Store, e Event, p *Participation) (bool, error) {
		switch p.Status {
		case Accepted:
			return false, nil
		case Withdrawn:
			return false, fmt.Errorf("community: accept %s on event %s: they withdrew; they must apply again: %w", p.Person, e.ID, storage.ErrFailedPrecondition)
		}
		if e.Archived {
			return false, fmt.Errorf("community: accept %s on event %s: it is archived: %w", p.Person, e.ID, storage.ErrFailedPrecondition)
		}
		if _, err := billing.TakeLicence(st, s.env, actor, e.ID, p.Person); err != nil {
			return false, fmt.Errorf("community: accept %s on event %s: %w", p.Person, e.ID, err)
		}
		who, err := st.Person(p.Person)
		if err != nil {
			return false, err
		}
		p.Status = Accepted
		if err := setRosterEntry(st, e.ID, rosterEntry(who, *p)); err != nil {
			return false, err
		}
		return true, joined(st, e, p.Person, +1)
	})
}

// Decline turns an application down. Declining an accepted person, before
// the event starts, returns their licence; after it started it fails with
// storage.ErrFailedPrecondition. The organisation's users and the event's
// managers may.
func (s *Service) Decline(ctx context.Context, actor org.Actor, event EventID, person PersonID) (Participation, storage.Revision, error) {
	return s.leave(ctx, actor, event, person, Declined, "decline a participant")
}

// Withdraw records that a person withdrew. Withdrawing an accepted person
// before the event starts returns their licence; after it started it
// fails with storage.ErrFailedPrecondition (the licence is used). The
// organisation's users and the event's managers may.
func (s *Service) Withdraw(ctx context.Context, actor org.Actor, event EventID, person PersonID) (Participation, storage.Revision, error) {
	return s.leave(ctx, actor, event, person, Withdrawn, "withdraw a participant")
}

func (s *Service) leave(ctx context.Context, actor org.Actor, event EventID, person PersonID, to Status, what string) (Participation, storage.Revision, error) {
	return s.decide(ctx, actor, event, person, what, func(st Store, e Event, p *Participation) (bool, error) {
		from := p.Status
		switch {
		case from == to:
			return false, nil
		case from == Withdrawn || (from == Declined && to == Withdrawn):
			return false, fmt.Errorf("community: %s: %s on event %s is %s: %w", what, p.Person, e.ID, from, storage.ErrFailedPrecondition)
		}
		p.Status = to
		if from != Accepted {
			return true, nil
		}
		if _, err := billing.ReturnLicence(st, s.env, actor, e.ID, p.Person); err != nil {
			return false, fmt.Errorf("community: %s: %w", what, err)
		}
		if err := dropRosterEntry(st, e.ID, p.Person); err != nil {
			return false, err
		}
		return true, joined(st, e, p.Person, -1)
	})
}

// joined counts person p on or off event e: its participant count and
// p's membership of e's organisation.
func joined(st Store, e Event, p PersonID, delta int) error {
	e.Participants += delta
	if err := st.UpdateEvent(e); err != nil {
		return err
	}
	return st.AdjustMember(e.Org, p, delta)
}

// decide runs change on person's participation in event for an actor
// with at least event reach; change reports whether it changed anything,
// and the change is written and logged only then.
func (s *Service) decide(ctx context.Context, actor org.Actor, event EventID, person PersonID, what string, change func(Store, Event, *Participation) (bool, error)) (Participation, storage.Revision, error) {
	if err := org.CheckID("person", string(person)); err != nil {
		return Participation{}, 0, err
	}
	var p Participation
	var changed bool
	rev, err := s.update(ctx, func(st Store) error {
		e, _, err := eventFor(st, actor, event, eventReach, what)
		if err != nil {
			return err
		}
		if p, err = st.Participation(event, person); err != nil {
			return fmt.Errorf("community: %s: %s on event %s: %w", what, person, event, err)
		}
		from := p.Status
		if changed, err = change(st, e, &p); err != nil || !changed {
			return err
		}
		p.UpdatedAt, p.UpdatedBy = s.env.Now(), actor.String()
		if err := st.UpdateParticipation(p); err != nil {
			return err
		}
		action, detail := "participation."+p.Status.String(), "person "+string(person)+" "+p.Status.String()
		if p.Status == from {
			action, detail = "participation.hours", "person "+string(person)+" worked "+p.Worked.String()
		}
		return s.log(st, actor, action, participationTarget(event, person), e.Org, detail)
	})
	if err != nil {
		return Participation{}, 0, err
	}
	return p, rev, nil
}

// RecordHours records the time an accepted person worked on an event: at
// least zero, at most the event's length rounded up to whole days. The
// organisation's users and the event's managers may.
func (s *Service) RecordHours(ctx context.Context, actor org.Actor, event EventID, person PersonID, worked time.Duration) (Participation, storage.Revision, error) {
	if worked < 0 {
		return Participation{}, 0, invalid("hours worked", "%s is negative", worked)
	}
	return s.decide(ctx, actor, event, person, "record hours", func(st Store, e Event, p *Participation) (bool, error) {
		days := (e.End.Sub(e.Start) + 24*time.Hour - 1) / (24 * time.Hour)
		switch {
		case worked > days*24*time.Hour:
			return false, invalid("hours worked", "%s is longer than event %s (%d days)", worked, e.ID, days)
		case p.Status != Accepted:
			return false, fmt.Errorf("community: record hours of %s on event %s: they are %s, not accepted: %w", p.Person, e.ID, p.Status, storage.ErrFailedPrecondition)
		}
		p.Worked = worked
		who, err := st.Person(p.Person)
		if err != nil {
			return false, err
		}
		return true, setRosterEntry(st, e.ID, rosterEntry(who, *p))
	})
}

// Participants lists event id's participants, every status, ordered by
// person ID, a page at a time, with the answers the reader may see. The
// organisation's users and the event's managers may; a supporting
// organisation may not.
func (s *Service) Participants(ctx context.Context, c storage.Consistency, actor org.Actor, id EventID, page storage.PageRequest) (storage.Page[Participant], error) {
	limit, err := page.Size()
	if err != nil {
		return storage.Page[Participant]{}, err
	}
	after := ""
	if page.After != "" {
		k, err := storage.DecodeCursor(page.After, 1)
		if err != nil {
			return storage.Page[Participant]{}, err
		}
		after = k[0]
	}
	var out storage.Page[Participant]
	err = s.view(ctx, c, func(st Store) error {
		e, r, err := eventFor(st, actor, id, eventReach, "list an event's participants")
		if err != nil {
			return err
		}
		fields, err := fieldsOf(st, e, r)
		if err != nil {
			return err
		}
		ps, err := st.ParticipationsOfEvent(id, PersonID(after), limit+1)
		if err != nil {
			return err
		}
		if len(ps) > limit {
			ps = ps[:limit]
			out.Next = storage.EncodeCursor(string(ps[limit-1].Person))
		}
		for _, p := range ps {
			who, err := st.Person(p.Person)
			if err != nil {
				return err
			}
			p.Answers = visibleAnswers(fields, p.Answers)
			out.Items = append(out.Items, Participant{Person: who, Participation: p})
		}
		return nil
	})
	return out, err
}

// Prefill returns the latest answers of the person with that email to
// the fields of event id that actor fills (see Form): what the form
// shows before they apply again. Nil when the person is unknown. Who may
// is as for Form.
func (s *Service) Prefill(ctx context.Context, c storage.Consistency, actor org.Actor, id EventID, email string) (Answers, error) {
	email, err := org.NormaliseEmail(email)
	if err != nil {
		return nil, err
	}
	var out Answers
	err = s.view(ctx, c, func(st Store) error {
		e, r, err := eventFor(st, actor, id, eventReach, "prefill an application")
		if err != nil {
			return err
		}
		who, err := st.PersonByEmail(email)
		if storage.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		fields, err := fieldsOf(st, e, formReach(actor, r))
		if err != nil || len(fields) == 0 {
			return err
		}
		ids := make([]FieldID, len(fields))
		for i, f := range fields {
			ids[i] = f.ID
		}
		last, err := st.LastAnswers(who.ID, ids)
		if err != nil {
			return err
		}
		// A value the field no longer accepts (an option renamed) is not
		// offered.
		for _, f := range fields {
			if v, ok := last[f.ID]; ok {
				if c, err := CheckValues(f, v); err == nil && len(c) > 0 {
					if out == nil {
						out = Answers{}
					}
					out[f.ID] = c
				}
			}
		}
		return nil
	})
	return out, err
}
