package access

import (
	"slices"
	"strings"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Index is the compiled, immutable form of every grant, organisation role,
// custom role and favourite, from which Check, Explain and the listings
// answer with no I/O. A Service replaces its Index with a patched copy after
// every change it sees in the log (copy-on-write), so an *Index may be used
// from any number of goroutines and never changes under them.
//
// Users are held in a large base map built once plus a small delta map of
// the users changed since; a patch copies only the delta, and the delta is
// folded into a new base when it grows past a fraction of the base.
type Index struct {
	rev   storage.Revision
	pos   storage.Position
	clock org.Clock

	base  map[org.UserID]*userEntry
	delta map[org.UserID]*userEntry // a nil entry: the user holds nothing

	accounts map[org.AccountID]*org.Account
	orgs     map[org.OrganisationID]*orgEntry
	roles    map[RoleID]*Role // custom roles

	accountUsers map[org.AccountID][]org.UserID      // grant holders, sorted
	orgUsers     map[org.OrganisationID][]org.UserID // members and grant holders, sorted
}

type userEntry struct {
	grants    []grantEntry // sorted by account
	orgs      []orgRole    // sorted by organisation
	favourite org.AccountID
}

type grantEntry struct {
	account org.AccountID
	org     org.OrganisationID
	role    RoleID
	expires int64 // Unix nanoseconds; 0: never
}

type orgRole struct {
	org  org.OrganisationID
	role org.Role
}

type orgEntry struct {
	org      org.Organisation
	accounts []org.AccountID // sorted by account name, then ID
}

// Revision is the revision of the store state the index reflects.
func (ix *Index) Revision() storage.Revision { return ix.rev }

func (ix *Index) user(id org.UserID) *userEntry {
	if len(ix.delta) != 0 {
		if u, ok := ix.delta[id]; ok {
			return u
		}
	}
	return ix.base[id]
}

func (u *userEntry) grant(account org.AccountID) *grantEntry {
	if u == nil {
		return nil
	}
	g := u.grants
	if len(g) <= 8 {
		for i := range g {
			if g[i].account == account {
				return &g[i]
			}
		}
		return nil
	}
	i, ok := slices.BinarySearchFunc(g, account, func(e grantEntry, a org.AccountID) int { return strings.Compare(string(e.account), string(a)) })
	if !ok {
		return nil
	}
	return &g[i]
}

func (u *userEntry) roleIn(o org.OrganisationID) org.Role {
	if u == nil {
		return org.NoRole
	}
	for _, r := range u.orgs {
		if r.org == o {
			return r.role
		}
	}
	return org.NoRole
}

// rolePermissions returns the permissions of a built-in or custom role.
func (ix *Index) rolePermissions(id RoleID) Permissions {
	switch id {
	case Administrator:
		return builtinRoles[0].Permissions
	case Marketer:
		return builtinRoles[1].Permissions
	case Editor:
		return builtinRoles[2].Permissions
	case Observer:
		return builtinRoles[3].Permissions
	}
	if r := ix.roles[id]; r != nil {
		return r.Permissions
	}
	return 0
}

func (ix *Index) now() time.Time {
	if ix.clock == nil {
		return time.Now()
	}
	return ix.clock.Now()
}

// Check reports whether user may exercise p in account, now. It answers from
// memory, does not allocate, and is safe for concurrent use.
func (ix *Index) Check(user org.UserID, account org.AccountID, p Permission) bool {
	a := ix.accounts[account]
	if a == nil {
		return false
	}
	u := ix.user(user)
	if u == nil {
		return false
	}
	orgRole := u.roleIn(a.Org)
	var granted Permissions
	active := false
	if g := u.grant(account); g != nil {
		active = g.expires == 0 || ix.now().UnixNano() < g.expires
		granted = ix.rolePermissions(g.role)
	}
	return Effective(orgRole, a.Product, granted, active).Has(p)
}

// CheckOrganisation reports whether user holds p on the organisation itself
// (organisation permissions come only with the Owner and Member roles).
func (ix *Index) CheckOrganisation(user org.UserID, o org.OrganisationID, p Permission) bool {
	if ix.orgs[o] == nil {
		return false
	}
	return Effective(ix.user(user).roleIn(o), "", 0, false).Has(p)
}

// Accessible reports whether user can open account (holds ViewAccount in it).
func (ix *Index) Accessible(user org.UserID, account org.AccountID) bool {
	return ix.Check(user, account, ViewAccount)
}

// Account returns the account id as the index knows it.
func (ix *Index) Account(id org.AccountID) (org.Account, bool) {
	a := ix.accounts[id]
	if a == nil {
		return org.Account{}, false
	}
	return *a, true
}
