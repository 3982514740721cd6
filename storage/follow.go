package storage

import (
	"errors"
	"math"
)

// ErrBacklog: more log entries wait than a follower takes one by one; it
// compiles its view afresh instead. It is not one of the sentinels a write
// returns.
var ErrBacklog = errors.New("storage: log backlog too long to follow")

// AfterRevision is the log position after every entry of revision r.
func AfterRevision(r Revision) Position {
	return Position{Revision: r, Seq: math.MaxInt32}
}

// Follow is how a compiled view (the access index, the organisation
// structure) catches up with the writes of its own and other instances:
// in one read transaction st, it calls fn for every log entry after pos,
// oldest first, and returns the head revision and the position after it,
// where the next Follow starts. It fails with ErrBacklog, having called fn
// for some entries, when more than max entries wait.
func Follow(st Log, pos Position, max int, fn func(Entry)) (Revision, Position, error) {
	head, err := st.Head()
	if err != nil {
		return 0, pos, err
	}
	end := AfterRevision(head)
	if !pos.Before(end) {
		return head, pos, nil
	}
	const batch = 1000
	for seen := 0; ; {
		entries, err := st.Entries(LogQuery{After: pos, Limit: batch})
		if err != nil {
			return 0, pos, err
		}
		for _, e := range entries {
			fn(e)
			pos = e.Position()
		}
		if seen += len(entries); seen > max {
			return 0, pos, ErrBacklog
		}
		if len(entries) < batch {
			// The transaction saw every entry up to head.
			return head, end, nil
		}
	}
}
