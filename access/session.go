package access

import (
	"context"
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// SetFavourite stars an account: the account the user's logins land in. A
// user sets only their own favourite, and only to an account they can open.
func (s *Service) SetFavourite(ctx context.Context, actor org.Actor, account org.AccountID) (storage.Revision, error) {
	if err := org.CheckID("account", string(account)); err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		if err := org.Resolve(st, actor); err != nil {
			return err
		}
		user := actor.User()
		if user == "" {
			return denied("only a user sets their favourite account (actor %s)", actor)
		}
		a, err := st.Account(account)
		if err != nil {
			return fmt.Errorf("access: favourite: account %q: %w", account, err)
		}
		perms, _, err := Held(st, user, a, s.env.Now())
		if err != nil {
			return err
		}
		if !perms.Has(ViewAccount) {
			return denied("user %s cannot open account %s, so it cannot be their favourite", user, account)
		}
		if err := st.SetFavourite(user, account); err != nil {
			return err
		}
		return s.log(st, actor, "access.favourite.set", string(account), org.Subject{Org: a.Org, Account: account, User: user}, "favourite account")
	})
}

// Session is where a logged-in user is: the account they work in, the login
// policy that governed their login, and how they authenticated. The host
// keeps it (in its session store) and passes it back to Switch.
type Session struct {
	User    org.UserID
	Account org.AccountID
	Org     org.OrganisationID
	// Policy is the effective login policy: the favourite account's.
	Policy org.LoginPolicy
	// Authenticated is what the user completed: method, provider, 2FA.
	Authenticated org.LoginPolicy
}

// LoginPolicy returns the effective login policy of user: the login method
// and two-factor rule of their favourite account (the seeds' rule), and
// that account. It fails with ErrPermissionDenied when the user can open no
// account.
func (s *Service) LoginPolicy(ctx context.Context, c storage.Consistency, user org.UserID) (org.LoginPolicy, org.AccountID, error) {
	ix, err := s.Index(ctx, c)
	if err != nil {
		return org.LoginPolicy{}, "", err
	}
	fav := ix.Favourite(user)
	if fav == "" {
		return org.LoginPolicy{}, "", denied("user %s can open no account", user)
	}
	a, _ := ix.Account(fav)
	return a.Login, fav, nil
}

// Login lands user in their favourite account. The host authenticates the
// user as LoginPolicy says and passes what they completed; if that does not
// meet the policy, Login fails with ErrStepUpRequired.
func (s *Service) Login(ctx context.Context, c storage.Consistency, user org.UserID, authenticated org.LoginPolicy) (Session, error) {
	policy, fav, err := s.LoginPolicy(ctx, c, user)
	if err != nil {
		return Session{}, err
	}
	if !authenticated.Satisfies(policy) {
		return Session{}, fmt.Errorf("access: login of user %s: favourite account %s requires %s, the session has %s: %w",
			user, fav, policy, authenticated, ErrStepUpRequired)
	}
	a, _ := s.Current().Account(fav)
	return Session{User: user, Account: fav, Org: a.Org, Policy: policy, Authenticated: authenticated}, nil
}

// Switch moves a session to another account the user can open; it is
// refused (ErrPermissionDenied) for any other account. With
// Config.StrictSwitch, entering an account whose login policy the session
// has not met fails with ErrStepUpRequired: authenticate again and retry
// with the stronger Authenticated.
func (s *Service) Switch(ctx context.Context, c storage.Consistency, sess Session, account org.AccountID) (Session, error) {
	ix, err := s.Index(ctx, c)
	if err != nil {
		return sess, err
	}
	a, ok := ix.Account(account)
	if !ok || !ix.Accessible(sess.User, account) {
		return sess, denied("user %s cannot open account %s", sess.User, account)
	}
	if s.cfg.StrictSwitch && !sess.Authenticated.Satisfies(a.Login) {
		return sess, fmt.Errorf("access: switch to account %s requires %s, the session has %s: %w", account, a.Login, sess.Authenticated, ErrStepUpRequired)
	}
	sess.Account, sess.Org = account, a.Org
	return sess, nil
}
