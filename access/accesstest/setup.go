package accesstest

import (
	"fmt"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// Setup is a role configuration described with symbolic names: which
// organisations, accounts, users and custom roles exist, who is an Owner or
// Member of which organisation, and who holds which role on which account.
// Setup.Apply creates it in a Space. A Setup is a plain value: build one by
// hand for a regression test, or draw one from SetupGen.
type Setup struct {
	Orgs  []OrgSpec
	Users []UserSpec
	Roles []RoleSpec
	// Memberships are applied in order; the generator lists Owners first.
	Memberships []MembershipSpec
	Grants      []GrantSpec
}

// OrgSpec is an organisation and its accounts. Name is its symbolic name,
// also used as its display name ("o1").
type OrgSpec struct {
	Name     string
	Accounts []AccountSpec
}

// AccountSpec is an account: its symbolic name ("o1.a2"), product and login
// policy.
type AccountSpec struct {
	Name    string
	Product org.Product
	Login   org.LoginPolicy
}

// UserSpec is a user: a symbolic name ("u3") and an email.
type UserSpec struct {
	Name  string
	Email string
}

// RoleSpec is a custom role of organisation Org (a symbolic name). Name is
// its symbolic and display name ("o1.r1"); Permissions include
// access.ViewAccount.
type RoleSpec struct {
	Name        string
	Org         string
	Permissions access.Permissions
}

// MembershipSpec gives User the organisation role Role (org.Owner or
// org.Member) in Org.
type MembershipSpec struct {
	Org  string
	User string
	Role org.Role
}

// GrantSpec gives User the role Role on Account. Role is a built-in role's
// ID ("marketer") or a RoleSpec's Name. ExpiresIn, when positive, makes the
// grant end that long after Setup.Apply creates it.
type GrantSpec struct {
	User      string
	Account   string
	Role      string
	ExpiresIn time.Duration
}

// Options bound the Setups that SetupGenWith draws. Zero fields take the
// defaults in parentheses.
type Options struct {
	// MaxOrgs is the most organisations (3); there is at least one.
	MaxOrgs int
	// MaxAccountsPerOrg is the most accounts per organisation (3); each has
	// at least one.
	MaxAccountsPerOrg int
	// MaxUsers is the most users (6); there are at least two (one when
	// MaxUsers is 1).
	MaxUsers int
	// MaxRolesPerOrg is the most custom roles per organisation (2);
	// negative means none.
	MaxRolesPerOrg int
	// Products are the products accounts are drawn from (engage, loyalty,
	// events).
	Products []org.Product
	// LoginPolicies are the login policies accounts are drawn from
	// (password, password with 2FA, SSO with "okta", SSO with "azure" and
	// 2FA).
	LoginPolicies []org.LoginPolicy
}

func (o Options) withDefaults() Options {
	if o.MaxOrgs <= 0 {
		o.MaxOrgs = 3
	}
	if o.MaxAccountsPerOrg <= 0 {
		o.MaxAccountsPerOrg = 3
	}
	if o.MaxUsers <= 0 {
		o.MaxUsers = 6
	}
	if o.MaxRolesPerOrg == 0 {
		o.MaxRolesPerOrg = 2
	} else if o.MaxRolesPerOrg < 0 {
		o.MaxRolesPerOrg = 0
	}
	if len(o.Products) == 0 {
		o.Products = []org.Product{org.Engage, org.Loyalty, org.Events}
	}
	if len(o.LoginPolicies) == 0 {
		o.LoginPolicies = defaultLoginPolicies
	}
	return o
}

// defaultLoginPolicies are the login policies generated accounts use by
// default.
var defaultLoginPolicies = []org.LoginPolicy{
	{},
	{TwoFactor: true},
	{Method: org.SSO, Provider: "okta"},
	{Method: org.SSO, Provider: "azure", TwoFactor: true},
}

// grantDurations are the lifetimes of expiring grants.
var grantDurations = []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// SetupGen draws Setups with the default Options.
func SetupGen() *rapid.Generator[Setup] { return SetupGenWith(Options{}) }

// SetupGenWith draws Setups bounded by opt: organisations "o1", "o2", …
// with accounts "o1.a1", …; users "u1", … with emails "u1@example.test";
// custom roles "o1.r1", … whose permissions include access.ViewAccount and
// are drawn from access.AccountPermissions; every organisation has a first
// Owner, and other users are sometimes Owners or Members; about four in ten
// user–account pairs hold a grant (a built-in or custom role), a quarter of
// them expiring.
func SetupGenWith(opt Options) *rapid.Generator[Setup] {
	opt = opt.withDefaults()
	return rapid.Custom(func(t *rapid.T) Setup {
		var s Setup
		nOrgs := rapid.IntRange(1, opt.MaxOrgs).Draw(t, "organisations")
		for i := 1; i <= nOrgs; i++ {
			o := OrgSpec{Name: fmt.Sprintf("o%d", i)}
			nAcc := rapid.IntRange(1, opt.MaxAccountsPerOrg).Draw(t, o.Name+" accounts")
			for j := 1; j <= nAcc; j++ {
				name := fmt.Sprintf("%s.a%d", o.Name, j)
				o.Accounts = append(o.Accounts, AccountSpec{
					Name:    name,
					Product: rapid.SampledFrom(opt.Products).Draw(t, name+" product"),
					Login:   rapid.SampledFrom(opt.LoginPolicies).Draw(t, name+" login"),
				})
			}
			s.Orgs = append(s.Orgs, o)
			nRoles := rapid.IntRange(0, opt.MaxRolesPerOrg).Draw(t, o.Name+" roles")
			for j := 1; j <= nRoles; j++ {
				name := fmt.Sprintf("%s.r%d", o.Name, j)
				s.Roles = append(s.Roles, RoleSpec{Name: name, Org: o.Name, Permissions: drawRolePermissions(t, name+" permissions")})
			}
		}
		nUsers := rapid.IntRange(min(2, opt.MaxUsers), opt.MaxUsers).Draw(t, "users")
		for i := 1; i <= nUsers; i++ {
			name := fmt.Sprintf("u%d", i)
			s.Users = append(s.Users, UserSpec{Name: name, Email: name + "@example.test"})
		}
		var members []MembershipSpec
		for _, o := range s.Orgs {
			first := rapid.IntRange(0, nUsers-1).Draw(t, o.Name+" first owner")
			s.Memberships = append(s.Memberships, MembershipSpec{Org: o.Name, User: s.Users[first].Name, Role: org.Owner})
			for i, u := range s.Users {
				if i == first {
					continue
				}
				switch r := rapid.IntRange(0, 9).Draw(t, o.Name+" role of "+u.Name); {
				case r == 9:
					s.Memberships = append(s.Memberships, MembershipSpec{Org: o.Name, User: u.Name, Role: org.Owner})
				case r >= 7:
					members = append(members, MembershipSpec{Org: o.Name, User: u.Name, Role: org.Member})
				}
			}
		}
		s.Memberships = append(s.Memberships, members...)
		for _, u := range s.Users {
			for _, o := range s.Orgs {
				roles := builtinRoleNames()
				for _, r := range s.Roles {
					if r.Org == o.Name {
						roles = append(roles, r.Name)
					}
				}
				for _, a := range o.Accounts {
					label := u.Name + " on " + a.Name
					if rapid.IntRange(0, 9).Draw(t, label) >= 4 {
						continue
					}
					g := GrantSpec{User: u.Name, Account: a.Name, Role: rapid.SampledFrom(roles).Draw(t, label+" role")}
					if rapid.IntRange(0, 3).Draw(t, label+" expiring") == 0 {
						g.ExpiresIn = rapid.SampledFrom(grantDurations).Draw(t, label+" lifetime")
					}
					s.Grants = append(s.Grants, g)
				}
			}
		}
		return s
	})
}

func builtinRoleNames() []string {
	var out []string
	for _, r := range access.BuiltinRoles() {
		out = append(out, string(r.ID))
	}
	return out
}

// drawRolePermissions draws a custom role's permissions: ViewAccount and any
// other account permissions.
func drawRolePermissions(t *rapid.T, label string) access.Permissions {
	all := access.AccountPermissions.List()
	mask := rapid.IntRange(0, 1<<len(all)-1).Draw(t, label)
	p := access.PermissionsOf(access.ViewAccount)
	for i, q := range all {
		if mask&(1<<i) != 0 {
			p |= access.PermissionsOf(q)
		}
	}
	return p
}

// Summary describes s in one line: how many of each thing it has.
func (s Setup) Summary() string {
	accounts, expiring := 0, 0
	for _, o := range s.Orgs {
		accounts += len(o.Accounts)
	}
	for _, g := range s.Grants {
		if g.ExpiresIn > 0 {
			expiring++
		}
	}
	return fmt.Sprintf("%d organisations, %d accounts, %d users, %d custom roles, %d memberships, %d grants (%d expiring)",
		len(s.Orgs), accounts, len(s.Users), len(s.Roles), len(s.Memberships), len(s.Grants), expiring)
}

// String lists s, one thing a line, for failure output.
func (s Setup) String() string {
	var b strings.Builder
	for _, o := range s.Orgs {
		fmt.Fprintf(&b, "organisation %s\n", o.Name)
		for _, a := range o.Accounts {
			fmt.Fprintf(&b, "  account %s: %s, login %s\n", a.Name, a.Product, a.Login)
		}
	}
	for _, r := range s.Roles {
		fmt.Fprintf(&b, "role %s of %s: %v\n", r.Name, r.Org, r.Permissions)
	}
	for _, u := range s.Users {
		fmt.Fprintf(&b, "user %s <%s>\n", u.Name, u.Email)
	}
	for _, m := range s.Memberships {
		fmt.Fprintf(&b, "%s is %s of %s\n", m.User, m.Role, m.Org)
	}
	for _, g := range s.Grants {
		fmt.Fprintf(&b, "%s is %s on %s", g.User, g.Role, g.Account)
		if g.ExpiresIn > 0 {
			fmt.Fprintf(&b, " for %s", formatDuration(g.ExpiresIn))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// GoString returns String, so that rapid's logs of drawn Setups read well.
func (s Setup) GoString() string { return "accesstest.Setup:\n" + s.String() }
