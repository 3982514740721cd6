package access

import (
	"context"
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Accounts returns the accounts user can open, in drop-down order, with the
// role in each and the favourite marked.
func (s *Service) Accounts(ctx context.Context, c storage.Consistency, user org.UserID) ([]AccountAccess, error) {
	ix, err := s.Index(ctx, c)
	if err != nil {
		return nil, err
	}
	return ix.AccountsOf(user), nil
}

// Menu returns the account drop-down: accessible accounts grouped by
// organisation, the role in each, the favourite marked.
func (s *Service) Menu(ctx context.Context, c storage.Consistency, user org.UserID) ([]MenuGroup, error) {
	ix, err := s.Index(ctx, c)
	if err != nil {
		return nil, err
	}
	return ix.Menu(user), nil
}

// Member is a page row of a user listing: the user and what they hold.
type Member[T any] struct {
	User   org.User
	Access T
}

// UsersOfAccount lists the users holding a grant on account, by user ID:
// operators and users who manage the account's users may.
func (s *Service) UsersOfAccount(ctx context.Context, c storage.Consistency, actor org.Actor, account org.AccountID, page storage.PageRequest) (storage.Page[Member[AccountUser]], error) {
	return listUsers(s, ctx, c, actor, page,
		func(st Store, ix *Index) error {
			a, err := st.Account(account)
			if err != nil {
				return fmt.Errorf("access: users of account %q: %w", account, err)
			}
			if err := org.Resolve(st, actor); err != nil {
				return err
			}
			if actor.Kind == org.ActorUser && !ix.Check(actor.User(), a.ID, ManageAccountUsers) {
				return denied("only Owners, Administrators of account %s and operators may list its users", account)
			}
			return nil
		},
		func(ix *Index, after org.UserID, limit int) ([]AccountUser, bool) {
			return ix.UsersOfAccount(account, after, limit)
		},
		func(u AccountUser) org.UserID { return u.User })
}

// UsersOfOrganisation lists the users of organisation o (Owners, Members
// and grant holders) by user ID: its Owners and operators may.
func (s *Service) UsersOfOrganisation(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID, page storage.PageRequest) (storage.Page[Member[OrgUser]], error) {
	return listUsers(s, ctx, c, actor, page,
		func(st Store, _ *Index) error {
			if _, err := st.Organisation(o); err != nil {
				return fmt.Errorf("access: users of organisation %q: %w", o, err)
			}
			return authorizeOwner(st, actor, o, "list its users")
		},
		func(ix *Index, after org.UserID, limit int) ([]OrgUser, bool) {
			return ix.UsersOfOrganisation(o, after, limit)
		},
		func(u OrgUser) org.UserID { return u.User })
}

// listUsers pages through an index listing and loads the users of the page:
// its cost is proportional to the page.
func listUsers[T any](s *Service, ctx context.Context, c storage.Consistency, actor org.Actor, page storage.PageRequest,
	authorize func(Store, *Index) error,
	list func(ix *Index, after org.UserID, limit int) ([]T, bool),
	userOf func(T) org.UserID,
) (storage.Page[Member[T]], error) {
	var out storage.Page[Member[T]]
	size, key, err := page.Key(1)
	if err != nil {
		return out, err
	}
	var after org.UserID
	if key != nil {
		after = org.UserID(key[0])
	}
	ix, err := s.Index(ctx, c)
	if err != nil {
		return out, err
	}
	err = s.tx.View(ctx, storage.AtLeast(ix.Revision()), func(st Store) error {
		if err := authorize(st, ix); err != nil {
			return err
		}
		rows, more := list(ix, after, size)
		out.Items = make([]Member[T], 0, len(rows))
		for _, r := range rows {
			u, err := st.User(userOf(r))
			if err != nil {
				return err
			}
			out.Items = append(out.Items, Member[T]{User: u, Access: r})
		}
		if more && len(rows) > 0 {
			out.Next = org.IDCursor(userOf(rows[len(rows)-1]))
		}
		return nil
	})
	return out, err
}
