package accesstest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Op is one operation attempted by one actor on a Space: a grant, a
// revocation, an organisation role change, a custom role defined or
// changed, a user added, an invitation made and accepted, a favourite
// starred, or the clock advanced. Ops refused by the library are part of
// the test: Apply returns the library's error, and it is the invariants,
// not the op, that decide whether anything went wrong.
//
// An Op applied successfully records what it created (users, roles, new
// Owners) in the World it was drawn for.
type Op interface {
	// Apply attempts the operation and returns the library's error.
	Apply(ctx context.Context, space *orgspace.Space) error
	// String describes the operation with the World's symbolic names.
	String() string
	// Actor is who attempts it: a user, the operator, or System for the
	// clock.
	Actor() org.Actor
	// Result is the error of Apply, or ErrNotApplied before Apply.
	Result() error
}

// ErrNotApplied is the Result of an Op that was not applied yet.
var ErrNotApplied = errors.New("accesstest: operation not applied")

// Outcome classifies an Op's result for readable output: "ok", "not
// applied", or the sentinel of package storage it wraps ("permission
// denied", "failed precondition", …).
func Outcome(op Op) string {
	err := op.Result()
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrNotApplied):
		return "not applied"
	}
	for _, s := range []error{storage.ErrPermissionDenied, storage.ErrFailedPrecondition, storage.ErrAlreadyExists,
		storage.ErrInvalidArgument, storage.ErrNotFound, storage.ErrConflict} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "error: " + err.Error()
}

// opBase is what every op shares: its world, actor and result.
type opBase struct {
	w       *World
	actor   org.Actor
	applied bool
	err     error
}

func (o *opBase) Actor() org.Actor { return o.actor }

func (o *opBase) Result() error {
	if !o.applied {
		return ErrNotApplied
	}
	return o.err
}

func (o *opBase) done(err error) error {
	o.applied, o.err = true, err
	return err
}

func (o *opBase) who() string { return o.w.actorName(o.actor) }

func until(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return " for " + formatDuration(d)
}

// formatDuration renders d in its largest whole unit: "7d", "1h", "90s".
func formatDuration(d time.Duration) string {
	for _, u := range []struct {
		unit   time.Duration
		suffix string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d%u.unit == 0 {
			return fmt.Sprintf("%d%s", d/u.unit, u.suffix)
		}
	}
	return d.String()
}

type grantOp struct {
	opBase
	user      org.UserID
	account   org.AccountID
	role      access.RoleID
	expiresIn time.Duration
}

func (o *grantOp) Apply(ctx context.Context, space *orgspace.Space) error {
	r := access.GrantRequest{User: o.user, Account: o.account, Role: o.role}
	if o.expiresIn > 0 {
		r.ExpiresAt = o.w.Now().Add(o.expiresIn)
	}
	_, err := space.Access.Grant(ctx, o.actor, r)
	return o.done(err)
}

func (o *grantOp) String() string {
	return fmt.Sprintf("%s: grant %s on %s to %s%s", o.who(), o.w.Name(string(o.role)), o.w.Name(string(o.account)), o.w.Name(string(o.user)), until(o.expiresIn))
}

func (o *grantOp) GoString() string { return o.String() }

type revokeOp struct {
	opBase
	user    org.UserID
	account org.AccountID
}

func (o *revokeOp) Apply(ctx context.Context, space *orgspace.Space) error {
	_, err := space.Access.Revoke(ctx, o.actor, o.user, o.account)
	return o.done(err)
}

func (o *revokeOp) String() string {
	return fmt.Sprintf("%s: revoke the grant of %s on %s", o.who(), o.w.Name(string(o.user)), o.w.Name(string(o.account)))
}

func (o *revokeOp) GoString() string { return o.String() }

type orgRoleOp struct {
	opBase
	org  org.OrganisationID
	user org.UserID
	role org.Role
}

func (o *orgRoleOp) Apply(ctx context.Context, space *orgspace.Space) error {
	_, err := space.Access.SetOrganisationRole(ctx, o.actor, o.org, o.user, o.role)
	if err == nil && o.role == org.Owner {
		o.w.MarkOwned(o.org)
	}
	return o.done(err)
}

func (o *orgRoleOp) String() string {
	if o.role == org.NoRole {
		return fmt.Sprintf("%s: remove the organisation role of %s in %s", o.who(), o.w.Name(string(o.user)), o.w.Name(string(o.org)))
	}
	return fmt.Sprintf("%s: make %s %s of %s", o.who(), o.w.Name(string(o.user)), o.role, o.w.Name(string(o.org)))
}

func (o *orgRoleOp) GoString() string { return o.String() }

type defineRoleOp struct {
	opBase
	org   org.OrganisationID
	name  string
	perms access.Permissions
}

func (o *defineRoleOp) Apply(ctx context.Context, space *orgspace.Space) error {
	r, _, err := space.Access.DefineRole(ctx, o.actor, o.org, access.NewRole{Name: o.name, Permissions: o.perms})
	if err == nil {
		o.w.Roles = append(o.w.Roles, Role{Name: o.name, ID: r.ID, Org: o.org})
		o.w.name(string(r.ID), o.name)
	}
	return o.done(err)
}

func (o *defineRoleOp) String() string {
	return fmt.Sprintf("%s: define role %s in %s as %v", o.who(), o.name, o.w.Name(string(o.org)), o.perms)
}

func (o *defineRoleOp) GoString() string { return o.String() }

type updateRoleOp struct {
	opBase
	role  Role
	perms access.Permissions
}

func (o *updateRoleOp) Apply(ctx context.Context, space *orgspace.Space) error {
	_, err := space.Access.UpdateRole(ctx, o.actor, o.role.ID, access.NewRole{Name: o.role.Name, Permissions: o.perms})
	return o.done(err)
}

func (o *updateRoleOp) String() string {
	return fmt.Sprintf("%s: change role %s to %v", o.who(), o.role.Name, o.perms)
}

func (o *updateRoleOp) GoString() string { return o.String() }

type addUserOp struct {
	opBase
	name, email string
	account     org.AccountID
	role        access.RoleID
	expiresIn   time.Duration
}

func (o *addUserOp) Apply(ctx context.Context, space *orgspace.Space) error {
	r := access.GrantRequest{Account: o.account, Role: o.role}
	if o.expiresIn > 0 {
		r.ExpiresAt = o.w.Now().Add(o.expiresIn)
	}
	u, _, err := space.Access.AddUser(ctx, o.actor, org.NewUser{Email: o.email, Name: o.name}, r)
	if err == nil {
		o.w.addUser(u, o.name)
	}
	return o.done(err)
}

func (o *addUserOp) String() string {
	return fmt.Sprintf("%s: add user %s <%s> as %s on %s%s", o.who(), o.name, o.email, o.w.Name(string(o.role)), o.w.Name(string(o.account)), until(o.expiresIn))
}

func (o *addUserOp) GoString() string { return o.String() }

type inviteOp struct {
	opBase
	name, email string
	org         org.OrganisationID
	account     org.AccountID
	role        access.RoleID
	orgRole     org.Role
}

func (o *inviteOp) Apply(ctx context.Context, space *orgspace.Space) error {
	inv, _, err := space.Access.Invite(ctx, o.actor, access.InviteRequest{Email: o.email, Org: o.org, Account: o.account, Role: o.role, OrgRole: o.orgRole})
	if err != nil {
		return o.done(err)
	}
	if o.w.Mailbox == nil {
		return o.done(fmt.Errorf("accesstest: invitation %s made, but the World has no Mailbox to accept it with", inv.ID))
	}
	token, ok := o.w.Mailbox.Token(inv.ID)
	if !ok {
		return o.done(fmt.Errorf("accesstest: invitation %s made, but no mail reached the World's Mailbox", inv.ID))
	}
	u, _, err := space.Access.Accept(ctx, token, o.name)
	if err == nil {
		o.w.addUser(u, o.name)
		if o.orgRole == org.Owner {
			o.w.MarkOwned(inv.Org)
		}
	}
	return o.done(err)
}

func (o *inviteOp) String() string {
	offer := ""
	if o.account != "" {
		offer = fmt.Sprintf(" as %s on %s", o.w.Name(string(o.role)), o.w.Name(string(o.account)))
	}
	if o.orgRole != org.NoRole {
		if offer != "" {
			offer += " and"
		}
		offer += fmt.Sprintf(" as %s of %s", o.orgRole, o.w.Name(string(o.org)))
	}
	return fmt.Sprintf("%s: invite %s <%s>%s, and %s accepts", o.who(), o.name, o.email, offer, o.name)
}

func (o *inviteOp) GoString() string { return o.String() }

type favouriteOp struct {
	opBase
	account org.AccountID
}

func (o *favouriteOp) Apply(ctx context.Context, space *orgspace.Space) error {
	_, err := space.Access.SetFavourite(ctx, o.actor, o.account)
	return o.done(err)
}

func (o *favouriteOp) String() string {
	return fmt.Sprintf("%s: star %s as favourite", o.who(), o.w.Name(string(o.account)))
}

func (o *favouriteOp) GoString() string { return o.String() }

type clockOp struct {
	opBase
	d time.Duration
}

func (o *clockOp) Apply(context.Context, *orgspace.Space) error {
	c, ok := o.w.Clock.(Advancer)
	if !ok {
		return o.done(errors.New("accesstest: the World's clock cannot be advanced"))
	}
	c.Advance(o.d)
	return o.done(nil)
}

func (o *clockOp) String() string { return "clock: advance " + formatDuration(o.d) }

func (o *clockOp) GoString() string { return o.String() }

type nopOp struct{ opBase }

func (o *nopOp) Apply(context.Context, *orgspace.Space) error { return o.done(nil) }

func (o *nopOp) String() string { return "nothing (the World has no account or no user)" }

func (o *nopOp) GoString() string { return o.String() }
