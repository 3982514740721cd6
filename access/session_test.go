package access_test

import (
	"errors"
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

func favourite(w *world, u org.UserID) org.AccountID {
	w.t.Helper()
	_, fav, err := w.space.Access.LoginPolicy(w.ctx, storage.Latest(), u)
	if err != nil {
		w.t.Fatal(err)
	}
	return fav
}

// "Your favourite account is the account you log in to"; the star can be
// set only on an account the user can access.
func TestFavouriteMustBeAccessible(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	before := w.head()
	_, err := w.space.Access.SetFavourite(w.ctx, as(w.marketer), w.loyalty.ID)
	w.wantErr(err, storage.ErrPermissionDenied, before)
	w.must(w.grant(as(w.owner), w.marketer, w.loyalty.ID, access.Observer))
	_, err = w.space.Access.SetFavourite(w.ctx, as(w.marketer), w.loyalty.ID)
	w.must(err)
	if got := favourite(w, w.marketer); got != w.loyalty.ID {
		t.Errorf("favourite = %s, want the starred %s", got, w.loyalty.ID)
	}
}

// When access to the favourite is removed, the favourite falls back to the
// first accessible account in drop-down order (organisation name, account
// name), and is empty when nothing is accessible.
func TestFavouriteFallsBackWhenAccessIsRemoved(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	zeta := w.newOrg("Zeta")
	zetaAccount := w.newAccount(zeta.ID, org.Engage, "Alpha account", org.LoginPolicy{})
	w.must(w.grant(w.operator, w.marketer, zetaAccount.ID, access.Editor))
	w.must(w.grant(as(w.owner), w.marketer, w.loyalty.ID, access.Editor))
	_, err := w.space.Access.SetFavourite(w.ctx, as(w.marketer), w.loyalty.ID)
	w.must(err)

	// Revoked: Toppp sorts before Zeta, and "Toppp Engage" before "Toppp Rewards".
	_, err = w.space.Access.Revoke(w.ctx, as(w.owner), w.marketer, w.loyalty.ID)
	w.must(err)
	if got := favourite(w, w.marketer); got != w.engage.ID {
		t.Errorf("after revoke, favourite = %s, want %s (first in drop-down order)", got, w.engage.ID)
	}
	// Regaining access does not bring the old star back: it was cleared.
	w.must(w.grant(as(w.owner), w.marketer, w.loyalty.ID, access.Editor))
	if got := favourite(w, w.marketer); got != w.engage.ID {
		t.Errorf("after regaining access, favourite = %s, want %s", got, w.engage.ID)
	}
	// Expired: the same fallback, computed when read.
	_, err = w.space.Access.SetFavourite(w.ctx, as(w.marketer), zetaAccount.ID)
	w.must(err)
	_, err = w.space.Access.Grant(w.ctx, w.operator, access.GrantRequest{User: w.marketer, Account: zetaAccount.ID, Role: access.Editor, ExpiresAt: w.clock.Now().Add(3600e9)})
	w.must(err)
	if got := favourite(w, w.marketer); got != zetaAccount.ID {
		t.Errorf("favourite = %s, want %s", got, zetaAccount.ID)
	}
	w.clock.Advance(3600e9)
	if got := favourite(w, w.marketer); got != w.engage.ID {
		t.Errorf("after expiry, favourite = %s, want %s", got, w.engage.ID)
	}
	// Nothing accessible: no favourite, and no login.
	loner := w.newUser("loner@nowhere.test")
	if _, _, err := w.space.Access.LoginPolicy(w.ctx, storage.Latest(), loner); !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("LoginPolicy of a user without accounts: %v", err)
	}
}

// "In that case, the login method from your favourite account will apply",
// and so does its 2FA policy.
func TestEffectiveLoginPolicyIsTheFavouritesMethodAnd2FA(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	w.must(w.grant(as(w.owner), w.marketer, w.loyalty.ID, access.Marketer))
	policy, fav, err := w.space.Access.LoginPolicy(w.ctx, storage.Latest(), w.marketer)
	w.must(err)
	if fav != w.engage.ID || policy != (org.LoginPolicy{}) {
		t.Errorf("before starring: %s via %s, want password via Engage", policy, fav)
	}
	_, err = w.space.Access.SetFavourite(w.ctx, as(w.marketer), w.loyalty.ID)
	w.must(err)
	policy, _, err = w.space.Access.LoginPolicy(w.ctx, storage.Latest(), w.marketer)
	w.must(err)
	if want := (org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}); policy != want {
		t.Errorf("policy = %s, want %s", policy, want)
	}
	// A password login does not meet the favourite's SSO + 2FA.
	_, err = w.space.Access.Login(w.ctx, storage.Latest(), w.marketer, org.LoginPolicy{TwoFactor: true})
	if !errors.Is(err, access.ErrStepUpRequired) || !errors.Is(err, storage.ErrPermissionDenied) {
		t.Errorf("password login into an SSO favourite: %v", err)
	}
	sess, err := w.space.Access.Login(w.ctx, storage.Latest(), w.marketer, policy)
	w.must(err)
	if sess.Account != w.loyalty.ID || sess.Org != w.toppp.ID {
		t.Errorf("login landed in %s, want the favourite %s", sess.Account, w.loyalty.ID)
	}
}

// "Switch to another account": to any accessible account, refused otherwise;
// with StrictSwitch, into a stricter policy only after step-up.
func TestSwitch(t *testing.T) {
	for _, strict := range []bool{false, true} {
		w := newWorld(t, orgspace.Config{StrictSwitch: strict})
		w.must(w.grant(as(w.owner), w.marketer, w.loyalty.ID, access.Marketer))
		sess, err := w.space.Access.Login(w.ctx, storage.Latest(), w.marketer, org.LoginPolicy{})
		w.must(err)
		if _, err := w.space.Access.Switch(w.ctx, storage.Latest(), sess, w.events.ID); !errors.Is(err, storage.ErrPermissionDenied) {
			t.Errorf("strict=%v: switch to an inaccessible account: %v", strict, err)
		}
		next, err := w.space.Access.Switch(w.ctx, storage.Latest(), sess, w.loyalty.ID)
		if strict {
			if !errors.Is(err, access.ErrStepUpRequired) {
				t.Errorf("strict switch into SSO+2FA from a password session: %v", err)
			}
			sess.Authenticated = org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}
			next, err = w.space.Access.Switch(w.ctx, storage.Latest(), sess, w.loyalty.ID)
		}
		if err != nil || next.Account != w.loyalty.ID {
			t.Errorf("strict=%v: switch = %+v, %v", strict, next, err)
		}
		// Back to a password account never needs step-up.
		if back, err := w.space.Access.Switch(w.ctx, storage.Latest(), next, w.engage.ID); err != nil || back.Account != w.engage.ID {
			t.Errorf("strict=%v: switch back = %+v, %v", strict, back, err)
		}
	}
}

// The drop-down lists accessible accounts grouped by organisation, the role
// in each, the favourite starred.
func TestMenuGroupsAccountsByOrganisation(t *testing.T) {
	w := newWorld(t, orgspace.Config{})
	menu, err := w.space.Access.Menu(w.ctx, storage.Latest(), w.member)
	w.must(err)
	// A Member has rights on all events: the Events account only.
	if len(menu) != 1 || len(menu[0].Accounts) != 1 || menu[0].Accounts[0].Account.ID != w.events.ID ||
		menu[0].Accounts[0].Role != "member" || !menu[0].Accounts[0].Favourite {
		t.Errorf("Member's drop-down = %+v", menu)
	}
	menu, err = w.space.Access.Menu(w.ctx, storage.Latest(), w.owner)
	w.must(err)
	var names []string
	for _, a := range menu[0].Accounts {
		names = append(names, a.Account.Name+"/"+a.Role)
	}
	if want := []string{"Toppp Engage/owner", "Toppp Events/owner", "Toppp Rewards/owner"}; len(names) != 3 || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Errorf("Owner's drop-down = %v, want %v", names, want)
	}
}
