package community

import (
	"time"

	"github.com/orgspace/orgspace/org"
)

// DefaultK is the smallest number of indirect members a published stats
// cell may count: a cell counting fewer is suppressed.
const DefaultK = 5

// Month is a calendar month.
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf returns the month t falls in, in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	y, m, _ := t.In(loc).Date()
	return Month{Year: y, Month: m}
}

// String renders m as "2026-01".
func (m Month) String() string {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

// Cell is one published figure. A suppressed cell has Value 0.
type Cell struct {
	Value int64
	// Suppressed cells count indirect members and were withheld: fewer
	// than k people (primary), or chosen so that the table's total does
	// not reveal another suppressed cell (complementary).
	Suppressed bool
}

// Table is one statistic: a row per month or per bracket, with a column
// for direct members (people on the organisation's own events, never
// suppressed) and one for indirect members (people on the events it
// supports, subject to k-suppression).
type Table struct {
	// Unit is what the values count: "minutes", "members" or
	// "participations".
	Unit string
	// Rows label the rows: months as "2026-01", brackets as "18–24" or
	// "5–10 km".
	Rows     []string
	Direct   []Cell
	Indirect []Cell
	// HasTotals says whether the table publishes the totals below (the
	// sum of each column); tables whose rows overlap have none.
	HasTotals     bool
	DirectTotal   Cell
	IndirectTotal Cell
}

// Stats are an organisation's community statistics over a range of
// months, in its time zone. Only events that start within the range
// count, and on them only accepted participants.
//
// Every indirect cell is held to K by the rule in the package
// documentation (primary and complementary suppression, within each
// table). The protection is per
// answer: comparing the answers for two ranges, or before and after a
// change, can narrow a suppressed cell down, as with any table published
// more than once. Hosts that publish stats widely should keep to whole
// ranges such as the default last 12 months.
type Stats struct {
	Org      org.OrganisationID
	From, To Month
	TimeZone string
	// K is the suppression threshold the indirect cells were held to.
	K int
	// Workload: time worked per month of the events' start, in minutes:
	// each cell's time summed, then truncated to whole minutes; the
	// totals sum the cells. An indirect month is held to k by the
	// indirect members who took part that month, whether or not they
	// recorded time.
	Workload Table
	// Ages: members per age bracket (AgeBrackets), by age in whole
	// years on the last day of To; a person counts once per column.
	Ages Table
	// Distances: participations per bracket (DistanceBrackets) of
	// great-circle distance from the person's home to the event. An
	// indirect cell is held to k by the distinct people of its
	// participations.
	Distances Table
	// Size: members per month, a person counting once per month and
	// column. No totals: a person takes part in many months.
	Size Table
}
