package storagetest

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// storeProbe names the keys a snapshot looks up one by one, for the objects
// the Store cannot enumerate (users, operators, invitations by token) and
// for the per-organisation and per-user listings and counters.
type storeProbe struct {
	Orgs        []string
	Users       []string
	Operators   []string
	Roles       []string
	Invitations []string
	// Hashes are looked up with InvitationByToken.
	Hashes [][]byte
}

// storeLookup is the result of looking one key up.
type storeLookup[T any] struct {
	Found bool
	Value T
}

// storeSnapshot is everything a Store shows of its state.
type storeSnapshot struct {
	Head              storage.Revision
	Log               []storage.Entry
	Orgs              []org.Organisation
	Accounts          []org.Account
	AccountsOfOrg     map[string][]org.Account
	Users             map[string]storeLookup[org.User]
	UsersByEmail      map[string]storeLookup[org.User]
	Operators         map[string]storeLookup[org.Operator]
	Memberships       []org.Membership
	MembershipsOfUser map[string][]org.Membership
	Members           map[string]int
	Grants            []access.Grant
	GrantsOfUser      map[string][]access.Grant
	GrantsWithRole    map[string]int
	Roles             []access.Role
	RolesOfOrg        map[string][]access.Role
	RoleByID          map[string]storeLookup[access.Role]
	Invitations       map[string]storeLookup[access.Invitation]
	InvitationsOfOrg  map[string][]access.Invitation
	InvitationByToken map[string]storeLookup[access.Invitation]
	Favourites        map[org.UserID]org.AccountID
	Favourite         map[string]org.AccountID
}

// storeCmpOptions compare snapshots and values read from a backend: nil
// and empty slices are equal (a backend may return either).
var storeCmpOptions = []gocmp.Option{cmpopts.EquateEmpty()}

// storeDiff returns the differences between want and got, "" when none.
func storeDiff(want, got any) string {
	return gocmp.Diff(want, got, storeCmpOptions...)
}

// snapshot reads everything p names, and every enumerable object, in one
// View, and fails the test when its listings, lookups and counters
// disagree with its objects.
func (db storeDB) snapshot(p storeProbe) storeSnapshot {
	db.t.Helper()
	var s storeSnapshot
	db.view(func(st orgspace.Store) error {
		var err error
		s, err = takeStoreSnapshot(st, p)
		return err
	})
	if problems := s.problems(); len(problems) > 0 {
		db.t.Fatalf("inconsistent state:\n%s", strings.Join(problems, "\n"))
	}
	return s
}

// requireUnchanged fails the test when the backend's state differs from before.
func (db storeDB) requireUnchanged(t *testing.T, p storeProbe, before storeSnapshot) {
	t.Helper()
	if diff := storeDiff(before, db.snapshot(p)); diff != "" {
		t.Fatalf("state changed (-before +after):\n%s", diff)
	}
}

func takeStoreSnapshot(st orgspace.Store, p storeProbe) (s storeSnapshot, err error) {
	if s.Head, err = st.Head(); err != nil {
		return s, err
	}
	if s.Log, err = storeAllEntries(st, ""); err != nil {
		return s, err
	}
	if s.Orgs, err = storeAllPages(func(after org.OrganisationID) ([]org.Organisation, error) {
		return st.ListOrganisations(after, 1000)
	}, func(o org.Organisation) org.OrganisationID { return o.ID }); err != nil {
		return s, err
	}
	if s.Accounts, err = storeCollect(st.AllAccounts, func(a, b org.Account) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return s, err
	}
	if s.Memberships, err = storeCollect(st.AllMemberships, func(a, b org.Membership) int {
		return cmp.Or(cmp.Compare(a.Org, b.Org), cmp.Compare(a.User, b.User))
	}); err != nil {
		return s, err
	}
	if s.Grants, err = storeCollect(st.AllGrants, func(a, b access.Grant) int {
		return cmp.Or(cmp.Compare(a.User, b.User), cmp.Compare(a.Account, b.Account))
	}); err != nil {
		return s, err
	}
	if s.Roles, err = storeCollect(st.AllRoles, func(a, b access.Role) int { return cmp.Compare(a.ID, b.ID) }); err != nil {
		return s, err
	}
	s.Favourites = map[org.UserID]org.AccountID{}
	if err = st.AllFavourites(func(u org.UserID, a org.AccountID) error {
		s.Favourites[u] = a
		return nil
	}); err != nil {
		return s, err
	}

	s.AccountsOfOrg = map[string][]org.Account{}
	s.Members = map[string]int{}
	s.RolesOfOrg = map[string][]access.Role{}
	s.InvitationsOfOrg = map[string][]access.Invitation{}
	for _, o := range p.Orgs {
		id := org.OrganisationID(o)
		if s.AccountsOfOrg[o], err = storeAllPages(func(after org.AccountID) ([]org.Account, error) {
			return st.ListAccounts(id, after, 1000)
		}, func(a org.Account) org.AccountID { return a.ID }); err != nil {
			return s, err
		}
		for _, r := range []org.Role{org.Owner, org.Member} {
			if s.Members[o+"/"+r.String()], err = st.CountMembers(id, r); err != nil {
				return s, err
			}
		}
		if s.RolesOfOrg[o], err = st.RolesOfOrg(id); err != nil {
			return s, err
		}
		if s.InvitationsOfOrg[o], err = storeAllPages(func(after access.InvitationID) ([]access.Invitation, error) {
			return st.ListInvitations(id, after, 1000)
		}, func(inv access.Invitation) access.InvitationID { return inv.ID }); err != nil {
			return s, err
		}
	}

	s.Users = map[string]storeLookup[org.User]{}
	s.UsersByEmail = map[string]storeLookup[org.User]{}
	s.MembershipsOfUser = map[string][]org.Membership{}
	s.GrantsOfUser = map[string][]access.Grant{}
	s.Favourite = map[string]org.AccountID{}
	for _, u := range p.Users {
		id := org.UserID(u)
		if s.Users[u], err = storeLookupOf(func() (org.User, error) { return st.User(id) }); err != nil {
			return s, err
		}
		email := sf.user(u).Email
		if s.UsersByEmail[email], err = storeLookupOf(func() (org.User, error) { return st.UserByEmail(email) }); err != nil {
			return s, err
		}
		if s.MembershipsOfUser[u], err = st.MembershipsOfUser(id); err != nil {
			return s, err
		}
		if s.GrantsOfUser[u], err = st.GrantsOfUser(id); err != nil {
			return s, err
		}
		if s.Favourite[u], err = st.Favourite(id); err != nil {
			return s, err
		}
	}

	if s.Operators, err = storeLookupsOf(p.Operators, storeKeyOf, func(op string) (org.Operator, error) { return st.Operator(org.OperatorID(op)) }); err != nil {
		return s, err
	}

	s.GrantsWithRole = map[string]int{}
	s.RoleByID = map[string]storeLookup[access.Role]{}
	for _, r := range append(slices.Clone(p.Roles), string(access.Editor), string(access.Observer)) {
		if s.GrantsWithRole[r], err = st.CountGrantsWithRole(access.RoleID(r)); err != nil {
			return s, err
		}
		if s.RoleByID[r], err = storeLookupOf(func() (access.Role, error) { return st.Role(access.RoleID(r)) }); err != nil {
			return s, err
		}
	}

	if s.Invitations, err = storeLookupsOf(p.Invitations, storeKeyOf, func(id string) (access.Invitation, error) { return st.Invitation(access.InvitationID(id)) }); err != nil {
		return s, err
	}
	if s.InvitationByToken, err = storeLookupsOf(p.Hashes, hex.EncodeToString, func(h []byte) (access.Invitation, error) { return st.InvitationByToken(h) }); err != nil {
		return s, err
	}
	return s, nil
}

// storeLookupOf calls get and turns ErrNotFound into Found == false.
func storeLookupOf[T any](get func() (T, error)) (storeLookup[T], error) {
	v, err := get()
	switch {
	case err == nil:
		return storeLookup[T]{Found: true, Value: v}, nil
	case storage.IsNotFound(err):
		return storeLookup[T]{}, nil
	}
	return storeLookup[T]{}, err
}

// storeLookupsOf looks every key up with get, by the name key gives it:
// the snapshot of one kind of lookup.
func storeLookupsOf[K, T any](keys []K, name func(K) string, get func(K) (T, error)) (map[string]storeLookup[T], error) {
	out := make(map[string]storeLookup[T], len(keys))
	for _, k := range keys {
		l, err := storeLookupOf(func() (T, error) { return get(k) })
		if err != nil {
			return nil, err
		}
		out[name(k)] = l
	}
	return out, nil
}

// storeKeyOf names a string key: itself.
func storeKeyOf(k string) string { return k }

// storePairKey names a pair key: "first/second".
func storePairKey(k [2]string) string { return k[0] + "/" + k[1] }

// storeCollect gathers what an AllX method yields, sorted by compare.
func storeCollect[T any](all func(func(T) error) error, compare func(a, b T) int) ([]T, error) {
	var out []T
	err := all(func(v T) error {
		out = append(out, v)
		return nil
	})
	slices.SortFunc(out, compare)
	return out, err
}

// storeAllPages pages through an ID-ordered listing to its end. Keys that do
// not increase fail, so a listing that ignores after cannot loop forever.
func storeAllPages[T any, K cmp.Ordered](list func(after K) ([]T, error), key func(T) K) ([]T, error) {
	var out []T
	var after K
	for {
		page, err := list(after)
		if err != nil || len(page) == 0 {
			return out, err
		}
		for _, v := range page {
			k := key(v)
			if k <= after {
				return out, fmt.Errorf("storagetest: listing after %v returned %v: not in increasing ID order", after, k)
			}
			after = k
		}
		out = append(out, page...)
	}
}

// storeAllEntries reads the whole log (of organisation o when not ""). Positions
// that do not increase fail.
func storeAllEntries(st storage.Log, o string) ([]storage.Entry, error) {
	var out []storage.Entry
	var after storage.Position
	for {
		page, err := st.Entries(storage.LogQuery{After: after, Org: o, Limit: 1000})
		if err != nil || len(page) == 0 {
			return out, err
		}
		for _, e := range page {
			if !after.Before(e.Position()) {
				return out, fmt.Errorf("storagetest: log entries after %+v include %+v: not in increasing position order", after, e.Position())
			}
			after = e.Position()
		}
		out = append(out, page...)
	}
}
