package community_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/storage"
)

// "In the stats page, you can track the workload in hours over the last 12
// months, the distribution of your community members by age, the distance
// they travel from their home to the event, and the evolution of the size
// of your community (number of direct members, who participate in your
// events, and indirect members, who participate in events you support)."
func TestStatsTrackWorkloadAgesDistancesAndSize(t *testing.T) {
	w := newWorld(t)
	w.licences(w.toppp, 5, "l")
	w.support(10)
	ann := person(w.gala.ID, "ann")
	bob := person(w.gala.ID, "bob")
	bob.BirthDate = time.Date(2000, 12, 31, 0, 0, 0, 0, time.UTC)
	bob.Home = community.Location{Lat: 50.8798, Lon: 4.7005} // Leuven, about 25 km away (24.7 as the crow flies)
	pa, pb := w.join(w.member, ann), w.join(w.member, bob)
	_, _, err := w.svc.RecordHours(w.ctx, w.member, w.gala.ID, pa.Person, 5*time.Hour)
	w.must(err)
	_, _, err = w.svc.RecordHours(w.ctx, w.member, w.gala.ID, pb.Person, 3*time.Hour+30*time.Minute)
	w.must(err)
	for _, n := range []string{"cat", "dan"} {
		w.join(w.helpersMember, person(w.fair.ID, n))
	}

	stats := func() community.Stats {
		s, err := w.svc.Stats(w.ctx, storage.Latest(), w.owner, community.StatsQuery{Org: w.toppp})
		w.must(err)
		return s
	}
	s := stats()
	if s.From != (community.Month{Year: 2025, Month: 4}) || s.To != (community.Month{Year: 2026, Month: 3}) || s.K != 5 || s.TimeZone != "Europe/Brussels" {
		t.Fatalf("range %v–%v k %d zone %s, want the last 12 months to 2026-03, k 5, Europe/Brussels", s.From, s.To, s.K, s.TimeZone)
	}
	row := func(tb community.Table, label string) int {
		t.Helper()
		i := slices.Index(tb.Rows, label)
		if i < 0 {
			t.Fatalf("%s table has no row %q: %v", tb.Unit, label, tb.Rows)
		}
		return i
	}
	hidden := community.Cell{Suppressed: true}
	for _, tc := range []struct {
		name             string
		tb               community.Table
		row              string
		direct, indirect community.Cell
	}{
		{"workload in minutes", s.Workload, "2026-03", community.Cell{Value: 510}, hidden},
		{"size this month", s.Size, "2026-03", community.Cell{Value: 2}, hidden},
		{"size a year ago", s.Size, "2025-04", community.Cell{}, hidden},
		{"ann is 35", s.Ages, "35–44", community.Cell{Value: 1}, hidden},
		{"bob is 25", s.Ages, "25–34", community.Cell{Value: 1}, hidden},
		{"ann lives by the gala", s.Distances, "under 5 km", community.Cell{Value: 1}, hidden},
		{"bob travels from Leuven", s.Distances, "10–25 km", community.Cell{Value: 1}, hidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := row(tc.tb, tc.row)
			if got := [2]community.Cell{tc.tb.Direct[i], tc.tb.Indirect[i]}; got != [2]community.Cell{tc.direct, tc.indirect} {
				t.Errorf("%s row %s = %+v, want direct %+v, indirect %+v", tc.tb.Unit, tc.row, got, tc.direct, tc.indirect)
			}
		})
	}
	if s.Ages.DirectTotal != (community.Cell{Value: 2}) || !s.Ages.IndirectTotal.Suppressed {
		t.Errorf("age totals = %+v, %+v; want 2 direct and the indirect (2 people) suppressed", s.Ages.DirectTotal, s.Ages.IndirectTotal)
	}

	// With k people on the fair, its cells are published.
	for _, n := range []string{"eve", "fay", "gus"} {
		w.join(w.helpersMember, person(w.fair.ID, n))
	}
	s = stats()
	if got := s.Size.Indirect[row(s.Size, "2026-03")]; got != (community.Cell{Value: 5}) {
		t.Errorf("indirect size with 5 people = %+v, want 5", got)
	}
	if diff := cmp.Diff(community.Cell{Value: 5}, s.Ages.IndirectTotal); diff != "" {
		t.Errorf("indirect age total (-want +got):\n%s", diff)
	}
}
