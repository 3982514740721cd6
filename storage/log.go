package storage

import (
	"fmt"
	"time"
)

// Entry is one record of the audit and change log. Every successful write
// appends at least one; a failed write appends none. The log is also the
// change feed from which service instances patch their compiled indexes, so
// an entry names the organisation, account and user whose state it changed.
type Entry struct {
	// Revision and Seq are set by the backend at commit: the revision of the
	// transaction and the entry's position within it (0, 1, …).
	Revision Revision
	Seq      int
	Time     time.Time
	// Actor who wrote, as rendered by the domain: "operator:op-1", "user:u-7", "system".
	Actor string
	// Action names the operation, "<domain>.<object>.<verb>", e.g. "access.grant.set".
	Action string
	// Target is the ID of the object acted on.
	Target string
	// Org, Account and User name the organisation, account and user whose
	// state changed, where they apply.
	Org     string
	Account string
	User    string
	// Detail is a short human-readable description.
	Detail string
}

// Position is a place in the log: after the entry (Revision, Seq).
// The zero Position is before the first entry.
type Position struct {
	Revision Revision
	Seq      int
}

// Position returns the position right after e.
func (e Entry) Position() Position { return Position{Revision: e.Revision, Seq: e.Seq} }

// Before reports whether p comes before q.
func (p Position) Before(q Position) bool {
	return p.Revision < q.Revision || (p.Revision == q.Revision && p.Seq < q.Seq)
}

// LogQuery selects log entries.
type LogQuery struct {
	// After excludes every entry at or before this position.
	After Position
	// Org, when set, keeps only the entries of that organisation.
	Org string
	// Limit is the most entries to return; it must be positive.
	Limit int
}

// Log is the audit and change log. Every backend transaction implements it,
// and every domain Store embeds it.
type Log interface {
	// Append adds e to the running transaction's log. The backend sets
	// Revision and Seq when the transaction commits.
	Append(e Entry) error
	// Entries returns the committed entries that match q, oldest first; a
	// q.Limit that is not positive fails with ErrInvalidArgument.
	Entries(q LogQuery) ([]Entry, error)
	// Head returns the latest committed revision.
	Head() (Revision, error)
}

// CheckEntry validates an entry before it is appended.
func CheckEntry(e Entry) error {
	switch {
	case e.Action == "":
		return fmt.Errorf("storage: log entry: action is empty: %w", ErrInvalidArgument)
	case e.Actor == "":
		return fmt.Errorf("storage: log entry: actor is empty: %w", ErrInvalidArgument)
	case e.Time.IsZero():
		return fmt.Errorf("storage: log entry: time is zero: %w", ErrInvalidArgument)
	}
	return nil
}
