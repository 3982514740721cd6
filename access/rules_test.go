package access

import (
	"testing"
	"time"

	"github.com/orgspace/orgspace/org"
)

func TestEffectiveOwnerHoldsEverything(t *testing.T) {
	for _, product := range []org.Product{org.Engage, org.Loyalty, org.Events} {
		if got := Effective(org.Owner, product, 0, false); got != AllPermissions {
			t.Errorf("Owner on %s: %v, want every permission", product, got)
		}
	}
}

func TestEffective(t *testing.T) {
	marketer, _ := BuiltinRole(Marketer)
	observer, _ := BuiltinRole(Observer)
	tests := []struct {
		name        string
		orgRole     org.Role
		product     org.Product
		grant       Permissions
		grantActive bool
		want        []Permission
		wantNot     []Permission
	}{
		{"no role, no grant: nothing", org.NoRole, org.Engage, 0, false, nil, []Permission{ViewAccount, ViewOrganisation}},
		{"a Marketer edits and publishes", org.NoRole, org.Engage, marketer.Permissions, true,
			[]Permission{ViewAccount, EditContent, PublishContent}, []Permission{ManageAccountUsers, ViewOrganisation}},
		{"an Observer is read-only", org.NoRole, org.Loyalty, observer.Permissions, true,
			[]Permission{ViewAccount}, []Permission{EditContent, PublishContent, ExportData}},
		{"an expired grant gives nothing", org.NoRole, org.Engage, marketer.Permissions, false, nil, []Permission{ViewAccount}},
		{"a Member has rights on all events", org.Member, org.Events, 0, false,
			[]Permission{ViewAccount, EditContent, ManageEvents, ViewOrganisation}, []Permission{ManageOrganisation, ManageAccountUsers}},
		{"a Member has no rights on an Engage account", org.Member, org.Engage, 0, false,
			[]Permission{ViewOrganisation}, []Permission{ViewAccount}},
		{"a Member with a grant holds both", org.Member, org.Engage, observer.Permissions, true,
			[]Permission{ViewOrganisation, ViewAccount}, []Permission{EditContent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Effective(tt.orgRole, tt.product, tt.grant, tt.grantActive)
			for _, p := range tt.want {
				if !got.Has(p) {
					t.Errorf("%v lacks %s", got, p)
				}
			}
			for _, p := range tt.wantNot {
				if got.Has(p) {
					t.Errorf("%v holds %s", got, p)
				}
			}
		})
	}
}

func TestBuiltinRolesAreOrderedByPower(t *testing.T) {
	roles := BuiltinRoles()
	for i := 1; i < len(roles); i++ {
		if !roles[i-1].Permissions.Contains(roles[i].Permissions) || roles[i-1].Permissions == roles[i].Permissions {
			t.Errorf("%s %v does not strictly contain %s %v", roles[i-1].ID, roles[i-1].Permissions, roles[i].ID, roles[i].Permissions)
		}
	}
	if roles[0].ID != Administrator || roles[0].Permissions != AccountPermissions {
		t.Errorf("Administrator must hold every account permission, has %v", roles[0].Permissions)
	}
	if last := roles[len(roles)-1]; last.ID != Observer || last.Permissions != PermissionsOf(ViewAccount) {
		t.Errorf("Observer must be read-only, has %v", last.Permissions)
	}
}

func TestPermissionsRoundTrip(t *testing.T) {
	for p := Permission(0); p < numPermissions; p++ {
		got, err := ParsePermission(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePermission(%q) = %v, %v", p.String(), got, err)
		}
	}
	if AccountPermissions&OrganisationPermissions != 0 || AccountPermissions|OrganisationPermissions != AllPermissions {
		t.Error("account and organisation permissions must partition all permissions")
	}
	if _, err := ParsePermission("root"); err == nil {
		t.Error("unknown permission parsed")
	}
}

func TestCheckRolePermissions(t *testing.T) {
	tests := []struct {
		name string
		p    Permissions
		ok   bool
	}{
		{"empty", 0, false},
		{"account permissions", PermissionsOf(ViewAccount, ExportData), true},
		{"an organisation permission", PermissionsOf(ViewAccount, ManageStructure), false},
	}
	for _, tt := range tests {
		if err := CheckRolePermissions(tt.p); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func TestInvitationExpiresAfterTTL(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	inv := Invitation{Status: Pending, CreatedAt: created, ExpiresAt: created.Add(DefaultInvitationTTL)}
	if got := inv.StatusAt(created.Add(DefaultInvitationTTL - time.Second)); got != Pending {
		t.Errorf("a second before expiry: %s", got)
	}
	if got := inv.StatusAt(created.Add(DefaultInvitationTTL)); got != Expired {
		t.Errorf("at expiry: %s", got)
	}
	inv.Status = Accepted
	if got := inv.StatusAt(created.Add(30 * 24 * time.Hour)); got != Accepted {
		t.Errorf("an accepted invitation stays accepted: %s", got)
	}
	if DefaultInvitationTTL != 7*24*time.Hour {
		t.Errorf("default TTL %v, want 7 days", DefaultInvitationTTL)
	}
}
