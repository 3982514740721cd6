package bench

import (
	"cmp"
	"slices"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/internal/synthetic"
	"github.com/orgspace/orgspace/org"
)

// Set is a generated data set with the lookups every library's loader
// needs.
type Set struct {
	*synthetic.Dataset
	// OrgOf is the organisation of each account.
	OrgOf map[org.AccountID]org.OrganisationID
	// OwnersOf lists the Owners of each organisation.
	OwnersOf map[org.OrganisationID][]org.UserID
	// Roles are the built-in roles and the set's custom roles, in that
	// order, each with its permissions.
	Roles []access.Role
}

// Full is the set of the benchmarks: synthetic.Comparison().
func Full() synthetic.Config { return synthetic.Comparison() }

// Tenth is Full with a tenth of its users and grants (10,000 and 30,000)
// and the same organisations, accounts and Owners: the set of a library
// for which the full one is impractical (Library.Tenth).
func Tenth() synthetic.Config {
	c := synthetic.Comparison()
	c.Users, c.Grants = 10_000, 30_000
	return c
}

// Small is Full scaled down to a unit test: 3 organisations, 150
// accounts, 300 users, 800 grants, with Owners and agency users.
func Small() synthetic.Config {
	c := synthetic.Comparison()
	c.Organisations, c.AccountsPerOrganisation, c.Users, c.Grants = 3, 50, 300, 800
	return c
}

// NewSet generates the set c describes.
func NewSet(c synthetic.Config) (*Set, error) {
	ds, err := synthetic.Generate(c)
	if err != nil {
		return nil, err
	}
	s := &Set{
		Dataset:  ds,
		OrgOf:    make(map[org.AccountID]org.OrganisationID, len(ds.Accounts)),
		OwnersOf: make(map[org.OrganisationID][]org.UserID, len(ds.Organisations)),
		Roles:    slices.Concat(access.BuiltinRoles(), ds.Roles),
	}
	for _, a := range ds.Accounts {
		s.OrgOf[a.ID] = a.Org
	}
	for i, o := range ds.Organisations {
		s.OwnersOf[o.ID] = ds.Owners(i)
	}
	return s, nil
}

// Permissions are all the permissions a check may ask for, in order.
func Permissions() []access.Permission { return access.AllPermissions.List() }

// UserIndex returns the index of user in s.Users (whose IDs sort in index
// order), or len(s.Users) when the set has no such user.
func (s *Set) UserIndex(user org.UserID) int {
	i, ok := slices.BinarySearchFunc(s.Users, user, func(u org.User, id org.UserID) int { return cmp.Compare(u.ID, id) })
	if !ok {
		return len(s.Users)
	}
	return i
}
