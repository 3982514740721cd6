package synthetic

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// Kind is the reason a Query is allowed or denied.
type Kind uint8

// Kinds of Query.
const (
	// GrantAllows: an active grant (time-bound or not, in the proportion of
	// the set) whose role holds the permission.
	GrantAllows Kind = iota
	// ExpiringGrantAllows: an active grant with an expiry in the future
	// whose role holds the permission; checking it reads the clock.
	ExpiringGrantAllows
	// OwnerAllows: an Owner, on an account of their organisation, any
	// permission.
	OwnerAllows
	// NoGrantDenies: an ordinary or agency user on an account where they
	// hold nothing.
	NoGrantDenies
	// RoleDenies: an active grant whose role lacks the permission.
	RoleDenies
	// ExpiredDenies: a grant that has expired, whose role holds the
	// permission.
	ExpiredDenies

	numKinds
)

var kindNames = [numKinds]string{"grant-allows", "expiring-grant-allows", "owner-allows", "no-grant-denies", "role-denies", "expired-denies"}

// String names the kind, e.g. "grant-allows".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Query is a permission check with its expected answer.
type Query struct {
	User       org.UserID
	Account    org.AccountID
	Permission access.Permission
	Kind       Kind
	// Allowed is what Check must answer.
	Allowed bool
}

// Mix weighs the kinds of Query drawn by Dataset.Queries.
type Mix map[Kind]int

// Realistic is a mix of the checks an application makes: half allowed by a
// grant, a tenth by the Owner role, and 40% denied (no grant on the
// account, a role without the permission, an expired grant).
func Realistic() Mix {
	return Mix{GrantAllows: 50, OwnerAllows: 10, NoGrantDenies: 25, RoleDenies: 10, ExpiredDenies: 5}
}

// Queries draws n checks in the proportions of mix, deterministically from
// seed. Their IDs are copies, not the strings of the set. It fails when mix
// asks for a kind the set has no example of.
func (d *Dataset) Queries(n int, seed uint64, mix Mix) ([]Query, error) {
	var active, expiring, expired []int
	now := d.Epoch
	for i, g := range d.Grants {
		switch {
		case g.ExpiresAt.IsZero():
			active = append(active, i)
		case g.ExpiresAt.After(now):
			active = append(active, i)
			expiring = append(expiring, i)
		default:
			expired = append(expired, i)
		}
	}
	pool := [numKinds][]int{GrantAllows: active, ExpiringGrantAllows: expiring, RoleDenies: active, ExpiredDenies: expired}
	total := 0
	for k, w := range mix {
		if k >= numKinds || w < 0 {
			return nil, fmt.Errorf("synthetic: mix weight %d for %v", w, k)
		}
		if w > 0 && k != OwnerAllows && k != NoGrantDenies && len(pool[k]) == 0 {
			return nil, fmt.Errorf("synthetic: the set has no grant for %v queries", k)
		}
		total += w
	}
	if total == 0 {
		return nil, fmt.Errorf("synthetic: empty mix")
	}
	r := rand.New(rand.NewPCG(seed, seed^0x632be59bd9b4e019))
	pick := func(ps access.Permissions) access.Permission {
		l := ps.List()
		return l[r.IntN(len(l))]
	}
	out := make([]Query, 0, n)
	for range n {
		var k Kind
		for x := r.IntN(total); ; k++ {
			if x -= mix[k]; x < 0 {
				break
			}
		}
		q := Query{Kind: k}
		switch k {
		case GrantAllows, ExpiringGrantAllows, ExpiredDenies:
			g := d.Grants[pool[k][r.IntN(len(pool[k]))]]
			q.User, q.Account, q.Permission = g.User, g.Account, pick(d.perms[g.Role])
			q.Allowed = k != ExpiredDenies
		case RoleDenies:
			g := d.Grants[pool[k][r.IntN(len(pool[k]))]]
			lacks := access.AccountPermissions &^ d.perms[g.Role]
			if lacks == 0 {
				lacks = access.OrganisationPermissions
			}
			q.User, q.Account, q.Permission = g.User, g.Account, pick(lacks)
		case OwnerAllows:
			o := r.IntN(len(d.Organisations))
			accs := d.OrganisationAccounts(o)
			owner := d.owners[o][0]
			if n := len(d.owners[o]); n > 1 {
				owner = d.owners[o][r.IntN(n)]
			}
			q.User, q.Account, q.Permission = d.Users[owner].ID, accs[r.IntN(len(accs))].ID, pick(access.AllPermissions)
			q.Allowed = true
		case NoGrantDenies:
			u := d.Config.allOwners() + marked + r.IntN(d.Config.ordinary())
			held := d.GrantsOf(u)
			for {
				a := d.Accounts[r.IntN(len(d.Accounts))].ID
				if !slices.ContainsFunc(held, func(g access.Grant) bool { return g.Account == a }) {
					q.Account = a
					break
				}
			}
			q.User, q.Permission = d.Users[u].ID, pick(access.AccountPermissions)
		}
		// A request carries its own copies of the IDs: a lookup must
		// compare their bytes, not only pointers to the set's strings.
		q.User, q.Account = org.UserID(strings.Clone(string(q.User))), org.AccountID(strings.Clone(string(q.Account)))
		out = append(out, q)
	}
	return out, nil
}
