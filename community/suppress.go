package community

// suppress withholds the indirect cells of t that count fewer than k people
// (people[i] is how many distinct indirect members cell i counts,
// peopleTotal the column's), then adds complementary suppression. The
// Direct column and its total are never touched: direct members are the
// organisation's own and listed by name anyway.
//
// This is the package's published suppression rule, applied to every
// stats table:
//
//  1. Primary: an indirect cell counting fewer than k people is
//     suppressed. A cell counting nobody is suppressed too (0 < k), so a
//     published zero is never "zero, or a few".
//  2. Total: when the table has totals, the indirect total is suppressed
//     when the whole column counts fewer than k people.
//  3. Complementary: when the indirect total is published and the
//     suppressed indirect cells are exactly one, or their values sum to
//     0, subtracting the published cells from the total would give each
//     suppressed cell's value exactly. Further published indirect cells
//     are then suppressed, each time the one with the smallest positive
//     value (the first row on ties), until at least two are suppressed
//     and their values sum to more than 0; if no such cell remains, the
//     indirect total is suppressed instead.
//
// So wherever an indirect total is published, either no indirect cell is
// suppressed or at least two are and the total minus the published cells
// is positive: each suppressed cell could be anything from 0 to that
// remainder. Tables without totals (rows that overlap, like months of
// community size) get primary suppression only.
//
// A suppressed cell has Value 0 and Suppressed true. Values are counts,
// never negative.
func suppress(t *Table, people []int, peopleTotal int, k int) {
	n := 0        // suppressed indirect cells
	var sum int64 // their values
	for i := range t.Indirect {
		if people[i] < k {
			sum += t.Indirect[i].Value
			t.Indirect[i] = Cell{Suppressed: true}
			n++
		}
	}
	if !t.HasTotals {
		return
	}
	if peopleTotal < k {
		t.IndirectTotal = Cell{Suppressed: true}
		return
	}
	for n > 0 && (n < 2 || sum <= 0) {
		best := -1
		for i, c := range t.Indirect {
			if !c.Suppressed && c.Value > 0 && (best < 0 || c.Value < t.Indirect[best].Value) {
				best = i
			}
		}
		if best < 0 {
			t.IndirectTotal = Cell{Suppressed: true}
			return
		}
		sum += t.Indirect[best].Value
		t.Indirect[best] = Cell{Suppressed: true}
		n++
	}
}
