package memstore

// rowTable holds values in one dense slice, found by key through a map of
// positions. A scan of every value then reads memory in order. A map of
// the values themselves would not: Go keeps a map value of over 128 bytes
// (an access.Grant is 152) out of line, so each value a scan visits is a
// pointer to follow, a cache miss per row when an index is built from
// 100,000s of grants.
//
// Deleting moves the last row into the hole, so the rows stay dense and
// their order is not the order of insertion. Tx changes a table only
// through rowPut and rowDelete (undo.go), which record their undo; a
// rollback restores the rows' order too.
type rowTable[K comparable, V any] struct {
	pos  map[K]int32
	keys []K // keys[i] is the key of rows[i]
	rows []V
}

func newRowTable[K comparable, V any]() *rowTable[K, V] {
	return &rowTable[K, V]{pos: map[K]int32{}}
}

// get returns the value of k.
func (t *rowTable[K, V]) get(k K) (V, bool) {
	i, ok := t.pos[k]
	if !ok {
		var zero V
		return zero, false
	}
	return t.rows[i], true
}

// set inserts or replaces the value of k.
func (t *rowTable[K, V]) set(k K, v V) {
	if i, ok := t.pos[k]; ok {
		t.rows[i] = v
		return
	}
	t.pos[k] = int32(len(t.rows))
	t.keys = append(t.keys, k)
	t.rows = append(t.rows, v)
}

// remove deletes k, which must be present, moving the last row into its
// place, and returns k's position, which insertAt takes to undo it.
func (t *rowTable[K, V]) remove(k K) int32 {
	i, last := t.pos[k], int32(len(t.rows)-1)
	if i != last {
		t.keys[i], t.rows[i] = t.keys[last], t.rows[last]
		t.pos[t.keys[i]] = i
	}
	var zero V
	t.rows[last] = zero // drop what the row refers to
	t.keys, t.rows = t.keys[:last], t.rows[:last]
	delete(t.pos, k)
	return i
}

// insertAt undoes remove(k), which returned i: the row now at i goes back
// to the end, and k to i. A rollback so leaves the rows in the order it
// found them.
func (t *rowTable[K, V]) insertAt(k K, v V, i int32) {
	if int(i) < len(t.rows) {
		t.pos[t.keys[i]] = int32(len(t.rows))
		t.keys = append(t.keys, t.keys[i])
		t.rows = append(t.rows, t.rows[i])
		t.keys[i], t.rows[i] = k, v
	} else {
		t.keys = append(t.keys, k)
		t.rows = append(t.rows, v)
	}
	t.pos[k] = i
}

// each calls fn with every row in turn, by pointer, so a row is not
// copied on the way, and stops at fn's first error. fn must not change
// the row or the table.
func (t *rowTable[K, V]) each(fn func(*V) error) error {
	for i := range t.rows {
		if err := fn(&t.rows[i]); err != nil {
			return err
		}
	}
	return nil
}
