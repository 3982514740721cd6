package access

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// ErrStepUpRequired: the session must authenticate more strongly (SSO with
// the account's provider, or a second factor) before it may enter the
// account. It wraps storage.ErrPermissionDenied.
var ErrStepUpRequired = fmt.Errorf("step-up authentication required: %w", storage.ErrPermissionDenied)

// Config configures a Service. The zero Config is usable.
type Config struct {
	Env org.Env
	// Notifier delivers invitation mails; default: LogNotifier on slog.Default().
	Notifier Notifier
	// InvitationTTL is how long invitations stay valid; default 7 days.
	InvitationTTL time.Duration
	// StrictSwitch makes Switch require step-up into an account whose login
	// policy the session has not met (beyond the seeds, where the favourite
	// account's policy governs the whole session).
	StrictSwitch bool
	// Rand is the source of invitation tokens; default crypto/rand.
	Rand io.Reader
	// MaxLogBacklog is how many log entries a refresh applies one by one
	// before it rebuilds the index instead; default 10,000.
	MaxLogBacklog int
}

// Service manages roles, grants, invitations, favourites and sessions, and
// answers Check and Explain from its compiled Index.
type Service struct {
	tx  storage.Transactor[Store]
	cfg Config
	env org.Env

	ix      atomic.Pointer[Index]
	refresh sync.Mutex // one refresh at a time
}

// NewService returns a Service over tx, with its index compiled from the
// store's current state.
func NewService(ctx context.Context, tx storage.Transactor[Store], cfg Config) (*Service, error) {
	if cfg.Notifier == nil {
		cfg.Notifier = LogNotifier{Logger: slog.Default()}
	}
	if cfg.InvitationTTL == 0 {
		cfg.InvitationTTL = DefaultInvitationTTL
	}
	if cfg.InvitationTTL < 0 {
		return nil, fmt.Errorf("access: invitation TTL %v is negative: %w", cfg.InvitationTTL, storage.ErrInvalidArgument)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
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
// when it is older than c asks.
func (s *Service) Index(ctx context.Context, c storage.Consistency) (*Index, error) {
	if ix := s.ix.Load(); ix != nil && c.Satisfied(ix.rev) && c != storage.Latest() {
		return ix, nil
	}
	return s.Sync(ctx, c)
}

// Current returns the index as it is, without reading the store: after this
// instance's own writes it includes them; writes of other instances arrive
// with Sync or Index.
func (s *Service) Current() *Index { return s.ix.Load() }

// Check reports whether user may exercise p in account, on the current
// index: no I/O and no allocation.
func (s *Service) Check(user org.UserID, account org.AccountID, p Permission) bool {
	return s.ix.Load().Check(user, account, p)
}

// Explain is Check with its reasons, on the current index.
func (s *Service) Explain(user org.UserID, account org.AccountID, p Permission) Decision {
	return s.ix.Load().Explain(user, account, p)
}

// CheckWebsite reports whether user may exercise p on website of account,
// on the current index (see Index.CheckWebsite): no I/O and no allocation.
func (s *Service) CheckWebsite(user org.UserID, account org.AccountID, website org.WebsiteID, p Permission) bool {
	return s.ix.Load().CheckWebsite(user, account, website, p)
}

// ExplainWebsite is CheckWebsite with its reasons, on the current index.
func (s *Service) ExplainWebsite(user org.UserID, account org.AccountID, website org.WebsiteID, p Permission) Decision {
	return s.ix.Load().ExplainWebsite(user, account, website, p)
}

// Sync brings the index up to the store's latest state (at least c): it
// applies the log entries written since the index's revision, or rebuilds
// the index when there are more than Config.MaxLogBacklog of them.
func (s *Service) Sync(ctx context.Context, c storage.Consistency) (*Index, error) {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	cur := s.ix.Load()
	var next *Index
	err := s.tx.View(ctx, c, func(st Store) error {
		var err error
		if cur == nil {
			next, err = buildIndex(st, s.env.Clock)
			return err
		}
		next, err = s.catchUp(st, cur)
		if errors.Is(err, storage.ErrBacklog) {
			next, err = buildIndex(st, s.env.Clock)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("access: refresh index: %w", err)
	}
	s.ix.Store(next)
	return next, nil
}

// catchUp patches cur with the log entries after its position.
func (s *Service) catchUp(st Store, cur *Index) (*Index, error) {
	ch := changeSet{users: map[org.UserID]bool{}, accounts: map[org.AccountID]bool{}, orgs: map[org.OrganisationID]bool{}}
	head, next, err := storage.Follow(st, cur.pos, s.cfg.MaxLogBacklog, ch.add)
	if err != nil {
		return nil, err
	}
	if head == cur.rev {
		return cur, nil
	}
	return cur.patch(st, ch, head, next)
}
