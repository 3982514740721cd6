package access

import (
	"cmp"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// maxDelta is how many changed users an Index keeps beside its base map
// before folding them into a new base: patches copy at most this many
// entries (a pointer each), and the full copy of the base and the grant
// table is paid once per maxDelta changes. On 300,000 grants, a role
// change with its patch (BenchmarkGrant/role-change, 20,000 changes over
// 4,096 users, two runs each) measured 108-116 us and 86 KB at 512,
// 91-95 us and 62 KB at 1,024, and 57-60 us and 65 KB at 2,048: the
// fewer folds, the fewer collections of the large heap they trigger.
const maxDelta = 2048

// buildIndex compiles the whole store state seen by st.
func buildIndex(st Store, clock org.Clock) (*Index, error) {
	head, err := st.Head()
	if err != nil {
		return nil, err
	}
	ix := &Index{
		rev:          head,
		built:        head,
		pos:          storage.AfterRevision(head),
		clock:        clock,
		members:      make(map[memberKey]org.Role),
		accounts:     make(map[org.AccountID]*org.Account),
		orgs:         make(map[org.OrganisationID]*orgEntry),
		roles:        newRoleTable(),
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
	for id, o := range ix.orgs {
		ix.sortAccounts(o.accounts)
		ix.orgs[id] = newOrgEntry(o.org, o.accounts, ix.accounts)
	}
	err = st.AllRoles(func(r Role) error {
		n := ix.roles.number(r.ID)
		ix.roles.perms[n], ix.roles.org[n] = r.Permissions, r.Org
		return nil
	})
	if err != nil {
		return nil, err
	}
	b := newUserBuilder()
	err = st.AllMemberships(func(m org.Membership) error {
		b.orgs = append(b.orgs, userOrg{b.user(m.User), orgRole{org: m.Org, role: m.Role}})
		ix.members[memberKey{m.User, m.Org}] = m.Role
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = st.AllGrants(func(g Grant) error {
		b.grants.add(userGrant{user: b.user(g.User), account: b.account(g.Account), role: ix.roles.number(g.Role), expires: expiryOf(g), websites: b.websiteList(g.Websites)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = st.AllFavourites(func(user org.UserID, a org.AccountID) error {
		b.favourites = append(b.favourites, userFavourite{b.user(user), a})
		return nil
	})
	if err != nil {
		return nil, err
	}
	b.build(ix)
	return ix, nil
}

// userBuilder gathers what the store holds per user, numbering users as
// they come, and then lays every user's grants out in one array: no slice
// grows and no per-user allocation is made for 100,000s of users.
type userBuilder struct {
	users      numbering[org.UserID]
	accounts   numbering[org.AccountID]
	grants     chunks[userGrant]
	orgs       []userOrg
	favourites []userFavourite
	// websites holds the website lists of the limited grants; a
	// userGrant refers to one by number (0: none).
	websites [][]org.WebsiteID
}

type (
	// userGrant holds no pointer, so the collector need not scan the
	// 100,000s of them.
	userGrant struct {
		user     int32
		account  int32
		role     uint32
		websites int32 // in userBuilder.websites; 0: the whole account
		expires  int64
	}
	userOrg struct {
		user int32
		r    orgRole
	}
	userFavourite struct {
		user    int32
		account org.AccountID
	}
)

func newUserBuilder() *userBuilder {
	return &userBuilder{users: newNumbering[org.UserID](), accounts: newNumbering[org.AccountID](), websites: [][]org.WebsiteID{nil}}
}

// websiteList numbers a grant's website limit; 0 for none.
func (b *userBuilder) websiteList(ids []org.WebsiteID) int32 {
	if len(ids) == 0 {
		return 0
	}
	b.websites = append(b.websites, ids)
	return int32(len(b.websites) - 1)
}

func (b *userBuilder) user(id org.UserID) int32       { return b.users.number(id) }
func (b *userBuilder) account(id org.AccountID) int32 { return b.accounts.number(id) }

// numbering gives keys the numbers 0, 1, 2, … in the order they come.
type numbering[K comparable] struct {
	of   map[K]int32
	keys []K
}

func newNumbering[K comparable]() numbering[K] { return numbering[K]{of: make(map[K]int32)} }

func (n *numbering[K]) number(k K) int32 {
	i, ok := n.of[k]
	if !ok {
		i = int32(len(n.keys))
		n.of[k] = i
		n.keys = append(n.keys, k)
	}
	return i
}

// build fills ix's users, grant table and user listings.
func (b *userBuilder) build(ix *Index) {
	users := make([]userEntry, len(b.users.keys))
	// Counting sort of the grants by user: count, then place.
	end := make([]int32, len(b.users.keys)+1)
	for g := range b.grants.all() {
		end[g.user+1]++
	}
	for i := 1; i < len(end); i++ {
		end[i] += end[i-1]
	}
	// The grant table is built on another core meanwhile: it reads only
	// what the builder collected and the role numbers.
	table := make(chan *grantTable)
	go func() {
		t := newGrantTable(b.grants.n)
		for g := range b.grants.all() {
			t.set(b.users.keys[g.user], b.accounts.keys[g.account], grantCell{role: g.role, expires: g.expires, present: true, websites: b.websites[g.websites]})
		}
		table <- t
	}()
	defer func() { ix.grants = <-table }()
	all := make([]grantEntry, b.grants.n)
	// allAccounts[j] is the number of all[j]'s account, as laid out here
	// (the sort of each user's grants below moves only all).
	allAccounts := make([]int32, b.grants.n)
	next := slices.Clone(end[:len(b.users.keys)])
	for g := range b.grants.all() {
		all[next[g.user]] = grantEntry{account: b.accounts.keys[g.account], role: ix.roles.ids[g.role], expires: g.expires}
		allAccounts[next[g.user]] = g.account
		next[g.user]++
	}
	for i := range users {
		users[i].grants = all[end[i]:end[i+1]:end[i+1]]
	}
	for _, m := range b.orgs {
		users[m.user].orgs = append(users[m.user].orgs, m.r)
	}
	for _, f := range b.favourites {
		users[f.user].favourite = f.account
	}
	ix.base = make(map[org.UserID]*userEntry, len(users))
	for i := range users {
		users[i].sort()
		ix.base[b.users.keys[i]] = &users[i]
	}
	b.buildListings(ix, users, end, allAccounts)
}

// buildListings fills ix's sorted user lists of every account and
// organisation. Visiting users in ID order appends to every list in
// order: one sort of the users instead of one per list. The lists are
// gathered by account and organisation number, sparing a string hash per
// grant, and each account's list is cut from one array of the right size.
func (b *userBuilder) buildListings(ix *Index, users []userEntry, end, allAccounts []int32) {
	order := make([]int32, len(b.users.keys))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return cmp.Compare(b.users.keys[x], b.users.keys[y]) })

	orgs := newNumbering[org.OrganisationID]()
	accountOrg := make([]int32, len(b.accounts.keys))
	for k, id := range b.accounts.keys {
		accountOrg[k] = orgs.number(ix.orgOf(id))
	}
	held := make([]int32, len(b.accounts.keys))
	for _, k := range allAccounts {
		held[k]++
	}
	backing := make([]org.UserID, len(allAccounts))
	accountUsers := make([][]org.UserID, len(b.accounts.keys))
	for k, n := range held {
		accountUsers[k], backing = backing[:0:n], backing[n:]
	}
	var orgUsers [][]org.UserID // by organisation number
	appendOnce := func(n int32, id org.UserID) {
		for int(n) >= len(orgUsers) {
			orgUsers = append(orgUsers, nil)
		}
		if l := orgUsers[n]; len(l) == 0 || l[len(l)-1] != id {
			orgUsers[n] = append(l, id)
		}
	}
	for _, i := range order {
		id := b.users.keys[i]
		for _, k := range allAccounts[end[i]:end[i+1]] {
			accountUsers[k] = append(accountUsers[k], id)
			appendOnce(accountOrg[k], id)
		}
		for _, r := range users[i].orgs {
			appendOnce(orgs.number(r.org), id)
		}
	}
	ix.accountUsers = make(map[org.AccountID][]org.UserID, len(accountUsers))
	for k, l := range accountUsers {
		if len(l) > 0 {
			ix.accountUsers[b.accounts.keys[k]] = l
		}
	}
	ix.orgUsers = make(map[org.OrganisationID][]org.UserID, len(orgUsers))
	for n, l := range orgUsers {
		if len(l) > 0 {
			ix.orgUsers[orgs.keys[n]] = l
		}
	}
}

// chunks collects values in fixed-size blocks: unlike a growing slice, it
// never copies what it holds, which matters for 100,000s of grants.
type chunks[T any] struct {
	blocks [][]T
	n      int
}

const chunkSize = 4096

func (c *chunks[T]) add(v T) {
	if c.n%chunkSize == 0 {
		c.blocks = append(c.blocks, make([]T, 0, chunkSize))
	}
	last := &c.blocks[len(c.blocks)-1]
	*last = append(*last, v)
	c.n++
}

// all yields pointers to the values in the order they were added.
func (c *chunks[T]) all() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, b := range c.blocks {
			for i := range b {
				if !yield(&b[i]) {
					return
				}
			}
		}
	}
}

func grantEntryOf(g Grant) grantEntry {
	return grantEntry{account: g.Account, role: g.Role, expires: expiryOf(g)}
}

// expiryOf is g's expiry in Unix nanoseconds, 0 for none.
func expiryOf(g Grant) int64 {
	if g.ExpiresAt.IsZero() {
		return 0
	}
	return g.ExpiresAt.UnixNano()
}

func (u *userEntry) sort() {
	slices.SortFunc(u.grants, func(a, b grantEntry) int { return cmp.Compare(a.account, b.account) })
	slices.SortFunc(u.orgs, func(a, b orgRole) int { return cmp.Compare(a.org, b.org) })
}

// orgIDs returns the organisations u belongs to (by role or grant), sorted.
func (ix *Index) orgIDs(u *userEntry) []org.OrganisationID {
	if u == nil {
		return nil
	}
	ids := make([]org.OrganisationID, 0, len(u.orgs)+len(u.grants))
	for _, r := range u.orgs {
		ids = append(ids, r.org)
	}
	for _, g := range u.grants {
		ids = append(ids, ix.orgOf(g.account))
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// orgOf returns the organisation of an account.
func (ix *Index) orgOf(a org.AccountID) org.OrganisationID {
	if acc := ix.accounts[a]; acc != nil {
		return acc.Org
	}
	return ""
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

// changeSet is what a run of log entries touched.
type changeSet struct {
	users    map[org.UserID]bool
	accounts map[org.AccountID]bool
	orgs     map[org.OrganisationID]bool
}

// add notes what e changed, from its action's namespace: organisations and
// their custom roles ("org.organisation.", "access.role."), accounts
// ("org.account."), and for every other entry the user it names. (Entries
// name their organisation and account also for the audit log; reloading
// those on every grant would copy every account for nothing.)
func (c *changeSet) add(e storage.Entry) {
	if e.User != "" {
		c.users[org.UserID(e.User)] = true
	}
	switch {
	case strings.HasPrefix(e.Action, "org.account.") && e.Account != "":
		c.accounts[org.AccountID(e.Account)] = true
	case (strings.HasPrefix(e.Action, "org.organisation.") || strings.HasPrefix(e.Action, "access.role.")) && e.Org != "":
		c.orgs[org.OrganisationID(e.Org)] = true
	}
}

// patch returns a copy of ix with the changed organisations, accounts and
// users reloaded from st, at revision head.
func (ix *Index) patch(st Store, ch changeSet, head storage.Revision, pos storage.Position) (*Index, error) {
	next := *ix
	next.rev, next.pos = head, pos
	if len(ch.orgs) > 0 {
		next.roles = ix.roles.clone()
	}
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
			next.delta = make(map[org.UserID]*changedUser, len(ch.users))
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
		e.accounts, e.accs, e.pos = old.accounts, old.accs, old.pos // all read-only
	}
	ix.orgs[id] = e
	roles, err := st.RolesOfOrg(id)
	if err != nil {
		return err
	}
	for n, o := range ix.roles.org {
		if o == id {
			ix.roles.perms[n] = 0 // deleted, unless listed below
		}
	}
	for _, r := range roles {
		n := ix.roles.number(r.ID)
		ix.roles.perms[n], ix.roles.org[n] = r.Permissions, r.Org
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
	ix.orgs[a.Org] = newOrgEntry(o.org, ids, ix.accounts)
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
	ix.orgUsers = resetMembers(ix.orgUsers, id, ix.orgIDs(old), ix.orgIDs(u))
	c := &changedUser{entry: u, cells: make([]accountCell, len(grants))}
	for i, g := range grants {
		c.cells[i] = accountCell{g.Account, grantCell{role: ix.roles.lookup(g.Role), expires: expiryOf(g), present: true, websites: g.Websites}}
	}
	slices.SortFunc(c.cells, func(a, b accountCell) int { return cmp.Compare(a.account, b.account) })
	ix.delta[id] = c
	if !slices.Equal(old.orgRoles(), u.orgRoles()) {
		ix.setMembers(id, old.orgRoles(), u.orgRoles())
	}
	return nil
}

// grantList and orgRoles return u's grants and organisation roles; none
// for a nil u (a user who holds nothing).
func (u *userEntry) grantList() []grantEntry {
	if u == nil {
		return nil
	}
	return u.grants
}

func (u *userEntry) orgRoles() []orgRole {
	if u == nil {
		return nil
	}
	return u.orgs
}

// setMembers replaces user's organisation roles in a copy of the members map.
func (ix *Index) setMembers(user org.UserID, was, is []orgRole) {
	ix.members = maps.Clone(ix.members)
	for _, r := range was {
		delete(ix.members, memberKey{user, r.org})
	}
	for _, r := range is {
		ix.members[memberKey{user, r.org}] = r.role
	}
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

// fold merges the delta into a new base and a new grant table: a changed
// user's grants replace all those the table held for them.
func (ix *Index) fold() {
	base := maps.Clone(ix.base)
	changes := make(map[grantKey]grantCell)
	for id, c := range ix.delta {
		for _, g := range base[id].grantList() {
			changes[grantKey{id, g.account}] = grantCell{} // removed, unless set below
		}
		for _, g := range c.cells {
			changes[grantKey{id, g.account}] = g.cell
		}
		if c.entry == nil {
			delete(base, id)
		} else {
			base[id] = c.entry
		}
	}
	ix.base, ix.delta = base, nil
	ix.grants = ix.grants.with(changes)
}
