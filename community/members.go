package community

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// MemberFilter selects an organisation's direct members.
type MemberFilter struct {
	Org org.OrganisationID
	// Text keeps members whose name or email contains it, ignoring case.
	Text string
	// Event keeps the members accepted onto that event, which must be
	// one the organisation organises: the people on an event it supports
	// are its indirect members, never listed.
	Event EventID
}

// Members lists organisation f.Org's direct members, the people accepted
// onto the events it organises, with their personal data, ordered by
// name (ignoring case) and then ID, a page at a time. Its Owners and
// Members may. Indirect members are never listed: there is no way to
// ask for them.
func (s *Service) Members(ctx context.Context, c storage.Consistency, actor org.Actor, f MemberFilter, page storage.PageRequest) (storage.Page[Member], error) {
	limit, err := page.Size()
	if err != nil {
		return storage.Page[Member]{}, err
	}
	q := MemberQuery{Org: f.Org, Text: f.Text, Event: f.Event, Limit: limit + 1}
	if page.After != "" {
		k, err := storage.DecodeCursor(page.After, 2)
		if err != nil {
			return storage.Page[Member]{}, err
		}
		q.AfterName, q.AfterPerson = k[0], PersonID(k[1])
	}
	var out storage.Page[Member]
	err = s.view(ctx, c, func(st Store) error {
		if err := orgReachOf(st, actor, f.Org, "list members"); err != nil {
			return err
		}
		if f.Event != "" {
			e, err := st.CommunityEvent(f.Event)
			switch {
			case storage.IsNotFound(err) || (err == nil && e.Org != f.Org):
				return invalid("member filter event", "%q is not an event organisation %s organises", f.Event, f.Org)
			case err != nil:
				return err
			}
		}
		ms, err := st.DirectMembers(q)
		if err != nil {
			return err
		}
		if len(ms) > limit {
			ms = ms[:limit]
			last := ms[limit-1].Person
			out.Next = storage.EncodeCursor(NameKey(last.Name), string(last.ID))
		}
		out.Items = ms
		return nil
	})
	return out, err
}

// StatsQuery asks for an organisation's stats over a range of months.
type StatsQuery struct {
	Org org.OrganisationID
	// From and To are the first and last month, in the organisation's
	// time zone; both zero for the last 12 months, this one included.
	From, To Month
}

// MaxStatsMonths is the longest range the stats cover.
const MaxStatsMonths = 120

// Stats computes organisation q.Org's community statistics (see [Stats])
// on one consistent snapshot. Its Owners and Members may.
func (s *Service) Stats(ctx context.Context, c storage.Consistency, actor org.Actor, q StatsQuery) (Stats, error) {
	var out Stats
	err := s.view(ctx, c, func(st Store) error {
		if err := orgReachOf(st, actor, q.Org, "read community stats"); err != nil {
			return err
		}
		o, err := st.Organisation(q.Org)
		if err != nil {
			return err
		}
		loc, err := time.LoadLocation(o.Settings.TimeZone)
		if err != nil {
			return fmt.Errorf("community: stats: organisation %s time zone %q: %w", o.ID, o.Settings.TimeZone, err)
		}
		from, to, err := statsRange(q, s.env.Now().In(loc))
		if err != nil {
			return err
		}
		first := time.Date(from.Year, from.Month, 1, 0, 0, 0, 0, loc)
		end := time.Date(to.Year, to.Month+1, 1, 0, 0, 0, 0, loc)
		in := statsInput{From: from, To: to, Loc: loc, K: s.k}
		var ids []EventID
		index := map[EventID]int{}
		if err := eachEvent(st, o.ID, func(e Event, r EventRole) {
			if e.Participants > 0 && !e.Start.Before(first) && e.Start.Before(end) {
				index[e.ID] = len(in.Events)
				ids = append(ids, e.ID)
				in.Events = append(in.Events, statEvent{Start: e.Start, Direct: r == Organised, Location: e.Location})
			}
		}); err != nil {
			return err
		}
		slices.Sort(ids)
		if err := st.Rosters(ids, func(e EventID, r Roster) error {
			in.Events[index[e]].Roster = r
			return nil
		}); err != nil {
			return err
		}
		out = computeStats(in)
		out.Org, out.TimeZone = o.ID, o.Settings.TimeZone
		return nil
	})
	return out, err
}

// statsRange validates q's months, defaulting to the 12 months up to
// now's.
func statsRange(q StatsQuery, now time.Time) (Month, Month, error) {
	from, to := q.From, q.To
	if from == (Month{}) && to == (Month{}) {
		to = MonthOf(now, now.Location())
		first := time.Date(to.Year, to.Month-11, 1, 0, 0, 0, 0, time.UTC)
		from = Month{Year: first.Year(), Month: first.Month()}
	}
	for _, m := range []struct {
		name string
		m    Month
	}{{"stats from", from}, {"stats to", to}} {
		if m.m.Month < time.January || m.m.Month > time.December || m.m.Year < 1900 || m.m.Year > 9999 {
			return Month{}, Month{}, invalid(m.name, "%d-%02d is not a month", m.m.Year, int(m.m.Month))
		}
	}
	n := (to.Year-from.Year)*12 + int(to.Month-from.Month) + 1
	switch {
	case n < 1:
		return Month{}, Month{}, invalid("stats to", "%s is before %s", to, from)
	case n > MaxStatsMonths:
		return Month{}, Month{}, invalid("stats range", "spans %d months, more than %d", n, MaxStatsMonths)
	}
	return from, to, nil
}
