package community

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAgeOnCountsWholeYears(t *testing.T) {
	for _, tc := range []struct {
		name  string
		birth time.Time
		on    time.Time
		want  int
	}{
		{"the day before the birthday", date(1990, 5, 1), date(2026, 4, 30), 35},
		{"on the birthday", date(1990, 5, 1), date(2026, 5, 1), 36},
		{"on the day of birth", date(2026, 5, 1), date(2026, 5, 1), 0},
		{"leap-day birth, 28 February of a common year", date(2008, 2, 29), date(2026, 2, 28), 17},
		{"leap-day birth turns older on 1 March of a common year", date(2008, 2, 29), date(2026, 3, 1), 18},
		{"leap-day birth, 28 February of a leap year", date(2008, 2, 29), date(2028, 2, 28), 19},
		{"leap-day birth, 29 February of a leap year", date(2008, 2, 29), date(2028, 2, 29), 20},
		{"31 December", date(2000, 12, 31), date(2026, 12, 30), 25},
		{"birth date not at midnight UTC", time.Date(1990, 5, 1, 23, 0, 0, 0, time.UTC), date(2026, 5, 1), 36},
		{"birth date in another zone is read in UTC", time.Date(1990, 5, 2, 1, 0, 0, 0, time.FixedZone("+2", 2*3600)), date(2026, 4, 30), 35},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, m, d := tc.on.Date()
			if got := ageOn(tc.birth, y, m, d); got != tc.want {
				t.Errorf("ageOn(%v, %v) = %d, want %d", tc.birth, tc.on.Format(time.DateOnly), got, tc.want)
			}
		})
	}
}

func TestAgeBracketBounds(t *testing.T) {
	want := map[int]string{
		-1: "under 18", 0: "under 18", 17: "under 18", 18: "18–24", 24: "18–24", 25: "25–34", 34: "25–34",
		35: "35–44", 44: "35–44", 45: "45–54", 54: "45–54", 55: "55–64", 64: "55–64", 65: "65+", 120: "65+",
	}
	rows := AgeBrackets()
	for age, label := range want {
		if got := rows[ageBracket(age)]; got != label {
			t.Errorf("age %d is in %q, want %q", age, got, label)
		}
	}
}

func TestDistanceBracketLowerBoundInclusive(t *testing.T) {
	for _, tc := range []struct {
		km   float64
		want string
	}{
		{0, "under 5 km"}, {4.999999, "under 5 km"}, {5, "5–10 km"}, {9.999999, "5–10 km"},
		{10, "10–25 km"}, {24.9, "10–25 km"}, {25, "25–50 km"}, {50, "50–100 km"},
		{99.999999, "50–100 km"}, {100, "100 km+"}, {20015, "100 km+"},
	} {
		if got := DistanceBrackets()[distanceBracket(tc.km)]; got != tc.want {
			t.Errorf("%v km is in %q, want %q", tc.km, got, tc.want)
		}
	}
}

func TestBracketLabelsAreCopies(t *testing.T) {
	AgeBrackets()[0] = "changed"
	DistanceBrackets()[0] = "changed"
	if AgeBrackets()[0] != "under 18" || DistanceBrackets()[0] != "under 5 km" {
		t.Fatal("changing a returned slice changed the brackets")
	}
}

// smallCommunity is a hand-built community over January and February 2026
// in Brussels (UTC+1 in winter), where every cell is known:
//
//   - e2 starts on 31 January in UTC but 1 February in Brussels, e5 on 31
//     December in UTC but 1 January in Brussels, e6 on 28 February in UTC
//     but 1 March in Brussels (outside the range);
//   - alice takes part in direct and supported events, dave in two
//     supported events in January;
//   - bob was born on 29 February 2008: on 28 February 2026, the last day
//     of the range, he is 17; erin turns 18 on that very day;
//   - homes sit just either side of the distance brackets' bounds.
func smallCommunity(t *testing.T) statsInput {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	at := kmNorth // homes north of the event, which is in Brussels
	alice := RosterEntry{Person: "alice", BirthDate: date(1990, 5, 1), Home: brusselsLoc}
	bob := RosterEntry{Person: "bob", BirthDate: date(2008, 2, 29), Home: at(brusselsLoc, 5.001)}
	carol := RosterEntry{Person: "carol", BirthDate: date(1950, 1, 1), Home: at(brusselsLoc, 100.001)}
	dave := RosterEntry{Person: "dave", BirthDate: date(2000, 12, 31), Home: at(brusselsLoc, 10.001)}
	erin := RosterEntry{Person: "erin", BirthDate: date(2008, 2, 28), Home: at(brusselsLoc, 99.999)}
	frank := RosterEntry{Person: "frank", BirthDate: date(1980, 1, 1), Home: brusselsLoc}
	worked := func(e RosterEntry, d time.Duration) RosterEntry { e.Worked = d; return e }
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	return statsInput{
		From: Month{2026, time.January}, To: Month{2026, time.February}, Loc: loc, K: 1,
		// Not in order of start: computeStats must not depend on it.
		Events: []statEvent{
			{ // e2
				Start: utc(2026, 1, 31, 23, 30), Direct: true, Location: brusselsLoc,
				Roster: Roster{worked(alice, 30*time.Minute), worked(carol, 0)},
			},
			{ // e3
				Start: utc(2026, 1, 20, 10, 0), Location: brusselsLoc,
				Roster: Roster{worked(alice, 45*time.Minute+30*time.Second), worked(dave, 2*time.Hour)},
			},
			{ // e1
				Start: utc(2026, 1, 10, 9, 0), Direct: true, Location: brusselsLoc,
				Roster: Roster{worked(alice, 90*time.Minute+30*time.Second), worked(bob, time.Hour)},
			},
			{ // e6
				Start: utc(2026, 2, 28, 23, 30), Direct: true, Location: brusselsLoc,
				Roster: Roster{worked(frank, time.Hour)},
			},
			{ // e4
				Start: utc(2026, 1, 25, 10, 0), Location: brusselsLoc,
				Roster: Roster{worked(dave, time.Hour)},
			},
			{ // e5
				Start: utc(2025, 12, 31, 23, 30), Location: brusselsLoc,
				Roster: Roster{worked(erin, 20*time.Minute+45*time.Second)},
			},
		},
	}
}

func cells(vs ...int64) []Cell {
	out := make([]Cell, len(vs))
	for i, n := range vs {
		out[i] = Cell{Value: n}
	}
	return out
}

// withheld returns cs with the cells at rows suppressed.
func withheld(cs []Cell, rows ...int) []Cell {
	for _, r := range rows {
		cs[r] = Cell{Suppressed: true}
	}
	return cs
}

func TestStatsOfASmallCommunity(t *testing.T) {
	in := smallCommunity(t)
	got := computeStats(in)
	months := []string{"2026-01", "2026-02"}
	want := Stats{
		From: in.From, To: in.To, K: 1,
		// Direct: January e1 90m30s + 60m; February e2 30m + 0.
		// Indirect: January e3 45m30s + 120m, e4 60m, e5 20m45s =
		// 246m15s, truncated once; February nobody, so suppressed
		// (0 people < k = 1), and January is its complement.
		Workload: Table{
			Unit: "minutes", Rows: months,
			Direct:   cells(150, 30),
			Indirect: withheld(cells(0, 0), 0, 1), HasTotals: true,
			DirectTotal: Cell{Value: 180}, IndirectTotal: Cell{Value: 246},
		},
		// On 28 February 2026: direct alice 35, bob 17, carol 76;
		// indirect alice 35, dave 25, erin 18. The empty indirect
		// brackets sum to 0, so "18–24" (the first smallest) is their
		// complement.
		Ages: Table{
			Unit: "members", Rows: AgeBrackets(),
			Direct:   cells(1, 0, 0, 1, 0, 0, 1),
			Indirect: withheld(cells(0, 0, 1, 1, 0, 0, 0), 0, 1, 4, 5, 6), HasTotals: true,
			DirectTotal: Cell{Value: 3}, IndirectTotal: Cell{Value: 3},
		},
		// Direct: alice 0 km twice, bob 5.001, carol 100.001. Indirect:
		// alice 0 km, dave 10.001 twice, erin 99.999.
		Distances: Table{
			Unit: "participations", Rows: DistanceBrackets(),
			Direct:   cells(2, 1, 0, 0, 0, 1),
			Indirect: withheld(cells(0, 0, 2, 0, 1, 0), 0, 1, 3, 5), HasTotals: true,
			DirectTotal: Cell{Value: 4}, IndirectTotal: Cell{Value: 4},
		},
		// Direct: alice and bob in January, alice and carol in
		// February. Indirect: alice, dave (twice) and erin in January.
		Size: Table{
			Unit: "members", Rows: months,
			Direct:   cells(2, 2),
			Indirect: withheld(cells(3, 0), 1),
		},
	}
	for _, tc := range []struct {
		name      string
		got, want Table
	}{
		{"workload", got.Workload, want.Workload},
		{"ages", got.Ages, want.Ages},
		{"distances", got.Distances, want.Distances},
		{"size", got.Size, want.Size},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, tc.got, tc.want)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stats:\n got %+v\nwant %+v", got, want)
	}
}

// With the default k, the small community's few indirect members vanish
// entirely, totals included; the direct columns stay.
func TestStatsSuppressEveryIndirectCellOfAFewPeople(t *testing.T) {
	in := smallCommunity(t)
	in.K = DefaultK
	got := computeStats(in)
	small := computeStats(smallCommunity(t))
	for _, tab := range []struct {
		name      string
		got, full Table
	}{
		{"workload", got.Workload, small.Workload},
		{"ages", got.Ages, small.Ages},
		{"distances", got.Distances, small.Distances},
		{"size", got.Size, small.Size},
	} {
		if !reflect.DeepEqual(tab.got.Direct, tab.full.Direct) || tab.got.DirectTotal != tab.full.DirectTotal {
			t.Errorf("%s: direct column %v, total %v; want %v, total %v", tab.name, tab.got.Direct, tab.got.DirectTotal, tab.full.Direct, tab.full.DirectTotal)
		}
		for i, c := range tab.got.Indirect {
			if !c.Suppressed {
				t.Errorf("%s: indirect %s = %v is published", tab.name, tab.got.Rows[i], c)
			}
		}
		if tab.got.HasTotals && !tab.got.IndirectTotal.Suppressed {
			t.Errorf("%s: indirect total %v is published", tab.name, tab.got.IndirectTotal)
		}
	}
	if got.K != DefaultK {
		t.Errorf("K = %d, want %d", got.K, DefaultK)
	}
}

// A leap-day birth counts as a year older when the range ends in March
// rather than in February.
func TestStatsAgeOnTheLastDayOfTo(t *testing.T) {
	in := smallCommunity(t)
	bracketOfBob := func(in statsInput) string {
		in.Events = []statEvent{{Start: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC), Direct: true,
			Roster: Roster{{Person: "bob", BirthDate: date(2008, 2, 29)}}}}
		st := computeStats(in)
		for i, c := range st.Ages.Direct {
			if c.Value == 1 {
				return st.Ages.Rows[i]
			}
		}
		return "none"
	}
	if got := bracketOfBob(in); got != "under 18" {
		t.Errorf("to February 2026: bob is in %q, want \"under 18\"", got)
	}
	in.To = Month{2026, time.March}
	if got := bracketOfBob(in); got != "18–24" {
		t.Errorf("to March 2026: bob is in %q, want \"18–24\"", got)
	}
}

func TestStatsRowsSpanTheRangeAcrossYears(t *testing.T) {
	st := computeStats(statsInput{From: Month{2025, time.November}, To: Month{2026, time.February}, Loc: time.UTC, K: 1})
	want := []string{"2025-11", "2025-12", "2026-01", "2026-02"}
	if !reflect.DeepEqual(st.Workload.Rows, want) || !reflect.DeepEqual(st.Size.Rows, want) {
		t.Errorf("rows %v and %v, want %v", st.Workload.Rows, st.Size.Rows, want)
	}
	if len(st.Workload.Direct) != 4 || len(st.Size.Indirect) != 4 || len(st.Ages.Direct) != 7 || len(st.Distances.Indirect) != 6 {
		t.Errorf("table shapes: %+v", st)
	}
}

// randomCommunity draws a small community around Brussels where cells
// collide often: up to 12 people on up to 15 events, some starting outside
// the range, people shared across events, months and columns, homes from
// next door to hundreds of kilometres away.
func randomCommunity(t *rapid.T) statsInput {
	loc := rapid.SampledFrom([]*time.Location{
		time.UTC, time.FixedZone("UTC+1", 3600), time.FixedZone("UTC-8", -8*3600), time.FixedZone("UTC+14", 14*3600),
	}).Draw(t, "loc")
	from := Month{2024 + rapid.IntRange(0, 4).Draw(t, "from year"), time.Month(rapid.IntRange(1, 12).Draw(t, "from month"))}
	to := Month{from.Year, from.Month + time.Month(rapid.IntRange(0, 14).Draw(t, "months"))}.normal()
	scale := rapid.SampledFrom([]float64{0, 0.02, 0.1, 0.5, 2})
	near := func(what string) Location {
		s := scale.Draw(t, what+" scale")
		return Location{
			Lat: brusselsLoc.Lat + s*rapid.Float64Range(-1, 1).Draw(t, what+" lat"),
			Lon: brusselsLoc.Lon + s*rapid.Float64Range(-1, 1).Draw(t, what+" lon"),
		}
	}
	people := make([]RosterEntry, rapid.IntRange(1, 12).Draw(t, "people"))
	for i := range people {
		people[i] = RosterEntry{
			Person:    PersonID(fmt.Sprintf("p%02d", i)),
			BirthDate: date(rapid.IntRange(1930, 2025).Draw(t, "birth year"), time.Month(rapid.IntRange(1, 12).Draw(t, "birth month")), rapid.IntRange(1, 29).Draw(t, "birth day")),
			Home:      near("home"),
		}
	}
	first := time.Date(from.Year, from.Month-1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(to.Year, to.Month+2, 1, 0, 0, 0, 0, time.UTC).Sub(first)
	events := make([]statEvent, rapid.IntRange(0, 15).Draw(t, "events"))
	for i := range events {
		ev := statEvent{
			Start:    first.Add(time.Duration(rapid.Int64Range(0, int64(span/time.Minute)).Draw(t, "start")) * time.Minute),
			Direct:   rapid.Bool().Draw(t, "direct"),
			Location: near("event"),
		}
		for _, e := range people { // ordered by person
			if rapid.Bool().Draw(t, "takes part") {
				e.Worked = time.Duration(rapid.IntRange(0, 600).Draw(t, "minutes"))*time.Minute +
					time.Duration(rapid.IntRange(0, 59).Draw(t, "seconds"))*time.Second
				ev.Roster = append(ev.Roster, e)
			}
		}
		events[i] = ev
	}
	return statsInput{From: from, To: to, Loc: loc, K: rapid.IntRange(1, 6).Draw(t, "k"), Events: events}
}

// bruteStats recomputes the true (unsuppressed) tables of in with a map
// per cell, and the people each indirect cell and column counts.
type bruteTable struct {
	truth       Table
	people      []int
	peopleTotal int
}

func bruteStats(in statsInput) (workload, ages, distances, size bruteTable) {
	nMonths := in.To.monthsFrom(in.From) + 1
	ry, rm, rd := in.To.lastDay()
	type set = map[PersonID]bool
	newSets := func(n int) [2][]set {
		var s [2][]set
		for c := range s {
			for range n {
				s[c] = append(s[c], set{})
			}
		}
		return s
	}
	monthPeople := newSets(nMonths)
	agePeople := newSets(len(ageLabels))
	distPeople := newSets(len(distanceLabels))
	colPeople := newSets(1)
	var worked [2][]time.Duration
	var dist [2][]int64
	for c := range 2 {
		worked[c] = make([]time.Duration, nMonths)
		dist[c] = make([]int64, len(distanceLabels))
	}
	for _, ev := range in.Events {
		m := MonthOf(ev.Start, in.Loc).monthsFrom(in.From)
		if m < 0 || m >= nMonths {
			continue
		}
		c := 1
		if ev.Direct {
			c = 0
		}
		for _, e := range ev.Roster {
			worked[c][m] += e.Worked
			monthPeople[c][m][e.Person] = true
			agePeople[c][ageBracket(ageOn(e.BirthDate, ry, rm, rd))][e.Person] = true
			b := distanceBracket(Distance(e.Home, ev.Location))
			dist[c][b]++
			distPeople[c][b][e.Person] = true
			colPeople[c][0][e.Person] = true
		}
	}
	col := func(n int, value func(c, i int) int64) (direct, indirect []int64) {
		direct, indirect = make([]int64, n), make([]int64, n)
		for i := range n {
			direct[i], indirect[i] = value(0, i), value(1, i)
		}
		return direct, indirect
	}
	lens := func(sets []set) []int {
		out := make([]int, len(sets))
		for i, s := range sets {
			out[i] = len(s)
		}
		return out
	}
	total := len(colPeople[1][0])

	d, i := col(nMonths, func(c, m int) int64 { return int64(worked[c][m] / time.Minute) })
	workload = bruteTable{tableOf(true, d, i), lens(monthPeople[1]), total}
	d, i = col(len(ageLabels), func(c, b int) int64 { return int64(len(agePeople[c][b])) })
	ages = bruteTable{tableOf(true, d, i), lens(agePeople[1]), total}
	d, i = col(len(distanceLabels), func(c, b int) int64 { return dist[c][b] })
	distances = bruteTable{tableOf(true, d, i), lens(distPeople[1]), total}
	d, i = col(nMonths, func(c, m int) int64 { return int64(len(monthPeople[c][m])) })
	size = bruteTable{tableOf(false, d, i), lens(monthPeople[1]), 0}
	return workload, ages, distances, size
}

// For random communities, every table of computeStats keeps the published
// suppression rule, and every published cell, direct or indirect, equals a
// brute-force recomputation with a set per cell.
func TestStatsPropertyMatchBruteForceAndKeepTheSuppressionRule(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := randomCommunity(t)
		got := computeStats(in)
		if got.From != in.From || got.To != in.To || got.K != in.K {
			t.Fatalf("range %v–%v, k %d; want %v–%v, %d", got.From, got.To, got.K, in.From, in.To, in.K)
		}
		workload, ages, distances, size := bruteStats(in)
		for _, tc := range []struct {
			name  string
			got   Table
			brute bruteTable
			unit  string
		}{
			{"workload", got.Workload, workload, "minutes"},
			{"ages", got.Ages, ages, "members"},
			{"distances", got.Distances, distances, "participations"},
			{"size", got.Size, size, "members"},
		} {
			if tc.got.Unit != tc.unit {
				t.Fatalf("%s: unit %q, want %q", tc.name, tc.got.Unit, tc.unit)
			}
			if len(tc.got.Rows) != len(tc.got.Direct) {
				t.Fatalf("%s: %d rows, %d direct cells", tc.name, len(tc.got.Rows), len(tc.got.Direct))
			}
			checkSuppression(t, tc.name, tc.got, tc.brute.truth, tc.brute.people, tc.brute.peopleTotal, in.K)
		}
	})
}

// benchCommunity is 200 events over 2025 with 250 participants each:
// 50,000 roster entries of 20,000 distinct people, two events in three
// organised, the rest supported. It is the same on every call.
func benchCommunity() statsInput {
	const (
		nEvents    = 200
		perEvent   = 250
		nPersons   = 20_000
		nMonths    = 12
		firstMonth = time.January
	)
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]PersonID, nPersons)
	births := make([]time.Time, nPersons)
	homes := make([]Location, nPersons)
	for i, p := range rng.Perm(nPersons) {
		ids[i] = PersonID(fmt.Sprintf("person_%08d", p))
		births[i] = date(1940+rng.IntN(75), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
		homes[i] = Location{Lat: 50 + rng.Float64()*2, Lon: 3 + rng.Float64()*3}
	}
	in := statsInput{From: Month{2025, firstMonth}, To: Month{2025, firstMonth + nMonths - 1}, Loc: time.FixedZone("UTC+1", 3600), K: DefaultK}
	for i := range nEvents {
		ev := statEvent{
			Start:    time.Date(2025, firstMonth+time.Month(i%nMonths), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, time.UTC),
			Direct:   i%3 != 0,
			Location: Location{Lat: 50 + rng.Float64()*2, Lon: 3 + rng.Float64()*3},
			Roster:   make(Roster, perEvent),
		}
		// Consecutive people, wrapping: each person is on two or three
		// events.
		for j := range perEvent {
			p := (i*perEvent + j) % nPersons
			ev.Roster[j] = RosterEntry{Person: ids[p], Worked: time.Duration(rng.IntN(8*3600)) * time.Second, BirthDate: births[p], Home: homes[p]}
		}
		slices.SortFunc(ev.Roster, func(a, b RosterEntry) int { return cmp.Compare(a.Person, b.Person) })
		in.Events = append(in.Events, ev)
	}
	return in
}

func BenchmarkComputeStats(b *testing.B) {
	in := benchCommunity()
	b.ReportAllocs()
	for b.Loop() {
		computeStats(in)
	}
}

// A distance cell is held to the people its participations are of: dave's
// two supported events from 10 km make one person, below k = 2.
func TestStatsDistanceCellCountsPeopleNotParticipationsForK(t *testing.T) {
	in := smallCommunity(t)
	in.K = 2
	got := computeStats(in).Distances
	want := withheld(cells(0, 0, 0, 0, 0, 0), 0, 1, 2, 3, 4, 5)
	if !reflect.DeepEqual(got.Indirect, want) || got.IndirectTotal != (Cell{Value: 4}) {
		t.Errorf("indirect distances %v, total %v; want all withheld, total 4 (3 people)", got.Indirect, got.IndirectTotal)
	}
}

// The chord-based classifier computeStats uses puts every pair of points
// in the bracket of their Distance, also a hair either side of a bound.
func TestDistanceClassifierAgreesWithDistanceBracket(t *testing.T) {
	dc := newDistanceClassifier()
	rapid.Check(t, func(t *rapid.T) {
		a := Location{
			Lat: rapid.Float64Range(-80, 80).Draw(t, "lat"),
			Lon: rapid.Float64Range(-180, 180).Draw(t, "lon"),
		}
		var b Location
		switch rapid.IntRange(0, 2).Draw(t, "how") {
		case 0: // anywhere
			b = Location{Lat: rapid.Float64Range(-90, 90).Draw(t, "b lat"), Lon: rapid.Float64Range(-180, 180).Draw(t, "b lon")}
		case 1: // near a bound, north
			km := rapid.SampledFrom(distanceFloors[:]).Draw(t, "bound")
			b = kmNorth(a, km*(1+rapid.SampledFrom([]float64{-1e-6, -1e-12, 0, 1e-12, 1e-6}).Draw(t, "off")))
		case 2: // near a bound, along the parallel
			km := rapid.SampledFrom(distanceFloors[:]).Draw(t, "bound")
			deg := km / (earthRadius * math.Pi / 180 * math.Cos(a.Lat*math.Pi/180))
			b = Location{Lat: a.Lat, Lon: a.Lon + deg*(1+rapid.SampledFrom([]float64{-1e-3, -1e-9, 0, 1e-9, 1e-3}).Draw(t, "off"))}
		}
		want := distanceBracket(Distance(a, b))
		if got := dc.bracket(a, b, pointOf(a), pointOf(b)); got != want {
			t.Fatalf("%v to %v (%.12f km): classifier says %q, Distance %q", a, b, Distance(a, b), distanceLabels[got], distanceLabels[want])
		}
	})
}
