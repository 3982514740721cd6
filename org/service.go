package org

import (
	"context"
	"errors"
	"fmt"

	"github.com/orgspace/orgspace/storage"
)

// Service performs the operations of package org: it authorises the actor,
// validates the input, runs one transaction and appends to the audit log.
type Service struct {
	tx        storage.Transactor[Store]
	env       Env
	committed func(context.Context, storage.Revision)
}

// Config configures a Service; the zero Config is usable.
type Config struct {
	Env Env
	// Committed, when set, is called after every committed write with its
	// revision: the Space uses it to bring the access index up to date.
	Committed func(ctx context.Context, rev storage.Revision)
}

// NewService returns a Service over tx.
func NewService(tx storage.Transactor[Store], cfg Config) *Service {
	return &Service{tx: tx, env: cfg.Env, committed: cfg.Committed}
}

// update runs fn in a write transaction and reports the commit.
func (s *Service) update(ctx context.Context, fn func(Store) error) (storage.Revision, error) {
	rev, err := s.tx.Update(ctx, fn)
	if err != nil {
		return 0, err
	}
	if s.committed != nil {
		s.committed(ctx, rev)
	}
	return rev, nil
}

// NewOperator describes an operator to register.
type NewOperator struct {
	Name  string
	Email string
}

// CreateOperator registers platform staff. Only System (the host) may.
func (s *Service) CreateOperator(ctx context.Context, actor Actor, in NewOperator) (Operator, storage.Revision, error) {
	name, err := CheckName("operator name", in.Name)
	if err != nil {
		return Operator{}, 0, err
	}
	email, err := NormaliseEmail(in.Email)
	if err != nil {
		return Operator{}, 0, err
	}
	op := Operator{ID: OperatorID(s.env.NewID("op")), Name: name, Email: email, CreatedAt: s.env.Now()}
	rev, err := s.update(ctx, func(st Store) error {
		if actor.Kind != ActorSystem {
			return fmt.Errorf("org: only the host (System) may register operators: %w", storage.ErrPermissionDenied)
		}
		if err := st.InsertOperator(op); err != nil {
			return fmt.Errorf("org: create operator: %w", err)
		}
		return s.log(st, actor, "org.operator.create", string(op.ID), Subject{}, "operator "+op.Name)
	})
	return op, rev, err
}

// NewOrganisation describes an organisation to create.
type NewOrganisation struct {
	Name     string
	Settings Settings
}

// CreateOrganisation creates an organisation. Only an operator may; its first
// Owner is then set with access.Service.SetOrganisationRole.
func (s *Service) CreateOrganisation(ctx context.Context, actor Actor, in NewOrganisation) (Organisation, storage.Revision, error) {
	name, err := CheckName("organisation name", in.Name)
	if err != nil {
		return Organisation{}, 0, err
	}
	settings, err := CheckSettings(in.Settings)
	if err != nil {
		return Organisation{}, 0, err
	}
	o := Organisation{ID: OrganisationID(s.env.NewID("org")), Name: name, Settings: settings, CreatedAt: s.env.Now()}
	rev, err := s.update(ctx, func(st Store) error {
		if err := RequireOperator(st, actor, "create organisations"); err != nil {
			return err
		}
		if err := st.InsertOrganisation(o); err != nil {
			return fmt.Errorf("org: create organisation: %w", err)
		}
		return s.log(st, actor, "org.organisation.create", string(o.ID), Subject{Org: o.ID}, "organisation "+o.Name)
	})
	return o, rev, err
}

// RenameOrganisation renames an organisation: its Owners and operators may.
func (s *Service) RenameOrganisation(ctx context.Context, actor Actor, id OrganisationID, name string) (storage.Revision, error) {
	name, err := CheckName("organisation name", name)
	if err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		o, err := st.Organisation(id)
		if err != nil {
			return fmt.Errorf("org: rename organisation %s: %w", id, err)
		}
		if err := RequireOwner(st, actor, id, "rename the organisation"); err != nil {
			return err
		}
		old := o.Name
		o.Name = name
		if err := st.UpdateOrganisation(o); err != nil {
			return fmt.Errorf("org: rename organisation %s: %w", id, err)
		}
		return s.log(st, actor, "org.organisation.rename", string(id), Subject{Org: id}, fmt.Sprintf("renamed %q to %q", old, name))
	})
}

// Organisation returns an organisation to its Owners, Members and operators.
func (s *Service) Organisation(ctx context.Context, c storage.Consistency, actor Actor, id OrganisationID) (Organisation, error) {
	var o Organisation
	err := s.tx.View(ctx, c, func(st Store) error {
		var err error
		if o, err = st.Organisation(id); err != nil {
			return fmt.Errorf("org: organisation %s: %w", id, err)
		}
		return requireRole(st, actor, id, Member, "see the organisation")
	})
	return o, err
}

// NewAccount describes an account to create.
type NewAccount struct {
	Org     OrganisationID
	Product Product
	Name    string
	Login   LoginPolicy
}

// CreateAccount creates an account in an organisation. Only an operator may
// (owners ask their customer success manager or support).
func (s *Service) CreateAccount(ctx context.Context, actor Actor, in NewAccount) (Account, storage.Revision, error) {
	name, err := CheckName("account name", in.Name)
	if err != nil {
		return Account{}, 0, err
	}
	product, err := ParseProduct(string(in.Product))
	if err != nil {
		return Account{}, 0, err
	}
	if err := in.Login.Check(); err != nil {
		return Account{}, 0, err
	}
	a := Account{ID: AccountID(s.env.NewID("acc")), Org: in.Org, Product: product, Name: name, Login: in.Login, CreatedAt: s.env.Now()}
	rev, err := s.update(ctx, func(st Store) error {
		if err := RequireOperator(st, actor, "create accounts"); err != nil {
			return err
		}
		if _, err := st.Organisation(in.Org); err != nil {
			return fmt.Errorf("org: create account: organisation %q: %w", in.Org, err)
		}
		if err := st.InsertAccount(a); err != nil {
			return fmt.Errorf("org: create account: %w", err)
		}
		return s.log(st, actor, "org.account.create", string(a.ID), Subject{Org: a.Org, Account: a.ID},
			fmt.Sprintf("%s account %q, login %s", a.Product, a.Name, a.Login))
	})
	return a, rev, err
}

// SetLoginPolicy changes how an account's users authenticate: operators and
// the organisation's Owners may.
func (s *Service) SetLoginPolicy(ctx context.Context, actor Actor, id AccountID, p LoginPolicy) (storage.Revision, error) {
	if err := p.Check(); err != nil {
		return 0, err
	}
	return s.update(ctx, func(st Store) error {
		a, err := st.Account(id)
		if err != nil {
			return fmt.Errorf("org: set login policy: account %q: %w", id, err)
		}
		if err := RequireOwner(st, actor, a.Org, "change login policies"); err != nil {
			return err
		}
		a.Login = p
		if err := st.UpdateAccount(a); err != nil {
			return fmt.Errorf("org: set login policy: %w", err)
		}
		return s.log(st, actor, "org.account.login_policy", string(id), Subject{Org: a.Org, Account: id}, "login "+p.String())
	})
}

// Account returns an account to its organisation's Owners and to operators.
// (Users with a grant read their accounts through package access.)
func (s *Service) Account(ctx context.Context, c storage.Consistency, actor Actor, id AccountID) (Account, error) {
	var a Account
	err := s.tx.View(ctx, c, func(st Store) error {
		var err error
		if a, err = st.Account(id); err != nil {
			return fmt.Errorf("org: account %q: %w", id, err)
		}
		return RequireOwner(st, actor, a.Org, "read accounts")
	})
	return a, err
}

// Accounts lists all accounts of an organisation, by ID: its Owners and
// operators may.
func (s *Service) Accounts(ctx context.Context, c storage.Consistency, actor Actor, id OrganisationID, page storage.PageRequest) (storage.Page[Account], error) {
	var out storage.Page[Account]
	size, after, err := pageArgs(page)
	if err != nil {
		return out, err
	}
	err = s.tx.View(ctx, c, func(st Store) error {
		if _, err := st.Organisation(id); err != nil {
			return fmt.Errorf("org: accounts: organisation %q: %w", id, err)
		}
		if err := RequireOwner(st, actor, id, "list the organisation's accounts"); err != nil {
			return err
		}
		items, err := st.ListAccounts(id, AccountID(after), size+1)
		if err != nil {
			return err
		}
		out = storage.PageOf(items, size, func(a Account) storage.Cursor { return IDCursor(a.ID) })
		return nil
	})
	return out, err
}

// Organisations lists every organisation, by ID: operators only.
func (s *Service) Organisations(ctx context.Context, c storage.Consistency, actor Actor, page storage.PageRequest) (storage.Page[Organisation], error) {
	var out storage.Page[Organisation]
	size, after, err := pageArgs(page)
	if err != nil {
		return out, err
	}
	err = s.tx.View(ctx, c, func(st Store) error {
		if err := RequireOperator(st, actor, "list all organisations"); err != nil {
			return err
		}
		items, err := st.ListOrganisations(OrganisationID(after), size+1)
		if err != nil {
			return err
		}
		out = storage.PageOf(items, size, func(o Organisation) storage.Cursor { return IDCursor(o.ID) })
		return nil
	})
	return out, err
}

// NewUser describes a user to create.
type NewUser struct {
	Email string
	Name  string
}

// CreateUser creates a user identity: operators only. (Owners and
// Administrators create users with access.Service.AddUser, which also
// grants the new user a role.)
func (s *Service) CreateUser(ctx context.Context, actor Actor, in NewUser) (User, storage.Revision, error) {
	var u User
	rev, err := s.update(ctx, func(st Store) error {
		if err := RequireOperator(st, actor, "create users"); err != nil {
			return err
		}
		var err error
		u, err = InsertNewUser(st, s.env, actor, in)
		return err
	})
	return u, rev, err
}

// ErrUserExists is wrapped by the error of creating a user whose email is
// taken. It reads as the seeds' message, "that user already exists", and
// errors.Is(ErrUserExists, storage.ErrAlreadyExists) holds.
var ErrUserExists error = userExistsError{}

type userExistsError struct{}

func (userExistsError) Error() string        { return "that user already exists" }
func (userExistsError) Is(target error) bool { return target == storage.ErrAlreadyExists }

// InsertNewUser validates in, inserts the user and logs it, inside the
// caller's transaction. Package access calls it from its own writes.
func InsertNewUser(st Store, env Env, actor Actor, in NewUser) (User, error) {
	name, err := CheckName("user name", in.Name)
	if err != nil {
		return User{}, err
	}
	email, err := NormaliseEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	if _, err := st.UserByEmail(email); err == nil {
		return User{}, fmt.Errorf("org: create user %s: %w", email, ErrUserExists)
	} else if !storage.IsNotFound(err) {
		return User{}, err
	}
	u := User{ID: UserID(env.NewID("usr")), Email: email, Name: name, CreatedAt: env.Now()}
	if err := st.InsertUser(u); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			return User{}, fmt.Errorf("org: create user %s: %w", email, ErrUserExists)
		}
		return User{}, fmt.Errorf("org: create user: %w", err)
	}
	return u, Log(st, env, actor, "org.user.create", string(u.ID), Subject{User: u.ID}, "user "+u.Email)
}

// User returns a user to themselves and to operators.
func (s *Service) User(ctx context.Context, c storage.Consistency, actor Actor, id UserID) (User, error) {
	var u User
	err := s.tx.View(ctx, c, func(st Store) error {
		if err := Resolve(st, actor); err != nil {
			return err
		}
		if actor.Kind == ActorUser && actor.User() != id {
			return fmt.Errorf("org: user %s may not read user %s: %w", actor.ID, id, storage.ErrPermissionDenied)
		}
		var err error
		if u, err = st.User(id); err != nil {
			return fmt.Errorf("org: user %q: %w", id, err)
		}
		return nil
	})
	return u, err
}

// UserByEmail looks a user up by email (normalised first): operators only.
func (s *Service) UserByEmail(ctx context.Context, c storage.Consistency, actor Actor, email string) (User, error) {
	e, err := NormaliseEmail(email)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.tx.View(ctx, c, func(st Store) error {
		if err := RequireOperator(st, actor, "look users up by email"); err != nil {
			return err
		}
		var err error
		if u, err = st.UserByEmail(e); err != nil {
			return fmt.Errorf("org: user %s: %w", e, err)
		}
		return nil
	})
	return u, err
}

// AuditLog returns log entries, oldest first: an organisation's entries to
// its Owners, and any organisation's or (with id "") all entries to operators.
func (s *Service) AuditLog(ctx context.Context, c storage.Consistency, actor Actor, id OrganisationID, page storage.PageRequest) (storage.Page[storage.Entry], error) {
	var out storage.Page[storage.Entry]
	size, err := page.Size()
	if err != nil {
		return out, err
	}
	var after storage.Position
	if page.After != "" {
		if after, err = decodePosition(page.After); err != nil {
			return out, err
		}
	}
	err = s.tx.View(ctx, c, func(st Store) error {
		if id == "" {
			if err := RequireOperator(st, actor, "read the whole audit log"); err != nil {
				return err
			}
		} else if err := RequireOwner(st, actor, id, "read the audit log"); err != nil {
			return err
		}
		items, err := st.Entries(storage.LogQuery{After: after, Org: string(id), Limit: size + 1})
		if err != nil {
			return err
		}
		out = storage.PageOf(items, size, encodePosition)
		return nil
	})
	return out, err
}
