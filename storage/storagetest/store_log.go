package storagetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/storage"
)

// storeLogSeed commits 5 revisions of 3 entries each, about org-1, org-2
// and no organisation in turn, and returns the entries as committed.
func storeLogSeed(db storeDB) []storage.Entry {
	db.t.Helper()
	orgs := []string{"org-1", "org-2", ""}
	var all []storage.Entry
	for r := 1; r <= 5; r++ {
		rev := db.update(func(st orgspace.Store) error {
			for seq := range 3 {
				e := sf.entry(fmt.Sprintf("test.log.r%ds%d", r, seq), orgs[(r+seq)%3])
				e.Time = e.Time.Add(time.Duration(r) * time.Second)
				e.Account, e.User = fmt.Sprintf("acc-%d", seq), fmt.Sprintf("user-%d", r)
				if err := st.Append(e); err != nil {
					return err
				}
				e.Revision, e.Seq = storage.Revision(r), seq
				all = append(all, e)
			}
			return nil
		})
		if rev != storage.Revision(r) {
			db.t.Fatalf("Update committed revision %d, want %d", rev, r)
		}
	}
	return all
}

// storeLogEntries pages through the log by position, with and without an
// organisation filter and with several limits.
func storeLogEntries(t *testing.T, db storeDB) {
	all := storeLogSeed(db)
	filter := func(o string, after storage.Position) []storage.Entry {
		var out []storage.Entry
		for _, e := range all {
			if (o == "" || e.Org == o) && after.Before(e.Position()) {
				out = append(out, e)
			}
		}
		return out
	}
	for _, o := range []string{"", "org-1", "org-2", "org-x"} {
		for _, limit := range []int{1, 2, 4, 15, 100} {
			t.Run(fmt.Sprintf("Org=%q/Limit=%d", o, limit), func(t *testing.T) {
				db := db.on(t)
				var got []storage.Entry
				var after storage.Position
				db.view(func(st orgspace.Store) error {
					for range len(all) + 1 {
						page, err := st.Entries(storage.LogQuery{After: after, Org: o, Limit: limit})
						if err != nil {
							return err
						}
						if len(page) > limit {
							t.Errorf("after %+v: %d entries, limit %d", after, len(page), limit)
						}
						got = append(got, page...)
						if len(page) < limit {
							break
						}
						after = page[len(page)-1].Position()
					}
					return nil
				})
				if diff := storeDiff(filter(o, storage.Position{}), got); diff != "" {
					t.Errorf("entries (-want +got):\n%s", diff)
				}
			})
		}
	}
	positions := []storage.Position{
		{},
		{Revision: 2},
		{Revision: 2, Seq: 1},
		{Revision: 2, Seq: 2},
		{Revision: 2, Seq: 99}, // past the last entry of revision 2
		{Revision: 5, Seq: 2},  // the last entry
		{Revision: 9},          // past the head
	}
	for _, after := range positions {
		for _, o := range []string{"", "org-1"} {
			t.Run(fmt.Sprintf("After=%d.%d/Org=%q", after.Revision, after.Seq, o), func(t *testing.T) {
				db := db.on(t)
				db.view(func(st orgspace.Store) error {
					got, err := st.Entries(storage.LogQuery{After: after, Org: o, Limit: 100})
					if diff := storeDiff(filter(o, after), got); err == nil && diff != "" {
						t.Errorf("entries (-want +got):\n%s", diff)
					}
					return err
				})
			})
		}
	}
}

// storeLogLimit refuses a log query whose limit is not positive.
func storeLogLimit(t *testing.T, db storeDB) {
	storeLogSeed(db)
	for _, limit := range []int{0, -1} {
		err := db.tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error {
			_, err := st.Entries(storage.LogQuery{Limit: limit})
			return err
		})
		if !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("limit %d: error %v, want ErrInvalidArgument", limit, err)
		}
	}
}

// storeLogRejectsInvalidEntry appends entries that storage.CheckEntry
// refuses: Append fails with ErrInvalidArgument and nothing commits.
func storeLogRejectsInvalidEntry(t *testing.T, db storeDB) {
	storeLogSeed(db)
	p := storeProbe{}
	before := db.snapshot(p)
	valid := sf.entry("test.log.valid", "org-1")
	cases := []struct {
		name   string
		mutate func(e *storage.Entry)
	}{
		{"NoAction", func(e *storage.Entry) { e.Action = "" }},
		{"NoActor", func(e *storage.Entry) { e.Actor = "" }},
		{"NoTime", func(e *storage.Entry) { e.Time = time.Time{} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := valid
			tc.mutate(&e)
			if storage.CheckEntry(e) == nil {
				t.Fatalf("storage.CheckEntry accepts %+v", e)
			}
			var appendErr error
			rev, err := db.tryUpdate(func(st orgspace.Store) error {
				appendErr = st.Append(e)
				return appendErr
			})
			if !errors.Is(appendErr, storage.ErrInvalidArgument) || rev != 0 || err == nil {
				t.Errorf("Append: %v; Update = %d, %v; want ErrInvalidArgument and no revision", appendErr, rev, err)
			}
			db.on(t).requireUnchanged(t, p, before)
		})
	}
}
