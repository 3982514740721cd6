package access

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// RoleID names an account role: one of the built-ins or a custom role.
type RoleID string

// Built-in account roles, from most to least powerful.
const (
	// Administrator manages the users of the account and everything in it.
	Administrator RoleID = "administrator"
	// Marketer creates, edits and publishes, and sees personal data.
	Marketer RoleID = "marketer"
	// Editor creates and edits content.
	Editor RoleID = "editor"
	// Observer reads; nothing more.
	Observer RoleID = "observer"
)

// Role is a named permission set granted on accounts. Built-in roles have no
// organisation; a custom role belongs to the organisation that defined it
// and may be granted only on that organisation's accounts.
type Role struct {
	ID          RoleID
	Org         org.OrganisationID
	Name        string
	Permissions Permissions
	CreatedAt   time.Time
}

var builtinRoles = []Role{
	{ID: Administrator, Name: "Administrator", Permissions: AccountPermissions},
	{ID: Marketer, Name: "Marketer", Permissions: PermissionsOf(ViewAccount, EditContent, PublishContent, ViewPersonalData, ExportData)},
	{ID: Editor, Name: "Editor", Permissions: PermissionsOf(ViewAccount, EditContent)},
	{ID: Observer, Name: "Observer", Permissions: PermissionsOf(ViewAccount)},
}

// BuiltinRoles returns the built-in account roles, most powerful first.
func BuiltinRoles() []Role { return append([]Role(nil), builtinRoles...) }

// BuiltinRole returns the built-in role id, if it is one.
func BuiltinRole(id RoleID) (Role, bool) {
	for _, r := range builtinRoles {
		if r.ID == id {
			return r, true
		}
	}
	return Role{}, false
}

// CheckRolePermissions validates the permissions of a custom role: at least
// one, all of them account permissions (organisation rights come only with
// the Owner and Member roles).
func CheckRolePermissions(p Permissions) error {
	if p == 0 {
		return fmt.Errorf("access: role permissions are empty: %w", storage.ErrInvalidArgument)
	}
	if extra := p &^ AccountPermissions; extra != 0 {
		return fmt.Errorf("access: role permissions %v are not account permissions: %w", extra, storage.ErrInvalidArgument)
	}
	return nil
}

// lookupRole finds a built-in or custom role in the store.
func lookupRole(st Store, id RoleID) (Role, error) {
	if r, ok := BuiltinRole(id); ok {
		return r, nil
	}
	if err := org.CheckID("role", string(id)); err != nil {
		return Role{}, err
	}
	r, err := st.Role(id)
	if err != nil {
		return Role{}, fmt.Errorf("access: role %q: %w", id, err)
	}
	return r, nil
}

// NewRole describes a custom role: a name unique in the organisation (and
// other than a built-in role's) and its account permissions, which must
// include ViewAccount (every role can open its account).
type NewRole struct {
	Name        string
	Permissions Permissions
}

func checkNewRole(in NewRole) (NewRole, error) {
	name, err := org.CheckName("role name", in.Name)
	if err != nil {
		return in, err
	}
	in.Name = name
	if err := CheckRolePermissions(in.Permissions); err != nil {
		return in, err
	}
	if !in.Permissions.Has(ViewAccount) {
		return in, fmt.Errorf("access: role permissions must include %s: %w", ViewAccount, storage.ErrInvalidArgument)
	}
	return in, nil
}

// checkRoleName refuses a name taken by a built-in role or another custom
// role of the organisation (case-insensitive).
func checkRoleName(st Store, o org.OrganisationID, self RoleID, name string) error {
	for _, r := range builtinRoles {
		if strings.EqualFold(r.Name, name) || strings.EqualFold(string(r.ID), name) {
			return fmt.Errorf("access: role name %q is a built-in role's: %w", name, storage.ErrAlreadyExists)
		}
	}
	roles, err := st.RolesOfOrg(o)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if r.ID != self && strings.EqualFold(r.Name, name) {
			return fmt.Errorf("access: organisation %s has a role named %q already: %w", o, name, storage.ErrAlreadyExists)
		}
	}
	return nil
}

// DefineRole adds a custom role to organisation o: Owners and operators may.
func (s *Service) DefineRole(ctx context.Context, actor org.Actor, o org.OrganisationID, in NewRole) (Role, storage.Revision, error) {
	in, err := checkNewRole(in)
	if err != nil {
		return Role{}, 0, err
	}
	r := Role{ID: RoleID(s.env.NewID("role")), Org: o, Name: in.Name, Permissions: in.Permissions, CreatedAt: s.env.Now()}
	rev, err := s.update(ctx, func(st Store) error {
		if _, err := st.Organisation(o); err != nil {
			return fmt.Errorf("access: define role: organisation %q: %w", o, err)
		}
		if err := authorizeOwner(st, actor, o, "define roles"); err != nil {
			return err
		}
		if err := checkRoleName(st, o, "", in.Name); err != nil {
			return err
		}
		if err := st.InsertRole(r); err != nil {
			return fmt.Errorf("access: define role: %w", err)
		}
		return s.log(st, actor, "access.role.define", string(r.ID), org.Subject{Org: o}, fmt.Sprintf("%q %v", r.Name, r.Permissions))
	})
	if err != nil {
		return Role{}, 0, err
	}
	return r, rev, nil
}

// UpdateRole changes a custom role's name and permissions; every grant of
// the role follows at once. Owners and operators may.
func (s *Service) UpdateRole(ctx context.Context, actor org.Actor, id RoleID, in NewRole) (storage.Revision, error) {
	in, err := checkNewRole(in)
	if err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		r, err := s.customRole(st, id)
		if err != nil {
			return err
		}
		if err := authorizeOwner(st, actor, r.Org, "change roles"); err != nil {
			return err
		}
		if err := checkRoleName(st, r.Org, r.ID, in.Name); err != nil {
			return err
		}
		r.Name, r.Permissions = in.Name, in.Permissions
		if err := st.UpdateRole(r); err != nil {
			return fmt.Errorf("access: update role: %w", err)
		}
		return s.log(st, actor, "access.role.update", string(r.ID), org.Subject{Org: r.Org}, fmt.Sprintf("%q %v", r.Name, r.Permissions))
	})
}

// DeleteRole removes a custom role that no grant and no pending invitation
// uses. Owners and operators may.
func (s *Service) DeleteRole(ctx context.Context, actor org.Actor, id RoleID) (storage.Revision, error) {
	return s.update(ctx, func(st Store) error {
		r, err := s.customRole(st, id)
		if err != nil {
			return err
		}
		if err := authorizeOwner(st, actor, r.Org, "delete roles"); err != nil {
			return err
		}
		n, err := st.CountGrantsWithRole(id)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("access: role %q is used by %d grants: %w", id, n, storage.ErrFailedPrecondition)
		}
		if inv, err := s.pendingOffer(st, r.Org, id); err != nil {
			return err
		} else if inv != "" {
			return fmt.Errorf("access: role %q is offered by pending invitation %s (revoke it first): %w", id, inv, storage.ErrFailedPrecondition)
		}
		if err := st.DeleteRole(id); err != nil {
			return fmt.Errorf("access: delete role: %w", err)
		}
		return s.log(st, actor, "access.role.delete", string(id), org.Subject{Org: r.Org}, fmt.Sprintf("%q", r.Name))
	})
}

func (s *Service) customRole(st Store, id RoleID) (Role, error) {
	if _, ok := BuiltinRole(id); ok {
		return Role{}, fmt.Errorf("access: role %q is built in and cannot change: %w", id, storage.ErrInvalidArgument)
	}
	return lookupRole(st, id)
}

// Roles lists the roles that can be granted in organisation o: the built-in
// ones, then its custom roles by ID. Its users and operators may.
func (s *Service) Roles(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID) ([]Role, error) {
	out := BuiltinRoles()
	err := s.tx.View(ctx, c, func(st Store) error {
		if _, err := st.Organisation(o); err != nil {
			return fmt.Errorf("access: roles: organisation %q: %w", o, err)
		}
		if err := org.Resolve(st, actor); err != nil {
			return err
		}
		if actor.Kind == org.ActorUser {
			orgs, err := orgsOf(st, actor.User())
			if err != nil {
				return err
			}
			if !slices.Contains(orgs, o) {
				return denied("only users of organisation %s and operators may list its roles", o)
			}
		}
		roles, err := st.RolesOfOrg(o)
		out = append(out, roles...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// pendingOffer returns a pending invitation of organisation o that offers
// role id, or "". Deleting a role is rare, so it pages through the
// organisation's invitations rather than keeping an index of offers.
func (s *Service) pendingOffer(st Store, o org.OrganisationID, id RoleID) (InvitationID, error) {
	now := s.env.Now()
	for after := InvitationID(""); ; {
		page, err := st.ListInvitations(o, after, storage.MaxPageSize)
		if err != nil {
			return "", err
		}
		for _, inv := range page {
			if inv.Role == id && inv.StatusAt(now) == Pending {
				return inv.ID, nil
			}
		}
		if len(page) < storage.MaxPageSize {
			return "", nil
		}
		after = page[len(page)-1].ID
	}
}
