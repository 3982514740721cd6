package bench

import (
	"testing"
	"time"

	"github.com/orgspace/orgspace/access"
)

// TestCasbinAgreesWithOrgspace: see testAgreesWithOrgspace.
func TestCasbinAgreesWithOrgspace(t *testing.T) { testAgreesWithOrgspace(t, "casbin", prepareCasbin) }

// TestCasbinSetRoleNeedsTheGrant: changing a role the user does not hold
// is an error, and changes nothing.
func TestCasbinSetRoleNeedsTheGrant(t *testing.T) {
	s, d := buildPair(t, "casbin", prepareCasbin)
	g := findGrant(t, s, func(g access.Grant) bool { return g.Role == access.Observer })
	if err := d.peer.SetRole(g.User, g.Account, access.Editor, access.Administrator); err == nil {
		t.Errorf("SetRole(%s, %s, %s, %s) succeeded; the grant is %s", g.User, g.Account, access.Editor, access.Administrator, g.Role)
	}
	if ok, err := d.peer.Check(g.User, g.Account, access.ManageAccountUsers); ok || err != nil {
		t.Errorf("after a failed SetRole, Check(%s, %s, %s) = %v (error %v), want false", g.User, g.Account, access.ManageAccountUsers, ok, err)
	}
}

// TestCasbinBuildLoadsThePreparedSet: the adapter stores no change, so an
// Engine built after another's SetRole still has the set as generated, as
// the build benchmark assumes.
func TestCasbinBuildLoadsThePreparedSet(t *testing.T) {
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	src, err := prepareCasbin(s)
	if err != nil {
		t.Fatal(err)
	}
	first, err := src.Build()
	if err != nil {
		t.Fatal(err)
	}
	g := findGrant(t, s, func(g access.Grant) bool { return g.Role == access.Observer })
	if err := first.SetRole(g.User, g.Account, access.Observer, access.Administrator); err != nil {
		t.Fatal(err)
	}
	second, err := src.Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		e    Engine
		want bool
	}{{first, true}, {second, false}} {
		if ok, err := c.e.Check(g.User, g.Account, access.ManageAccountUsers); ok != c.want || err != nil {
			t.Errorf("Check(%s, %s, %s) = %v (error %v), want %v", g.User, g.Account, access.ManageAccountUsers, ok, err, c.want)
		}
	}
}

// TestPrepareCasbinRefusesTimeBoundGrants: the model has no notion of a
// grant's end, so a set with one is refused rather than answered wrongly.
func TestPrepareCasbinRefusesTimeBoundGrants(t *testing.T) {
	s, err := NewSet(Small())
	if err != nil {
		t.Fatal(err)
	}
	s.Grants[0].ExpiresAt = s.Epoch.Add(time.Hour)
	if _, err := prepareCasbin(s); err == nil {
		t.Error("prepareCasbin accepted a time-bound grant")
	}
}
