package storage_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/orgspace/orgspace/storage"
)

// A cursor made by EncodeCursor decodes to the same key parts, and only
// with their number; any other string fails with ErrInvalidArgument,
// never a panic.
func FuzzDecodeCursor(f *testing.F) {
	f.Add("usr_1", "", "", uint8(1), "")
	f.Add("42", "7", "", uint8(2), string(storage.EncodeCursor("42", "7")))
	f.Add("", "", "", uint8(0), "AQ")
	f.Add("a", "b\x00c", "é", uint8(3), "not base64!")
	f.Add("x", "y", "z", uint8(3), "Af____8P")         // a length that overflows
	f.Add("x", "y", "z", uint8(3), "AgVoZWxsbw")       // unknown version
	f.Add("x", "y", "z", uint8(1), "AQVoZWxs")         // truncated
	f.Add("x", "y", "z", uint8(1), "AQ\nVoZWxsbw\r\n") // base64 with line breaks
	f.Add("x", "y", "z", uint8(1), "AQA")              // one empty key part
	f.Fuzz(func(t *testing.T, a, b, c string, parts uint8, raw string) {
		// Round trip of 0 to 3 arbitrary key parts.
		key := []string{a, b, c}[:parts%4]
		cur := storage.EncodeCursor(key...)
		got, err := storage.DecodeCursor(cur, len(key))
		if err != nil || !slices.Equal(got, key) {
			t.Fatalf("DecodeCursor(EncodeCursor(%q)) = %q, %v", key, got, err)
		}
		if _, err := storage.DecodeCursor(cur, len(key)+1); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Fatalf("DecodeCursor(EncodeCursor(%q), %d) = %v, want ErrInvalidArgument", key, len(key)+1, err)
		}

		if _, err := storage.DecodeCursor(storage.Cursor(raw), -1-int(parts)); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Fatalf("DecodeCursor(%q, negative) = %v, want ErrInvalidArgument", raw, err)
		}

		// Arbitrary input: a key of n parts, or ErrInvalidArgument.
		n := int(parts % 8)
		got, err = storage.DecodeCursor(storage.Cursor(raw), n)
		if err != nil {
			if !errors.Is(err, storage.ErrInvalidArgument) {
				t.Fatalf("DecodeCursor(%q, %d): error %v does not wrap ErrInvalidArgument", raw, n, err)
			}
			return
		}
		if len(got) != n {
			t.Fatalf("DecodeCursor(%q, %d) = %q: %d key parts", raw, n, got, len(got))
		}
		// What decodes re-encodes to a cursor with the same key (the
		// encoding need not be canonical: base64 ignores line breaks).
		if again, err := storage.DecodeCursor(storage.EncodeCursor(got...), n); err != nil || !slices.Equal(again, got) {
			t.Fatalf("DecodeCursor(%q, %d) = %q, but it does not round trip: %q, %v", raw, n, got, again, err)
		}
	})
}
