package structure

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Config configures a Service. The zero Config is usable.
type Config struct {
	// Env supplies the clock and the IDs of new websites, programs and links.
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
// and listed while the organisation has no structure; custom links, the
// default rule and every structure read (Links, DefaultRule, Shares,
// Explain, WebsitesFor, ProgramsFor) fail with [ErrStructureUnavailable]
// until the organisation has an Engage and a Loyalty account.
//
// An unknown organisation, account, website, program or link fails with
// storage.ErrNotFound before the actor is authorised; everything the input
// refers to beyond that is looked up only for an authorised actor.
//
// Every write appends an audit entry whose Action is
// "structure.<website|program|link|default_rule>.<verb>" and whose Org is
// the organisation, and returns the revision it committed.
type Service struct {
	tx  storage.Transactor[Store]
	cfg Config
	env org.Env

	state   atomic.Pointer[compiled]
	refresh sync.Mutex // one refresh at a time
}

// compiled is an Index and the place in the store's log it reflects.
type compiled struct {
	ix  *Index
	rev storage.Revision
	pos storage.Position
}

// NewService returns a Service over tx, with its index compiled from the
// store's current state.
func NewService(ctx context.Context, tx storage.Transactor[Store], cfg Config) (*Service, error) {
	if cfg.MaxLogBacklog <= 0 {
		cfg.MaxLogBacklog = 10_000
	}
	s := &Service{tx: tx, cfg: cfg, env: cfg.Env}
	if _, err := s.Sync(ctx, storage.Latest()); err != nil {
		return nil, err
	}
	return s, nil
}

// Index returns the compiled index, first catching up with the store's log
// when it is older than c asks (with storage.Latest, always).
func (s *Service) Index(ctx context.Context, c storage.Consistency) (*Index, error) {
	if cur := s.state.Load(); cur != nil && c != storage.Latest() && c.Satisfied(cur.rev) {
		return cur.ix, nil
	}
	return s.Sync(ctx, c)
}

// Current returns the index as it is, without reading the store: after this
// instance's own writes it includes them; writes of other instances, and
// new accounts, arrive with Sync or Index.
func (s *Service) Current() *Index { return s.state.Load().ix }

// Sync brings the index up to the store's latest state (at least c): it
// compiles again the organisations named by the log entries written since
// the index's revision that can change a structure (this package's and the
// accounts'), or compiles everything afresh when there are more than
// Config.MaxLogBacklog of them.
func (s *Service) Sync(ctx context.Context, c storage.Consistency) (*Index, error) {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	cur := s.state.Load()
	var next *compiled
	err := s.tx.View(ctx, c, func(st Store) error {
		var err error
		if cur == nil {
			next, err = compileAll(st)
			return err
		}
		next, err = s.catchUp(st, cur)
		if errors.Is(err, storage.ErrBacklog) {
			next, err = compileAll(st)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("structure: refresh index: %w", err)
	}
	s.state.Store(next)
	return next.ix, nil
}

func compileAll(st Store) (*compiled, error) {
	head, err := st.Head()
	if err != nil {
		return nil, err
	}
	ix, err := Compile(st)
	if err != nil {
		return nil, err
	}
	return &compiled{ix: ix, rev: head, pos: storage.AfterRevision(head)}, nil
}

// catchUp recompiles the organisations whose structure the log entries
// after cur changed.
func (s *Service) catchUp(st Store, cur *compiled) (*compiled, error) {
	changed := map[org.OrganisationID]bool{}
	head, next, err := storage.Follow(st, cur.pos, s.cfg.MaxLogBacklog, func(e storage.Entry) {
		if e.Org != "" && changes(e.Action) {
			changed[org.OrganisationID(e.Org)] = true
		}
	})
	if err != nil {
		return nil, err
	}
	if head == cur.rev {
		return cur, nil
	}
	ix := cur.ix
	if len(changed) > 0 {
		orgs := make([]org.OrganisationID, 0, len(changed))
		for o := range changed {
			orgs = append(orgs, o)
		}
		if ix, err = ix.Recompile(st, orgs...); err != nil {
			return nil, err
		}
	}
	return &compiled{ix: ix, rev: head, pos: next}, nil
}

// changes reports whether a log entry's action can change a structure:
// this package's writes, and accounts (a new Engage or Loyalty account
// makes the structure available and joins links selecting All).
func changes(action string) bool {
	return strings.HasPrefix(action, "structure.") || strings.HasPrefix(action, "org.account.")
}

// update runs fn in a write transaction and then brings the index up to the
// new revision, so this instance's reads see its own writes at once. A
// failed refresh does not undo the committed write: the next Sync or Index
// catches up.
func (s *Service) update(ctx context.Context, fn func(Store) error) (storage.Revision, error) {
	rev, err := s.tx.Update(ctx, fn)
	if err != nil {
		return 0, err
	}
	_, _ = s.Sync(ctx, storage.AtLeast(rev))
	return rev, nil
}

func (s *Service) log(st Store, actor org.Actor, action, target string, about org.Subject, detail string) error {
	return org.Log(st, s.env, actor, action, target, about, detail)
}
