package bench

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgspace/orgspace/access"
)

// TestOpenFGAAgreesWithOrgspace: see testAgreesWithOrgspace. The engine
// must be an io.Closer, or its server would never be closed.
func TestOpenFGAAgreesWithOrgspace(t *testing.T) {
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	src, err := prepareOpenFGA(s)
	if err != nil {
		t.Fatal(err)
	}
	e, err := src.Build()
	if err != nil {
		t.Fatal(err)
	}
	c, ok := e.(io.Closer)
	if !ok {
		t.Fatal("the OpenFGA engine is not an io.Closer: its server would never be closed")
	}
	c.Close()
	testAgreesWithOrgspace(t, "openfga", prepareOpenFGA)
}

// TestPrepareOpenFGARefuses checks that prepareOpenFGA refuses what the
// model cannot express: a time-bound grant, a role without ViewAccount
// (AccountsOf would miss its holders), two roles whose IDs make the same
// relation name.
func TestPrepareOpenFGARefuses(t *testing.T) {
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prepareOpenFGA(s); err != nil {
		t.Fatalf("prepareOpenFGA(small set): %v", err)
	}
	cases := []struct {
		name   string
		change func(c *Set)
		want   string
	}{
		{"time-bound grant", func(c *Set) {
			c.Grants = slices.Clone(c.Grants)
			c.Grants[0].ExpiresAt = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "time-bound"},
		{"role without ViewAccount", func(c *Set) {
			c.Roles = slices.Clone(c.Roles)
			c.Roles[len(c.Roles)-1].Permissions = access.PermissionsOf(access.ExportData)
		}, "lacks"},
		{"clashing role IDs", func(c *Set) {
			c.Roles = append(slices.Clone(c.Roles), access.Role{ID: "Editor", Permissions: access.PermissionsOf(access.ViewAccount)})
		}, "both become"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := *s.Dataset
			cs := *s
			cs.Dataset = &ds
			c.change(&cs)
			if _, err := prepareOpenFGA(&cs); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("prepareOpenFGA = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestFGAName checks the relation names made from role and permission IDs.
func TestFGAName(t *testing.T) {
	for in, want := range map[string]string{
		"administrator":              "role_administrator",
		"role_07":                    "role_role_07",
		"Role-X.y z":                 "role_role_x_y_z",
		"organisation.owners.manage": "role_organisation_owners_manage",
	} {
		if got, err := fgaName("role_", in); err != nil || got != want {
			t.Errorf("fgaName(role_, %q) = %q, %v, want %q", in, got, err, want)
		}
	}
	if _, err := fgaName("role_", strings.Repeat("x", 46)); err == nil {
		t.Error("fgaName accepted a 51-character name")
	}
}
