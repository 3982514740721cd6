package bench

import (
	"fmt"
	"slices"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
)

// casbinModel is the set as RBAC with domains. A grant is a role link in
// its account's domain (g, user, role, account) and an Owner a link to the
// owner role in the organisation's domain (g, user, owner, org); a policy
// line gives a role one permission (p, role, permission). A request names
// the account and its organisation, so that one matcher resolves both.
//
// The matcher tests the action first: govaluate short-circuits &&, so the
// role lookups g() run only for the policy lines of the permission asked
// (on the full set, 4 of its 60 lines on average) instead of for every
// line. On the full set
// that order made a check about twice as fast as the g() terms first, with
// 180 allocations instead of 508. The order of the two g() terms made no
// measurable difference; the account's domain comes first, grants
// allowing more checks than ownership.
const casbinModel = `
[request_definition]
r = sub, dom, org, act

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, r.org))
`

// casbinOwner is the role Owners hold in their organisation's domain. It
// cannot clash with a role of the set, whose custom role IDs are role_<n>.
const casbinOwner = "owner"

// casbinSource is the set as a Casbin model and its policy lines, held by
// an in-memory adapter, with the lookups the Engine's answers need.
type casbinSource struct {
	// model is the model's text, parsed again by every Build: the Enforcer
	// keeps its role managers in the model, so two Enforcers cannot share
	// one.
	model   string
	adapter *casbinAdapter
	// orgOf is the organisation of each account, which Check puts in the
	// request.
	orgOf map[org.AccountID]org.OrganisationID
	// orgAccounts lists the accounts of each organisation, sorted: what an
	// Owner's organisation domain opens.
	orgAccounts map[org.OrganisationID][]org.AccountID
	// orgRoles lists the roles that can be granted on the accounts of each
	// organisation: the built-in roles and the organisation's custom role.
	orgRoles map[org.OrganisationID][]string
}

// prepareCasbin turns s into policy lines. It refuses what the model
// cannot express: a time-bound grant, and an organisation role other than
// Owner.
func prepareCasbin(s *Set) (Source, error) {
	src := &casbinSource{
		model:       casbinModel,
		adapter:     &casbinAdapter{},
		orgOf:       s.OrgOf,
		orgAccounts: make(map[org.OrganisationID][]org.AccountID, len(s.Organisations)),
		orgRoles:    make(map[org.OrganisationID][]string, len(s.Organisations)),
	}
	for _, a := range s.Accounts {
		src.orgAccounts[a.Org] = append(src.orgAccounts[a.Org], a.ID)
	}
	for _, as := range src.orgAccounts {
		slices.Sort(as)
	}
	lines := make([][]string, 0, len(s.Roles)*7+len(s.Memberships)+len(s.Grants)+len(Permissions()))
	for _, r := range s.Roles {
		for _, p := range r.Permissions.List() {
			lines = append(lines, []string{"p", string(r.ID), p.String()})
		}
		if r.Org != "" {
			src.orgRoles[r.Org] = append(src.orgRoles[r.Org], string(r.ID))
		}
	}
	for _, o := range s.Organisations {
		for _, b := range access.BuiltinRoles() {
			src.orgRoles[o.ID] = append(src.orgRoles[o.ID], string(b.ID))
		}
	}
	// The owner lines come after the roles': some(where allow) stops at the
	// first line that matches, and grants allow more checks than
	// ownership. (Owner lines first cost a little more: 192 allocations a
	// check instead of 180.)
	for _, p := range Permissions() {
		lines = append(lines, []string{"p", casbinOwner, p.String()})
	}
	for _, m := range s.Memberships {
		if m.Role != org.Owner {
			return nil, fmt.Errorf("casbin: %s is %v of %s: only Owners are modelled", m.User, m.Role, m.Org)
		}
		lines = append(lines, []string{"g", string(m.User), casbinOwner, string(m.Org)})
	}
	for _, g := range s.Grants {
		if !g.ExpiresAt.IsZero() {
			return nil, fmt.Errorf("casbin: the grant of %s on %s ends at %v: the model has no time-bound grants", g.User, g.Account, g.ExpiresAt)
		}
		lines = append(lines, []string{"g", string(g.User), string(g.Role), string(g.Account)})
	}
	src.adapter.lines = lines
	return src, nil
}

// Build parses the model and creates an Enforcer on it and the adapter,
// which loads every policy line and builds the role links: Casbin's policy
// load.
//
// The Enforcer is the plain one, not a CachedEnforcer, whose cache of
// whole decisions would turn a benchmark that repeats its queries into a
// measure of a map. (The plain Enforcer still memoises the answers of g()
// until the role links change; that is part of Casbin as it is used.)
func (src *casbinSource) Build() (Engine, error) {
	m, err := model.NewModelFromString(src.model)
	if err != nil {
		return nil, fmt.Errorf("casbin: model: %w", err)
	}
	// The final false turns logging off before the policy is loaded.
	e, err := casbin.NewEnforcer(m, src.adapter, false)
	if err != nil {
		return nil, fmt.Errorf("casbin: load the policy: %w", err)
	}
	return &casbinEngine{e: e, src: src}, nil
}

// casbinEngine answers through a Casbin Enforcer.
type casbinEngine struct {
	e   *casbin.Enforcer
	src *casbinSource
}

// Check enforces (user, account, the account's organisation, p). Looking
// up the organisation is part of the check's cost: the request must carry
// it for ownership to be resolved.
func (c *casbinEngine) Check(user org.UserID, account org.AccountID, p access.Permission) (bool, error) {
	return c.e.Enforce(string(user), string(account), string(c.src.orgOf[account]), p.String())
}

// AccountsOf lists the domains of user's role links: an account domain
// is the account itself, an organisation domain (ownership) all the
// organisation's accounts. The links come from GetFilteredGroupingPolicy,
// a scan of every grouping line, which on the full set is about three
// times faster than GetDomainsForUser: that one visits every domain's
// role manager and creates (then deletes) a role for the user in each
// domain where the user has none.
func (c *casbinEngine) AccountsOf(user org.UserID) ([]org.AccountID, error) {
	if user == "" {
		return nil, nil // an empty field value matches every line
	}
	links, err := c.e.GetFilteredGroupingPolicy(0, string(user))
	if err != nil {
		return nil, fmt.Errorf("casbin: role links of %s: %w", user, err)
	}
	var out []org.AccountID
	for _, l := range links {
		if len(l) != 3 {
			return nil, fmt.Errorf("casbin: role link %v has no domain", l)
		}
		d := l[2]
		if accounts, ok := c.src.orgAccounts[org.OrganisationID(d)]; ok {
			out = append(out, accounts...)
		} else {
			out = append(out, org.AccountID(d))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil // an Owner may hold a grant too
}

// UsersOfAccount gathers the users of each role that can be granted on
// the account, in the account's domain. It asks the role manager, which
// indexes the links by domain and role, rather than GetAllUsersByDomain,
// which scans every grouping line (300,000 of them) on each call and, in
// v2.135.0, fails on a policy without a domain field.
func (c *casbinEngine) UsersOfAccount(account org.AccountID) ([]org.UserID, error) {
	rm := c.e.GetRoleManager()
	var out []org.UserID
	for _, role := range c.src.orgRoles[c.src.orgOf[account]] {
		// The role manager's GetUsers, not the Enforcer's
		// GetUsersForRoleInDomain, which drops the error.
		users, err := rm.GetUsers(role, string(account))
		if err != nil {
			return nil, fmt.Errorf("casbin: users of %s on %s: %w", role, account, err)
		}
		for _, u := range users {
			out = append(out, org.UserID(u))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// SetRole replaces the grant's role link. Casbin updates the role manager
// at once (and drops the memoised g() answers), so the next Enforce sees
// the new role.
func (c *casbinEngine) SetRole(user org.UserID, account org.AccountID, from, to access.RoleID) error {
	ok, err := c.e.UpdateGroupingPolicy(
		[]string{string(user), string(from), string(account)},
		[]string{string(user), string(to), string(account)})
	if err != nil {
		return fmt.Errorf("casbin: set the role of %s on %s to %s: %w", user, account, to, err)
	}
	if !ok {
		return fmt.Errorf("casbin: %s holds no %s grant on %s", user, from, account)
	}
	return nil
}

// casbinAdapter holds the policy lines in memory. It feeds them to a model
// as an adapter reading a file or a database would, and accepts every
// write without storing it, so that the Enforcer's auto-save succeeds and
// a later Build loads the set as prepared. It implements UpdatableAdapter
// because UpdateGroupingPolicy asserts that interface (and panics without
// it) when auto-save is on.
type casbinAdapter struct {
	// lines are the policy lines, each led by its type (p or g). The model
	// keeps line[1:] without copying it; Casbin never writes into a rule,
	// so the Enforcers built from one adapter can share them.
	lines [][]string
}

var _ persist.UpdatableAdapter = (*casbinAdapter)(nil)

// LoadPolicy adds every line to m.
func (a *casbinAdapter) LoadPolicy(m model.Model) error {
	for _, line := range a.lines {
		if err := persist.LoadPolicyArray(line, m); err != nil {
			return fmt.Errorf("casbin: load %v: %w", line, err)
		}
	}
	return nil
}

// SavePolicy does nothing: the lines stay as prepared.
func (a *casbinAdapter) SavePolicy(model.Model) error { return nil }

// AddPolicy does nothing (auto-save).
func (a *casbinAdapter) AddPolicy(string, string, []string) error { return nil }

// RemovePolicy does nothing (auto-save).
func (a *casbinAdapter) RemovePolicy(string, string, []string) error { return nil }

// RemoveFilteredPolicy does nothing (auto-save).
func (a *casbinAdapter) RemoveFilteredPolicy(string, string, int, ...string) error { return nil }

// UpdatePolicy does nothing (auto-save).
func (a *casbinAdapter) UpdatePolicy(string, string, []string, []string) error { return nil }

// UpdatePolicies does nothing (auto-save).
func (a *casbinAdapter) UpdatePolicies(string, string, [][]string, [][]string) error { return nil }

// UpdateFilteredPolicies does nothing and reports no rule removed
// (auto-save).
func (a *casbinAdapter) UpdateFilteredPolicies(string, string, [][]string, int, ...string) ([][]string, error) {
	return nil, nil
}
