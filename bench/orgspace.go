package bench

import (
	"context"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
)

// orgspaceSource is the set loaded into an in-memory store (memstore), the
// peers being in-memory too. Building an Engine builds an access.Service,
// whose index it compiles from the store.
type orgspaceSource struct {
	tx storage.Transactor[access.Store]
}

func prepareOrgspace(s *Set) (Source, error) {
	db := memstore.New()
	tx := storage.Narrow(db, func(t *memstore.Tx) access.Store { return t })
	if err := s.Load(context.Background(), tx); err != nil {
		return nil, err
	}
	return &orgspaceSource{tx: tx}, nil
}

func (src *orgspaceSource) Build() (Engine, error) {
	svc, err := access.NewService(context.Background(), src.tx, access.Config{})
	if err != nil {
		return nil, err
	}
	return &orgspaceEngine{svc: svc}, nil
}

// orgspaceEngine answers from the Service's compiled index.
type orgspaceEngine struct {
	svc *access.Service
}

func (e *orgspaceEngine) Check(user org.UserID, account org.AccountID, p access.Permission) (bool, error) {
	return e.svc.Check(user, account, p), nil
}

// AccountsOf lists the IDs, as the peers do: Index.AccountIDsOf.
func (e *orgspaceEngine) AccountsOf(user org.UserID) ([]org.AccountID, error) {
	return e.svc.Current().AccountIDsOf(user), nil // in drop-down order, each once
}

// menuRows lists the rows of user's account drop-down (Index.AccountsOf),
// which carry each account, its organisation's name and the user's role:
// more than any peer's listing gives. It returns how many.
func (e *orgspaceEngine) menuRows(user org.UserID) int {
	return len(e.svc.Current().AccountsOf(user))
}

// usersPage is the page size UsersOfAccount walks the index with.
const usersPage = 1000

func (e *orgspaceEngine) UsersOfAccount(account org.AccountID) ([]org.UserID, error) {
	ix := e.svc.Current()
	var out []org.UserID
	for after := org.UserID(""); ; {
		page, more := ix.UsersOfAccount(account, after, usersPage)
		for _, u := range page {
			if !u.Expired {
				out = append(out, u.User)
			}
		}
		if !more || len(page) == 0 {
			return out, nil // the index lists users by ID
		}
		after = page[len(page)-1].User
	}
}

func (e *orgspaceEngine) SetRole(user org.UserID, account org.AccountID, _, to access.RoleID) error {
	_, err := e.svc.Grant(context.Background(), org.System(), access.GrantRequest{User: user, Account: account, Role: to})
	return err
}
