package memstore

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

var t0 = time.Date(2024, time.March, 1, 9, 30, 0, 0, time.UTC)

// seed writes a small state with an object of every kind.
func seed(t *testing.T, db *DB) {
	t.Helper()
	_, err := db.Update(t.Context(), func(tx *Tx) error {
		return errors.Join(
			tx.InsertOrganisation(org.Organisation{ID: "org-1", Name: "One", CreatedAt: t0}),
			tx.InsertAccount(org.Account{ID: "acc-1", Org: "org-1", Name: "A", CreatedAt: t0}),
			tx.InsertUser(org.User{ID: "user-1", Email: "one@example.com", CreatedAt: t0}),
			tx.PutMembership(org.Membership{Org: "org-1", User: "user-1", Role: org.Owner, Since: t0}),
			tx.InsertRole(access.Role{ID: "role-1", Org: "org-1", Name: "R", CreatedAt: t0}),
			tx.PutGrant(access.Grant{User: "user-1", Account: "acc-1", Org: "org-1", Role: "role-1", GrantedAt: t0}),
			tx.InsertInvitation(access.Invitation{ID: "inv-1", Org: "org-1", TokenHash: []byte("hash-1"), CreatedAt: t0}),
			tx.SetFavourite("user-1", "acc-1"),
			tx.InsertWebsite(structure.Website{ID: "web-1", Org: "org-1", Account: "acc-1", Name: "W", CreatedAt: t0}),
			tx.InsertProgram(structure.Program{ID: "prg-1", Org: "org-1", Account: "acc-1", Name: "P", CreatedAt: t0}),
			tx.InsertLink(structure.Link{ID: "lnk-1", Org: "org-1", CreatedAt: t0,
				Websites: structure.Selection[structure.WebsiteID]{Items: []structure.WebsiteID{"web-1"}},
				Programs: structure.Selection[structure.ProgramID]{Accounts: []org.AccountID{"acc-1"}}}),
			tx.SetDefaultRule("org-1", false),
			tx.Append(storage.Entry{Time: t0, Actor: "system", Action: "test.seed", Org: "org-1"}),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// writeAll changes every map, index and counter, creating new parents in
// the indexes and emptying old ones.
func writeAll(tx *Tx) error {
	return errors.Join(
		tx.InsertOrganisation(org.Organisation{ID: "org-2", CreatedAt: t0}),
		tx.InsertAccount(org.Account{ID: "acc-2", Org: "org-2", CreatedAt: t0}),
		tx.UpdateAccount(org.Account{ID: "acc-1", Org: "org-2", CreatedAt: t0}),
		tx.InsertUser(org.User{ID: "user-2", Email: "two@example.com", CreatedAt: t0}),
		tx.InsertOperator(org.Operator{ID: "op-2", CreatedAt: t0}),
		tx.PutMembership(org.Membership{Org: "org-2", User: "user-2", Role: org.Member, Since: t0}),
		tx.DeleteMembership("org-1", "user-1"),
		tx.InsertRole(access.Role{ID: "role-2", Org: "org-2", CreatedAt: t0}),
		tx.DeleteGrant("user-1", "acc-1"),
		tx.DeleteRole("role-1"),
		tx.PutGrant(access.Grant{User: "user-2", Account: "acc-2", Org: "org-2", Role: "role-2", GrantedAt: t0}),
		tx.UpdateInvitation(access.Invitation{ID: "inv-1", Org: "org-2", TokenHash: []byte("hash-1b"), CreatedAt: t0}),
		tx.InsertInvitation(access.Invitation{ID: "inv-2", Org: "org-2", TokenHash: []byte("hash-2"), CreatedAt: t0}),
		tx.SetFavourite("user-1", ""),
		tx.SetFavourite("user-2", "acc-2"),
		tx.UpdateWebsite(structure.Website{ID: "web-1", Name: "W2", Archived: true}),
		tx.InsertWebsite(structure.Website{ID: "web-2", Org: "org-2", Account: "acc-2", CreatedAt: t0}),
		tx.UpdateProgram(structure.Program{ID: "prg-1", Name: "P2", Archived: true}),
		tx.InsertProgram(structure.Program{ID: "prg-2", Org: "org-2", Account: "acc-2", CreatedAt: t0}),
		tx.UpdateLink(structure.Link{ID: "lnk-1", Name: "L", UpdatedAt: t0,
			Websites: structure.Selection[structure.WebsiteID]{All: true}}),
		tx.DeleteLink("lnk-1"),
		tx.InsertLink(structure.Link{ID: "lnk-2", Org: "org-2", Websites: structure.Selection[structure.WebsiteID]{All: true},
			Programs: structure.Selection[structure.ProgramID]{Items: []structure.ProgramID{"prg-2"}}}),
		tx.SetDefaultRule("org-1", true),
		tx.SetDefaultRule("org-2", false),
		tx.Append(storage.Entry{Time: t0, Actor: "system", Action: "test.all", Org: "org-2"}),
	)
}

// stateDiff compares two states field by field, unexported ones included;
// nil and empty slices are equal (a slice's capacity is no part of the state).
func stateDiff(want, got *state) string {
	return cmp.Diff(want, got, cmp.Exporter(func(reflect.Type) bool { return true }), cmpopts.EquateEmpty())
}

// TestRollbackRestoresInternalState checks the undo log at the level of the
// maps, indexes and counters: after a failed Update, a panic and a
// runtime.Goexit, the state equals that of a DB that never ran them, with
// no empty index sets left behind.
func TestRollbackRestoresInternalState(t *testing.T) {
	want := New()
	seed(t, want)
	fail := errors.New("fail")
	cases := []struct {
		name string
		run  func(db *DB)
	}{
		{"Error", func(db *DB) {
			if _, err := db.Update(t.Context(), func(tx *Tx) error { return errors.Join(writeAll(tx), fail) }); !errors.Is(err, fail) {
				t.Errorf("Update: %v, want the function's error", err)
			}
		}},
		{"Panic", func(db *DB) {
			defer func() { _ = recover() }()
			_, _ = db.Update(t.Context(), func(tx *Tx) error {
				_ = writeAll(tx)
				panic(fail)
			})
		}},
		{"Goexit", func(db *DB) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = db.Update(t.Context(), func(tx *Tx) error {
					_ = writeAll(tx)
					runtime.Goexit()
					return nil
				})
			}()
			<-done
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := New()
			seed(t, db)
			tc.run(db)
			if diff := stateDiff(&want.st, &db.st); diff != "" {
				t.Fatalf("state after rollback (-want +got):\n%s", diff)
			}
			// The lock is free again and the next revision is 2.
			if rev, err := db.Update(t.Context(), writeAll); rev != 2 || err != nil {
				t.Fatalf("next Update = %d, %v; want 2", rev, err)
			}
		})
	}
}

// TestCommitLeavesNoEmptySets checks that indexes drop the sets a commit empties.
func TestCommitLeavesNoEmptySets(t *testing.T) {
	db := New()
	seed(t, db)
	if _, err := db.Update(t.Context(), writeAll); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]int{
		"accountsOfOrg[org-1]": len(db.st.accountsOfOrg["org-1"].all()),
		"orgsOfUser[user-1]":   len(db.st.orgsOfUser["user-1"].all()),
		"grantsOfUser[user-1]": len(db.st.grantsOfUser["user-1"].all()),
		"rolesOfOrg[org-1]":    len(db.st.rolesOfOrg["org-1"].all()),
		"invsOfOrg[org-1]":     len(db.st.invsOfOrg["org-1"].all()),
		"linksOfOrg[org-1]":    len(db.st.linksOfOrg["org-1"].all()),
	} {
		if n != 0 {
			t.Errorf("%s has %d keys, want none", name, n)
		}
	}
	for name, ok := range map[string]bool{
		"accountsOfOrg": hasKey(db.st.accountsOfOrg, "org-1"),
		"orgsOfUser":    hasKey(db.st.orgsOfUser, "user-1"),
		"grantsOfUser":  hasKey(db.st.grantsOfUser, "user-1"),
		"rolesOfOrg":    hasKey(db.st.rolesOfOrg, "org-1"),
		"invsOfOrg":     hasKey(db.st.invsOfOrg, "org-1"),
		"linksOfOrg":    hasKey(db.st.linksOfOrg, "org-1"),
		"members":       db.st.members[memberCountKey{"org-1", org.Owner}] != 0,
		"grantsWithRole": func() bool {
			_, ok := db.st.grantsWithRole["role-1"]
			return ok
		}(),
	} {
		if ok {
			t.Errorf("%s keeps an empty entry", name)
		}
	}
}

func hasKey[P comparable, K interface{ ~string }](ix index[P, K], p P) bool {
	_, ok := ix[p]
	return ok
}

// TestWriteInView checks the error of every write in a View.
func TestWriteInView(t *testing.T) {
	db := New()
	err := db.View(t.Context(), storage.Latest(), func(tx *Tx) error {
		return tx.InsertOrganisation(org.Organisation{ID: "org-1"})
	})
	if !errors.Is(err, errReadOnly) || err.Error() != "memstore: write in a read-only transaction" {
		t.Errorf("error %v, want errReadOnly", err)
	}
}

// TestTxAfterEnd checks that a Tx kept past its function refuses to work.
func TestTxAfterEnd(t *testing.T) {
	db := New()
	var kept *Tx
	if _, err := db.Update(t.Context(), func(tx *Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.InsertUser(org.User{ID: "user-1"}); !errors.Is(err, errEnded) {
		t.Errorf("write after Update: %v, want errEnded", err)
	}
	if err := db.View(t.Context(), storage.Latest(), func(tx *Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := kept.Head(); !errors.Is(err, errEnded) {
		t.Errorf("read after View: %v, want errEnded", err)
	}
}

// TestTokenHashIsUnique checks that two invitations cannot share a token
// hash, through an insert or an update.
func TestTokenHashIsUnique(t *testing.T) {
	db := New()
	seed(t, db)
	for name, write := range map[string]func(tx *Tx) error{
		"Insert": func(tx *Tx) error {
			return tx.InsertInvitation(access.Invitation{ID: "inv-2", Org: "org-1", TokenHash: []byte("hash-1")})
		},
		"Update": func(tx *Tx) error {
			return errors.Join(
				tx.InsertInvitation(access.Invitation{ID: "inv-2", Org: "org-1", TokenHash: []byte("hash-2")}),
				tx.UpdateInvitation(access.Invitation{ID: "inv-2", Org: "org-1", TokenHash: []byte("hash-1")}))
		},
	} {
		if _, err := db.Update(t.Context(), write); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("%s: error %v, want ErrAlreadyExists", name, err)
		}
	}
	// An invitation keeps its own hash through an update.
	if _, err := db.Update(t.Context(), func(tx *Tx) error {
		return tx.UpdateInvitation(access.Invitation{ID: "inv-1", Org: "org-1", TokenHash: []byte("hash-1"), Sent: 2})
	}); err != nil {
		t.Errorf("update keeping the hash: %v", err)
	}
}

// TestViewsShareTheLock checks that two Views run at the same time.
func TestViewsShareTheLock(t *testing.T) {
	db := New()
	a, b := make(chan struct{}), make(chan struct{})
	errs := make(chan error, 2)
	view := func(signal, wait chan struct{}) {
		errs <- db.View(t.Context(), storage.Latest(), func(*Tx) error {
			close(signal)
			select {
			case <-wait:
				return nil
			case <-time.After(10 * time.Second):
				return errors.New("the other View did not start while this one ran")
			}
		})
	}
	go view(a, b)
	go view(b, a)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestUpdateChecksContextFirst checks that a cancelled context does not
// wait for the lock.
func TestUpdateChecksContextFirst(t *testing.T) {
	db := New()
	db.mu.Lock()
	defer db.mu.Unlock()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.Update(ctx, func(*Tx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Update: %v, want context.Canceled", err)
	}
	if err := db.View(ctx, storage.Latest(), func(*Tx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("View: %v, want context.Canceled", err)
	}
}

func TestSortedSet(t *testing.T) {
	var s sortedSet[string]
	for _, k := range []string{"c", "a", "e", "b", "d", "a"} {
		s.add(k)
	}
	if got := s.all(); !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("all = %v", got)
	}
	for _, tc := range []struct {
		after string
		limit int
		want  []string
	}{
		{"", -1, []string{"a", "b", "c", "d", "e"}},
		{"", 2, []string{"a", "b"}},
		{"b", 2, []string{"c", "d"}},
		{"bb", 10, []string{"c", "d", "e"}},
		{"e", 10, nil},
		{"d", 0, nil},
	} {
		if got := s.after(tc.after, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("after(%q, %d) = %v, want %v", tc.after, tc.limit, got, tc.want)
		}
	}
	if !s.remove("c") || s.remove("c") || !slices.Equal(s.all(), []string{"a", "b", "d", "e"}) {
		t.Errorf("remove: %v", s.all())
	}
	var none *sortedSet[string]
	if none.after("", 5) != nil || none.all() != nil {
		t.Error("a nil set is not empty")
	}
}
