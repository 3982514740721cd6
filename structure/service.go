package structure

import (
	"context"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Config configures a Service. The zero Config is usable.
type Config struct {
	Env org.Env
	// MaxLogBacklog is how many log entries a refresh reads one by one
	// before it compiles the index afresh instead; default 10,000.
	MaxLogBacklog int
}

// Service manages websites, programs, custom links and the default rule,
// and answers what is shared from its compiled Index.
//
// Who may do what:
//
//   - create, rename and archive the websites of an Engage account, or the
//     programs of a Loyalty account: users holding
//     access.ManageAccountSettings on that account (its Administrators and
//     the organisation's Owners);
//   - create, change and delete custom links and switch the default rule:
//     users holding access.ManageStructure in the organisation (its Owners);
//   - read the structure and list websites and programs: the organisation's
//     Owners and Members, and users who can open at least one of its
//     accounts;
//   - operators and System may do all of it, as they may do what Owners do
//     everywhere in the library.
//
// Websites and programs are parts of their accounts and may be created
// while the organisation has no structure; custom links, the default rule
// and every structure read fail with [ErrStructureUnavailable] until the
// organisation has an Engage and a Loyalty account.
//
// An unknown organisation, account, website, program or link fails with
// storage.ErrNotFound before the actor is authorised; everything the input
// refers to beyond that is looked up only for an authorised actor.
type Service struct {
	tx  storage.Transactor[Store]
	cfg Config
	env org.Env
}

// NewService returns a Service over tx.
func NewService(ctx context.Context, tx storage.Transactor[Store], cfg Config) (*Service, error) {
	if cfg.MaxLogBacklog <= 0 {
		cfg.MaxLogBacklog = 10_000
	}
	s := &Service{tx: tx, cfg: cfg, env: cfg.Env}
	return s, nil
}

// update runs fn in a write transaction.
func (s *Service) update(ctx context.Context, fn func(Store) error) (storage.Revision, error) {
	return s.tx.Update(ctx, fn)
}

func (s *Service) log(st Store, actor org.Actor, action, target string, about org.Subject, detail string) error {
	return org.Log(st, s.env, actor, action, target, about, detail)
}
