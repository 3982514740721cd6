package structure

import "maps"

// shardCount is the number of maps a sharded map is split into: few
// enough that the shards of an index of 1,000s of components stay larger
// than Go's small maps of 8 entries, whose linear scan of string keys
// profiled slower with 256 shards; many enough that a patch copies little.
const (
	shardBits  = 4
	shardCount = 1 << shardBits
)

// sharded is an immutable map split by key into shardCount maps, so that a
// new version that adds a few entries copies only the maps they fall in
// (1/16 of the entries each) and shares the others, and a lookup is still
// one map access.
type sharded[K ~string, V any] struct {
	shards *[shardCount]map[K]V
}

// shardOf places k by its last 8 bytes: the part of an ID that differs
// from one ID to the next, for random and for sequential IDs alike.
func shardOf[K ~string](k K) int {
	var x uint64
	for i := max(0, len(k)-8); i < len(k); i++ {
		x = x<<8 | uint64(k[i])
	}
	return int((x * 0x9e3779b97f4a7c15) >> (64 - shardBits))
}

func (m sharded[K, V]) get(k K) (V, bool) {
	if m.shards == nil {
		var zero V
		return zero, false
	}
	v, ok := m.shards[shardOf(k)][k]
	return v, ok
}

// with returns m with the entries of add; m does not change.
func (m sharded[K, V]) with(add map[K]V) sharded[K, V] {
	if len(add) == 0 {
		return m
	}
	var shards [shardCount]map[K]V
	if m.shards != nil {
		shards = *m.shards
	}
	var copied [shardCount]bool
	for k, v := range add {
		i := shardOf(k)
		if !copied[i] {
			old := shards[i]
			shards[i] = make(map[K]V, len(old)+1)
			maps.Copy(shards[i], old)
			copied[i] = true
		}
		shards[i][k] = v
	}
	return sharded[K, V]{shards: &shards}
}
