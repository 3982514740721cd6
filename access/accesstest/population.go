package accesstest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Violation is one breach of an invariant, named with the World's symbolic
// names (or raw IDs for objects the World does not know). Checkers return
// them joined with errors.Join; find them with errors.As.
type Violation struct {
	// Invariant is the checker's name, e.g. "NoAccessWithoutGrantPath".
	Invariant string
	// User, Account and Org name what breaks it, where they apply.
	User    string
	Account string
	Org     string
	// Permissions are the permissions at stake, if any.
	Permissions access.Permissions
	// Detail says what is wrong, in a sentence.
	Detail string
}

// Error renders v on one line.
func (v *Violation) Error() string {
	var b strings.Builder
	b.WriteString(v.Invariant)
	sep := ": "
	add := func(k, val string) {
		if val != "" {
			b.WriteString(sep + k + " " + val)
			sep = ", "
		}
	}
	add("user", v.User)
	add("account", v.Account)
	add("organisation", v.Org)
	if v.Permissions != 0 {
		add("permissions", v.Permissions.String())
	}
	b.WriteString(": " + v.Detail)
	return b.String()
}

// maxViolations is how many violations one checker reports at most.
const maxViolations = 10

// violations collects a checker's violations.
type violations struct {
	name    string
	list    []error
	dropped int
}

func (vs *violations) add(v Violation) {
	if len(vs.list) >= maxViolations {
		vs.dropped++
		return
	}
	v.Invariant = vs.name
	vs.list = append(vs.list, &v)
}

func (vs *violations) err(fail error) error {
	if fail != nil {
		return fmt.Errorf("accesstest: %s: %w", vs.name, fail)
	}
	if vs.dropped > 0 {
		vs.list = append(vs.list, fmt.Errorf("%s: and %d more violations", vs.name, vs.dropped))
	}
	return errors.Join(vs.list...)
}

// population is every user and account the checkers look at: the World's,
// and any other the store holds a grant or membership of.
type population struct {
	users    []org.UserID
	accounts []org.Account
}

func populationOf(st orgspace.Store, w *World) (population, error) {
	var p population
	known := map[org.UserID]bool{}
	for _, u := range w.Users {
		known[u.ID] = true
		p.users = append(p.users, u.ID)
	}
	var extra []org.UserID
	note := func(u org.UserID) {
		if !known[u] {
			known[u] = true
			extra = append(extra, u)
		}
	}
	if err := st.AllGrants(func(g access.Grant) error { note(g.User); return nil }); err != nil {
		return p, err
	}
	if err := st.AllMemberships(func(m org.Membership) error { note(m.User); return nil }); err != nil {
		return p, err
	}
	slices.Sort(extra)
	p.users = append(p.users, extra...)

	order := map[org.AccountID]int{}
	for i, a := range w.Accounts {
		order[a.ID] = i
	}
	if err := st.AllAccounts(func(a org.Account) error { p.accounts = append(p.accounts, a); return nil }); err != nil {
		return p, err
	}
	slices.SortFunc(p.accounts, func(a, b org.Account) int {
		ia, oka := order[a.ID]
		ib, okb := order[b.ID]
		switch {
		case oka && okb:
			return cmp.Compare(ia, ib)
		case oka:
			return -1
		case okb:
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return p, nil
}

// pairFacts is what the store says about one user in one account.
type pairFacts struct {
	orgRole org.Role
	grant   *access.Grant
	// role is the grant's role; roleErr why it could not be read.
	role    access.Role
	roleErr error
}

func factsOf(st orgspace.Store, user org.UserID, a org.Account) (pairFacts, error) {
	var f pairFacts
	m, err := st.Membership(a.Org, user)
	switch {
	case err == nil:
		f.orgRole = m.Role
	case !storage.IsNotFound(err):
		return f, err
	}
	g, err := st.Grant(user, a.ID)
	switch {
	case err == nil:
		f.grant = &g
		if r, ok := access.BuiltinRole(g.Role); ok {
			f.role = r
		} else if f.role, err = st.Role(g.Role); err != nil {
			if !storage.IsNotFound(err) {
				return f, err
			}
			f.roleErr = err
		}
	case !storage.IsNotFound(err):
		return f, err
	}
	return f, nil
}

// allPermissions lists every permission, in order.
var allPermissions = access.AllPermissions.List()

// heldPermissions is what the index lets user do in account.
func heldPermissions(ix *access.Index, user org.UserID, account org.AccountID) access.Permissions {
	var p access.Permissions
	for _, q := range allPermissions {
		if ix.Check(user, account, q) {
			p |= access.PermissionsOf(q)
		}
	}
	return p
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}
