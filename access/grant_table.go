package access

import (
	"hash/maphash"
	"maps"
	"slices"

	"github.com/orgspace/orgspace/org"
)

// grantTable answers "which role, until when, does user hold on account"
// for Check. A Check is bound by memory latency, not by instructions: each
// pointer it follows into a large structure is a cache miss. The table is
// one array of 64-byte slots with the key's bytes inline, so a lookup reads
// one cache line (and, on a collision, the next).
//
// The table is immutable. The users changed since it was built are in a
// small map beside it (Index.delta) until the index folds them into a new
// table.
type grantTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []grantSlot
	used  int // live slots and tombstones
	// long holds the grants whose user and account IDs together do not fit
	// in a slot's key.
	long map[grantKey]grantCell
	// limits holds the website lists of the slots whose role has
	// limitedBit: few grants are limited, and a slot has no room left.
	limits map[grantKey][]org.WebsiteID
}

// grantSlot is one cache line: tag, role, expiry and the key's bytes
// (user ID then account ID).
type grantSlot struct {
	tag     uint32 // 0: empty; tombstone: removed; else hash bits | 1
	role    uint32
	expires int64
	userLen uint8
	accLen  uint8
	key     [slotKeyBytes]byte
}

const (
	slotKeyBytes = 46
	tombstone    = 2 // even, so never a live tag
	// limitedBit marks the role of a slot whose grant is limited to
	// websites (listed in grantTable.limits); role numbers stay below it.
	limitedBit = 1 << 31
)

type grantKey struct {
	user    org.UserID
	account org.AccountID
}

// grantCell is what a grant means to Check; present is false for a grant
// removed since the table was built. websites is the grant's sorted
// website limit, nil for the whole account.
type grantCell struct {
	role     uint32
	expires  int64
	present  bool
	websites []org.WebsiteID
}

// newGrantTable returns an empty table for about n grants, kept at most 70%
// full so probe runs stay short.
func newGrantTable(n int) *grantTable {
	size := 16
	for size*7 < n*10 {
		size *= 2
	}
	return &grantTable{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]grantSlot, size), long: map[grantKey]grantCell{}, limits: map[grantKey][]org.WebsiteID{}}
}

func (t *grantTable) hash(user org.UserID, account org.AccountID) uint64 {
	h := maphash.String(t.seed, string(user))
	return (h ^ maphash.String(t.seed, string(account))*0x9e3779b97f4a7c15) * 0xff51afd7ed558ccd
}

func fits(user org.UserID, account org.AccountID) bool {
	return len(user)+len(account) <= slotKeyBytes
}

func (s *grantSlot) holds(tag uint32, user org.UserID, account org.AccountID) bool {
	return s.tag == tag && int(s.userLen) == len(user) && int(s.accLen) == len(account) &&
		string(s.key[:len(user)]) == string(user) &&
		string(s.key[len(user):len(user)+len(account)]) == string(account)
}

// find returns the slot of (user, account), or nil.
func (t *grantTable) find(user org.UserID, account org.AccountID) *grantSlot {
	h := t.hash(user, account)
	tag := uint32(h>>32) | 1
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.tag == 0 {
			return nil
		}
		if s.holds(tag, user, account) {
			return s
		}
	}
}

// lookup returns the grant of (user, account) in the table.
func (t *grantTable) lookup(user org.UserID, account org.AccountID) (grantCell, bool) {
	if !fits(user, account) {
		c, ok := t.long[grantKey{user, account}]
		return c, ok
	}
	if s := t.find(user, account); s != nil {
		return t.cell(s, user, account), true
	}
	return grantCell{}, false
}

// peek is lookup without the website list: the role number, the expiry
// and whether the grant is limited, which is all Check needs. It reads the
// slot alone, not the limits map.
func (t *grantTable) peek(user org.UserID, account org.AccountID) (role uint32, expires int64, limited, ok bool) {
	if !fits(user, account) {
		c, ok := t.long[grantKey{user, account}]
		return c.role, c.expires, c.websites != nil, ok
	}
	if s := t.find(user, account); s != nil {
		return s.role &^ limitedBit, s.expires, s.role&limitedBit != 0, true
	}
	return 0, 0, false, false
}

// cell returns the grant of the live slot s, which holds (user, account).
func (t *grantTable) cell(s *grantSlot, user org.UserID, account org.AccountID) grantCell {
	c := grantCell{role: s.role, expires: s.expires, present: true}
	if c.role&limitedBit != 0 {
		c.role &^= limitedBit
		c.websites = t.limits[grantKey{user, account}]
	}
	return c
}

// set inserts, replaces or (for a cell not present) removes a grant. Only
// a table that no reader has seen yet may be changed.
func (t *grantTable) set(user org.UserID, account org.AccountID, c grantCell) {
	if !fits(user, account) {
		if c.present {
			t.long[grantKey{user, account}] = c
		} else {
			delete(t.long, grantKey{user, account})
		}
		return
	}
	if c.present && (t.used+1)*10 > len(t.slots)*7 {
		t.grow()
	}
	role := c.role
	if c.present && c.websites != nil {
		role |= limitedBit
		t.limits[grantKey{user, account}] = c.websites
	} else {
		delete(t.limits, grantKey{user, account})
	}
	h := t.hash(user, account)
	tag := uint32(h>>32) | 1
	var free *grantSlot // the first tombstone on the way, to reuse
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		switch {
		case s.holds(tag, user, account):
			if c.present {
				s.role, s.expires = role, c.expires
			} else {
				*s = grantSlot{tag: tombstone}
			}
			return
		case s.tag == tombstone && free == nil:
			free = s
		case s.tag == 0:
			if !c.present {
				return
			}
			if free == nil {
				free = s
				t.used++
			}
			*free = grantSlot{tag: tag, role: role, expires: c.expires, userLen: uint8(len(user)), accLen: uint8(len(account))}
			copy(free.key[:], user)
			copy(free.key[len(user):], account)
			return
		}
	}
}

// grow rehashes the live slots into a table twice the size, dropping tombstones.
func (t *grantTable) grow() {
	old := t.slots
	*t = grantTable{seed: t.seed, mask: uint64(2*len(old) - 1), slots: make([]grantSlot, 2*len(old)), long: t.long, limits: t.limits}
	for i := range old {
		s := &old[i]
		if s.tag == 0 || s.tag == tombstone {
			continue
		}
		user := org.UserID(s.key[:s.userLen])
		account := org.AccountID(s.key[s.userLen : s.userLen+s.accLen])
		t.set(user, account, t.cell(s, user, account))
	}
}

// with returns a copy of t with the changes applied: the fold of an index's
// grant delta. Copying the slots costs one memory copy of the table.
func (t *grantTable) with(changes map[grantKey]grantCell) *grantTable {
	next := &grantTable{seed: t.seed, mask: t.mask, slots: slices.Clone(t.slots), used: t.used,
		long: make(map[grantKey]grantCell, len(t.long)), limits: make(map[grantKey][]org.WebsiteID, len(t.limits))}
	maps.Copy(next.long, t.long)
	maps.Copy(next.limits, t.limits)
	for k, c := range changes {
		next.set(k.user, k.account, c)
	}
	return next
}
