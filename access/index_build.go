package access

import (
	"cmp"
	"maps"
	"math"
	"slices"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// maxDelta is how many changed users an Index keeps beside its base map
// before folding them into a new base: patches copy at most this many
// entries, and the full copy of the base is paid once per maxDelta changes.
const maxDelta = 512

// buildIndex compiles the whole store state seen by st.
func buildIndex(st Store, clock org.Clock) (*Index, error) {
	head, err := st.Head()
	if err != nil {
		return nil, err
	}
	ix := &Index{
		rev:          head,
		pos:          afterRevision(head),
		clock:        clock,
		base:         make(map[org.UserID]*userEntry),
		accounts:     make(map[org.AccountID]*org.Account),
		orgs:         make(map[org.OrganisationID]*orgEntry),
		roles:        make(map[RoleID]*Role),
		accountUsers: make(map[org.AccountID][]org.UserID),
		orgUsers:     make(map[org.OrganisationID][]org.UserID),
	}
	for after := org.OrganisationID(""); ; {
		page, err := st.ListOrganisations(after, 1000)
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			ix.orgs[o.ID] = &orgEntry{org: o}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	err = st.AllAccounts(func(a org.Account) error {
		ix.accounts[a.ID] = &a
		if o := ix.orgs[a.Org]; o != nil {
			o.accounts = append(o.accounts, a.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, o := range ix.orgs {
		ix.sortAccounts(o.accounts)
	}
	if err := st.AllRoles(func(r Role) error { ix.roles[r.ID] = &r; return nil }); err != nil {
		return nil, err
	}
	entry := func(id org.UserID) *userEntry {
		u := ix.base[id]
		if u == nil {
			u = &userEntry{}
			ix.base[id] = u
		}
		return u
	}
	err = st.AllMemberships(func(m org.Membership) error {
		u := entry(m.User)
		u.orgs = append(u.orgs, orgRole{org: m.Org, role: m.Role})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = st.AllGrants(func(g Grant) error {
		u := entry(g.User)
		u.grants = append(u.grants, grantEntryOf(g))
		ix.accountUsers[g.Account] = append(ix.accountUsers[g.Account], g.User)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = st.AllFavourites(func(user org.UserID, a org.AccountID) error {
		entry(user).favourite = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	for id, u := range ix.base {
		u.sort()
		for _, o := range u.orgIDs() {
			ix.orgUsers[o] = append(ix.orgUsers[o], id)
		}
	}
	for _, ids := range ix.accountUsers {
		slices.Sort(ids)
	}
	for _, ids := range ix.orgUsers {
		slices.Sort(ids)
	}
	return ix, nil
}

func grantEntryOf(g Grant) grantEntry {
	e := grantEntry{account: g.Account, org: g.Org, role: g.Role}
	if !g.ExpiresAt.IsZero() {
		e.expires = g.ExpiresAt.UnixNano()
	}
	return e
}

func (u *userEntry) sort() {
	slices.SortFunc(u.grants, func(a, b grantEntry) int { return cmp.Compare(a.account, b.account) })
	slices.SortFunc(u.orgs, func(a, b orgRole) int { return cmp.Compare(a.org, b.org) })
}

// orgIDs returns the organisations u belongs to (by role or grant), sorted.
func (u *userEntry) orgIDs() []org.OrganisationID {
	if u == nil {
		return nil
	}
	ids := make([]org.OrganisationID, 0, len(u.orgs)+len(u.grants))
	for _, r := range u.orgs {
		ids = append(ids, r.org)
	}
	for _, g := range u.grants {
		ids = append(ids, g.org)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (u *userEntry) accountIDs() []org.AccountID {
	if u == nil {
		return nil
	}
	ids := make([]org.AccountID, len(u.grants))
	for i, g := range u.grants {
		ids[i] = g.account
	}
	return ids
}

// sortAccounts orders an organisation's accounts by name, then ID.
func (ix *Index) sortAccounts(ids []org.AccountID) {
	slices.SortFunc(ids, func(a, b org.AccountID) int {
		return cmp.Or(cmp.Compare(ix.accounts[a].Name, ix.accounts[b].Name), cmp.Compare(a, b))
	})
}

// afterRevision is the log position after every entry of revision r.
func afterRevision(r storage.Revision) storage.Position {
	return storage.Position{Revision: r, Seq: math.MaxInt32}
}

// changeSet is what a run of log entries touched.
type changeSet struct {
	users    map[org.UserID]bool
	accounts map[org.AccountID]bool
	orgs     map[org.OrganisationID]bool
}

func (c *changeSet) add(e storage.Entry) {
	if e.User != "" {
		c.users[org.UserID(e.User)] = true
	}
	if e.Account != "" {
		c.accounts[org.AccountID(e.Account)] = true
	}
	if e.Org != "" {
		c.orgs[org.OrganisationID(e.Org)] = true
	}
}

// patch returns a copy of ix with the changed organisations, accounts and
// users reloaded from st, at revision head.
func (ix *Index) patch(st Store, ch changeSet, head storage.Revision, pos storage.Position) (*Index, error) {
	next := *ix
	next.rev, next.pos = head, pos
	if len(ch.orgs) > 0 || len(ch.accounts) > 0 {
		next.orgs = maps.Clone(ix.orgs)
		next.accounts = maps.Clone(ix.accounts)
	}
	for id := range ch.orgs {
		if err := next.reloadOrg(st, id); err != nil {
			return nil, err
		}
	}
	for id := range ch.accounts {
		if err := next.reloadAccount(st, id); err != nil {
			return nil, err
		}
	}
	if len(ch.users) > 0 {
		next.delta = maps.Clone(ix.delta)
		if next.delta == nil {
			next.delta = make(map[org.UserID]*userEntry, len(ch.users))
		}
	}
	for id := range ch.users {
		if err := next.reloadUser(st, id); err != nil {
			return nil, err
		}
	}
	if len(next.delta) > maxDelta {
		next.fold()
	}
	return &next, nil
}

func (ix *Index) reloadOrg(st Store, id org.OrganisationID) error {
	o, err := st.Organisation(id)
	if storage.IsNotFound(err) {
		delete(ix.orgs, id)
		return nil
	}
	if err != nil {
		return err
	}
	e := &orgEntry{org: o}
	if old := ix.orgs[id]; old != nil {
		e.accounts = old.accounts
	}
	ix.orgs[id] = e
	roles, err := st.RolesOfOrg(id)
	if err != nil {
		return err
	}
	ix.roles = maps.Clone(ix.roles)
	maps.DeleteFunc(ix.roles, func(_ RoleID, r *Role) bool { return r.Org == id })
	for _, r := range roles {
		ix.roles[r.ID] = &r
	}
	return nil
}

func (ix *Index) reloadAccount(st Store, id org.AccountID) error {
	a, err := st.Account(id)
	if storage.IsNotFound(err) {
		return nil // accounts are never deleted; nothing was committed
	}
	if err != nil {
		return err
	}
	ix.accounts[id] = &a
	o := ix.orgs[a.Org]
	if o == nil {
		return nil
	}
	ids := slices.Clone(o.accounts)
	if !slices.Contains(ids, id) {
		ids = append(ids, id)
	}
	ix.sortAccounts(ids)
	ix.orgs[a.Org] = &orgEntry{org: o.org, accounts: ids}
	return nil
}

func (ix *Index) reloadUser(st Store, id org.UserID) error {
	grants, err := st.GrantsOfUser(id)
	if err != nil {
		return err
	}
	members, err := st.MembershipsOfUser(id)
	if err != nil {
		return err
	}
	fav, err := st.Favourite(id)
	if err != nil {
		return err
	}
	var u *userEntry
	if len(grants) > 0 || len(members) > 0 || fav != "" {
		u = &userEntry{favourite: fav, grants: make([]grantEntry, len(grants)), orgs: make([]orgRole, len(members))}
		for i, g := range grants {
			u.grants[i] = grantEntryOf(g)
		}
		for i, m := range members {
			u.orgs[i] = orgRole{org: m.Org, role: m.Role}
		}
		u.sort()
	}
	old := ix.user(id)
	ix.accountUsers = resetMembers(ix.accountUsers, id, old.accountIDs(), u.accountIDs())
	ix.orgUsers = resetMembers(ix.orgUsers, id, old.orgIDs(), u.orgIDs())
	ix.delta[id] = u
	return nil
}

// resetMembers moves user from the lists of the keys in was to those in is,
// copying the map and the lists it changes.
func resetMembers[K comparable](lists map[K][]org.UserID, user org.UserID, was, is []K) map[K][]org.UserID {
	var out map[K][]org.UserID
	clone := func() {
		if out == nil {
			out = maps.Clone(lists)
		}
	}
	for _, k := range was {
		if !slices.Contains(is, k) {
			clone()
			ids := out[k]
			if i, ok := slices.BinarySearch(ids, user); ok {
				ids = slices.Delete(slices.Clone(ids), i, i+1)
			}
			if len(ids) == 0 {
				delete(out, k)
			} else {
				out[k] = ids
			}
		}
	}
	for _, k := range is {
		if !slices.Contains(was, k) {
			clone()
			ids := out[k]
			if i, ok := slices.BinarySearch(ids, user); !ok {
				ids = slices.Insert(slices.Clone(ids), i, user)
			}
			out[k] = ids
		}
	}
	if out == nil {
		return lists
	}
	return out
}

// fold merges the delta into a new base.
func (ix *Index) fold() {
	base := maps.Clone(ix.base)
	for id, u := range ix.delta {
		if u == nil {
			delete(base, id)
		} else {
			base[id] = u
		}
	}
	ix.base, ix.delta = base, nil
}
