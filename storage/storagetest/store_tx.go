package storagetest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// storeAtomicSeed is the state the atomicity tests start from.
func storeAtomicSeed() storeSeed {
	s := storeBase()
	s.Memberships = append(s.Memberships, sf.membership("org-1", "user-2", org.Member), sf.membership("org-2", "user-3", org.Owner))
	s.Roles = append(s.Roles, sf.role("role-2", "org-1"), sf.role("role-3", "org-2"))
	s.Grants = append(s.Grants, sf.grant("user-2", "acc-1", "org-1", "role-1"), sf.grant("user-3", "acc-3", "org-2", "role-3"))
	s.Invitations = append(s.Invitations, sf.invitation("inv-2", "org-2"))
	s.Favourites = map[org.UserID]org.AccountID{"user-2": "acc-1", "user-3": "acc-3"}
	s.Entries = append(s.Entries, sf.entry("test.atomic.seed", "org-2"))
	return s
}

// storeAtomicProbe names every key storeAtomicSeed and storeWriteEverything touch.
func storeAtomicProbe() storeProbe {
	return storeProbe{
		Orgs:        []string{"org-1", "org-2", "org-9"},
		Users:       []string{"user-1", "user-2", "user-3", "user-9"},
		Operators:   []string{"op-1", "op-9"},
		Roles:       []string{"role-1", "role-2", "role-3", "role-9"},
		Invitations: []string{"inv-1", "inv-2", "inv-9"},
		Hashes:      [][]byte{sf.hash("inv-1"), sf.hash("inv-2"), sf.hash("inv-9"), sf.hash("inv-1 resent")},
	}
}

// storeWriteEverything makes every kind of write on storeAtomicSeed: an
// insert of each object, an update of each that can change, upserts that
// insert and that replace, deletes, favourites set and cleared, a token
// hash change and log entries.
func storeWriteEverything(t *testing.T, st orgspace.Store) {
	t.Helper()
	renamed := sf.org("org-1")
	renamed.Name = "Renamed"
	account := sf.account("acc-1", "org-1")
	account.Name, account.Login = "Renamed", org.LoginPolicy{}
	role := sf.role("role-1", "org-1")
	role.Name = "Renamed"
	inv := sf.invitation("inv-1", "org-1")
	inv.TokenHash, inv.Status, inv.Sent = sf.hash("inv-1 resent"), access.Revoked, 2
	steps := []struct {
		name string
		err  error
	}{
		{"InsertOrganisation", st.InsertOrganisation(sf.org("org-9"))},
		{"UpdateOrganisation", st.UpdateOrganisation(renamed)},
		{"InsertAccount", st.InsertAccount(sf.account("acc-9", "org-9"))},
		{"UpdateAccount", st.UpdateAccount(account)},
		{"InsertUser", st.InsertUser(sf.user("user-9"))},
		{"InsertOperator", st.InsertOperator(sf.operator("op-9"))},
		{"PutMembership new", st.PutMembership(sf.membership("org-9", "user-9", org.Owner))},
		{"PutMembership role change", st.PutMembership(sf.membership("org-1", "user-2", org.Owner))},
		{"DeleteMembership", st.DeleteMembership("org-2", "user-3")},
		{"InsertRole", st.InsertRole(sf.role("role-9", "org-9"))},
		{"UpdateRole", st.UpdateRole(role)},
		{"DeleteRole", st.DeleteRole("role-2")},
		{"PutGrant new", st.PutGrant(sf.grant("user-9", "acc-9", "org-9", "role-9"))},
		{"PutGrant role change", st.PutGrant(sf.grant("user-2", "acc-1", "org-1", access.Editor))},
		{"DeleteGrant", st.DeleteGrant("user-3", "acc-3")},
		{"InsertInvitation", st.InsertInvitation(sf.invitation("inv-9", "org-9"))},
		{"UpdateInvitation", st.UpdateInvitation(inv)},
		{"SetFavourite new", st.SetFavourite("user-9", "acc-9")},
		{"SetFavourite change", st.SetFavourite("user-2", "acc-2")},
		{"SetFavourite clear", st.SetFavourite("user-3", "")},
		{"Append", st.Append(sf.entry("test.atomic.one", "org-9"))},
		{"Append", st.Append(sf.entry("test.atomic.two", ""))},
		{"Append", st.Append(sf.entry("test.atomic.three", "org-1"))},
	}
	for _, s := range steps {
		if s.err != nil {
			t.Errorf("%s: %v", s.name, s.err)
		}
	}
}

// storeFailedUpdateRollsBack checks that an Update whose function writes
// everything and then fails leaves no trace: objects, indexes, counters,
// the log and Head are as before, and the next Update takes the next
// revision.
func storeFailedUpdateRollsBack(t *testing.T, db storeDB) {
	head := db.seed(storeAtomicSeed())
	p := storeAtomicProbe()
	before := db.snapshot(p)
	failure := fmt.Errorf("storagetest: the function fails: %w", storage.ErrConflict)
	rev, err := db.tryUpdate(func(st orgspace.Store) error {
		storeWriteEverything(t, st)
		return failure
	})
	if err == nil || !errors.Is(err, storage.ErrConflict) || rev != 0 {
		t.Fatalf("Update = %d, %v; want 0 and the function's error", rev, err)
	}
	db.requireUnchanged(t, p, before)
	if rev := db.update(func(st orgspace.Store) error { return st.Append(sf.entry("test.after", "")) }); rev != head+1 {
		t.Errorf("the Update after a failed one committed revision %d, want %d", rev, head+1)
	}
	// The same writes commit when the function succeeds.
	db.update(func(st orgspace.Store) error {
		storeWriteEverything(t, st)
		return nil
	})
}

// storePanicRollsBack checks that a panic inside an Update's function rolls
// it back like an error, reaches the caller, and leaves the backend usable.
func storePanicRollsBack(t *testing.T, db storeDB) {
	head := db.seed(storeAtomicSeed())
	p := storeAtomicProbe()
	before := db.snapshot(p)
	type boom struct{}
	func() {
		defer func() {
			if r := recover(); r != (boom{}) {
				t.Errorf("recovered %v, want the function's panic", r)
			}
		}()
		rev, err := db.tryUpdate(func(st orgspace.Store) error {
			storeWriteEverything(t, st)
			panic(boom{})
		})
		t.Errorf("Update returned %d, %v; want it to panic", rev, err)
	}()
	db.requireUnchanged(t, p, before)
	if rev := db.update(func(st orgspace.Store) error { return st.Append(sf.entry("test.after", "")) }); rev != head+1 {
		t.Errorf("the Update after a panic committed revision %d, want %d", rev, head+1)
	}
}

// storeWriteInViewFails tries every write in a View: each fails and
// nothing changes.
func storeWriteInViewFails(t *testing.T, db storeDB) {
	db.seed(storeAtomicSeed())
	p := storeAtomicProbe()
	before := db.snapshot(p)
	writes := []struct {
		name  string
		write func(st orgspace.Store) error
	}{
		{"InsertOrganisation", func(st orgspace.Store) error { return st.InsertOrganisation(sf.org("org-9")) }},
		{"UpdateOrganisation", func(st orgspace.Store) error { return st.UpdateOrganisation(sf.org("org-2")) }},
		{"InsertAccount", func(st orgspace.Store) error { return st.InsertAccount(sf.account("acc-9", "org-1")) }},
		{"UpdateAccount", func(st orgspace.Store) error { return st.UpdateAccount(sf.account("acc-1", "org-1")) }},
		{"InsertUser", func(st orgspace.Store) error { return st.InsertUser(sf.user("user-9")) }},
		{"InsertOperator", func(st orgspace.Store) error { return st.InsertOperator(sf.operator("op-9")) }},
		{"PutMembership", func(st orgspace.Store) error { return st.PutMembership(sf.membership("org-1", "user-3", org.Owner)) }},
		{"DeleteMembership", func(st orgspace.Store) error { return st.DeleteMembership("org-1", "user-1") }},
		{"PutGrant", func(st orgspace.Store) error { return st.PutGrant(sf.grant("user-3", "acc-1", "org-1", access.Editor)) }},
		{"DeleteGrant", func(st orgspace.Store) error { return st.DeleteGrant("user-1", "acc-1") }},
		{"InsertRole", func(st orgspace.Store) error { return st.InsertRole(sf.role("role-9", "org-1")) }},
		{"UpdateRole", func(st orgspace.Store) error { return st.UpdateRole(sf.role("role-1", "org-1")) }},
		{"DeleteRole", func(st orgspace.Store) error { return st.DeleteRole("role-2") }},
		{"InsertInvitation", func(st orgspace.Store) error { return st.InsertInvitation(sf.invitation("inv-9", "org-1")) }},
		{"UpdateInvitation", func(st orgspace.Store) error { return st.UpdateInvitation(sf.invitation("inv-1", "org-1")) }},
		{"SetFavourite", func(st orgspace.Store) error { return st.SetFavourite("user-1", "acc-2") }},
		{"ClearFavourite", func(st orgspace.Store) error { return st.SetFavourite("user-2", "") }},
		{"Append", func(st orgspace.Store) error { return st.Append(sf.entry("test.view.append", "org-1")) }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			if err := db.tx.View(t.Context(), storage.Latest(), w.write); err == nil {
				t.Errorf("%s in a View succeeded", w.name)
			}
		})
	}
	db.requireUnchanged(t, p, before)
}

// storeCancelledContext checks that Update and View refuse a cancelled
// context without running their function.
func storeCancelledContext(t *testing.T, db storeDB) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	rev, err := db.tx.Update(ctx, func(st orgspace.Store) error {
		ran = true
		return st.Append(sf.entry("test.cancelled", ""))
	})
	if !errors.Is(err, context.Canceled) || rev != 0 || ran {
		t.Errorf("Update = %d, %v, ran %v; want 0, context.Canceled, not run", rev, err, ran)
	}
	err = db.tx.View(ctx, storage.Latest(), func(orgspace.Store) error {
		ran = true
		return nil
	})
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("View = %v, ran %v; want context.Canceled, not run", err, ran)
	}
	if h := db.head(); h != 0 {
		t.Errorf("Head = %d, want 0", h)
	}
}

// storeRevisions checks that Head starts at 0, each successful Update
// commits head+1 (also one that appends nothing), a failed one uses no
// revision, and committed entries carry their revision and Seq 0..n-1.
func storeRevisions(t *testing.T, db storeDB) {
	if h := db.head(); h != 0 {
		t.Fatalf("Head of an empty store = %d, want 0", h)
	}
	var want []storage.Entry
	appendN := func(rev storage.Revision, n int) func(st orgspace.Store) error {
		return func(st orgspace.Store) error {
			for i := range n {
				e := sf.entry(fmt.Sprintf("test.rev%d.entry%d", rev, i), "org-1")
				e.Time = e.Time.Add(time.Duration(rev) * time.Second)
				stamped := e
				stamped.Revision, stamped.Seq = rev, i
				want = append(want, stamped)
				// Revision and Seq are the backend's to set.
				e.Revision, e.Seq = 99, 99
				if err := st.Append(e); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for i, n := range []int{1, 3, 0, 2} {
		wantRev := storage.Revision(i + 1)
		if rev := db.update(appendN(wantRev, n)); rev != wantRev {
			t.Fatalf("Update %d committed revision %d, want %d", i+1, rev, wantRev)
		}
		if h := db.head(); h != wantRev {
			t.Fatalf("after Update %d: Head = %d, want %d", i+1, h, wantRev)
		}
	}
	failure := errors.New("storagetest: failure")
	rev, err := db.tryUpdate(func(st orgspace.Store) error {
		if err := appendN(5, 2)(st); err != nil {
			return err
		}
		return failure
	})
	want = want[:len(want)-2]
	if rev != 0 || !errors.Is(err, failure) {
		t.Errorf("failed Update = %d, %v; want 0 and its function's error", rev, err)
	}
	if h := db.head(); h != 4 {
		t.Errorf("after a failed Update: Head = %d, want 4", h)
	}
	db.view(func(st orgspace.Store) error {
		got, err := storeAllEntries(st, "")
		if diff := storeDiff(want, got); err == nil && diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}
		return err
	})
	if rev := db.update(appendN(5, 1)); rev != 5 {
		t.Errorf("Update after the failed one committed revision %d, want 5", rev)
	}
}

// storeViewConsistency checks View's consistency argument against Head.
func storeViewConsistency(t *testing.T, db storeDB) {
	view := func(c storage.Consistency) error {
		return db.tx.View(t.Context(), c, func(st orgspace.Store) error {
			h, err := st.Head()
			if err == nil && !c.Satisfied(h) {
				t.Errorf("View(%v) ran at Head %d", c, h)
			}
			return err
		})
	}
	check := func(head storage.Revision) {
		t.Helper()
		for _, c := range []storage.Consistency{storage.Latest(), storage.AtLeast(head)} {
			if err := view(c); err != nil {
				t.Errorf("at Head %d: View(%v): %v", head, c, err)
			}
		}
		for _, c := range []storage.Consistency{storage.AtLeast(head + 1), storage.AtLeast(head + 100)} {
			if err := view(c); !errors.Is(err, storage.ErrInvalidArgument) {
				t.Errorf("at Head %d: View(%v): error %v, want ErrInvalidArgument", head, c, err)
			}
		}
	}
	check(0)
	for want := storage.Revision(1); want <= 3; want++ {
		db.update(func(st orgspace.Store) error { return st.Append(sf.entry("test.consistency", "")) })
		check(want)
		if want > 1 {
			if err := view(storage.AtLeast(want - 1)); err != nil {
				t.Errorf("at Head %d: View(AtLeast(%d)): %v", want, want-1, err)
			}
		}
	}
}

// storeCommittedWrites commits storeWriteEverything, then moves objects to
// another organisation, and checks the writes landed and every listing,
// lookup and counter follows them.
func storeCommittedWrites(t *testing.T, db storeDB) {
	head := db.seed(storeAtomicSeed())
	p := storeAtomicProbe()
	before := db.snapshot(p)
	if rev := db.update(func(st orgspace.Store) error {
		storeWriteEverything(t, st)
		return nil
	}); rev != head+1 {
		t.Errorf("Update committed revision %d, want %d", rev, head+1)
	}
	s := db.snapshot(p) // checks the indexes against the objects
	found := func(ok bool) string { return map[bool]string{true: "found", false: "missing"}[ok] }
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"Head", s.Head, head + 1},
		{"log entries", len(s.Log), len(before.Log) + 3},
		{"organisations", len(s.Orgs), 3},
		{"organisation org-1's name", s.Orgs[0].Name, "Renamed"},
		{"accounts of org-9", len(s.AccountsOfOrg["org-9"]), 1},
		{"user-9", found(s.Users["user-9"].Found), "found"},
		{"op-9", found(s.Operators["op-9"].Found), "found"},
		{"role-2", found(s.RoleByID["role-2"].Found), "missing"},
		{"role-1's name", s.RoleByID["role-1"].Value.Name, "Renamed"},
		{"role-9", found(s.RoleByID["role-9"].Found), "found"},
		{"memberships of user-3", len(s.MembershipsOfUser["user-3"]), 0},
		{"owners of org-1", s.Members["org-1/owner"], 2},
		{"grants of user-3", len(s.GrantsOfUser["user-3"]), 0},
		{"grants with role-1", s.GrantsWithRole["role-1"], 1},
		{"grants with editor", s.GrantsWithRole[string(access.Editor)], 1},
		{"inv-1 by its old hash", found(s.InvitationByToken[hex.EncodeToString(sf.hash("inv-1"))].Found), "missing"},
		{"inv-1 by its new hash", found(s.InvitationByToken[hex.EncodeToString(sf.hash("inv-1 resent"))].Found), "found"},
		{"inv-9 by its hash", found(s.InvitationByToken[hex.EncodeToString(sf.hash("inv-9"))].Found), "found"},
		{"favourites", s.Favourites, map[org.UserID]org.AccountID{"user-2": "acc-2", "user-9": "acc-9"}},
	} {
		if diff := storeDiff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.what, diff)
		}
	}

	// Objects that name their organisation move with an update.
	db.update(func(st orgspace.Store) error {
		a := sf.account("acc-2", "org-2")
		r := sf.role("role-1", "org-2")
		inv := sf.invitation("inv-1", "org-2")
		return errors.Join(st.UpdateAccount(a), st.UpdateRole(r), st.UpdateInvitation(inv))
	})
	s = db.snapshot(p)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"accounts of org-1", len(s.AccountsOfOrg["org-1"]), 1},
		{"accounts of org-2", len(s.AccountsOfOrg["org-2"]), 2},
		{"roles of org-1", len(s.RolesOfOrg["org-1"]), 0},
		{"roles of org-2", len(s.RolesOfOrg["org-2"]), 2},
		{"invitations of org-1", len(s.InvitationsOfOrg["org-1"]), 0},
		{"invitations of org-2", len(s.InvitationsOfOrg["org-2"]), 2},
		{"inv-1 by its first hash", found(s.InvitationByToken[hex.EncodeToString(sf.hash("inv-1"))].Found), "found"},
		{"inv-1 by its second hash", found(s.InvitationByToken[hex.EncodeToString(sf.hash("inv-1 resent"))].Found), "missing"},
	} {
		if diff := storeDiff(c.want, c.got); diff != "" {
			t.Errorf("after moves: %s (-want +got):\n%s", c.what, diff)
		}
	}
}
