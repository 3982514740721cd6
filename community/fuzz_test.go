package community_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/storage"
)

// FuzzCheckValues checks that a value either fails with ErrInvalidArgument
// or comes out canonical: checking it again gives it back unchanged.
func FuzzCheckValues(f *testing.F) {
	for _, s := range []string{"12", "1e3", "2026-02-29", "2024-02-29", "yes", "NO", "vegan", "Vegan\nHalal", " x ", "\x00", "NaN", "Inf"} {
		for typ := community.FieldText; typ <= community.FieldYesNo; typ++ {
			f.Add(uint8(typ), s)
		}
	}
	f.Fuzz(func(t *testing.T, typ uint8, s string) {
		fd := community.Field{Label: "F", Type: community.FieldType(typ)}
		if fd.Type == community.FieldChoice || fd.Type == community.FieldChoices {
			fd.Options = []string{"Vegan", "Halal", "No nuts"}
		}
		values := bytes.Split([]byte(s), []byte("\n"))
		in := make([]string, len(values))
		for i, v := range values {
			in[i] = string(v)
		}
		out, err := community.CheckValues(fd, in)
		if err != nil {
			if !errors.Is(err, storage.ErrInvalidArgument) {
				t.Fatalf("CheckValues(%v, %q): %v, not ErrInvalidArgument", fd.Type, in, err)
			}
			return
		}
		again, err := community.CheckValues(fd, out)
		if err != nil || len(again) != len(out) {
			t.Fatalf("canonical %q checks as %q, %v", out, again, err)
		}
		for i := range out {
			if again[i] != out[i] {
				t.Fatalf("canonical %q checks as %q", out, again)
			}
		}
	})
}

// FuzzRosterUnmarshal checks that decoding never panics, and that what
// decodes encodes back to the same bytes.
func FuzzRosterUnmarshal(f *testing.F) {
	seed, _ := community.Roster{
		{Person: "per_1", Worked: time.Hour, BirthDate: time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC), Home: community.Location{Lat: 50.85, Lon: 4.35}},
		{Person: "per_2"},
	}.MarshalBinary()
	f.Add(seed)
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 0x80, 0}) // a count of zero in two bytes: refused
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var r community.Roster
		if err := r.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, storage.ErrInvalidArgument) {
				t.Fatalf("UnmarshalBinary: %v, not ErrInvalidArgument", err)
			}
			return
		}
		back, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		// An empty roster decodes to nil; both encode as version 1, count 0.
		if !bytes.Equal(back, data) {
			t.Fatalf("round trip: %x → %x", data, back)
		}
	})
}
