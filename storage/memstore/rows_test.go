package memstore

import (
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// TestRowTable runs random transactions of puts and deletes on a rowTable
// through rowPut and rowDelete, each committed or rolled back, against a
// map: a committed table holds what the map holds, with every position
// right, and a rolled-back one equals, row order included, the table as
// it was before.
func TestRowTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		table := newRowTable[string, int]()
		model := map[string]int{}
		keys := rapid.SampledFrom([]string{"a", "b", "c", "d", "e", "f"})
		for range rapid.IntRange(1, 20).Draw(t, "transactions") {
			before := cloneRowTable(table)
			want := maps.Clone(model)
			tx := &Tx{writable: true}
			for range rapid.IntRange(0, 8).Draw(t, "writes") {
				k := keys.Draw(t, "key")
				if rapid.Bool().Draw(t, "delete") {
					rowDelete(tx, table, k)
					delete(want, k)
				} else {
					v := rapid.IntRange(0, 99).Draw(t, "value")
					rowPut(tx, table, k, v)
					want[k] = v
				}
			}
			if rapid.Bool().Draw(t, "roll back") {
				tx.rollback()
				if diff := cmp.Diff(before, table, cmp.AllowUnexported(rowTable[string, int]{}), cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("after rollback (-before +after):\n%s", diff)
				}
				continue
			}
			model = want
			checkRowTable(t, table, model)
		}
	})
}

func cloneRowTable(t *rowTable[string, int]) *rowTable[string, int] {
	return &rowTable[string, int]{pos: maps.Clone(t.pos), keys: slices.Clone(t.keys), rows: slices.Clone(t.rows)}
}

// checkRowTable fails unless table holds exactly model, each row at the
// position its key maps to.
func checkRowTable(t *rapid.T, table *rowTable[string, int], model map[string]int) {
	if len(table.rows) != len(model) || len(table.keys) != len(model) || len(table.pos) != len(model) {
		t.Fatalf("%d rows, %d keys, %d positions; want %d", len(table.rows), len(table.keys), len(table.pos), len(model))
	}
	for k, v := range model {
		if got, ok := table.get(k); !ok || got != v {
			t.Fatalf("get(%q) = %d, %t; want %d", k, got, ok, v)
		}
		if table.keys[table.pos[k]] != k {
			t.Fatalf("pos[%q] = %d, which holds %q", k, table.pos[k], table.keys[table.pos[k]])
		}
	}
	var seen int
	_ = table.each(func(*int) error { seen++; return nil })
	if seen != len(model) {
		t.Fatalf("each visited %d rows; want %d", seen, len(model))
	}
}
