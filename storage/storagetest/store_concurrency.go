package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// storeConcurrentUpdates runs writers, each committing Updates that insert
// distinct users and append an entry, alongside readers. Every write must
// land exactly once, in its own revision, and every reader must see Head
// grow and its own writes once it asks for their revision.
func storeConcurrentUpdates(t *testing.T, db storeDB) {
	const writers, perWriter, readers = 8, 25, 4
	ctx := t.Context()
	var (
		mu   sync.Mutex
		revs []storage.Revision
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	userID := func(w, i int) org.UserID { return org.UserID(fmt.Sprintf("user-w%d-%03d", w, i)) }
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := userID(w, i)
				rev, err := db.tx.Update(ctx, func(st orgspace.Store) error {
					if err := st.InsertUser(sf.user(string(id))); err != nil {
						return err
					}
					return st.Append(sf.entry("test.concurrent.insert", ""))
				})
				if err != nil {
					t.Errorf("writer %d: Update: %v", w, err)
					return
				}
				mu.Lock()
				revs = append(revs, rev)
				mu.Unlock()
				err = db.tx.View(ctx, storage.AtLeast(rev), func(st orgspace.Store) error {
					_, err := st.User(id)
					return err
				})
				if err != nil {
					t.Errorf("writer %d: reading its own user at revision %d: %v", w, rev, err)
				}
			}
		})
	}
	var rg sync.WaitGroup
	for r := range readers {
		rg.Go(func() {
			var last storage.Revision
			for {
				select {
				case <-stop:
					return
				default:
				}
				err := db.tx.View(ctx, storage.AtLeast(last), func(st orgspace.Store) error {
					h, err := st.Head()
					if err != nil {
						return err
					}
					if h < last {
						t.Errorf("reader %d: Head went back from %d to %d", r, last, h)
					}
					last = h
					entries, err := st.Entries(storage.LogQuery{Limit: 1000})
					if err == nil && len(entries) != int(h) {
						t.Errorf("reader %d: %d entries at Head %d, want one per revision", r, len(entries), h)
					}
					return err
				})
				if err != nil {
					t.Errorf("reader %d: View: %v", r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()

	const n = writers * perWriter
	slices.Sort(revs)
	want := make([]storage.Revision, n)
	for i := range want {
		want[i] = storage.Revision(i + 1)
	}
	if diff := storeDiff(want, revs); diff != "" {
		t.Errorf("committed revisions are not 1..%d (-want +got):\n%s", n, diff)
	}
	db.view(func(st orgspace.Store) error {
		if h, err := st.Head(); err != nil || h != n {
			t.Errorf("Head = %d, %v; want %d", h, err, n)
		}
		found := 0
		for w := range writers {
			for i := range perWriter {
				if _, err := st.User(userID(w, i)); err == nil {
					found++
				} else if !storage.IsNotFound(err) {
					return err
				}
			}
		}
		if found != n {
			t.Errorf("%d users stored, want %d", found, n)
		}
		entries, err := storeAllEntries(st, "")
		if err == nil && len(entries) != n {
			t.Errorf("%d log entries, want %d", len(entries), n)
		}
		return err
	})
}

// storeConcurrentSameEmail races many inserts of users with one email:
// exactly one wins, the others fail with ErrAlreadyExists.
func storeConcurrentSameEmail(t *testing.T, db storeDB) {
	const racers = 16
	const email = "contended@example.com"
	ctx := t.Context()
	start := make(chan struct{})
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			_, errs[i] = db.tx.Update(ctx, func(st orgspace.Store) error {
				u := sf.user(fmt.Sprintf("user-%02d", i))
				u.Email = email
				if err := st.InsertUser(u); err != nil {
					return err
				}
				return st.Append(sf.entry("test.concurrent.email", ""))
			})
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("racers %d and %d both inserted %s", winner, i, email)
		case err == nil:
			winner = i
		case !errors.Is(err, storage.ErrAlreadyExists):
			t.Errorf("racer %d: error %v, want ErrAlreadyExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no racer inserted %s", email)
	}
	db.view(func(st orgspace.Store) error {
		u, err := st.UserByEmail(email)
		if err != nil {
			return err
		}
		if want := org.UserID(fmt.Sprintf("user-%02d", winner)); u.ID != want {
			t.Errorf("UserByEmail = %s, want the winner %s", u.ID, want)
		}
		for i := range racers {
			_, err := st.User(org.UserID(fmt.Sprintf("user-%02d", i)))
			if i != winner && !storage.IsNotFound(err) {
				t.Errorf("loser user-%02d: error %v, want ErrNotFound", i, err)
			}
		}
		if h, err := st.Head(); err != nil || h != 1 {
			t.Errorf("Head = %d, %v; want 1", h, err)
		}
		return nil
	})
}
