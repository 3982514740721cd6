package access

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/orgspace/orgspace/org"
)

// The grant table behaves as a map from (user, account) to grant cells,
// through inserts, replacements, removals (tombstones), growth, folds and
// keys too long to inline, with and without a website limit.
func TestGrantTableIsAMap(t *testing.T) {
	table := newGrantTable(4)
	model := map[grantKey]grantCell{}
	key := func(i int) grantKey {
		k := grantKey{org.UserID(fmt.Sprintf("usr_%d", i%97)), org.AccountID(fmt.Sprintf("acc_%d", i%13))}
		if i%17 == 0 {
			k.user = org.UserID(strings.Repeat("u", 40) + fmt.Sprint(i%97)) // too long to inline
		}
		return k
	}
	check := func(tb *grantTable, m map[grantKey]grantCell) {
		t.Helper()
		for i := range 2000 {
			k := key(i)
			got, ok := tb.lookup(k.user, k.account)
			want, wantOK := m[k]
			if ok != wantOK || got.role != want.role || got.expires != want.expires || got.present != want.present || !slices.Equal(got.websites, want.websites) || (got.websites == nil) != (want.websites == nil) {
				t.Fatalf("lookup(%v) = %+v, %v; want %+v, %v", k, got, ok, want, wantOK)
			}
		}
	}
	for i := range 5000 {
		k := key(i * 7)
		if i%5 == 0 {
			table.set(k.user, k.account, grantCell{})
			delete(model, k)
		} else {
			c := grantCell{role: uint32(i % 9), expires: int64(i), present: true}
			if i%4 == 0 {
				c.websites = []org.WebsiteID{org.WebsiteID(fmt.Sprintf("web_%d", i))}
			}
			table.set(k.user, k.account, c)
			model[k] = c
		}
	}
	check(table, model)

	// A fold leaves the old table as it was.
	before := map[grantKey]grantCell{}
	for k, c := range model {
		before[k] = c
	}
	changes := map[grantKey]grantCell{}
	for i := range 300 {
		k := key(i * 11)
		if i%3 == 0 {
			changes[k] = grantCell{}
			delete(model, k)
		} else {
			changes[k] = grantCell{role: 1, expires: -int64(i), present: true}
			model[k] = changes[k]
		}
	}
	folded := table.with(changes)
	check(folded, model)
	check(table, before)
}

func TestGrantSlotIsOneCacheLine(t *testing.T) {
	if size := unsafe.Sizeof(grantSlot{}); size != 64 {
		t.Errorf("grantSlot is %d bytes, want 64", size)
	}
}
