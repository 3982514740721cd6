package access

import (
	"maps"
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
// Check reads two small maps (accounts, organisation roles) and a flat
// hash table of grants whose slots hold their keys inline (grantTable), so
// it touches about one cache line of the large structures. The listings
// read per-user entries: a large base map built once. The users changed
// since are in a small delta map, which both read first. A patch copies
// only the small maps (the delta holds one pointer per changed user), and
// the delta is folded into a new base and table when it grows past
// maxDelta.
type Index struct {
	rev   storage.Revision
	built storage.Revision // the revision last compiled in full
	pos   storage.Position
	clock org.Clock

	base   map[org.UserID]*userEntry
	delta  map[org.UserID]*changedUser // the users changed since base and grants were built
	grants *grantTable

	members map[memberKey]org.Role // every Owner and Member

	accounts map[org.AccountID]*org.Account
	orgs     map[org.OrganisationID]*orgEntry
	roles    roleTable

	accountUsers map[org.AccountID][]org.UserID      // grant holders, sorted
	orgUsers     map[org.OrganisationID][]org.UserID // members and grant holders, sorted
}

type memberKey struct {
	user org.UserID
	org  org.OrganisationID
}

// roleTable numbers the roles so that the grant table holds a small index
// and a role's change reaches every grant of it at once. The built-in roles
// come first; a deleted custom role keeps its number, with no permissions.
type roleTable struct {
	index map[RoleID]uint32
	ids   []RoleID
	perms []Permissions
	org   []org.OrganisationID // "" for the built-in roles
}

// noRole is the number of no role at all: no permissions.
const noRole = 0

func newRoleTable() roleTable {
	rt := roleTable{index: map[RoleID]uint32{}, ids: []RoleID{noRole: ""}, perms: []Permissions{noRole: 0}, org: []org.OrganisationID{noRole: ""}}
	for _, r := range builtinRoles {
		rt.perms[rt.number(r.ID)] = r.Permissions
	}
	return rt
}

// lookup returns the number of role id; an unknown role gets noRole, which
// holds no permission.
func (rt *roleTable) lookup(id RoleID) uint32 {
	if n, ok := rt.index[id]; ok {
		return n
	}
	return noRole
}

// number returns the number of role id, giving a new one to an unknown id
// (changing rt: only for a table no reader has seen).
func (rt *roleTable) number(id RoleID) uint32 {
	if n, ok := rt.index[id]; ok {
		return n
	}
	n := uint32(len(rt.perms))
	rt.index[id] = n
	rt.ids = append(rt.ids, id)
	rt.perms = append(rt.perms, 0)
	rt.org = append(rt.org, "")
	return n
}

// clone returns a copy of rt that may be changed.
func (rt roleTable) clone() roleTable {
	return roleTable{index: maps.Clone(rt.index), ids: slices.Clone(rt.ids), perms: slices.Clone(rt.perms), org: slices.Clone(rt.org)}
}

// changedUser is a user in an index's delta: their entry (nil: they hold
// nothing) and their grants as Check reads them, in place of what the
// base and the grant table hold for them.
type changedUser struct {
	entry *userEntry
	cells []accountCell // sorted by account
}

type accountCell struct {
	account org.AccountID
	cell    grantCell
}

// cell returns the user's grant on account. It searches as userEntry.grant
// does, written out for its element type: a generic search taking the key
// as a function measured 2.5x slower in the account listings.
func (c *changedUser) cell(account org.AccountID) (grantCell, bool) {
	cells := c.cells
	if len(cells) <= 8 {
		for i := range cells {
			if cells[i].account == account {
				return cells[i].cell, true
			}
		}
		return grantCell{}, false
	}
	i, ok := slices.BinarySearchFunc(cells, account, func(e accountCell, a org.AccountID) int { return strings.Compare(string(e.account), string(a)) })
	if !ok {
		return grantCell{}, false
	}
	return cells[i].cell, true
}

type userEntry struct {
	grants    []grantEntry // sorted by account
	orgs      []orgRole    // sorted by organisation
	favourite org.AccountID
}

type grantEntry struct {
	account org.AccountID // its organisation: Index.accounts
	role    RoleID
	expires int64 // Unix nanoseconds; 0: never
	// A grant's website limit is only in the grant table (Index.grant):
	// a field here would cost every one of the 100,000s of entries.
}

type orgRole struct {
	org  org.OrganisationID
	role org.Role
}

type orgEntry struct {
	org      org.Organisation
	accounts []org.AccountID // sorted by account name, then ID
	// accs[i] is the account accounts[i], as in Index.accounts: a listing
	// reads it without a map lookup. An account changed is a new
	// org.Account, and its organisation's entry a new orgEntry.
	accs []*org.Account
	// pos is the position of each account in accounts: the drop-down
	// order within the organisation, compared as an integer.
	pos map[org.AccountID]int32
}

// newOrgEntry returns the entry of o with its accounts, which must be
// sorted (sortAccounts), each found in all.
func newOrgEntry(o org.Organisation, accounts []org.AccountID, all map[org.AccountID]*org.Account) *orgEntry {
	e := &orgEntry{org: o, accounts: accounts, accs: make([]*org.Account, len(accounts)), pos: make(map[org.AccountID]int32, len(accounts))}
	for i, id := range accounts {
		e.accs[i] = all[id]
		e.pos[id] = int32(i)
	}
	return e
}

// Revision is the revision of the store state the index reflects.
func (ix *Index) Revision() storage.Revision { return ix.rev }

// Built returns the revision of the state this index was last compiled
// from in full; an index that followed the change log since keeps it,
// while its Revision moves on. Hosts can watch it to see how often their
// instances rebuild (past Config.MaxLogBacklog) rather than patch.
func (ix *Index) Built() storage.Revision { return ix.built }

func (ix *Index) user(id org.UserID) *userEntry {
	if len(ix.delta) != 0 {
		if c, ok := ix.delta[id]; ok {
			return c.entry
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
	return ix.roles.perms[ix.roles.lookup(id)]
}

// grant returns the grant of (user, account) as Check sees it.
func (ix *Index) grant(user org.UserID, account org.AccountID) (grantCell, bool) {
	if len(ix.delta) != 0 {
		if c, ok := ix.delta[user]; ok {
			return c.cell(account)
		}
	}
	return ix.grants.lookup(user, account)
}

// peekGrant is grant without the website list, for Check.
func (ix *Index) peekGrant(user org.UserID, account org.AccountID) (role uint32, expires int64, limited, ok bool) {
	if len(ix.delta) != 0 {
		if c, ok := ix.delta[user]; ok {
			g, ok := c.cell(account)
			return g.role, g.expires, g.websites != nil, ok
		}
	}
	return ix.grants.peek(user, account)
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
	orgRole := ix.members[memberKey{user, a.Org}]
	var granted Permissions
	active := false
	if role, expires, limited, ok := ix.peekGrant(user, account); ok {
		active = expires == 0 || ix.now().UnixNano() < expires
		granted = GrantedOnAccount(ix.roles.perms[role], limited)
	}
	return Effective(orgRole, a.Product, granted, active).Has(p)
}

// CheckWebsite reports whether user may exercise p on website of account
// (a campaign published on it, say), now: the organisation role's and an
// unlimited grant's permissions hold on every website of the account, a
// grant limited to websites holds its role's permissions only on those it
// lists. The index does not know which websites an account has (package
// structure does): the caller names the account the website belongs to.
// Like Check, it answers from memory and does not allocate.
func (ix *Index) CheckWebsite(user org.UserID, account org.AccountID, website org.WebsiteID, p Permission) bool {
	a := ix.accounts[account]
	if a == nil {
		return false
	}
	orgRole := ix.members[memberKey{user, a.Org}]
	var granted Permissions
	active := false
	if g, ok := ix.grant(user, account); ok && covers(g.websites, website) {
		active = g.expires == 0 || ix.now().UnixNano() < g.expires
		granted = ix.roles.perms[g.role]
	}
	return Effective(orgRole, a.Product, granted, active).Has(p)
}

// covers reports whether a grant limited to the sorted list websites (nil:
// unlimited) holds on website.
func covers(websites []org.WebsiteID, website org.WebsiteID) bool {
	if websites == nil {
		return true
	}
	if len(websites) <= 8 {
		return slices.Contains(websites, website)
	}
	_, ok := slices.BinarySearch(websites, website)
	return ok
}

// CheckOrganisation reports whether user holds p on the organisation itself
// (organisation permissions come only with the Owner and Member roles).
func (ix *Index) CheckOrganisation(user org.UserID, o org.OrganisationID, p Permission) bool {
	if ix.orgs[o] == nil {
		return false
	}
	return Effective(ix.members[memberKey{user, o}], "", 0, false).Has(p)
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
