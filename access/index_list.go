package access

import (
	"cmp"
	"slices"
	"time"

	"github.com/orgspace/orgspace/org"
)

// AccountAccess is one account a user can open, with what they hold in it:
// a row of the account drop-down.
type AccountAccess struct {
	Account org.Account
	OrgName string
	// Role is what the drop-down shows: the organisation role ("owner",
	// "member") when it gives access, else the granted role's ID.
	Role string
	// Grant is the granted role, if any; OrgRole the organisation role.
	Grant     RoleID
	OrgRole   org.Role
	ExpiresAt time.Time
	// Favourite marks the account a login lands in.
	Favourite bool
}

// MenuGroup is one organisation of the account drop-down.
type MenuGroup struct {
	Org      org.OrganisationID
	OrgName  string
	OrgRole  org.Role
	Accounts []AccountAccess
}

// AccountsOf returns the accounts user can open now, in drop-down order
// (organisation name, organisation ID, account name, account ID), the
// favourite marked. Its cost is proportional to the number returned.
func (ix *Index) AccountsOf(user org.UserID) []AccountAccess {
	u := ix.user(user)
	if u == nil {
		return nil
	}
	out := ix.accessible(u, ix.now())
	fav := resolveFavourite(u.favourite, len(out), func(i int) org.AccountID { return out[i].Account.ID })
	for i := range out {
		out[i].Favourite = out[i].Account.ID == fav
	}
	return out
}

// AccountIDsOf returns the IDs of the accounts user can open now, in
// drop-down order: the accounts of AccountsOf, without their rows. It is
// what a service needs to limit a query to the user's accounts. It
// allocates the list (and, past 16 accounts, its sort keys) and copies no
// account.
func (ix *Index) AccountIDsOf(user org.UserID) []org.AccountID {
	u := ix.user(user)
	if u == nil {
		return nil
	}
	return ix.accessibleIDs(u, ix.now())
}

// accessibleIDs lists the IDs of u's accessible accounts in drop-down order.
func (ix *Index) accessibleIDs(u *userEntry, now time.Time) []org.AccountID {
	var b menuBuffers
	p := b.plan(ix, u, now)
	out := make([]org.AccountID, len(p.keys))
	for i, k := range p.keys {
		_, a := p.at(k)
		out[i] = a.ID
	}
	return out
}

// accessible lists u's accessible accounts in drop-down order.
func (ix *Index) accessible(u *userEntry, now time.Time) []AccountAccess {
	var b menuBuffers
	p := b.plan(ix, u, now)
	out := make([]AccountAccess, len(p.keys))
	for i, k := range p.keys {
		g, a := p.at(k)
		// Built in place: a row is over 200 bytes.
		row := &out[i]
		*row = AccountAccess{Account: *a, OrgName: g.o.org.Name, OrgRole: g.role}
		if e := u.grant(a.ID); e != nil && (e.expires == 0 || now.UnixNano() < e.expires) {
			row.Grant = e.role
			if e.expires != 0 {
				row.ExpiresAt = time.Unix(0, e.expires).UTC()
			}
		}
		row.Role = string(row.Grant)
		if Effective(g.role, a.Product, 0, false).Has(ViewAccount) {
			row.Role = g.role.String()
		}
	}
	return out
}

// menuPlan is where the accounts a user may open go in the drop-down.
// Each is keyed by its organisation (an index in groups) and its position
// in the organisation's account order (orgEntry.pos). Once the few
// organisations are sorted, sorting the keys as integers puts the accounts
// in drop-down order, sparing a sort of whole rows by four strings.
type menuPlan struct {
	groups []orgGroup
	// order lists the groups in drop-down order; keys, sorted, are
	// place<<32 | position, place being the index in order.
	order []int
	keys  []uint64
}

// menuBuffers spare a plan's allocations for a user of a few
// organisations and accounts. A caller keeps them on its stack, apart from
// the plan: a plan holding slices of its own arrays would escape to the
// heap.
type menuBuffers struct {
	groups [4]orgGroup
	order  [4]int
	keys   [16]uint64
}

type orgGroup struct {
	o    *orgEntry
	role org.Role
}

const posMask = 1<<32 - 1

// plan plans u's accessible accounts at now, in b's arrays while they
// suffice. An account is accessible when Effective gives ViewAccount:
// through the organisation role alone, or else through an active grant.
// (The plan is built in local slices: a method appending to a plan's own
// would make b escape to the heap.)
func (b *menuBuffers) plan(ix *Index, u *userEntry, now time.Time) menuPlan {
	groups, keys := b.groups[:0], b.keys[:0]
	if most := ix.mostAccessible(u); most > len(b.keys) {
		keys = make([]uint64, 0, most)
	}
	// group returns the index in groups of organisation id, adding it; -1
	// for an organisation the index does not hold.
	group := func(id org.OrganisationID) int {
		for i := range groups {
			if groups[i].o.org.ID == id {
				return i
			}
		}
		if o := ix.orgs[id]; o != nil {
			groups = append(groups, orgGroup{o: o})
			return len(groups) - 1
		}
		return -1
	}
	key := func(g int, pos int32) uint64 { return uint64(g)<<32 | uint64(uint32(pos)) }
	for _, r := range u.orgs {
		g := group(r.org)
		if g < 0 {
			continue
		}
		groups[g].role = r.role
		for i, a := range groups[g].o.accs {
			if Effective(r.role, a.Product, 0, false).Has(ViewAccount) {
				keys = append(keys, key(g, int32(i)))
			}
		}
	}
	for i := range u.grants {
		e := &u.grants[i]
		a := ix.accounts[e.account]
		if a == nil {
			continue
		}
		g := group(a.Org)
		if g < 0 {
			continue
		}
		r := groups[g].role
		if Effective(r, a.Product, 0, false).Has(ViewAccount) {
			continue // listed through the role
		}
		// A website limit keeps ViewAccount (GrantedOnAccount), all that
		// this asks.
		active := e.expires == 0 || now.UnixNano() < e.expires
		if !Effective(r, a.Product, ix.rolePermissions(e.role), active).Has(ViewAccount) {
			continue
		}
		if pos, ok := groups[g].o.pos[a.ID]; ok {
			keys = append(keys, key(g, pos))
		}
	}
	order := b.order[:0]
	for i := range groups {
		order = append(order, i)
	}
	slices.SortFunc(order, func(x, y int) int {
		a, b := groups[x].o.org, groups[y].o.org
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	// rank[g] is the place of groups[g] in order.
	var rankBuf [len(b.order)]int
	rank := append(rankBuf[:0], order...)
	for place, g := range order {
		rank[g] = place
	}
	for i, k := range keys {
		keys[i] = key(rank[k>>32], int32(k))
	}
	slices.Sort(keys)
	return menuPlan{groups: groups, order: order, keys: keys}
}

// at returns the group and the account of a sorted key.
func (p menuPlan) at(k uint64) (orgGroup, *org.Account) {
	g := p.groups[p.order[k>>32]]
	return g, g.o.accs[k&posMask]
}

// mostAccessible returns an upper bound of the number of accounts u may
// open: all the accounts of their organisations plus their grants.
func (ix *Index) mostAccessible(u *userEntry) int {
	n := len(u.grants)
	for _, r := range u.orgs {
		if o := ix.orgs[r.org]; o != nil {
			n += len(o.accounts)
		}
	}
	return n
}

// resolveFavourite applies the favourite rule to the n accessible accounts
// in drop-down order, the i-th being at(i): the stored favourite while the
// user can open it; otherwise (access removed or expired, or never set)
// the first accessible account; "" when there is none.
func resolveFavourite(favourite org.AccountID, n int, at func(int) org.AccountID) org.AccountID {
	if n == 0 {
		return ""
	}
	for i := range n {
		if at(i) == favourite {
			return favourite
		}
	}
	return at(0)
}

// Favourite returns the account user's login lands in (see resolveFavourite
// for the fallback rule), "" when the user can open no account.
func (ix *Index) Favourite(user org.UserID) org.AccountID {
	u := ix.user(user)
	if u == nil {
		return ""
	}
	ids := ix.accessibleIDs(u, ix.now())
	return resolveFavourite(u.favourite, len(ids), func(i int) org.AccountID { return ids[i] })
}

// Menu returns the account drop-down: the accessible accounts grouped by
// organisation, with the role in each and the favourite marked.
func (ix *Index) Menu(user org.UserID) []MenuGroup {
	var out []MenuGroup
	for _, a := range ix.AccountsOf(user) {
		if n := len(out); n == 0 || out[n-1].Org != a.Account.Org {
			out = append(out, MenuGroup{Org: a.Account.Org, OrgName: a.OrgName, OrgRole: a.OrgRole})
		}
		g := &out[len(out)-1]
		g.Accounts = append(g.Accounts, a)
	}
	return out
}

// AccountUser is a user holding a grant on an account.
type AccountUser struct {
	User      org.UserID
	Role      RoleID
	ExpiresAt time.Time
	// Expired: the grant has run out (it stays listed until revoked).
	Expired bool
}

// UsersOfAccount lists the users holding a grant on account, by user ID,
// after the given ID, at most limit; more reports whether others follow.
// Its cost is proportional to the page, not to the number of users.
func (ix *Index) UsersOfAccount(account org.AccountID, after org.UserID, limit int) (page []AccountUser, more bool) {
	ids, more := pageAfter(ix.accountUsers[account], after, limit)
	now := ix.now().UnixNano()
	page = make([]AccountUser, 0, len(ids))
	for _, id := range ids {
		// The grant table, as Check reads it: one probe of a flat table
		// rather than a map lookup and a search of the user's grants.
		role, expires, _, ok := ix.peekGrant(id, account)
		if !ok {
			continue
		}
		au := AccountUser{User: id, Role: ix.roles.ids[role], Expired: expires != 0 && now >= expires}
		if expires != 0 {
			au.ExpiresAt = time.Unix(0, expires).UTC()
		}
		page = append(page, au)
	}
	return page, more
}

// OrgUser is a user of an organisation: an Owner, a Member, or the holder
// of a grant on one of its accounts.
type OrgUser struct {
	User org.UserID
	Role org.Role
	// Grants counts the user's grants on the organisation's accounts.
	Grants int
}

// UsersOfOrganisation lists the users of o by user ID, after the given ID,
// at most limit, in time proportional to the page.
func (ix *Index) UsersOfOrganisation(o org.OrganisationID, after org.UserID, limit int) (page []OrgUser, more bool) {
	ids, more := pageAfter(ix.orgUsers[o], after, limit)
	page = make([]OrgUser, 0, len(ids))
	for _, id := range ids {
		u := ix.user(id)
		ou := OrgUser{User: id, Role: u.roleIn(o)}
		if u != nil {
			for _, g := range u.grants {
				if ix.orgOf(g.account) == o {
					ou.Grants++
				}
			}
		}
		page = append(page, ou)
	}
	return page, more
}

// pageAfter returns up to limit IDs of the sorted ids that come after after.
func pageAfter(ids []org.UserID, after org.UserID, limit int) ([]org.UserID, bool) {
	start := 0
	if after != "" {
		i, found := slices.BinarySearch(ids, after)
		if found {
			i++
		}
		start = i
	}
	end := min(start+limit, len(ids))
	return ids[start:end], end < len(ids)
}
