package storage

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
)

// Cursor marks a place in a listing. It is opaque to callers: pass back the
// Next of one page as the After of the next request.
type Cursor string

// Page is one page of a listing. Next is empty on the last page.
type Page[T any] struct {
	Items []T
	Next  Cursor
}

// PageRequest asks for the items after a cursor (the first page when empty).
type PageRequest struct {
	After Cursor
	// Limit is the page size: 0 means DefaultPageSize; at most MaxPageSize.
	Limit int
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Size returns the effective page size of r, or an ErrInvalidArgument error
// naming the field.
func (r PageRequest) Size() (int, error) {
	switch {
	case r.Limit < 0:
		return 0, fmt.Errorf("storage: page limit %d is negative: %w", r.Limit, ErrInvalidArgument)
	case r.Limit == 0:
		return DefaultPageSize, nil
	case r.Limit > MaxPageSize:
		return 0, fmt.Errorf("storage: page limit %d is above %d: %w", r.Limit, MaxPageSize, ErrInvalidArgument)
	}
	return r.Limit, nil
}

const cursorVersion = 1

// EncodeCursor packs the sort key of the last item of a page into a cursor.
func EncodeCursor(key ...string) Cursor {
	b := []byte{cursorVersion}
	for _, k := range key {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return Cursor(base64.RawURLEncoding.EncodeToString(b))
}

// DecodeCursor unpacks a cursor made by EncodeCursor with n key parts.
// A cursor that was not made so fails with ErrInvalidArgument.
func DecodeCursor(c Cursor, n int) ([]string, error) {
	bad := func(why string) ([]string, error) {
		return nil, fmt.Errorf("storage: cursor: %s: %w", why, ErrInvalidArgument)
	}
	if n < 0 {
		return bad("negative key length")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(string(c))
	if err != nil {
		return bad("not base64url")
	}
	if len(b) == 0 || b[0] != cursorVersion {
		return bad("unknown version")
	}
	b = b[1:]
	key := make([]string, 0, min(n, len(b)))
	for len(b) > 0 {
		l, w := binary.Uvarint(b)
		if w <= 0 || l > uint64(len(b)-w) {
			return bad("truncated")
		}
		key = append(key, string(b[w:w+int(l)]))
		b = b[w+int(l):]
	}
	if len(key) != n {
		return bad(fmt.Sprintf("%d key parts, want %d", len(key), n))
	}
	return key, nil
}

// Key validates r and decodes its cursor, made by EncodeCursor with n key
// parts: nil for the first page.
func (r PageRequest) Key(n int) (size int, key []string, err error) {
	if size, err = r.Size(); err != nil || r.After == "" {
		return size, nil, err
	}
	key, err = DecodeCursor(r.After, n)
	return size, key, err
}

// PageOf cuts items, fetched with limit size+1, to one page; cursor makes
// the cursor after an item.
func PageOf[T any](items []T, size int, cursor func(T) Cursor) Page[T] {
	if len(items) <= size {
		return Page[T]{Items: items}
	}
	items = items[:size]
	return Page[T]{Items: items, Next: cursor(items[size-1])}
}
