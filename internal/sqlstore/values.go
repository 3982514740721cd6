package sqlstore

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/orgspace/orgspace/storage"
)

// Times a column holds: what int64 Unix nanoseconds can say.
var (
	minTime = time.Unix(0, math.MinInt64).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// timeArg converts a time for a column: NULL for the zero time, Unix
// nanoseconds otherwise; a time out of range fails naming field.
func timeArg(field string, t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, fmt.Errorf("%s %s is outside %d to %d: %w", field, t.Format(time.RFC3339), minTime.Year(), maxTime.Year(), storage.ErrInvalidArgument)
	}
	return t.UnixNano(), nil
}

// atOrBefore converts a time that bounds a query from above (column <= t)
// rather than one to store: the latest time a column holds that is not
// after t, as Unix nanoseconds, or nil (matching nothing) when the column
// holds none, so that a bound out of range still selects exactly.
func atOrBefore(t time.Time) any {
	switch {
	case t.Before(minTime):
		return nil
	case t.After(maxTime):
		return int64(math.MaxInt64)
	}
	return t.UnixNano()
}

// timeCol scans a time column into *t: NULL is the zero time, and times
// read back in UTC.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.Unix(0, v).UTC()
	default:
		return fmt.Errorf("time column holds %T, want an integer", src)
	}
	return nil
}

// bytesArg stores an empty byte slice as NULL.
func bytesArg(b []byte) driver.Value {
	if len(b) == 0 {
		return nil
	}
	return b
}

// args collects statement arguments, keeping the first conversion error.
type args struct {
	vals []any
	err  error
}

// time adds a time argument.
func (a *args) time(field string, t time.Time) {
	v, err := timeArg(field, t)
	if a.err == nil {
		a.err = err
	}
	a.vals = append(a.vals, v)
}

// add adds plain arguments.
func (a *args) add(vs ...any) { a.vals = append(a.vals, vs...) }

// listArg stores a list of strings as a JSON array, NULL when empty.
func listArg[T ~string](l []T) any {
	if len(l) == 0 {
		return nil
	}
	b, _ := json.Marshal(l) // a list of strings always encodes
	return string(b)
}

// listCol scans a column of listArg into *l: NULL, or an empty array, is
// nil.
type listCol[T ~string] struct{ l *[]T }

// Scan implements sql.Scanner.
func (c listCol[T]) Scan(src any) error {
	var l []T
	if err := scanJSON(src, &l); err != nil {
		return err
	}
	if len(l) == 0 {
		l = nil
	}
	*c.l = l
	return nil
}

// scanJSON decodes a JSON text column into v, which NULL leaves as it is.
func scanJSON(src any, v any) error {
	var data []byte
	switch s := src.(type) {
	case nil:
		return nil
	case string:
		data = []byte(s)
	case []byte:
		data = s
	default:
		return fmt.Errorf("JSON column holds %T, want text", src)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("JSON column: %w", err)
	}
	return nil
}
