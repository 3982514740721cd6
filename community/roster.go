package community

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/orgspace/orgspace/storage"
)

// rosterVersion is the first byte of an encoded roster.
const rosterVersion = 1

// MarshalBinary encodes r compactly, for backends that store a roster as
// one value: a version byte, the number of entries, then per entry the
// person ID (length-prefixed), the time worked and the birth date (Unix
// nanoseconds, varint) and the home's latitude and longitude (IEEE 754
// bits, little endian).
func (r Roster) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(r)*48)
	b = append(b, rosterVersion)
	b = binary.AppendUvarint(b, uint64(len(r)))
	for _, e := range r {
		b = binary.AppendUvarint(b, uint64(len(e.Person)))
		b = append(b, e.Person...)
		b = binary.AppendVarint(b, int64(e.Worked))
		b = binary.AppendVarint(b, unixNano(e.BirthDate))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Home.Lat))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(e.Home.Lon))
	}
	return b, nil
}

// UnmarshalBinary decodes what MarshalBinary encoded into r. Anything else,
// non-minimal varints included, fails with storage.ErrInvalidArgument. The person IDs share one copy of
// data.
func (r *Roster) UnmarshalBinary(data []byte) error {
	bad := func(why string) error {
		return fmt.Errorf("community: roster: %s: %w", why, storage.ErrInvalidArgument)
	}
	if len(data) == 0 || data[0] != rosterVersion {
		return bad("unknown encoding")
	}
	s := string(data) // one copy that the person IDs point into
	pos := 1
	n, k := binary.Uvarint(data[pos:])
	// Each entry takes at least 19 bytes.
	if !minimal(n, k) || n > uint64(len(data))/19 {
		return bad("bad length")
	}
	pos += k
	out := make(Roster, n)
	for i := range out {
		l, k := binary.Uvarint(data[pos:])
		if !minimal(l, k) || l > uint64(len(data)-pos-k) {
			return bad("bad person")
		}
		pos += k
		out[i].Person = PersonID(s[pos : pos+int(l)])
		pos += int(l)
		w, k := binary.Varint(data[pos:])
		if !minimal(zigzag(w), k) {
			return bad("bad time worked")
		}
		pos += k
		birth, k := binary.Varint(data[pos:])
		if !minimal(zigzag(birth), k) {
			return bad("bad birth date")
		}
		pos += k
		if len(data)-pos < 16 {
			return bad("truncated")
		}
		out[i].Worked = time.Duration(w)
		out[i].BirthDate = fromUnixNano(birth)
		out[i].Home.Lat = math.Float64frombits(binary.LittleEndian.Uint64(data[pos:]))
		out[i].Home.Lon = math.Float64frombits(binary.LittleEndian.Uint64(data[pos+8:]))
		pos += 16
	}
	if pos != len(data) {
		return bad("trailing bytes")
	}
	if len(out) == 0 {
		out = nil
	}
	*r = out
	return nil
}

// minimal reports whether a uvarint of value v was read from k bytes, the
// fewest that hold it: an encoding has one form only.
func minimal(v uint64, k int) bool {
	var buf [binary.MaxVarintLen64]byte
	return k > 0 && binary.PutUvarint(buf[:], v) == k
}

// zigzag is how binary.PutVarint maps a signed value to an unsigned one.
func zigzag(x int64) uint64 { return uint64(x<<1) ^ uint64(x>>63) }

// unixNano is t in Unix nanoseconds, with the zero time as the minimum
// int64 so that it round-trips.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
