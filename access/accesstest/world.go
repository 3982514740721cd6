package accesstest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// World maps the symbolic names of an applied Setup to the real IDs of a
// Space, and grows as operations add users and roles. Its lists keep
// creation order, so that generators drawing from them are deterministic.
type World struct {
	// Operator is the operator who applied the Setup; ops also act as it.
	Operator org.Actor
	// Clock, when set, is the clock the Space was opened with: checkers read
	// expiries against it, and OpGen advances it when it is an Advancer.
	// When nil, the system clock is assumed.
	Clock org.Clock
	// Mailbox, when set, is the Notifier the Space was opened with; OpGen
	// then also generates invitations that are accepted.
	Mailbox *Mailbox

	Orgs     []Org
	Accounts []Account
	Users    []User
	Roles    []Role

	space    *orgspace.Space
	names    map[string]string // ID → symbolic name
	hadOwner map[org.OrganisationID]bool
}

// Org is an organisation of a World.
type Org struct {
	Name string
	ID   org.OrganisationID
}

// Account is an account of a World.
type Account struct {
	Name    string
	ID      org.AccountID
	Org     org.OrganisationID
	Product org.Product
}

// User is a user of a World.
type User struct {
	Name  string
	ID    org.UserID
	Email string
}

// Role is a custom role of a World.
type Role struct {
	Name string
	ID   access.RoleID
	Org  org.OrganisationID
}

// Attach records the clock and mailbox of e (the Env the Space was opened
// with) in w, and returns w.
func (w *World) Attach(e *Env) *World {
	if e == nil {
		return w
	}
	w.Clock, w.Mailbox = e.Clock, e.Mailbox
	return w
}

// Now is the time on w's Clock, or the system time.
func (w *World) Now() time.Time {
	if w.Clock == nil {
		return time.Now()
	}
	return w.Clock.Now()
}

// Name returns the symbolic name of an organisation, account, user or role
// ID, or the ID itself when w does not know it.
func (w *World) Name(id string) string {
	if n, ok := w.names[id]; ok {
		return n
	}
	return id
}

// OrgID returns the ID of the organisation named name, or "".
func (w *World) OrgID(name string) org.OrganisationID {
	for _, o := range w.Orgs {
		if o.Name == name {
			return o.ID
		}
	}
	return ""
}

// AccountID returns the ID of the account named name, or "".
func (w *World) AccountID(name string) org.AccountID {
	for _, a := range w.Accounts {
		if a.Name == name {
			return a.ID
		}
	}
	return ""
}

// UserID returns the ID of the user named name, or "".
func (w *World) UserID(name string) org.UserID {
	for _, u := range w.Users {
		if u.Name == name {
			return u.ID
		}
	}
	return ""
}

// RoleID returns the ID of the custom role named name, or the built-in role
// whose ID is name, or "".
func (w *World) RoleID(name string) access.RoleID {
	for _, r := range w.Roles {
		if r.Name == name {
			return r.ID
		}
	}
	if r, ok := access.BuiltinRole(access.RoleID(name)); ok {
		return r.ID
	}
	return ""
}

// HadOwner reports whether organisation o is known to have had an Owner:
// AlwaysAnOwner then requires it still has one.
func (w *World) HadOwner(o org.OrganisationID) bool { return w.hadOwner[o] }

// MarkOwned records that organisation o has had an Owner.
func (w *World) MarkOwned(o org.OrganisationID) {
	if w.hadOwner == nil {
		w.hadOwner = map[org.OrganisationID]bool{}
	}
	w.hadOwner[o] = true
}

func (w *World) name(id string, name string) {
	if w.names == nil {
		w.names = map[string]string{}
	}
	w.names[id] = name
}

func (w *World) addUser(u org.User, name string) {
	if slices.ContainsFunc(w.Users, func(x User) bool { return x.ID == u.ID }) {
		return
	}
	w.Users = append(w.Users, User{Name: name, ID: u.ID, Email: u.Email})
	w.name(string(u.ID), name)
}

func (w *World) userByEmail(email string) (User, bool) {
	for _, u := range w.Users {
		if u.Email == email {
			return u, true
		}
	}
	return User{}, false
}

func (w *World) account(id org.AccountID) (Account, bool) {
	for _, a := range w.Accounts {
		if a.ID == id {
			return a, true
		}
	}
	return Account{}, false
}

// actorName renders an actor with symbolic names.
func (w *World) actorName(a org.Actor) string {
	switch a.Kind {
	case org.ActorUser:
		return w.Name(a.ID)
	case org.ActorOperator:
		return "operator"
	}
	return a.String()
}

// Apply creates s in space through its public services: operator creates
// the organisations, accounts, users and custom roles, sets the
// memberships (first Owners first) and makes the grants, whose expiries
// count from the creation time of the last object made before them. It
// returns the World naming what it made; attach the Env the Space was
// opened with (World.Attach) to let checkers and ops use its clock and
// mailbox. Apply stops at the first error.
func (s Setup) Apply(ctx context.Context, space *orgspace.Space, operator org.Actor) (*World, error) {
	w := &World{Operator: operator, space: space}
	var now time.Time
	fail := func(what string, err error) (*World, error) {
		return w, fmt.Errorf("accesstest: apply setup: %s: %w", what, err)
	}
	for _, os := range s.Orgs {
		o, _, err := space.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: os.Name})
		if err != nil {
			return fail("organisation "+os.Name, err)
		}
		now = o.CreatedAt
		w.Orgs = append(w.Orgs, Org{Name: os.Name, ID: o.ID})
		w.name(string(o.ID), os.Name)
		for _, as := range os.Accounts {
			a, _, err := space.Org.CreateAccount(ctx, operator, org.NewAccount{Org: o.ID, Product: as.Product, Name: as.Name, Login: as.Login})
			if err != nil {
				return fail("account "+as.Name, err)
			}
			now = a.CreatedAt
			w.Accounts = append(w.Accounts, Account{Name: as.Name, ID: a.ID, Org: o.ID, Product: a.Product})
			w.name(string(a.ID), as.Name)
		}
	}
	for _, us := range s.Users {
		u, _, err := space.Org.CreateUser(ctx, operator, org.NewUser{Email: us.Email, Name: us.Name})
		if err != nil {
			return fail("user "+us.Name, err)
		}
		now = u.CreatedAt
		w.addUser(u, us.Name)
	}
	for _, rs := range s.Roles {
		o := w.OrgID(rs.Org)
		if o == "" {
			return fail("role "+rs.Name, unknown("organisation", rs.Org))
		}
		r, _, err := space.Access.DefineRole(ctx, operator, o, access.NewRole{Name: rs.Name, Permissions: rs.Permissions})
		if err != nil {
			return fail("role "+rs.Name, err)
		}
		now = r.CreatedAt
		w.Roles = append(w.Roles, Role{Name: rs.Name, ID: r.ID, Org: o})
		w.name(string(r.ID), rs.Name)
	}
	for _, ms := range s.Memberships {
		o, u := w.OrgID(ms.Org), w.UserID(ms.User)
		what := fmt.Sprintf("%s of %s", ms.Role, ms.Org)
		if o == "" {
			return fail(what, unknown("organisation", ms.Org))
		}
		if u == "" {
			return fail(what, unknown("user", ms.User))
		}
		if _, err := space.Access.SetOrganisationRole(ctx, operator, o, u, ms.Role); err != nil {
			return fail(ms.User+" "+what, err)
		}
		if ms.Role == org.Owner {
			w.MarkOwned(o)
		}
	}
	for _, gs := range s.Grants {
		what := fmt.Sprintf("grant of %s on %s to %s", gs.Role, gs.Account, gs.User)
		r := grantRequest(w, gs.User, gs.Account, gs.Role)
		switch {
		case r.User == "":
			return fail(what, unknown("user", gs.User))
		case r.Account == "":
			return fail(what, unknown("account", gs.Account))
		case r.Role == "":
			return fail(what, unknown("role", gs.Role))
		}
		if gs.ExpiresIn > 0 {
			r.ExpiresAt = now.Add(gs.ExpiresIn)
		}
		if _, err := space.Access.Grant(ctx, operator, r); err != nil {
			return fail(what, err)
		}
	}
	return w, nil
}

// grantRequest builds the access.GrantRequest for symbolic names of w
// (fields are empty for unknown names).
func grantRequest(w *World, user, account, role string) access.GrantRequest {
	return access.GrantRequest{User: w.UserID(user), Account: w.AccountID(account), Role: w.RoleID(role)}
}

func unknown(what, name string) error {
	return fmt.Errorf("%s %q is not in the setup: %w", what, name, storage.ErrInvalidArgument)
}
