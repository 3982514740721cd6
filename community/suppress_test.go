package community

import (
	"fmt"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// tableOf returns a table with those columns, its totals the sums of
// the columns when hasTotals.
func tableOf(hasTotals bool, direct, indirect []int64) Table {
	t := Table{Unit: "members", HasTotals: hasTotals}
	for i := range direct {
		t.Rows = append(t.Rows, fmt.Sprintf("row %d", i))
		t.Direct = append(t.Direct, Cell{Value: direct[i]})
		t.Indirect = append(t.Indirect, Cell{Value: indirect[i]})
		if hasTotals {
			t.DirectTotal.Value += direct[i]
			t.IndirectTotal.Value += indirect[i]
		}
	}
	return t
}

// cellSuppressed is a suppressed cell.
var cellSuppressed = Cell{Suppressed: true}

// cellOf is a published cell.
func cellOf(n int64) Cell { return Cell{Value: n} }

// suppressCase is a table test of suppress at k = 5: the direct column
// is 0, 1, 2, …
type suppressCase struct {
	name        string
	hasTotals   bool
	indirect    []int64
	people      []int // nil: the values
	peopleTotal int   // 0: the sum of people
	want        []Cell
	wantTotal   Cell
}

func runSuppressCases(t *testing.T, cases []suppressCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const k = 5
			people := tc.people
			if people == nil {
				for _, n := range tc.indirect {
					people = append(people, int(n))
				}
			}
			total := tc.peopleTotal
			if total == 0 {
				for _, n := range people {
					total += n
				}
			}
			direct := make([]int64, len(tc.indirect))
			for i := range direct {
				direct[i] = int64(i)
			}
			tab := tableOf(tc.hasTotals, direct, tc.indirect)
			suppress(&tab, people, total, k)
			if !reflect.DeepEqual(tab.Indirect, tc.want) {
				t.Errorf("indirect cells = %v, want %v", tab.Indirect, tc.want)
			}
			if tab.IndirectTotal != tc.wantTotal {
				t.Errorf("indirect total = %v, want %v", tab.IndirectTotal, tc.wantTotal)
			}
			if want := tableOf(tc.hasTotals, direct, tc.indirect); !reflect.DeepEqual(tab.Direct, want.Direct) || tab.DirectTotal != want.DirectTotal {
				t.Errorf("direct column changed: %v, total %v", tab.Direct, tab.DirectTotal)
			}
		})
	}
}

func TestSuppressCellBelowK(t *testing.T) {
	runSuppressCases(t, []suppressCase{
		{
			name: "nothing below k, nothing suppressed", hasTotals: true,
			indirect: []int64{5, 9, 12},
			want:     []Cell{cellOf(5), cellOf(9), cellOf(12)}, wantTotal: cellOf(26),
		},
		{
			name: "a cell below k is suppressed", hasTotals: false,
			indirect: []int64{5, 4, 10},
			want:     []Cell{cellOf(5), cellSuppressed, cellOf(10)},
		},
		{
			name: "a cell counting nobody is suppressed", hasTotals: false,
			indirect: []int64{0, 7},
			want:     []Cell{cellSuppressed, cellOf(7)},
		},
		{
			name: "a cell is held to its people, not its value", hasTotals: false,
			indirect: []int64{300, 2}, people: []int{3, 6},
			want: []Cell{cellSuppressed, cellOf(2)},
		},
	})
}

func TestSuppressSingleCellGetsComplement(t *testing.T) {
	runSuppressCases(t, []suppressCase{
		{
			name: "the smallest positive cell is the complement", hasTotals: true,
			indirect: []int64{10, 3, 7, 20},
			want:     []Cell{cellOf(10), cellSuppressed, cellSuppressed, cellOf(20)}, wantTotal: cellOf(40),
		},
		{
			name: "ties take the first row", hasTotals: true,
			indirect: []int64{10, 3, 7, 7},
			want:     []Cell{cellOf(10), cellSuppressed, cellSuppressed, cellOf(7)}, wantTotal: cellOf(27),
		},
		{
			name: "the complement is never a zero cell", hasTotals: true,
			indirect: []int64{2, 0, 9}, people: []int{2, 6, 9}, peopleTotal: 12,
			want: []Cell{cellSuppressed, cellOf(0), cellSuppressed}, wantTotal: cellOf(11),
		},
		{
			name: "two suppressed cells with a positive sum need no complement", hasTotals: true,
			indirect: []int64{2, 3, 10},
			want:     []Cell{cellSuppressed, cellSuppressed, cellOf(10)}, wantTotal: cellOf(15),
		},
		{
			name: "every cell suppressed with a positive sum keeps the total", hasTotals: true,
			indirect: []int64{3, 4, 0}, people: []int{3, 4, 0}, peopleTotal: 6,
			want: []Cell{cellSuppressed, cellSuppressed, cellSuppressed}, wantTotal: cellOf(7),
		},
	})
}

func TestSuppressZeroSumGetsComplement(t *testing.T) {
	runSuppressCases(t, []suppressCase{
		{
			name: "two zero cells", hasTotals: true,
			indirect: []int64{0, 0, 8, 6},
			want:     []Cell{cellSuppressed, cellSuppressed, cellOf(8), cellSuppressed}, wantTotal: cellOf(14),
		},
		{
			name: "zero cells with people but no minutes", hasTotals: true,
			indirect: []int64{0, 0, 30, 45}, people: []int{2, 1, 6, 7}, peopleTotal: 12,
			want: []Cell{cellSuppressed, cellSuppressed, cellSuppressed, cellOf(45)}, wantTotal: cellOf(75),
		},
	})
}

func TestSuppressTotalBelowK(t *testing.T) {
	runSuppressCases(t, []suppressCase{
		{
			name: "a column of 4 people", hasTotals: true,
			indirect: []int64{1, 2, 1}, people: []int{1, 2, 1}, peopleTotal: 4,
			want: []Cell{cellSuppressed, cellSuppressed, cellSuppressed}, wantTotal: cellSuppressed,
		},
		{
			name: "a column of 3 people counted in two rows each", hasTotals: true,
			indirect: []int64{3, 3}, people: []int{3, 3}, peopleTotal: 3,
			want: []Cell{cellSuppressed, cellSuppressed}, wantTotal: cellSuppressed,
		},
	})
}

func TestSuppressTotalWhenNoComplementIsLeft(t *testing.T) {
	runSuppressCases(t, []suppressCase{
		{
			name: "the other cells are zero", hasTotals: true,
			indirect: []int64{3, 0, 0}, people: []int{3, 5, 5}, peopleTotal: 8,
			want: []Cell{cellSuppressed, cellOf(0), cellOf(0)}, wantTotal: cellSuppressed,
		},
		{
			name: "a single row", hasTotals: true,
			indirect: []int64{0}, people: []int{0}, peopleTotal: 5,
			want: []Cell{cellSuppressed}, wantTotal: cellSuppressed,
		},
	})
}

func TestSuppressNoTotalsNoComplement(t *testing.T) {
	runSuppressCases(t, []suppressCase{
		{
			name: "a single suppressed cell", hasTotals: false,
			indirect: []int64{10, 3, 7},
			want:     []Cell{cellOf(10), cellSuppressed, cellOf(7)},
		},
		{
			name: "a zero cell", hasTotals: false,
			indirect: []int64{0, 6},
			want:     []Cell{cellSuppressed, cellOf(6)},
		},
	})
}

func TestDirectColumnNeverSuppressed(t *testing.T) {
	tab := tableOf(true, []int64{0, 1, 2, 0}, []int64{0, 1, 2, 0})
	suppress(&tab, []int{0, 1, 2, 0}, 3, DefaultK)
	if want := []Cell{cellOf(0), cellOf(1), cellOf(2), cellOf(0)}; !reflect.DeepEqual(tab.Direct, want) {
		t.Errorf("direct cells = %v, want %v", tab.Direct, want)
	}
	if tab.DirectTotal != cellOf(3) {
		t.Errorf("direct total = %v, want %v", tab.DirectTotal, cellOf(3))
	}
	if want := []Cell{cellSuppressed, cellSuppressed, cellSuppressed, cellSuppressed}; !reflect.DeepEqual(tab.Indirect, want) || tab.IndirectTotal != cellSuppressed {
		t.Errorf("indirect = %v, total %v; want all suppressed", tab.Indirect, tab.IndirectTotal)
	}
}

// suppressionChecker is what checkSuppression needs of *testing.T and *rapid.T.
type suppressionChecker interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkSuppression fails t unless got is truth suppressed to k by the
// published rule. truth holds the true values and totals; people[i] is how
// many people truth's indirect cell i counts, peopleTotal its column.
func checkSuppression(t suppressionChecker, name string, got, truth Table, people []int, peopleTotal, k int) {
	t.Helper()
	if !reflect.DeepEqual(got.Direct, truth.Direct) || got.DirectTotal != truth.DirectTotal {
		t.Fatalf("%s: direct column %v, total %v; want %v, total %v", name, got.Direct, got.DirectTotal, truth.Direct, truth.DirectTotal)
	}
	if len(got.Indirect) != len(truth.Indirect) || got.HasTotals != truth.HasTotals {
		t.Fatalf("%s: shape changed: %d indirect cells, totals %v; want %d, %v", name, len(got.Indirect), got.HasTotals, len(truth.Indirect), truth.HasTotals)
	}
	var suppressed, complementary int
	var published int64
	for i, c := range got.Indirect {
		switch {
		case c.Suppressed && c.Value != 0:
			t.Fatalf("%s: suppressed indirect cell %d has value %d", name, i, c.Value)
		case c.Suppressed:
			suppressed++
			if people[i] >= k {
				complementary++
			}
		case people[i] < k:
			t.Fatalf("%s: indirect cell %d is published but counts %d people < k = %d", name, i, people[i], k)
		case c.Value != truth.Indirect[i].Value:
			t.Fatalf("%s: indirect cell %d = %d, want %d", name, i, c.Value, truth.Indirect[i].Value)
		default:
			published += c.Value
		}
	}
	if !got.HasTotals {
		if complementary != 0 || got.IndirectTotal != (Cell{}) {
			t.Fatalf("%s: no totals, yet %d complementary cells and total %v", name, complementary, got.IndirectTotal)
		}
		return
	}
	if complementary > 1 {
		t.Fatalf("%s: %d complementary cells, want at most 1", name, complementary)
	}
	total := got.IndirectTotal
	if total.Suppressed {
		if total.Value != 0 {
			t.Fatalf("%s: suppressed indirect total has value %d", name, total.Value)
		}
		if peopleTotal >= k {
			for i, c := range got.Indirect {
				if !c.Suppressed && c.Value > 0 {
					t.Fatalf("%s: indirect total suppressed though it counts %d people and cell %d (%d) could have been the complement", name, peopleTotal, i, c.Value)
				}
			}
		}
		if complementary != 0 {
			t.Fatalf("%s: indirect total suppressed, yet %d complementary cells", name, complementary)
		}
		return
	}
	if peopleTotal < k {
		t.Fatalf("%s: indirect total published but counts %d people < k = %d", name, peopleTotal, k)
	}
	if total.Value != truth.IndirectTotal.Value {
		t.Fatalf("%s: indirect total = %d, want %d", name, total.Value, truth.IndirectTotal.Value)
	}
	if suppressed == 1 {
		t.Fatalf("%s: one suppressed indirect cell under a published total: its value is the total minus the others", name)
	}
	if suppressed >= 2 && total.Value-published <= 0 {
		t.Fatalf("%s: suppressed indirect cells sum to %d under a published total: each is known", name, total.Value-published)
	}
}

// For random tables, suppress keeps the published rule: every published
// indirect cell counts at least k people and is true, and under a
// published total no suppressed cell can be derived.
func TestSuppressPropertyNoCellBelowKIsDerivable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, 6).Draw(t, "k")
		n := rapid.IntRange(0, 10).Draw(t, "rows")
		hasTotals := rapid.Bool().Draw(t, "totals")
		direct := make([]int64, n)
		indirect := make([]int64, n)
		people := make([]int, n)
		maxPeople, sumPeople := 0, 0
		for i := range n {
			direct[i] = rapid.Int64Range(0, 20).Draw(t, "direct")
			people[i] = rapid.OneOf(rapid.Just(0), rapid.IntRange(0, 10)).Draw(t, "people")
			// Mostly a count of those people; sometimes unrelated
			// (minutes worked, participations).
			if rapid.Bool().Draw(t, "value is people") {
				indirect[i] = int64(people[i])
			} else {
				indirect[i] = rapid.OneOf(rapid.Just[int64](0), rapid.Int64Range(0, 20)).Draw(t, "indirect")
			}
			maxPeople = max(maxPeople, people[i])
			sumPeople += people[i]
		}
		peopleTotal := rapid.IntRange(maxPeople, max(maxPeople, sumPeople)).Draw(t, "people total")
		truth := tableOf(hasTotals, direct, indirect)
		got := tableOf(hasTotals, direct, indirect)
		suppress(&got, people, peopleTotal, k)
		checkSuppression(t, "table", got, truth, people, peopleTotal, k)
	})
}
