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
	if fav := ix.resolveFavourite(u, out); fav != "" {
		for i := range out {
			out[i].Favourite = out[i].Account.ID == fav
		}
	}
	return out
}

// accessible lists u's accessible accounts in drop-down order.
func (ix *Index) accessible(u *userEntry, now time.Time) []AccountAccess {
	var out []AccountAccess
	// add appends the row of a, built in place: a row is over 200 bytes.
	add := func(o *orgEntry, a *org.Account, orgRole org.Role, g *grantEntry) {
		out = append(out, AccountAccess{Account: *a, OrgName: o.org.Name, OrgRole: orgRole})
		row := &out[len(out)-1]
		var granted Permissions
		active := false
		if g != nil {
			active = g.expires == 0 || now.UnixNano() < g.expires
			// A website limit keeps ViewAccount (GrantedOnAccount), all
			// that this listing asks.
			granted = ix.rolePermissions(g.role)
			if active {
				row.Grant = g.role
				if g.expires != 0 {
					row.ExpiresAt = time.Unix(0, g.expires).UTC()
				}
			}
		}
		if !Effective(orgRole, a.Product, granted, active).Has(ViewAccount) {
			*row = AccountAccess{}
			out = out[:len(out)-1]
			return
		}
		row.Role = string(row.Grant)
		if Effective(orgRole, a.Product, 0, false).Has(ViewAccount) {
			row.Role = orgRole.String()
		}
	}
	// Key every account u may open by its organisation (an index in
	// groups) and its position in the organisation's account order
	// (orgEntry.pos); once the few organisations are sorted, sorting the
	// keys as integers puts the rows in drop-down order, sparing a sort of
	// whole rows by four strings.
	type orgGroup struct {
		o    *orgEntry
		role org.Role
	}
	var groupsBuf [4]orgGroup
	var keysBuf [16]uint64
	groups, keys := groupsBuf[:0], keysBuf[:0]
	if most := ix.mostAccessible(u); most > len(keysBuf) {
		keys = make([]uint64, 0, most)
	}
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
	const posMask = 1<<32 - 1
	for _, r := range u.orgs {
		g := group(r.org)
		if g < 0 {
			continue
		}
		groups[g].role = r.role
		for i, a := range groups[g].o.accs {
			if r.role == org.Owner || a.Product == org.Events {
				keys = append(keys, key(g, int32(i)))
			}
		}
	}
	for i := range u.grants {
		a := ix.accounts[u.grants[i].account]
		if a == nil {
			continue
		}
		g := group(a.Org)
		if g < 0 {
			continue
		}
		if r := groups[g].role; r == org.Owner || (r == org.Member && a.Product == org.Events) {
			continue // listed through the role
		}
		if p, ok := groups[g].o.pos[a.ID]; ok {
			keys = append(keys, key(g, p))
		}
	}
	// order lists the groups in drop-down order; rank[g] is the place of
	// groups[g] in it.
	var orderBuf, rankBuf [len(groupsBuf)]int
	order, rank := orderBuf[:0], rankBuf[:0]
	for i := range groups {
		order, rank = append(order, i), append(rank, 0)
	}
	slices.SortFunc(order, func(x, y int) int {
		a, b := groups[x].o.org, groups[y].o.org
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	for place, g := range order {
		rank[g] = place
	}
	for i, k := range keys {
		keys[i] = key(rank[k>>32], int32(k))
	}
	slices.Sort(keys)
	out = make([]AccountAccess, 0, len(keys))
	for _, k := range keys {
		g := groups[order[k>>32]]
		a := g.o.accs[k&posMask]
		add(g.o, a, g.role, u.grant(a.ID))
	}
	return out
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

// resolveFavourite applies the favourite rule: the stored favourite while
// the user can open it; otherwise (access removed or expired, or never set)
// the first accessible account in drop-down order; "" when there is none.
func (ix *Index) resolveFavourite(u *userEntry, accessible []AccountAccess) org.AccountID {
	if len(accessible) == 0 {
		return ""
	}
	for _, a := range accessible {
		if a.Account.ID == u.favourite {
			return u.favourite
		}
	}
	return accessible[0].Account.ID
}

// Favourite returns the account user's login lands in (see resolveFavourite
// for the fallback rule), "" when the user can open no account.
func (ix *Index) Favourite(user org.UserID) org.AccountID {
	u := ix.user(user)
	if u == nil {
		return ""
	}
	return ix.resolveFavourite(u, ix.accessible(u, ix.now()))
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
