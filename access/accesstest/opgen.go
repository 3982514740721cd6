package accesstest

import (
	"context"
	"fmt"
	"time"

	"pgregory.net/rapid"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

type opKind uint8

const (
	kindGrant opKind = iota
	kindRevoke
	kindOrgRole
	kindDefineRole
	kindUpdateRole
	kindAddUser
	kindInvite
	kindFavourite
	kindClock
)

// clockSteps are how far clock ops move the clock: enough, in a run, to
// end grants (1h to 7 days) and invitations (7 days).
var clockSteps = []time.Duration{time.Minute, time.Hour, 24 * time.Hour, 8 * 24 * time.Hour}

// OpGen draws operations on w as it is when each is drawn. Actors are the
// operator (one time in ten), a user who currently manages the account's
// users or owns the organisation (four in ten), or any user; targets are
// any user, account and role of w, now and then a role of another
// organisation or an email already taken. Invitations (made and at once
// accepted) are drawn when w has a Mailbox, clock steps when its Clock is
// an Advancer. Draws read the Space w was applied to (its index and
// store), so they are deterministic when the Space is.
func OpGen(w *World) *rapid.Generator[Op] {
	return rapid.Custom(func(t *rapid.T) Op {
		base := opBase{w: w}
		if len(w.Accounts) == 0 || len(w.Users) == 0 || len(w.Orgs) == 0 {
			return &nopOp{base}
		}
		kinds := []opKind{kindGrant, kindGrant, kindGrant, kindRevoke, kindRevoke, kindOrgRole, kindOrgRole,
			kindDefineRole, kindUpdateRole, kindAddUser, kindFavourite}
		if w.Mailbox != nil {
			kinds = append(kinds, kindInvite, kindInvite)
		}
		if _, ok := w.Clock.(Advancer); ok {
			kinds = append(kinds, kindClock)
		}
		kind := rapid.SampledFrom(kinds).Draw(t, "kind")
		if kind == kindUpdateRole && len(w.Roles) == 0 {
			kind = kindDefineRole
		}
		switch kind {
		case kindGrant:
			a := pick(t, "account", w.Accounts)
			base.actor = drawAccountActor(t, w, a.ID)
			op := &grantOp{opBase: base, user: pick(t, "user", w.Users).ID, account: a.ID, role: drawRole(t, w, a.Org)}
			if rapid.IntRange(0, 3).Draw(t, "expiring") == 0 {
				op.expiresIn = rapid.SampledFrom(grantDurations).Draw(t, "lifetime")
			}
			return op
		case kindRevoke:
			user, account := drawGrantHolder(t, w)
			base.actor = drawAccountActor(t, w, account)
			return &revokeOp{opBase: base, user: user, account: account}
		case kindOrgRole:
			o := pick(t, "organisation", w.Orgs)
			base.actor = drawOrgActor(t, w, o.ID)
			role := rapid.SampledFrom([]org.Role{org.NoRole, org.Member, org.Member, org.Owner, org.Owner}).Draw(t, "organisation role")
			return &orgRoleOp{opBase: base, org: o.ID, user: pick(t, "user", w.Users).ID, role: role}
		case kindDefineRole:
			o := pick(t, "organisation", w.Orgs)
			base.actor = drawOrgActor(t, w, o.ID)
			name := fmt.Sprintf("%s.r%d", o.Name, rapid.IntRange(1, 5).Draw(t, "role number"))
			return &defineRoleOp{opBase: base, org: o.ID, name: name, perms: drawRolePermissions(t, "permissions")}
		case kindUpdateRole:
			r := pick(t, "role", w.Roles)
			base.actor = drawOrgActor(t, w, r.Org)
			return &updateRoleOp{opBase: base, role: r, perms: drawRolePermissions(t, "permissions")}
		case kindAddUser:
			a := pick(t, "account", w.Accounts)
			base.actor = drawAccountActor(t, w, a.ID)
			name, email := drawNewcomer(t, w, "n")
			op := &addUserOp{opBase: base, name: name, email: email, account: a.ID, role: drawRole(t, w, a.Org)}
			if rapid.IntRange(0, 3).Draw(t, "expiring") == 0 {
				op.expiresIn = rapid.SampledFrom(grantDurations).Draw(t, "lifetime")
			}
			return op
		case kindInvite:
			name, email := drawNewcomer(t, w, "i")
			op := &inviteOp{name: name, email: email}
			switch r := rapid.IntRange(0, 9).Draw(t, "organisation role"); {
			case r == 9:
				op.orgRole = org.Owner
			case r >= 6:
				op.orgRole = org.Member
			}
			if op.orgRole == org.NoRole || rapid.IntRange(0, 3).Draw(t, "with a grant") > 0 {
				a := pick(t, "account", w.Accounts)
				op.account, op.org, op.role = a.ID, a.Org, drawRole(t, w, a.Org)
				base.actor = drawAccountActor(t, w, a.ID)
			} else {
				op.org = pick(t, "organisation", w.Orgs).ID
				base.actor = drawOrgActor(t, w, op.org)
			}
			op.opBase = base
			return op
		case kindFavourite:
			u := pick(t, "user", w.Users)
			base.actor = org.AsUser(u.ID)
			account := pick(t, "account", w.Accounts).ID
			if w.space != nil && rapid.Bool().Draw(t, "accessible") {
				if open := w.space.Access.Current().AccountsOf(u.ID); len(open) > 0 {
					account = pick(t, "open account", open).Account.ID
				}
			}
			return &favouriteOp{opBase: base, account: account}
		default:
			base.actor = org.System()
			return &clockOp{opBase: base, d: rapid.SampledFrom(clockSteps).Draw(t, "step")}
		}
	})
}

func pick[E any](t *rapid.T, label string, s []E) E {
	return s[rapid.IntRange(0, len(s)-1).Draw(t, label)]
}

// drawRole draws a role to grant on an account of organisation o: a
// built-in one, one of o's custom roles, or now and then any custom role
// (which another organisation's accounts must refuse).
func drawRole(t *rapid.T, w *World, o org.OrganisationID) access.RoleID {
	roles := []access.RoleID{access.Administrator, access.Marketer, access.Editor, access.Observer}
	for _, r := range w.Roles {
		if r.Org == o {
			roles = append(roles, r.ID)
		}
	}
	if len(w.Roles) > 0 && rapid.IntRange(0, 9).Draw(t, "foreign role") == 0 {
		return pick(t, "any custom role", w.Roles).ID
	}
	return rapid.SampledFrom(roles).Draw(t, "role")
}

// drawNewcomer draws a name and an email for a user to create: usually a
// new one (prefix plus a small number, so it may repeat), sometimes the
// email of a user of w.
func drawNewcomer(t *rapid.T, w *World, prefix string) (name, email string) {
	if rapid.IntRange(0, 4).Draw(t, "known email") == 0 {
		u := pick(t, "known user", w.Users)
		return u.Name, u.Email
	}
	name = fmt.Sprintf("%s%d", prefix, rapid.IntRange(1, 12).Draw(t, "newcomer"))
	if u, ok := w.userByEmail(name + "@example.test"); ok {
		return u.Name, u.Email
	}
	return name, name + "@example.test"
}

// drawAccountActor draws who acts on account a: the operator, a user who
// manages its users, or any user.
func drawAccountActor(t *rapid.T, w *World, a org.AccountID) org.Actor {
	return drawActor(t, w, func(ix *access.Index, u org.UserID) bool { return ix.Check(u, a, access.ManageAccountUsers) })
}

// drawOrgActor draws who acts on organisation o: the operator, one of its
// Owners, or any user.
func drawOrgActor(t *rapid.T, w *World, o org.OrganisationID) org.Actor {
	return drawActor(t, w, func(ix *access.Index, u org.UserID) bool { return ix.CheckOrganisation(u, o, access.ManageOwners) })
}

func drawActor(t *rapid.T, w *World, manages func(*access.Index, org.UserID) bool) org.Actor {
	c := rapid.IntRange(0, 9).Draw(t, "actor kind")
	if c == 0 && w.Operator.Kind != org.ActorNone {
		return w.Operator
	}
	if c <= 4 && w.space != nil {
		ix := w.space.Access.Current()
		var managers []User
		for _, u := range w.Users {
			if manages(ix, u.ID) {
				managers = append(managers, u)
			}
		}
		if len(managers) > 0 {
			return org.AsUser(pick(t, "manager", managers).ID)
		}
	}
	return org.AsUser(pick(t, "actor", w.Users).ID)
}

// drawGrantHolder draws a user and an account, usually a pair that holds a
// grant.
func drawGrantHolder(t *rapid.T, w *World) (org.UserID, org.AccountID) {
	if w.space != nil && rapid.IntRange(0, 3).Draw(t, "existing grant") > 0 {
		type pair struct {
			user    org.UserID
			account org.AccountID
		}
		var held []pair
		_ = w.space.Store().View(context.Background(), storage.Latest(), func(st orgspace.Store) error {
			for _, u := range w.Users {
				gs, err := st.GrantsOfUser(u.ID)
				if err != nil {
					return err
				}
				for _, g := range gs {
					held = append(held, pair{g.User, g.Account})
				}
			}
			return nil
		})
		if len(held) > 0 {
			p := pick(t, "grant", held)
			return p.user, p.account
		}
	}
	return pick(t, "user", w.Users).ID, pick(t, "account", w.Accounts).ID
}
