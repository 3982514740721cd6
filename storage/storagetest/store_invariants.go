package storagetest

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// problems returns the ways in which the listings, lookups and counters of
// s disagree with its objects: an index a write forgot to update.
func (s storeSnapshot) problems() []string {
	var out []string
	report := func(what string, want, got any) {
		if diff := storeDiff(want, got); diff != "" {
			out = append(out, fmt.Sprintf("%s disagrees with the objects (-want +got):\n%s", what, diff))
		}
	}
	for o, got := range s.AccountsOfOrg {
		report("ListAccounts("+o+")", storeFilterSorted(s.Accounts,
			func(a org.Account) bool { return string(a.Org) == o },
			func(a, b org.Account) int { return cmp.Compare(a.ID, b.ID) }), got)
	}
	for o, got := range s.RolesOfOrg {
		report("RolesOfOrg("+o+")", storeFilterSorted(s.Roles,
			func(r access.Role) bool { return string(r.Org) == o },
			func(a, b access.Role) int { return cmp.Compare(a.ID, b.ID) }), got)
	}
	for u, got := range s.MembershipsOfUser {
		report("MembershipsOfUser("+u+")", storeFilterSorted(s.Memberships,
			func(m org.Membership) bool { return string(m.User) == u },
			func(a, b org.Membership) int { return cmp.Compare(a.Org, b.Org) }), got)
	}
	for u, got := range s.GrantsOfUser {
		report("GrantsOfUser("+u+")", storeFilterSorted(s.Grants,
			func(g access.Grant) bool { return string(g.User) == u },
			func(a, b access.Grant) int { return cmp.Compare(a.Account, b.Account) }), got)
	}
	for key, got := range s.Members {
		n := 0
		for _, m := range s.Memberships {
			if string(m.Org)+"/"+m.Role.String() == key {
				n++
			}
		}
		report("CountMembers("+key+")", n, got)
	}
	for r, got := range s.GrantsWithRole {
		n := 0
		for _, g := range s.Grants {
			if string(g.Role) == r {
				n++
			}
		}
		report("CountGrantsWithRole("+r+")", n, got)
	}
	for id, got := range s.RoleByID {
		i := slices.IndexFunc(s.Roles, func(r access.Role) bool { return string(r.ID) == id })
		want := storeLookup[access.Role]{}
		if i >= 0 {
			want = storeLookup[access.Role]{Found: true, Value: s.Roles[i]}
		}
		report("Role("+id+")", want, got)
	}
	for u, got := range s.Favourite {
		report("Favourite("+u+")", s.Favourites[org.UserID(u)], got)
	}
	for u, got := range s.Users {
		report("UserByEmail of "+u, got, s.UsersByEmail[sf.user(u).Email])
	}
	// Every invitation listed is the one looked up by ID, every invitation
	// looked up is listed, and every token hash finds the invitation that
	// has it.
	var invs []access.Invitation
	listed := map[access.InvitationID]bool{}
	for o, page := range s.InvitationsOfOrg {
		for _, inv := range page {
			invs = append(invs, inv)
			listed[inv.ID] = true
			if string(inv.Org) != o {
				out = append(out, fmt.Sprintf("ListInvitations(%s) includes %s of %s", o, inv.ID, inv.Org))
			}
			if got, ok := s.Invitations[string(inv.ID)]; ok {
				report("Invitation("+string(inv.ID)+")", storeLookup[access.Invitation]{Found: true, Value: inv}, got)
			}
		}
	}
	for id, got := range s.Invitations {
		if !got.Found {
			continue
		}
		if _, probed := s.InvitationsOfOrg[string(got.Value.Org)]; probed && !listed[got.Value.ID] {
			out = append(out, fmt.Sprintf("ListInvitations(%s) misses %s", got.Value.Org, id))
		}
		invs = append(invs, got.Value)
	}
	for h, got := range s.InvitationByToken {
		want := storeLookup[access.Invitation]{}
		for _, inv := range invs {
			if hex.EncodeToString(inv.TokenHash) == h {
				want = storeLookup[access.Invitation]{Found: true, Value: inv}
			}
		}
		report("InvitationByToken("+h[:8]+"…)", want, got)
	}
	for _, inv := range invs {
		if got, ok := s.InvitationByToken[hex.EncodeToString(inv.TokenHash)]; ok && (!got.Found || !bytes.Equal(got.Value.TokenHash, inv.TokenHash)) {
			out = append(out, fmt.Sprintf("InvitationByToken does not find %s", inv.ID))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// storeFilterSorted returns the items of s that keep accepts, sorted by compare.
func storeFilterSorted[T any](s []T, keep func(T) bool, compare func(a, b T) int) []T {
	var out []T
	for _, v := range s {
		if keep(v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, compare)
	return out
}
