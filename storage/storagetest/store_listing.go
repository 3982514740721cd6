package storagetest

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// storeShuffled returns a copy of s in a fixed pseudo-random order, so
// that objects are not inserted in ID order.
func storeShuffled[T any](s []T) []T {
	s = slices.Clone(s)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// storeListingSeed has 7 organisations, and 14 accounts, 14 invitations
// and 6 roles alternating between org-01 (odd numbers) and org-02 (even
// numbers), all inserted out of order.
func storeListingSeed() storeSeed {
	var s storeSeed
	for _, id := range storeShuffled(sf.ids("org", 7)) {
		s.Orgs = append(s.Orgs, sf.org(id))
	}
	for i, id := range sf.ids("acc", 14) {
		s.Accounts = append(s.Accounts, sf.account(id, storeListingOrg(i)))
	}
	for i, id := range sf.ids("inv", 14) {
		s.Invitations = append(s.Invitations, sf.invitation(id, storeListingOrg(i)))
	}
	for i, id := range sf.ids("role", 6) {
		s.Roles = append(s.Roles, sf.role(id, storeListingOrg(i)))
	}
	s.Accounts = storeShuffled(s.Accounts)
	s.Invitations = storeShuffled(s.Invitations)
	s.Roles = storeShuffled(s.Roles)
	return s
}

// storeListingOrg is the organisation of the i-th (from 0) object.
func storeListingOrg(i int) string {
	if i%2 == 0 {
		return "org-01"
	}
	return "org-02"
}

// storeListing is an ID-ordered listing under test, reduced to IDs.
type storeListing struct {
	name string
	list func(st orgspace.Store, after string, limit int) ([]string, error)
	want []string
}

func storeListings() []storeListing {
	var odd, even []string
	for i, id := range sf.ids("x", 14) {
		if i%2 == 0 {
			odd = append(odd, id[2:])
		} else {
			even = append(even, id[2:])
		}
	}
	prefixed := func(prefix string, ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = prefix + "-" + id
		}
		return out
	}
	accounts := func(o string) func(st orgspace.Store, after string, limit int) ([]string, error) {
		return func(st orgspace.Store, after string, limit int) ([]string, error) {
			return storeIDs(st.ListAccounts(org.OrganisationID(o), org.AccountID(after), limit))
		}
	}
	invitations := func(o string) func(st orgspace.Store, after string, limit int) ([]string, error) {
		return func(st orgspace.Store, after string, limit int) ([]string, error) {
			return storeIDs(st.ListInvitations(org.OrganisationID(o), access.InvitationID(after), limit))
		}
	}
	return []storeListing{
		{"ListOrganisations", func(st orgspace.Store, after string, limit int) ([]string, error) {
			return storeIDs(st.ListOrganisations(org.OrganisationID(after), limit))
		}, sf.ids("org", 7)},
		{"ListAccountsOfOrg01", accounts("org-01"), prefixed("acc", odd)},
		{"ListAccountsOfOrg02", accounts("org-02"), prefixed("acc", even)},
		{"ListAccountsOfOrgWithout", accounts("org-03"), nil},
		{"ListInvitationsOfOrg01", invitations("org-01"), prefixed("inv", odd)},
		{"ListInvitationsOfOrg02", invitations("org-02"), prefixed("inv", even)},
		{"ListInvitationsOfOrgWithout", invitations("org-03"), nil},
	}
}

// storeIDs turns a listing into the IDs of its items.
func storeIDs[T any](items []T, err error) ([]string, error) {
	ids := make([]string, len(items))
	for i, v := range items {
		switch v := any(v).(type) {
		case org.Organisation:
			ids[i] = string(v.ID)
		case org.Account:
			ids[i] = string(v.ID)
		case access.Invitation:
			ids[i] = string(v.ID)
		case access.Role:
			ids[i] = string(v.ID)
		case org.Membership:
			ids[i] = string(v.Org)
		case access.Grant:
			ids[i] = string(v.Account)
		default:
			panic(fmt.Sprintf("storagetest: no ID for %T", v))
		}
	}
	return ids, err
}

// storePagination pages through every ID-ordered listing with several page
// sizes: every item comes exactly once, in ID order, pages are full but for
// the last, and no listing shows another organisation's objects.
func storePagination(t *testing.T, db storeDB) {
	db.seed(storeListingSeed())
	for _, l := range storeListings() {
		t.Run(l.name, func(t *testing.T) {
			db := db.on(t)
			for _, limit := range []int{1, 2, 3, 7, 8, 1000} {
				var pages [][]string
				db.view(func(st orgspace.Store) error {
					after := ""
					for len(pages) <= len(l.want) {
						page, err := l.list(st, after, limit)
						if err != nil {
							return err
						}
						pages = append(pages, page)
						if len(page) < limit {
							break
						}
						after = page[len(page)-1]
					}
					return nil
				})
				var got []string
				for i, page := range pages {
					if len(page) > limit || (i < len(pages)-1 && len(page) != limit) {
						t.Errorf("limit %d: page %d has %d items", limit, i, len(page))
					}
					got = append(got, page...)
				}
				if diff := storeDiff(l.want, got); diff != "" {
					t.Errorf("limit %d: pages %v (-want +got):\n%s", limit, pages, diff)
				}
			}
			db.view(func(st orgspace.Store) error {
				if len(l.want) < 3 {
					return nil
				}
				// After an ID that is not stored: the items above it.
				got, err := l.list(st, l.want[1]+"~", 1000)
				if err != nil {
					return err
				}
				if diff := storeDiff(l.want[2:], got); diff != "" {
					t.Errorf("after %q (-want +got):\n%s", l.want[1]+"~", diff)
				}
				// After the last ID: nothing.
				if got, err = l.list(st, l.want[len(l.want)-1], 1000); err != nil || len(got) != 0 {
					t.Errorf("after the last ID: %v, %v; want nothing", got, err)
				}
				return nil
			})
		})
	}
}

// storeListingLimit refuses listings whose limit is not positive.
func storeListingLimit(t *testing.T, db storeDB) {
	db.seed(storeListingSeed())
	for _, l := range storeListings() {
		for _, limit := range []int{0, -1} {
			t.Run(fmt.Sprintf("%s/%d", l.name, limit), func(t *testing.T) {
				err := db.tx.View(t.Context(), storage.Latest(), func(st orgspace.Store) error {
					_, err := l.list(st, "", limit)
					return err
				})
				if !errors.Is(err, storage.ErrInvalidArgument) {
					t.Errorf("error %v, want ErrInvalidArgument", err)
				}
			})
		}
	}
}

// storeListingValues checks that listings return whole objects, equal to
// what was stored, and RolesOfOrg its organisation's roles in ID order.
func storeListingValues(t *testing.T, db storeDB) {
	seed := storeListingSeed()
	db.seed(seed)
	byOrg := func(o string) (accounts []org.Account, invs []access.Invitation, roles []access.Role) {
		for _, a := range seed.Accounts {
			if a.Org == org.OrganisationID(o) {
				accounts = append(accounts, a)
			}
		}
		for _, inv := range seed.Invitations {
			if inv.Org == org.OrganisationID(o) {
				invs = append(invs, inv)
			}
		}
		for _, r := range seed.Roles {
			if r.Org == org.OrganisationID(o) {
				roles = append(roles, r)
			}
		}
		slices.SortFunc(accounts, func(a, b org.Account) int { return cmp.Compare(a.ID, b.ID) })
		slices.SortFunc(invs, func(a, b access.Invitation) int { return cmp.Compare(a.ID, b.ID) })
		slices.SortFunc(roles, func(a, b access.Role) int { return cmp.Compare(a.ID, b.ID) })
		return
	}
	orgs := slices.Clone(seed.Orgs)
	slices.SortFunc(orgs, func(a, b org.Organisation) int { return cmp.Compare(a.ID, b.ID) })
	db.view(func(st orgspace.Store) error {
		got, err := st.ListOrganisations("", 1000)
		if err != nil {
			return err
		}
		if diff := storeDiff(orgs, got); diff != "" {
			t.Errorf("ListOrganisations (-want +got):\n%s", diff)
		}
		for _, o := range []string{"org-01", "org-02", "org-03"} {
			accounts, invs, roles := byOrg(o)
			gotAccounts, err := st.ListAccounts(org.OrganisationID(o), "", 1000)
			if err != nil {
				return err
			}
			if diff := storeDiff(accounts, gotAccounts); diff != "" {
				t.Errorf("ListAccounts(%s) (-want +got):\n%s", o, diff)
			}
			gotInvs, err := st.ListInvitations(org.OrganisationID(o), "", 1000)
			if err != nil {
				return err
			}
			if diff := storeDiff(invs, gotInvs); diff != "" {
				t.Errorf("ListInvitations(%s) (-want +got):\n%s", o, diff)
			}
			gotRoles, err := st.RolesOfOrg(org.OrganisationID(o))
			if err != nil {
				return err
			}
			if diff := storeDiff(roles, gotRoles); diff != "" {
				t.Errorf("RolesOfOrg(%s) (-want +got):\n%s", o, diff)
			}
		}
		return nil
	})
}

// storeUserListings checks GrantsOfUser (by account ID) and
// MembershipsOfUser (by organisation ID): a user's own, in order.
func storeUserListings(t *testing.T, db storeDB) {
	var s storeSeed
	for _, id := range sf.ids("org", 5) {
		s.Orgs = append(s.Orgs, sf.org(id))
	}
	for i, id := range sf.ids("acc", 8) {
		s.Accounts = append(s.Accounts, sf.account(id, sf.ids("org", 5)[i%5]))
	}
	s.Users = []org.User{sf.user("user-1"), sf.user("user-2"), sf.user("user-3")}
	var memberships1 []org.Membership
	for i, o := range sf.ids("org", 5) {
		memberships1 = append(memberships1, sf.membership(o, "user-1", org.Role(1+i%2)))
	}
	var grants1 []access.Grant
	for _, a := range s.Accounts {
		grants1 = append(grants1, sf.grant("user-1", string(a.ID), string(a.Org), access.Editor))
	}
	memberships2 := []org.Membership{sf.membership("org-02", "user-2", org.Owner), sf.membership("org-04", "user-2", org.Member)}
	grants2 := []access.Grant{sf.grant("user-2", "acc-03", "org-03", access.Observer), sf.grant("user-2", "acc-07", "org-02", access.Editor)}
	s.Memberships = storeShuffled(slices.Concat(memberships1, memberships2))
	s.Grants = storeShuffled(slices.Concat(grants1, grants2))
	db.seed(s)

	db.view(func(st orgspace.Store) error {
		for _, tc := range []struct {
			user        org.UserID
			memberships []org.Membership
			grants      []access.Grant
		}{
			{"user-1", memberships1, grants1},
			{"user-2", memberships2, grants2},
			{"user-3", nil, nil},
			{"user-x", nil, nil},
		} {
			ms, err := st.MembershipsOfUser(tc.user)
			if err != nil {
				return err
			}
			if diff := storeDiff(tc.memberships, ms); diff != "" {
				t.Errorf("MembershipsOfUser(%s) (-want +got):\n%s", tc.user, diff)
			}
			gs, err := st.GrantsOfUser(tc.user)
			if err != nil {
				return err
			}
			if diff := storeDiff(tc.grants, gs); diff != "" {
				t.Errorf("GrantsOfUser(%s) (-want +got):\n%s", tc.user, diff)
			}
		}
		return nil
	})
}
