package storagetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// svcSameAnswers fails t when two indexes answer differently: Check and
// Explain on every triple, and the accounts of every user.
func svcSameAnswers(t *testing.T, what string, want, got *access.Index, users []org.UserID, accounts []org.AccountID) {
	t.Helper()
	if diff := gocmp.Diff(svcMatrix(want, users, accounts), svcMatrix(got, users, accounts)); diff != "" {
		t.Errorf("%s: Check answers differ (-want +got):\n%s", what, diff)
	}
	for _, u := range users {
		for _, a := range accounts {
			for _, p := range svcPermissions() {
				if w, g := want.Explain(u, a, p), got.Explain(u, a, p); w != g {
					t.Errorf("%s: Explain(%s, %s, %s) = %+v, want %+v", what, u, a, p, g, w)
				}
			}
		}
		if diff := gocmp.Diff(want.AccountsOf(u), got.AccountsOf(u), svcCmpOptions...); diff != "" {
			t.Errorf("%s: AccountsOf(%s) differ (-want +got):\n%s", what, u, diff)
		}
	}
}

func svcTestSecondSpace(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	e := newSvcEnv(t, newBackend)
	f := e.fixture()
	ctx, s1 := e.ctx, e.space
	s2 := e.open()
	svcSameAnswers(t, "a Space opened on the data", s1.Access.Current(), s2.Access.Current(), f.allUsers, f.accounts)

	index := func(t *testing.T, s *orgspace.Space, rev storage.Revision) *access.Index {
		t.Helper()
		ix, err := s.Access.Index(ctx, storage.AtLeast(rev))
		if err != nil {
			t.Fatalf("Index(AtLeast(%d)): %v", rev, err)
		}
		if ix.Revision() < rev {
			t.Fatalf("Index(AtLeast(%d)) returned an index at revision %d", rev, ix.Revision())
		}
		if cur := s.Access.Current(); cur.Revision() < rev {
			t.Errorf("after Index(AtLeast(%d)) the current index is at revision %d", rev, cur.Revision())
		}
		return ix
	}

	t.Run("a grant through the first Space", func(t *testing.T) {
		rev, err := s1.Access.Grant(ctx, f.ownerA, access.GrantRequest{User: f.loner, Account: f.events, Role: access.Editor})
		e.must(err)
		ix := index(t, s2, rev)
		if !ix.Check(f.loner, f.events, access.EditContent) || !s2.Access.Check(f.loner, f.events, access.EditContent) {
			t.Errorf("the second Space does not see the grant of revision %d", rev)
		}
		if d := s2.Access.Explain(f.loner, f.events, access.EditContent); !d.Allowed || d.Via != access.ViaGrant {
			t.Errorf("Explain on the second Space = %+v", d)
		}
	})
	t.Run("a revoke through the second Space, seen by the first after Sync", func(t *testing.T) {
		rev, err := s2.Access.Revoke(ctx, f.ownerA, f.loner, f.events)
		e.must(err)
		ix, err := s1.Access.Sync(ctx, storage.Latest())
		if err != nil {
			t.Fatal(err)
		}
		if ix.Revision() < rev {
			t.Errorf("Sync(Latest) returned an index at revision %d, before the revoke at %d", ix.Revision(), rev)
		}
		if s1.Access.Check(f.loner, f.events, access.ViewAccount) {
			t.Errorf("the first Space still sees the revoked grant")
		}
	})
	t.Run("an organisation role, a rename and a new account", func(t *testing.T) {
		_, err := s1.Access.SetOrganisationRole(ctx, f.ownerA, f.acme, f.loner, org.Owner)
		e.must(err)
		_, err = s1.Org.RenameOrganisation(ctx, f.ownerA, f.acme, "Acme Worldwide")
		e.must(err)
		a, rev, err := s1.Org.CreateAccount(ctx, e.operator, org.NewAccount{Org: f.acme, Product: org.Events, Name: "Acme Festival"})
		e.must(err)
		ix := index(t, s2, rev)
		for _, p := range svcPermissions() {
			if !ix.Check(f.loner, a.ID, p) {
				t.Errorf("the new Owner lacks %s on the new account in the second Space", p)
			}
		}
		if !ix.Check(f.member, a.ID, access.ManageEvents) {
			t.Errorf("a Member lacks %s on the new Events account in the second Space", access.ManageEvents)
		}
		rows, err := s2.Access.Accounts(ctx, storage.AtLeast(rev), f.loner)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 {
			t.Fatalf("the new Owner has %d accounts in the second Space, want 4: %+v", len(rows), rows)
		}
		for _, r := range rows {
			if r.OrgName != "Acme Worldwide" {
				t.Errorf("account %s is listed under %q, want the new name", r.Account.ID, r.OrgName)
			}
		}
	})
	t.Run("a custom role changed through the first Space", func(t *testing.T) {
		r, _, err := s1.Access.DefineRole(ctx, f.ownerA, f.acme, access.NewRole{Name: "Reader", Permissions: access.PermissionsOf(access.ViewAccount)})
		e.must(err)
		_, err = s1.Access.Grant(ctx, f.ownerA, access.GrantRequest{User: f.marketer, Account: f.loyalty, Role: r.ID})
		e.must(err)
		rev, err := s1.Access.UpdateRole(ctx, f.ownerA, r.ID, access.NewRole{Name: "Reader", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
		e.must(err)
		if ix := index(t, s2, rev); !ix.Check(f.marketer, f.loyalty, access.ExportData) {
			t.Errorf("the second Space does not see the role's new permission")
		}
	})
	t.Run("the audit log of the second Space holds the first one's writes", func(t *testing.T) {
		rev, err := s1.Access.SetFavourite(ctx, f.marketerA, f.loyalty)
		e.must(err)
		page, err := s2.Org.AuditLog(ctx, storage.AtLeast(rev), e.operator, "", storage.PageRequest{Limit: storage.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(page.Items); n == 0 || page.Items[n-1].Revision != rev || page.Items[n-1].Action != "access.favourite.set" {
			t.Errorf("the second Space's audit log does not end with the favourite of revision %d", rev)
		}
		rows, err := s2.Access.Accounts(ctx, storage.AtLeast(rev), f.marketer)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Favourite != (r.Account.ID == f.loyalty) {
				t.Errorf("second Space: account %s favourite=%v", r.Account.ID, r.Favourite)
			}
		}
	})
	t.Run("both Spaces answer alike once synced", func(t *testing.T) {
		head := e.head()
		svcSameAnswers(t, "synced Spaces", index(t, s1, head), index(t, s2, head), f.allUsers, append(f.accounts, e.accountsOf(f.acme)...))
	})
	t.Run("reading ahead of the head fails with ErrInvalidArgument", func(t *testing.T) {
		ahead := storage.AtLeast(e.head() + 1)
		if _, err := s2.Access.Index(ctx, ahead); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("Index(AtLeast(head+1)) error = %v, want ErrInvalidArgument", err)
		}
		if _, err := s2.Access.Sync(ctx, ahead); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("Sync(AtLeast(head+1)) error = %v, want ErrInvalidArgument", err)
		}
		if _, err := s2.Access.Accounts(ctx, ahead, f.owner); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("Accounts(AtLeast(head+1)) error = %v, want ErrInvalidArgument", err)
		}
		if _, err := s1.Org.AuditLog(ctx, ahead, e.operator, "", storage.PageRequest{}); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("AuditLog(AtLeast(head+1)) error = %v, want ErrInvalidArgument", err)
		}
		if cur := s2.Access.Current(); cur.Revision() != e.head() {
			t.Errorf("after the failed reads the index is at revision %d, want the head %d", cur.Revision(), e.head())
		}
	})
}

// accountsOf lists every account of o from the store.
func (e *svcEnv) accountsOf(o org.OrganisationID) []org.AccountID {
	e.t.Helper()
	var ids []org.AccountID
	e.must(e.space.Store().View(e.ctx, storage.Latest(), func(st orgspace.Store) error {
		as, err := st.ListAccounts(o, "", storage.MaxPageSize)
		for _, a := range as {
			ids = append(ids, a.ID)
		}
		return err
	}))
	return ids
}

func svcTestReopen(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	e := newSvcEnv(t, newBackend)
	w := e.failureWorld()
	ctx, sp := e.ctx, e.space
	now := e.clock.Now()
	// Time-bound grants, favourites, a Member with a grant, a renamed
	// organisation and an updated role.
	e.grant(w.ownerA, w.member, w.loyalty, access.Observer, now.Add(time.Hour))
	e.grant(w.globexOwnerA, w.outsider, w.globexEngage, access.Editor, now.Add(3*time.Hour))
	e.grant(w.adminA, w.marketer, w.engage, access.Editor, now.Add(2*time.Hour))
	e.grant(e.operator, w.outsider, w.events, w.analyst, time.Time{})
	_, err := sp.Access.SetFavourite(ctx, w.memberA, w.loyalty)
	e.must(err)
	_, err = sp.Access.SetFavourite(ctx, w.outsiderA, w.events)
	e.must(err)
	_, err = sp.Access.UpdateRole(ctx, w.ownerA, w.analyst, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData, access.PublishContent)})
	e.must(err)
	_, err = sp.Org.RenameOrganisation(ctx, w.globexOwnerA, w.globex, "AAA Globex")
	e.must(err)
	users, accounts := w.allUsers, w.accounts

	reopened := e.open()
	svcSameAnswers(t, "reopened", sp.Access.Current(), reopened.Access.Current(), users, accounts)
	if r, h := reopened.Access.Current().Revision(), e.head(); r != h {
		t.Errorf("the reopened index is at revision %d, want the head %d", r, h)
	}
	for _, d := range []time.Duration{90 * time.Minute, 2 * time.Hour, 8 * 24 * time.Hour} {
		e.clock.Advance(d)
		svcSameAnswers(t, "reopened, after "+d.String(), sp.Access.Current(), reopened.Access.Current(), users, accounts)
	}
	if reopened.Access.Check(w.member, w.loyalty, access.ViewAccount) {
		t.Errorf("an expired grant still allows in the reopened Space")
	}
	// A third Space opened now, after the grants expired, agrees too.
	svcSameAnswers(t, "opened after expiry", sp.Access.Current(), e.open().Access.Current(), users, accounts)
}

func svcTestConcurrency(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	e := newSvcEnv(t, newBackend)
	f := e.fixture()
	ctx, sp := e.ctx, e.space
	other := e.open() // another instance, catching up while the writes go on
	r, _, err := sp.Access.DefineRole(ctx, f.ownerA, f.acme, access.NewRole{Name: "Publisher", Permissions: access.PermissionsOf(access.ViewAccount, access.PublishContent)})
	e.must(err)
	users := []org.UserID{f.admin, f.marketer, f.observer, f.member, f.loner}
	acme := []org.AccountID{f.engage, f.loyalty, f.events}
	roles := []access.RoleID{access.Administrator, access.Marketer, access.Editor, access.Observer, r.ID}
	now := e.clock.Now()

	const writers, ops, readers = 4, 30, 3
	var done atomic.Bool
	var writes sync.WaitGroup
	for i := range writers {
		writes.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for range ops {
				u, a := users[rng.IntN(len(users))], acme[rng.IntN(len(acme))]
				actor := e.operator
				if rng.IntN(2) == 0 {
					actor = f.ownerA
				}
				if rng.IntN(3) == 0 {
					if _, err := sp.Access.Revoke(ctx, actor, u, a); err != nil && !storage.IsNotFound(err) {
						t.Errorf("Revoke(%s, %s): %v", u, a, err)
					}
					continue
				}
				req := access.GrantRequest{User: u, Account: a, Role: roles[rng.IntN(len(roles))]}
				if rng.IntN(4) == 0 {
					req.ExpiresAt = now.Add(time.Duration(1+rng.IntN(3)) * time.Hour)
				}
				if _, err := sp.Access.Grant(ctx, actor, req); err != nil {
					t.Errorf("Grant(%+v): %v", req, err)
				}
			}
		})
	}
	var reads sync.WaitGroup
	for i := range readers {
		reads.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			perms := svcPermissions()
			for n := 0; !done.Load() || n < 3; n++ {
				u, a := f.allUsers[rng.IntN(len(f.allUsers))], f.accounts[rng.IntN(len(f.accounts))]
				p := perms[rng.IntN(len(perms))]
				// The Space's index may move between these two calls.
				_, _ = sp.Access.Check(u, a, p), sp.Access.Explain(u, a, p)
				s := sp
				if i == 0 {
					s = other
				}
				ix, err := s.Access.Index(ctx, storage.Latest())
				if err != nil {
					t.Errorf("Index(Latest): %v", err)
					return
				}
				if ix.Check(u, a, p) != ix.Explain(u, a, p).Allowed {
					t.Errorf("one index: Check(%s, %s, %s) and Explain disagree", u, a, p)
				}
				if _, err := s.Access.Accounts(ctx, storage.AtLeast(ix.Revision()), u); err != nil {
					t.Errorf("Accounts: %v", err)
				}
			}
		})
	}
	writes.Wait()
	done.Store(true)
	reads.Wait()

	fresh := e.open()
	svcSameAnswers(t, "the writing Space against a fresh one", fresh.Access.Current(), sp.Access.Current(), f.allUsers, f.accounts)
	synced, err := other.Access.Sync(ctx, storage.Latest())
	e.must(err)
	svcSameAnswers(t, "the other Space, synced, against a fresh one", fresh.Access.Current(), synced, f.allUsers, f.accounts)
	e.clock.Advance(2 * time.Hour)
	svcSameAnswers(t, "after some grants expired", fresh.Access.Current(), sp.Access.Current(), f.allUsers, f.accounts)
}

func svcTestConcurrentOnce(t *testing.T, newBackend func(t *testing.T) svcBackend) {
	e := newSvcEnv(t, newBackend)
	f := e.fixture()
	ctx := e.ctx
	spaces := []*orgspace.Space{e.space, e.open(), e.open()}
	const racers = 6
	// race runs op on every Space at once, twice each, and checks that
	// exactly one call succeeded and the others lost cleanly.
	race := func(t *testing.T, op func(s *orgspace.Space) error, losers ...error) {
		t.Helper()
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { errs[i] = op(spaces[i%len(spaces)]) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			lost := errors.Is(err, storage.ErrConflict)
			for _, l := range losers {
				lost = lost || errors.Is(err, l)
			}
			if !lost {
				t.Errorf("a losing call failed with %v (%s)", err, svcSentinel(err))
			}
		}
		if won != 1 {
			t.Errorf("%d calls succeeded, want exactly 1", won)
		}
	}
	t.Run("an invitation is accepted once", func(t *testing.T) {
		id, tok := e.invite(f.ownerA, access.InviteRequest{Email: "racer@example.test", Account: f.engage, Role: access.Observer, OrgRole: org.Member})
		race(t, func(s *orgspace.Space) error {
			_, _, err := s.Access.Accept(ctx, tok, "Racer")
			return err
		}, storage.ErrFailedPrecondition, storage.ErrAlreadyExists)
		e.emails = append(e.emails, "racer@example.test")
		snap := e.snapshot()
		uid := org.UserID(snap.Emails["racer@example.test"])
		accepts := 0
		for _, x := range snap.Entries {
			if x.Action == "access.invitation.accept" && x.Target == string(id) {
				accepts++
			}
		}
		if accepts != 1 {
			t.Errorf("%d accept entries in the audit log, want 1", accepts)
		}
		for _, inv := range snap.Invitations {
			if inv.ID == id && (inv.Status != access.Accepted || inv.User != uid) {
				t.Errorf("the invitation is %s by %q, want accepted by %s", inv.Status, inv.User, uid)
			}
		}
		if g, ok := e.storedGrant(uid, f.engage); !ok || g.Role != access.Observer {
			t.Errorf("the invitee's grant is %+v (found %v)", g, ok)
		}
	})
	t.Run("a user is added once", func(t *testing.T) {
		race(t, func(s *orgspace.Space) error {
			_, _, err := s.Access.AddUser(ctx, f.ownerA, org.NewUser{Email: "twin@example.test", Name: "Twin"}, access.GrantRequest{Account: f.events, Role: access.Editor})
			return err
		}, storage.ErrAlreadyExists)
		creates := 0
		for _, x := range e.snapshot().Entries {
			if x.Action == "org.user.create" && x.Detail == "user twin@example.test" {
				creates++
			}
		}
		if creates != 1 {
			t.Errorf("%d user creations logged, want 1", creates)
		}
	})
	t.Run("every Space agrees afterwards", func(t *testing.T) {
		head := e.head()
		for i, s := range spaces[1:] {
			ix, err := s.Access.Index(ctx, storage.AtLeast(head))
			e.must(err)
			want, err := spaces[0].Access.Index(ctx, storage.AtLeast(head))
			e.must(err)
			svcSameAnswers(t, fmt.Sprintf("Space %d", i+1), want, ix, f.allUsers, f.accounts)
		}
	})
}
