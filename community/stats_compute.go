package community

import "time"

// The rows of the Ages and Distances tables. Each bracket runs from its
// lower bound, inclusive, to the next one's, exclusive.
var (
	ageLabels = [...]string{"under 18", "18–24", "25–34", "35–44", "45–54", "55–64", "65+"}
	// ageFloors are the lower bounds of the age brackets after the first.
	ageFloors = [...]int{18, 25, 35, 45, 55, 65}

	distanceLabels = [...]string{"under 5 km", "5–10 km", "10–25 km", "25–50 km", "50–100 km", "100 km+"}
	// distanceFloors are the lower bounds of the distance brackets after
	// the first, in kilometres.
	distanceFloors = [...]float64{5, 10, 25, 50, 100}
)

// AgeBrackets returns the rows of the Ages table, youngest first: "under
// 18", "18–24", "25–34", "35–44", "45–54", "55–64" and "65+". Ages are in
// whole years; a bracket includes both ages its label names.
func AgeBrackets() []string { return append([]string(nil), ageLabels[:]...) }

// DistanceBrackets returns the rows of the Distances table, nearest first:
// "under 5 km", "5–10 km", "10–25 km", "25–50 km", "50–100 km" and "100
// km+". A bracket includes its lower bound and excludes its upper one: 5
// km is in "5–10 km".
func DistanceBrackets() []string { return append([]string(nil), distanceLabels[:]...) }

// ageBracket returns the index in AgeBrackets of age in whole years.
func ageBracket(age int) int {
	b := 0
	for b < len(ageFloors) && age >= ageFloors[b] {
		b++
	}
	return b
}

// distanceBracket returns the index in DistanceBrackets of km.
func distanceBracket(km float64) int {
	b := 0
	for b < len(distanceFloors) && km >= distanceFloors[b] {
		b++
	}
	return b
}

// distanceClassifier finds the distance bracket of two points from the
// chord between them, which needs no trigonometry once each point is a
// unit vector, and agrees exactly with distanceBracket(Distance(a, b)).
type distanceClassifier struct {
	// floors are chord2Of of distanceFloors.
	floors [len(distanceFloors)]float64
}

func newDistanceClassifier() *distanceClassifier {
	var dc distanceClassifier
	for i, km := range distanceFloors {
		dc.floors[i] = chord2Of(km)
	}
	return &dc
}

// bracket returns the index in DistanceBrackets of the distance between a
// and b, whose points are pa and pb.
func (dc *distanceClassifier) bracket(a, b Location, pa, pb point) int {
	c := chord2(pa, pb)
	i := 0
	for i < len(dc.floors) && c >= dc.floors[i] {
		i++
	}
	// The chord is good to about 1e-12 relative; near a bound the two
	// formulas may round apart, so Distance decides.
	const near = 1e-9
	if i > 0 && c-dc.floors[i-1] <= near*dc.floors[i-1] || i < len(dc.floors) && dc.floors[i]-c <= near*dc.floors[i] {
		return distanceBracket(Distance(a, b))
	}
	return i
}

// ageOn returns the age in whole years, on the date y-m-d, of someone born
// on birth's date (a calendar date, read in UTC). A birthday on 29
// February comes on 1 March in other years.
func ageOn(birth time.Time, y int, m time.Month, d int) int {
	by, bm, bd := birth.UTC().Date()
	age := y - by
	if m < bm || m == bm && d < bd {
		age--
	}
	return age
}

// lastDay returns the last date of m.
func (m Month) lastDay() (int, time.Month, int) {
	return time.Date(m.Year, m.Month+1, 0, 0, 0, 0, 0, time.UTC).Date()
}

// monthsFrom returns how many months m is after from (negative before).
func (m Month) monthsFrom(from Month) int {
	return (m.Year-from.Year)*12 + int(m.Month) - int(from.Month)
}

// statEvent is one event in the range as computeStats sees it.
type statEvent struct {
	Start    time.Time
	Direct   bool // organised by the organisation (else supported by it)
	Location Location
	Roster   Roster
}

// statsInput is what computeStats computes an organisation's stats from.
type statsInput struct {
	From, To Month          // inclusive, From <= To (caller validated)
	Loc      *time.Location // the organisation's time zone
	K        int            // >= 1
	// Events are the events starting within [From, To] in Loc; others
	// are ignored.
	Events []statEvent
}

// Columns of the tables.
const (
	colDirect = iota
	colIndirect
	nCols
)

// personStat is what computeStats keeps per distinct person, indexed
// densely so that distinct counts need no map per cell.
type personStat struct {
	// home is the home of the person's last entry and pHome its point.
	home  Location
	pHome point
	// month is 1 + the index of the month the person was last counted
	// in, per column (0: never).
	month [nCols]int32
	// known is set once the person's first entry was seen.
	known bool
	// age is the person's age bracket, or -1 without a birth date.
	age int8
	// cols has bit c set once the person is counted in column c.
	cols uint8
	// dist has bit b set once the person is counted in distance bracket
	// b, per column.
	dist [nCols]uint8
}

// workedSum is time worked, kept as whole minutes and the nanoseconds
// left over, so that long sums cannot overflow.
type workedSum struct {
	min, rem int64
}

func (w *workedSum) add(d time.Duration) {
	if d <= 0 { // never recorded; nothing to add
		return
	}
	w.min += int64(d / time.Minute)
	w.rem += int64(d % time.Minute)
}

func (w workedSum) minutes() int64 { return w.min + w.rem/int64(time.Minute) }

// computeStats computes the four tables of Stats from in and suppresses
// their indirect cells to in.K. Org and TimeZone are left to the caller.
//
// It interns each person once to a dense index and keeps per-person
// markers and home points, so its cost per roster entry is one map lookup
// and a few multiplications.
func computeStats(in statsInput) Stats {
	nMonths := in.To.monthsFrom(in.From) + 1
	if nMonths < 0 {
		nMonths = 0
	}
	ry, rm, rd := in.To.lastDay()

	// Events by month: the per-month distinct counts need each month's
	// events together. Counting sort; events outside the range are
	// dropped.
	evMonth := make([]int32, len(in.Events))
	start := make([]int32, nMonths+1)
	entries := 0
	loc := in.Loc
	if loc == nil {
		loc = time.UTC
	}
	for i, ev := range in.Events {
		m := MonthOf(ev.Start, loc).monthsFrom(in.From)
		if m < 0 || m >= nMonths {
			evMonth[i] = -1
			continue
		}
		evMonth[i] = int32(m)
		start[m+1]++
		entries += len(ev.Roster)
	}
	for m := range nMonths {
		start[m+1] += start[m]
	}
	order := make([]int32, start[nMonths])
	next := append([]int32(nil), start[:nMonths]...)
	for i, m := range evMonth {
		if m >= 0 {
			order[next[m]] = int32(i)
			next[m]++
		}
	}

	// Intern the people in the order the events are visited below, so
	// that each has a dense index; then allocate their state at once.
	ids := make(map[PersonID]int32, entries)
	idx := make([]int32, 0, entries)
	for _, i := range order {
		for j := range in.Events[i].Roster {
			id := in.Events[i].Roster[j].Person
			p, ok := ids[id]
			if !ok {
				p = int32(len(ids))
				ids[id] = p
			}
			idx = append(idx, p)
		}
	}
	persons := make([]personStat, len(ids))

	var (
		worked     = make([]workedSum, nCols*nMonths)
		size       = make([]int64, nCols*nMonths)
		nPersons   [nCols]int
		ages       [nCols][len(ageLabels)]int64
		dist       [nCols][len(distanceLabels)]int64
		distPeople [nCols][len(distanceLabels)]int
		dc         = newDistanceClassifier()
	)
	pos := 0
	for m := range nMonths {
		for _, i := range order[start[m]:start[m+1]] {
			ev := &in.Events[i]
			c := colIndirect
			if ev.Direct {
				c = colDirect
			}
			cell := c*nMonths + m
			pEvent := pointOf(ev.Location)
			for j := range ev.Roster {
				e := &ev.Roster[j]
				ps := &persons[idx[pos]]
				pos++
				if !ps.known {
					// The person's first entry gives their age.
					ps.known = true
					ps.age = -1
					if !e.BirthDate.IsZero() {
						ps.age = int8(ageBracket(ageOn(e.BirthDate, ry, rm, rd)))
					}
					ps.home, ps.pHome = e.Home, pointOf(e.Home)
				} else if ps.home != e.Home {
					ps.home, ps.pHome = e.Home, pointOf(e.Home)
				}
				worked[cell].add(e.Worked)
				if ps.month[c] != int32(m+1) {
					ps.month[c] = int32(m + 1)
					size[cell]++
				}
				if ps.cols&(1<<c) == 0 {
					ps.cols |= 1 << c
					nPersons[c]++
					if ps.age >= 0 {
						ages[c][ps.age]++
					}
				}
				b := dc.bracket(e.Home, ev.Location, ps.pHome, pEvent)
				dist[c][b]++
				if ps.dist[c]&(1<<b) == 0 {
					ps.dist[c] |= 1 << b
					distPeople[c][b]++
				}
			}
		}
	}

	st := Stats{From: in.From, To: in.To, K: in.K}
	months := make([]string, nMonths)
	for m := range months {
		months[m] = Month{Year: in.From.Year, Month: in.From.Month + time.Month(m)}.normal().String()
	}
	cells := make([]Cell, 2*(2*nMonths+len(ageLabels)+len(distanceLabels)))
	take := func(n int) []Cell {
		s := cells[:n:n]
		cells = cells[n:]
		return s
	}
	people := make([]int, max(nMonths, len(ageLabels), len(distanceLabels)))

	// Workload: minutes per month; a month's indirect people are the
	// distinct indirect members that month, as in Size.
	st.Workload = Table{Unit: "minutes", Rows: months, Direct: take(nMonths), Indirect: take(nMonths), HasTotals: true}
	for m := range nMonths {
		st.Workload.Direct[m].Value = worked[colDirect*nMonths+m].minutes()
		st.Workload.Indirect[m].Value = worked[colIndirect*nMonths+m].minutes()
		people[m] = int(size[colIndirect*nMonths+m])
	}
	finish(&st.Workload, people[:nMonths], nPersons[colIndirect], in.K)

	// Ages: distinct members per bracket.
	st.Ages = Table{Unit: "members", Rows: AgeBrackets(), Direct: take(len(ageLabels)), Indirect: take(len(ageLabels)), HasTotals: true}
	agePeople := 0
	for b := range ageLabels {
		st.Ages.Direct[b].Value = ages[colDirect][b]
		st.Ages.Indirect[b].Value = ages[colIndirect][b]
		people[b] = int(ages[colIndirect][b])
		agePeople += people[b]
	}
	finish(&st.Ages, people[:len(ageLabels)], agePeople, in.K)

	// Distances: participations per bracket; a cell's people are the
	// distinct members among its participations.
	st.Distances = Table{Unit: "participations", Rows: DistanceBrackets(), Direct: take(len(distanceLabels)), Indirect: take(len(distanceLabels)), HasTotals: true}
	for b := range distanceLabels {
		st.Distances.Direct[b].Value = dist[colDirect][b]
		st.Distances.Indirect[b].Value = dist[colIndirect][b]
		people[b] = distPeople[colIndirect][b]
	}
	finish(&st.Distances, people[:len(distanceLabels)], nPersons[colIndirect], in.K)

	// Size: distinct members per month; no totals.
	st.Size = Table{Unit: "members", Rows: append([]string(nil), months...), Direct: take(nMonths), Indirect: take(nMonths)}
	for m := range nMonths {
		st.Size.Direct[m].Value = size[colDirect*nMonths+m]
		st.Size.Indirect[m].Value = size[colIndirect*nMonths+m]
		people[m] = int(size[colIndirect*nMonths+m])
	}
	finish(&st.Size, people[:nMonths], 0, in.K)
	return st
}

// normal returns m with its month brought into January..December.
func (m Month) normal() Month {
	y, mo, _ := time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC).Date()
	return Month{Year: y, Month: mo}
}

// finish sets t's totals, when it has them, to the sums of its columns and
// suppresses its indirect cells.
func finish(t *Table, people []int, peopleTotal, k int) {
	if t.HasTotals {
		for i := range t.Direct {
			t.DirectTotal.Value += t.Direct[i].Value
			t.IndirectTotal.Value += t.Indirect[i].Value
		}
	}
	suppress(t, people, peopleTotal, k)
}
