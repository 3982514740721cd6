package access

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/orgspace/orgspace/storage"
)

// Permission is one thing a user may do. Check asks for permissions, never
// for role names: roles are only named sets of permissions.
type Permission uint8

// Account permissions: held through a grant on an account (or an
// organisation role) and checked on that account.
const (
	// ViewAccount: read everything in the account (the Observer's one right).
	ViewAccount Permission = iota
	// EditContent: create and edit campaigns, events and other content.
	EditContent
	// PublishContent: publish campaigns and events, send messages.
	PublishContent
	// ViewPersonalData: see participants' personal data.
	ViewPersonalData
	// ExportData: export participations and reports.
	ExportData
	// ManageAccountUsers: add users to the account and change their roles.
	ManageAccountUsers
	// ManageAccountSettings: change the account's settings.
	ManageAccountSettings

	// Organisation permissions: held only through the Owner (or Member) role.

	// ViewOrganisation: see the organisation (Owners and Members).
	ViewOrganisation
	// ManageOrganisation: rename it, list all its accounts, read its audit log.
	ManageOrganisation
	// ManageOwners: make users Owners or Members of the organisation.
	ManageOwners
	// ManageRoles: define the organisation's custom roles.
	ManageRoles
	// ManageStructure: edit the organisation structure (default rule, links).
	ManageStructure
	// ManageBilling: buy licences and SMS credits, issue coupons.
	ManageBilling
	// ManageCommunity: see the community, its members and statistics.
	ManageCommunity
	// ManageEvents: create, change and manage the organisation's events.
	ManageEvents

	numPermissions
)

var permissionNames = [numPermissions]string{
	ViewAccount:           "account.view",
	EditContent:           "content.edit",
	PublishContent:        "content.publish",
	ViewPersonalData:      "data.personal.view",
	ExportData:            "data.export",
	ManageAccountUsers:    "account.users.manage",
	ManageAccountSettings: "account.settings.manage",
	ViewOrganisation:      "organisation.view",
	ManageOrganisation:    "organisation.manage",
	ManageOwners:          "organisation.owners.manage",
	ManageRoles:           "organisation.roles.manage",
	ManageStructure:       "structure.manage",
	ManageBilling:         "billing.manage",
	ManageCommunity:       "community.manage",
	ManageEvents:          "events.manage",
}

// String returns the permission's name, e.g. "content.edit".
func (p Permission) String() string {
	if p < numPermissions {
		return permissionNames[p]
	}
	return fmt.Sprintf("permission(%d)", p)
}

// ParsePermission parses a permission name such as "content.edit".
func ParsePermission(s string) (Permission, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for p, name := range permissionNames {
		if name == t {
			return Permission(p), nil
		}
	}
	return 0, fmt.Errorf("access: permission %q is unknown: %w", s, storage.ErrInvalidArgument)
}

// Permissions is a set of permissions.
type Permissions uint64

// PermissionsOf returns the set of ps.
func PermissionsOf(ps ...Permission) Permissions {
	var s Permissions
	for _, p := range ps {
		s |= 1 << p
	}
	return s
}

// ParsePermissions parses permission names into a set.
func ParsePermissions(names []string) (Permissions, error) {
	var s Permissions
	for _, n := range names {
		p, err := ParsePermission(n)
		if err != nil {
			return 0, err
		}
		s |= 1 << p
	}
	return s, nil
}

// Has reports whether p is in s.
func (s Permissions) Has(p Permission) bool { return p < numPermissions && s&(1<<p) != 0 }

// Contains reports whether every permission of t is in s.
func (s Permissions) Contains(t Permissions) bool { return t&^s == 0 }

// Len is the number of permissions in s.
func (s Permissions) Len() int { return bits.OnesCount64(uint64(s)) }

// List returns the permissions of s in order.
func (s Permissions) List() []Permission {
	out := make([]Permission, 0, s.Len())
	for p := Permission(0); p < numPermissions; p++ {
		if s.Has(p) {
			out = append(out, p)
		}
	}
	return out
}

// String lists the names, e.g. "{account.view content.edit}".
func (s Permissions) String() string {
	names := make([]string, 0, s.Len())
	for _, p := range s.List() {
		names = append(names, p.String())
	}
	return "{" + strings.Join(names, " ") + "}"
}

// Permission sets of the built-in roles and scopes.
var (
	// AllPermissions is every permission: an Owner's.
	AllPermissions = Permissions(1<<numPermissions - 1)
	// AccountPermissions are the permissions a grant on an account can carry.
	AccountPermissions = PermissionsOf(ViewAccount, EditContent, PublishContent, ViewPersonalData,
		ExportData, ManageAccountUsers, ManageAccountSettings)
	// OrganisationPermissions are held only through an organisation role.
	OrganisationPermissions = AllPermissions &^ AccountPermissions
	// MemberPermissions are a Member's rights: see the organisation, and work
	// on every account of product Events ("rights on all events").
	MemberPermissions = PermissionsOf(ViewOrganisation)
	// MemberEventPermissions are what a Member holds on each Events account.
	MemberEventPermissions = PermissionsOf(ViewAccount, EditContent, PublishContent, ViewPersonalData, ManageEvents)
)
