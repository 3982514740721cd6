package memstore

import (
	"cmp"
	"sort"
)

// sortedSet is a set of keys kept as a sorted slice: listings cut a range
// out of it by binary search.
type sortedSet[K cmp.Ordered] struct {
	keys []K
}

// add inserts k and reports whether it was absent.
func (s *sortedSet[K]) add(k K) bool {
	i := sort.Search(len(s.keys), func(i int) bool { return s.keys[i] >= k })
	if i < len(s.keys) && s.keys[i] == k {
		return false
	}
	var zero K
	s.keys = append(s.keys, zero)
	copy(s.keys[i+1:], s.keys[i:])
	s.keys[i] = k
	return true
}

// remove deletes k and reports whether it was present.
func (s *sortedSet[K]) remove(k K) bool {
	i := sort.Search(len(s.keys), func(i int) bool { return s.keys[i] >= k })
	if i == len(s.keys) || s.keys[i] != k {
		return false
	}
	s.keys = append(s.keys[:i], s.keys[i+1:]...)
	return true
}

// after returns the keys greater than k, at most limit of them (all when
// limit is negative). The result aliases the set: use it before the next
// change.
func (s *sortedSet[K]) after(k K, limit int) []K {
	if s == nil {
		return nil
	}
	i := sort.Search(len(s.keys), func(i int) bool { return s.keys[i] > k })
	keys := s.keys[i:]
	if limit >= 0 && len(keys) > limit {
		keys = keys[:limit]
	}
	return keys
}

// all returns every key in order; the result aliases the set.
func (s *sortedSet[K]) all() []K {
	if s == nil {
		return nil
	}
	return s.keys
}

// index maps a parent (an organisation, a user) to the sorted set of its
// children's keys. Empty sets are dropped.
type index[P comparable, K cmp.Ordered] map[P]*sortedSet[K]

func (ix index[P, K]) add(p P, k K) bool {
	s := ix[p]
	if s == nil {
		s = new(sortedSet[K])
		ix[p] = s
	}
	return s.add(k)
}

func (ix index[P, K]) remove(p P, k K) bool {
	s := ix[p]
	if s == nil || !s.remove(k) {
		return false
	}
	if len(s.keys) == 0 {
		delete(ix, p)
	}
	return true
}
