package synthetic

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Config shapes a data set. The same Config always generates the same
// Dataset.
type Config struct {
	// Seed seeds the random choices.
	Seed uint64
	// Organisations is the number of organisations (at least 2), each with
	// its Owners and one custom role.
	Organisations int
	// MaxOwners is the most Owners an organisation has: organisation i has
	// 1 + i%MaxOwners of them. 0 means 1.
	MaxOwners int
	// AccountsPerOrganisation is the number of accounts of each organisation
	// (at least 50), of the products Engage, Loyalty and Events in turn.
	AccountsPerOrganisation int
	// Users is the number of users, the Owners and the two marked users
	// included.
	Users int
	// AgencyPercent of the ordinary users (neither Owners nor marked) are
	// agency users, who work across organisations: each holds 50 to 100
	// grants ([AgencyMinGrants], [AgencyMaxGrants]) on accounts of 2 or
	// more organisations.
	AgencyPercent int
	// Grants is the number of grants. The marked users hold 101 of them;
	// every other ordinary user holds 1 to 5, on accounts of 1 to 3
	// organisations, so Grants must lie between 101+n+50a and 101+5n+100a,
	// n being the number of those users and a the number of agency users.
	Grants int
	// ExpiringPercent of the other users' grants end in the future (after
	// the year 2100), and ExpiredPercent ended in the past (in 2000).
	ExpiringPercent, ExpiredPercent int
	// Batch is the most objects Load writes in one transaction; 0 means
	// 50,000.
	Batch int
}

// Default is the set of the access-index benchmarks: 10 organisations,
// 1,000 accounts, 100,000 users and 300,000 grants, 10% of them time-bound
// and 2% expired.
func Default() Config {
	return Config{
		Seed:                    1,
		Organisations:           10,
		AccountsPerOrganisation: 100,
		Users:                   100_000,
		Grants:                  300_000,
		ExpiringPercent:         10,
		ExpiredPercent:          2,
	}
}

// Comparison is the set orgspace is compared on with other authorisation
// libraries (the separate bench module): the size of Default, 1 to 3
// Owners per organisation, 1% agency users, and no time-bound grant, since
// the peers' models as compared have no notion of a grant's end.
func Comparison() Config {
	c := Default()
	c.MaxOwners = 3
	c.AgencyPercent = 1
	c.ExpiringPercent, c.ExpiredPercent = 0, 0
	return c
}

// marked is the number of marked users (OneAccount and HundredAccounts).
const marked = 2

// The number of grants an agency user holds lies in [AgencyMinGrants,
// AgencyMaxGrants].
const (
	AgencyMinGrants = 50
	AgencyMaxGrants = 100
)

// maxOwners returns MaxOwners, 0 read as 1.
func (c Config) maxOwners() int { return max(c.MaxOwners, 1) }

// owners returns the number of Owners of organisation i.
func (c Config) owners(i int) int { return 1 + i%c.maxOwners() }

// allOwners returns the number of Owners of all the organisations.
func (c Config) allOwners() int {
	n := 0
	for i := range c.Organisations {
		n += c.owners(i)
	}
	return n
}

// ordinary returns the number of users who are neither Owners nor marked,
// agency users included.
func (c Config) ordinary() int { return c.Users - c.allOwners() - marked }

// agencies returns the number of agency users.
func (c Config) agencies() int { return max(c.ordinary(), 0) * c.AgencyPercent / 100 }

// Check reports whether c describes a set that can be generated.
func (c Config) Check() error {
	n, a := c.ordinary()-c.agencies(), c.agencies()
	lo, hi := 101+n+AgencyMinGrants*a, 101+5*n+AgencyMaxGrants*a
	switch {
	case c.Organisations < 2:
		return fmt.Errorf("synthetic: %d organisations, want at least 2", c.Organisations)
	case c.AccountsPerOrganisation < 50:
		return fmt.Errorf("synthetic: %d accounts per organisation, want at least 50", c.AccountsPerOrganisation)
	case c.MaxOwners < 0:
		return fmt.Errorf("synthetic: MaxOwners %d is negative", c.MaxOwners)
	case c.AgencyPercent < 0 || c.AgencyPercent > 100:
		return fmt.Errorf("synthetic: AgencyPercent %d is not a percentage", c.AgencyPercent)
	case c.ordinary() < 1:
		return fmt.Errorf("synthetic: %d users, want more than %d", c.Users, c.allOwners()+marked)
	case c.Grants < lo || c.Grants > hi:
		return fmt.Errorf("synthetic: %d grants for %d users (%d of them agency users), want %d to %d", c.Grants, c.Users, a, lo, hi)
	case c.ExpiringPercent < 0 || c.ExpiredPercent < 0 || c.ExpiringPercent+c.ExpiredPercent > 100:
		return fmt.Errorf("synthetic: expiring %d%% and expired %d%% of the grants", c.ExpiringPercent, c.ExpiredPercent)
	case c.Batch < 0:
		return fmt.Errorf("synthetic: batch %d is negative", c.Batch)
	}
	return nil
}

// Dataset is a generated data set. Its slices are in ID order, and the
// index of an object in them is the number in its ID.
type Dataset struct {
	Config Config
	// Epoch is the creation time of every object.
	Epoch time.Time

	Organisations []org.Organisation
	// Accounts holds the accounts of Organisations[i] at
	// [i*AccountsPerOrganisation, (i+1)*AccountsPerOrganisation).
	Accounts []org.Account
	// Roles holds one custom role per organisation: Roles[i] belongs to
	// Organisations[i].
	Roles []access.Role
	// Users holds the Owners first (Users[i] is the first Owner of
	// Organisations[i]; the others follow, organisation by organisation),
	// then OneAccount, HundredAccounts, and the ordinary users, agency users
	// among them.
	Users []org.User
	// Memberships makes each Owner the Owner of their organisation.
	Memberships []org.Membership
	// Grants holds the grants grouped by user, in the order of Users.
	Grants []access.Grant

	// OneAccount is a user with one grant and so one accessible account.
	OneAccount org.UserID
	// HundredAccounts is a user with 100 grants, 50 on accounts of each of
	// two organisations, none time-bound: 100 accessible accounts.
	HundredAccounts org.UserID
	// Agencies lists the agency users, in the order of Users.
	Agencies []org.UserID

	// owners[i] lists the indexes in Users of the Owners of
	// Organisations[i].
	owners [][]int

	// userGrants[i] is the index in Grants of the first grant of Users[i];
	// userGrants[len(Users)] is len(Grants).
	userGrants []int
	perms      map[access.RoleID]access.Permissions
}

// id formats prefix_<i>, zero-padded to the width of n-1 so that IDs sort
// in index order.
func id(prefix string, i, n int) string {
	w := len(strconv.Itoa(max(n-1, 0)))
	return fmt.Sprintf("%s_%0*d", prefix, w, i)
}

// Generate builds the data set c describes, or returns why it cannot.
func Generate(c Config) (*Dataset, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	d := &Dataset{Config: c, Epoch: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), perms: map[access.RoleID]access.Permissions{}}
	for _, b := range access.BuiltinRoles() {
		d.perms[b.ID] = b.Permissions
	}
	products := []org.Product{org.Engage, org.Loyalty, org.Events}
	nAcc := c.Organisations * c.AccountsPerOrganisation
	for i := range c.Organisations {
		o := org.Organisation{
			ID:        org.OrganisationID(id("org", i, c.Organisations)),
			Name:      fmt.Sprintf("Organisation %d", i),
			Settings:  org.Settings{TimeZone: org.DefaultTimeZone, Locale: org.DefaultLocale},
			CreatedAt: d.Epoch,
		}
		d.Organisations = append(d.Organisations, o)
		role := access.Role{
			ID:          access.RoleID(id("role", i, c.Organisations)),
			Org:         o.ID,
			Name:        "Analyst",
			Permissions: access.PermissionsOf(access.ViewAccount, access.ViewPersonalData, access.ExportData),
			CreatedAt:   d.Epoch,
		}
		d.Roles = append(d.Roles, role)
		d.perms[role.ID] = role.Permissions
		for j := range c.AccountsPerOrganisation {
			n := len(d.Accounts)
			p := products[j%len(products)]
			d.Accounts = append(d.Accounts, org.Account{
				ID:        org.AccountID(id("acc", n, nAcc)),
				Org:       o.ID,
				Product:   p,
				Name:      fmt.Sprintf("%s %d", p, n),
				CreatedAt: d.Epoch,
			})
		}
	}
	for i := range c.Users {
		d.Users = append(d.Users, org.User{
			ID:        org.UserID(id("usr", i, c.Users)),
			Email:     fmt.Sprintf("user%d@example.test", i),
			Name:      fmt.Sprintf("User %d", i),
			CreatedAt: d.Epoch,
		})
	}
	d.owners = make([][]int, c.Organisations)
	next := c.Organisations // the index of the next Owner after the first ones
	for i := range c.Organisations {
		d.owners[i] = append(d.owners[i], i)
		for range c.owners(i) - 1 {
			d.owners[i] = append(d.owners[i], next)
			next++
		}
	}
	for i, o := range d.Organisations {
		for _, u := range d.owners[i] {
			d.Memberships = append(d.Memberships, org.Membership{Org: o.ID, User: d.Users[u].ID, Role: org.Owner, Since: d.Epoch})
		}
	}
	first := c.allOwners() // the index of OneAccount
	d.OneAccount = d.Users[first].ID
	d.HundredAccounts = d.Users[first+1].ID

	d.Grants = make([]access.Grant, 0, c.Grants)
	d.userGrants = make([]int, 0, c.Users+1)
	for range first {
		d.userGrants = append(d.userGrants, 0) // Owners hold no grant
	}
	// OneAccount: an Observer on one account of the third organisation (or
	// the first, when there are only two).
	d.userGrants = append(d.userGrants, len(d.Grants))
	o := 2 % c.Organisations
	d.grant(d.OneAccount, o*c.AccountsPerOrganisation+r.IntN(c.AccountsPerOrganisation), access.Observer, time.Time{})
	// HundredAccounts: 50 accounts of each of the first two organisations.
	d.userGrants = append(d.userGrants, len(d.Grants))
	for o := range 2 {
		for _, j := range r.Perm(c.AccountsPerOrganisation)[:50] {
			d.grant(d.HundredAccounts, o*c.AccountsPerOrganisation+j, d.role(r, o), time.Time{})
		}
	}
	// Every ordinary user holds 1 to 5 grants, and every agency user 50 to
	// 100, adjusted to the total.
	agency := make([]bool, c.ordinary())
	if a := c.agencies(); a > 0 {
		for _, i := range r.Perm(len(agency))[:a] {
			agency[i] = true
		}
	}
	bounds := func(i int) (lo, hi int) {
		if agency[i] {
			return AgencyMinGrants, AgencyMaxGrants
		}
		return 1, 5
	}
	counts := make([]int, c.ordinary())
	total := 0
	for i := range counts {
		lo, hi := bounds(i)
		counts[i] = lo + r.IntN(hi-lo+1)
		total += counts[i]
	}
	for want := c.Grants - len(d.Grants); total != want; {
		i := r.IntN(len(counts))
		lo, hi := bounds(i)
		switch {
		case total > want && counts[i] > lo:
			counts[i]--
			total--
		case total < want && counts[i] < hi:
			counts[i]++
			total++
		}
	}
	orgs := make([]int, 0, c.Organisations)
	accs := make([]int, 0, AgencyMaxGrants)
	for i, k := range counts {
		u := d.Users[first+marked+i].ID
		d.userGrants = append(d.userGrants, len(d.Grants))
		orgs = orgs[:0]
		n := min(1+r.IntN(3), k)
		if agency[i] {
			d.Agencies = append(d.Agencies, u)
			n = 2 + r.IntN(c.Organisations-1)
		}
		for len(orgs) < n {
			if o := r.IntN(c.Organisations); !slices.Contains(orgs, o) {
				orgs = append(orgs, o)
			}
		}
		accs = accs[:0]
		for len(accs) < k {
			o := orgs[len(accs)%len(orgs)]
			if a := o*c.AccountsPerOrganisation + r.IntN(c.AccountsPerOrganisation); !slices.Contains(accs, a) {
				accs = append(accs, a)
			}
		}
		for _, a := range accs {
			var expires time.Time
			switch x := r.IntN(100); {
			case x < c.ExpiringPercent:
				expires = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(365*24)) * time.Hour)
			case x < c.ExpiringPercent+c.ExpiredPercent:
				expires = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(365*24)) * time.Hour)
			}
			d.grant(u, a, d.role(r, a/c.AccountsPerOrganisation), expires)
		}
	}
	d.userGrants = append(d.userGrants, len(d.Grants))
	return d, nil
}

// role draws the role of a grant on an account of organisation o: 5%
// Administrator, 15% Marketer, 30% Editor, 40% Observer, 10% the
// organisation's custom role.
func (d *Dataset) role(r *rand.Rand, o int) access.RoleID {
	switch x := r.IntN(100); {
	case x < 5:
		return access.Administrator
	case x < 20:
		return access.Marketer
	case x < 50:
		return access.Editor
	case x < 90:
		return access.Observer
	}
	return d.Roles[o].ID
}

func (d *Dataset) grant(u org.UserID, account int, role access.RoleID, expires time.Time) {
	a := d.Accounts[account]
	d.Grants = append(d.Grants, access.Grant{
		User: u, Account: a.ID, Org: a.Org, Role: role, ExpiresAt: expires,
		GrantedBy: "system", GrantedAt: d.Epoch,
	})
}

// OrganisationAccounts returns the accounts of Organisations[i].
func (d *Dataset) OrganisationAccounts(i int) []org.Account {
	n := d.Config.AccountsPerOrganisation
	return d.Accounts[i*n : (i+1)*n]
}

// Owners returns the Owners of Organisations[i].
func (d *Dataset) Owners(i int) []org.UserID {
	out := make([]org.UserID, len(d.owners[i]))
	for j, u := range d.owners[i] {
		out[j] = d.Users[u].ID
	}
	return out
}

// GrantsOf returns the grants of Users[i].
func (d *Dataset) GrantsOf(i int) []access.Grant {
	return d.Grants[d.userGrants[i]:d.userGrants[i+1]]
}

// Permissions returns the permissions of a built-in role or of one of the
// set's custom roles.
func (d *Dataset) Permissions(role access.RoleID) access.Permissions { return d.perms[role] }

// Load writes the data set into an empty store through tx, in transactions
// of at most Config.Batch objects, each of which appends one log entry
// ("synthetic.load" by "system") naming no organisation, account or user.
func (d *Dataset) Load(ctx context.Context, tx storage.Transactor[access.Store]) error {
	batch := d.Config.Batch
	if batch == 0 {
		batch = 50_000
	}
	steps := []struct {
		what string
		n    int
		put  func(st access.Store, i int) error
	}{
		{"organisations", len(d.Organisations), func(st access.Store, i int) error { return st.InsertOrganisation(d.Organisations[i]) }},
		{"roles", len(d.Roles), func(st access.Store, i int) error { return st.InsertRole(d.Roles[i]) }},
		{"accounts", len(d.Accounts), func(st access.Store, i int) error { return st.InsertAccount(d.Accounts[i]) }},
		{"users", len(d.Users), func(st access.Store, i int) error { return st.InsertUser(d.Users[i]) }},
		{"memberships", len(d.Memberships), func(st access.Store, i int) error { return st.PutMembership(d.Memberships[i]) }},
		{"grants", len(d.Grants), func(st access.Store, i int) error { return st.PutGrant(d.Grants[i]) }},
	}
	for _, s := range steps {
		for lo := 0; lo < s.n; lo += batch {
			hi := min(lo+batch, s.n)
			_, err := tx.Update(ctx, func(st access.Store) error {
				for i := lo; i < hi; i++ {
					if err := s.put(st, i); err != nil {
						return err
					}
				}
				return st.Append(storage.Entry{
					Time: d.Epoch, Actor: "system", Action: "synthetic.load",
					Detail: fmt.Sprintf("%s %d to %d", s.what, lo, hi-1),
				})
			})
			if err != nil {
				return fmt.Errorf("synthetic: load %s %d to %d: %w", s.what, lo, hi-1, err)
			}
		}
	}
	return nil
}
