package structure

import "maps"

// maxDelta is how many entries a layered map keeps beside its base before
// folding them into a new base: a patch copies at most this many entries,
// and the full copy of the base is paid once per maxDelta new entries.
const maxDelta = 1024

// layered is an immutable map: a large base built once and a small delta
// of the entries added since, read first. Entries are only ever added or
// replaced, never removed.
type layered[K comparable, V any] struct {
	base  map[K]V
	delta map[K]V
}

func (m layered[K, V]) get(k K) (V, bool) {
	if len(m.delta) != 0 {
		if v, ok := m.delta[k]; ok {
			return v, true
		}
	}
	v, ok := m.base[k]
	return v, ok
}

// with returns m with the entries of add, which it may keep: the caller
// must not change add afterwards. m does not change.
func (m layered[K, V]) with(add map[K]V) layered[K, V] {
	switch {
	case len(add) == 0:
		return m
	case len(m.base) == 0 && len(m.delta) == 0:
		return layered[K, V]{base: add}
	case len(m.delta)+len(add) > maxDelta:
		base := make(map[K]V, len(m.base)+len(m.delta)+len(add))
		maps.Copy(base, m.base)
		maps.Copy(base, m.delta)
		maps.Copy(base, add)
		return layered[K, V]{base: base}
	}
	delta := make(map[K]V, len(m.delta)+len(add))
	maps.Copy(delta, m.delta)
	maps.Copy(delta, add)
	return layered[K, V]{base: m.base, delta: delta}
}
