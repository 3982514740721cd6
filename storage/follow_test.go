package storage_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// Follow hands over every entry after a position once, in order, and
// returns where the next Follow starts; past its limit it says so.
func TestFollow(t *testing.T) {
	ctx := t.Context()
	db := memstore.New()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	write := func(n int) storage.Revision {
		t.Helper()
		rev, err := db.Update(ctx, func(tx *memstore.Tx) error {
			for i := range n {
				if err := tx.Append(storage.Entry{Time: at, Actor: "system", Action: "test.write", Detail: fmt.Sprint(i)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return rev
	}
	follow := func(pos storage.Position, max int) (got []storage.Position, head storage.Revision, next storage.Position, err error) {
		t.Helper()
		err = db.View(ctx, storage.Latest(), func(tx *memstore.Tx) error {
			var err error
			head, next, err = storage.Follow(tx, pos, max, func(e storage.Entry) { got = append(got, e.Position()) })
			return err
		})
		return got, head, next, err
	}

	write(2)
	r2 := write(1500) // more than one batch of entries
	got, head, next, err := follow(storage.Position{}, 10_000)
	if err != nil || head != r2 || next != storage.AfterRevision(r2) || len(got) != 1502 {
		t.Fatalf("from the start: %d entries, head %d, next %+v, %v; want 1502, %d, %+v", len(got), head, next, err, r2, storage.AfterRevision(r2))
	}
	for i := 1; i < len(got); i++ {
		if !got[i-1].Before(got[i]) {
			t.Fatalf("entry %d at %+v does not come after %+v", i, got[i], got[i-1])
		}
	}
	if got, head, again, err := follow(next, 10_000); err != nil || len(got) != 0 || head != r2 || again != next {
		t.Errorf("at the head: %d entries, head %d, next %+v, %v; want none, %d, %+v", len(got), head, again, err, r2, next)
	}
	r3 := write(3)
	if got, head, _, err := follow(next, 10_000); err != nil || len(got) != 3 || head != r3 || got[0].Revision != r3 {
		t.Errorf("after one more write: %v, head %d, %v; want its 3 entries at %d", got, head, err, r3)
	}
	if _, _, _, err := follow(storage.Position{}, 1000); !errors.Is(err, storage.ErrBacklog) {
		t.Errorf("1505 entries with a limit of 1000: %v, want ErrBacklog", err)
	}
}
