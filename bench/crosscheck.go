package bench

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
	"github.com/orgspace/orgspace/org"
)

// Named is an Engine with the name of its library.
type Named struct {
	Name string
	Engine
}

// CheckMix is the mix of the cross-check's and the benchmarks' checks:
// synthetic.Realistic without expired grants, which the set has none of.
func CheckMix() synthetic.Mix {
	m := synthetic.Realistic()
	delete(m, synthetic.ExpiredDenies)
	return m
}

// Expected is what every engine must answer on a Set, computed from the
// set's rows alone.
type Expected struct {
	accounts map[org.UserID][]org.AccountID
	users    map[org.AccountID][]org.UserID
}

// NewExpected computes the listings of s from its grants and Owners.
func NewExpected(s *Set) *Expected {
	x := &Expected{accounts: map[org.UserID][]org.AccountID{}, users: map[org.AccountID][]org.UserID{}}
	for _, g := range s.Grants {
		x.accounts[g.User] = append(x.accounts[g.User], g.Account)
		x.users[g.Account] = append(x.users[g.Account], g.User)
	}
	for _, a := range s.Accounts {
		for _, u := range s.OwnersOf[a.Org] {
			x.accounts[u] = append(x.accounts[u], a.ID)
		}
	}
	for u, as := range x.accounts {
		slices.Sort(as)
		x.accounts[u] = slices.Compact(as)
	}
	for _, us := range x.users {
		slices.Sort(us)
	}
	return x
}

// AccountsOf returns the accounts user can open, sorted.
func (x *Expected) AccountsOf(user org.UserID) []org.AccountID { return x.accounts[user] }

// UsersOfAccount returns the holders of a grant on account, sorted.
func (x *Expected) UsersOfAccount(account org.AccountID) []org.UserID { return x.users[account] }

// crossCheckMaxReported is the most differences a failed cross-check names.
const crossCheckMaxReported = 20

// CrossCheck asks every engine the same checks and listings, drawn from
// seed, and returns an error naming the differences when any engine's
// answer differs from the expected one. Of the checks, four in five are
// drawn by synthetic (allowed by a grant or ownership, denied for want of
// a grant or of the permission), each with its known answer, and one in
// five is a uniformly random user, account and permission, answered from
// the set's rows. Of the listings, half are the accounts of a user (an
// Owner, an agency user or any user, in turn) and half the users of a
// random account.
func CrossCheck(s *Set, engines []Named, checks, listings int, seed uint64) error {
	x := NewExpected(s)
	drawn, err := s.Queries(checks-checks/5, seed, CheckMix())
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	perms := Permissions()
	for range checks / 5 {
		u := s.Users[r.IntN(len(s.Users))].ID
		a := s.Accounts[r.IntN(len(s.Accounts))].ID
		p := perms[r.IntN(len(perms))]
		drawn = append(drawn, synthetic.Query{User: u, Account: a, Permission: p, Allowed: x.allows(s, u, a, p)})
	}
	var diffs []string
	report := func(format string, args ...any) {
		if len(diffs) < crossCheckMaxReported {
			diffs = append(diffs, fmt.Sprintf(format, args...))
		}
	}
	failed := 0
	for _, q := range drawn {
		for _, e := range engines {
			got, err := e.Check(q.User, q.Account, q.Permission)
			if err != nil || got != q.Allowed {
				failed++
				report("%s: Check(%s, %s, %s) = %v (error %v), want %v", e.Name, q.User, q.Account, q.Permission, got, err, q.Allowed)
			}
		}
	}
	owners := slices.Sorted(maps.Keys(ownerSet(s)))
	for i := range listings {
		if i%2 == 0 {
			var u org.UserID
			switch i / 2 % 3 {
			case 0:
				u = owners[r.IntN(len(owners))]
			case 1:
				u = s.Agencies[r.IntN(len(s.Agencies))]
			default:
				u = s.Users[r.IntN(len(s.Users))].ID
			}
			want := x.AccountsOf(u)
			for _, e := range engines {
				got, err := e.AccountsOf(u)
				if err != nil || !sameMembers(got, want) {
					failed++
					report("%s: AccountsOf(%s) = %s (error %v), want %s", e.Name, u, short(got), err, short(want))
				}
			}
			continue
		}
		a := s.Accounts[r.IntN(len(s.Accounts))].ID
		want := x.UsersOfAccount(a)
		for _, e := range engines {
			got, err := e.UsersOfAccount(a)
			if err != nil || !sameMembers(got, want) {
				failed++
				report("%s: UsersOfAccount(%s) = %s (error %v), want %s", e.Name, a, short(got), err, short(want))
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("bench: %d of %d answers differ:\n%s", failed, (len(drawn)+listings)*len(engines), strings.Join(diffs, "\n"))
	}
	return nil
}

// allows is orgspace's rule on the set: an Owner holds every permission
// on the accounts of their organisation, a grant its role's on its
// account.
func (x *Expected) allows(s *Set, u org.UserID, a org.AccountID, p access.Permission) bool {
	if slices.Contains(s.OwnersOf[s.OrgOf[a]], u) {
		return true
	}
	if !slices.Contains(x.users[a], u) {
		return false
	}
	for _, g := range s.GrantsOf(s.UserIndex(u)) {
		if g.Account == a {
			return s.Permissions(g.Role).Has(p)
		}
	}
	return false
}

// sameMembers reports whether two listings hold the same IDs, in whatever
// order (each library lists in its own), nil and empty alike.
func sameMembers[T ~string](a, b []T) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// ownerSet returns the set's Owners.
func ownerSet(s *Set) map[org.UserID]bool {
	out := map[org.UserID]bool{}
	for _, us := range s.OwnersOf {
		for _, u := range us {
			out[u] = true
		}
	}
	return out
}

// short formats a listing for an error message: its length and first IDs.
func short[T ~string](ids []T) string {
	const shown = 5
	parts := make([]string, 0, shown)
	for _, id := range ids[:min(len(ids), shown)] {
		parts = append(parts, string(id))
	}
	if len(ids) > shown {
		parts = append(parts, "…")
	}
	return fmt.Sprintf("%d [%s]", len(ids), strings.Join(parts, " "))
}
