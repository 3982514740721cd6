package orgspace

import (
	"context"
	"io"
	"time"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/community"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// Config wires the surroundings of a Space. The zero Config is usable: the
// system clock, random IDs, invitations logged by slog, 7-day invitations.
type Config struct {
	// Clock tells the time; default the system clock.
	Clock org.Clock
	// IDs makes object IDs; default org.RandomIDs.
	IDs org.IDGenerator
	// Notifier delivers invitation mails; default access.LogNotifier.
	Notifier access.Notifier
	// InvitationTTL is how long invitations stay valid; default 7 days.
	InvitationTTL time.Duration
	// StrictSwitch requires step-up when a session switches into an account
	// with a stricter login policy than the session met.
	StrictSwitch bool
	// Rand is the source of invitation tokens and coupon codes; default
	// crypto/rand.
	Rand io.Reader
	// Prices, Payments and SMS configure billing: the unit prices of
	// licences and SMS credits, the payment provider purchases are charged
	// through, and the sender of text messages. Without them purchases
	// and SMS fail with storage.ErrFailedPrecondition; everything else in
	// billing works.
	Prices   billing.PriceList
	Payments billing.PaymentProvider
	SMS      billing.SMSSender
	// CommunityK is the smallest number of indirect members a community
	// stats cell may count before it is suppressed; default
	// community.DefaultK.
	CommunityK int
}

// Space is orgspace opened on one backend: the services of every domain,
// sharing one store, clock and ID generator. It is safe for concurrent use.
type Space struct {
	// Org manages organisations, accounts, users and operators.
	Org *org.Service
	// Access manages roles, grants, invitations, favourites and sessions,
	// and answers Check and Explain.
	Access *access.Service
	// Structure manages websites, programs, custom links and the default
	// rule, and answers which websites share their data with which programs.
	Structure *structure.Service
	// Billing keeps the licence and SMS-credit ledgers: purchases,
	// coupons, licences for events and SMS.
	Billing *billing.Service
	// Community keeps events, participants and shared fields, and answers
	// who an organisation's community is: direct members listed, indirect
	// members only counted.
	Community *community.Service

	store storage.Transactor[Store]
}

// Open wires a backend into a Space and compiles the access index and the
// structure from the backend's current state. b is a backend's Transactor,
// such as the *sqlite.DB that sqlite.Open returns.
func Open[T Store](ctx context.Context, b storage.Transactor[T], cfg Config) (*Space, error) {
	env := org.Env{Clock: cfg.Clock, IDs: cfg.IDs}
	st := storage.Narrow(b, func(t T) Store { return t })
	acc, err := access.NewService(ctx, storage.Narrow(b, func(t T) access.Store { return t }), access.Config{
		Env: env, Notifier: cfg.Notifier, InvitationTTL: cfg.InvitationTTL, StrictSwitch: cfg.StrictSwitch, Rand: cfg.Rand,
	})
	if err != nil {
		return nil, err
	}
	str, err := structure.NewService(ctx, storage.Narrow(b, func(t T) structure.Store { return t }), structure.Config{Env: env})
	if err != nil {
		return nil, err
	}
	bil, err := billing.NewService(storage.Narrow(b, func(t T) billing.Store { return t }), billing.Config{
		Env: env, Prices: cfg.Prices, Payments: cfg.Payments, SMS: cfg.SMS, Rand: cfg.Rand,
	})
	if err != nil {
		return nil, err
	}
	com, err := community.NewService(storage.Narrow(b, func(t T) community.Store { return t }), community.Config{Env: env, K: cfg.CommunityK})
	if err != nil {
		return nil, err
	}
	return &Space{
		Org: org.NewService(storage.Narrow(b, func(t T) org.Store { return t }), org.Config{
			Env: env,
			// The access index and the structure follow the organisations'
			// accounts too.
			Committed: func(ctx context.Context, rev storage.Revision) {
				_, _ = acc.Sync(ctx, storage.AtLeast(rev))
				_, _ = str.Sync(ctx, storage.AtLeast(rev))
			},
		}),
		Access:    acc,
		Structure: str,
		Billing:   bil,
		Community: com,
		store:     st,
	}, nil
}

// Store returns the Space's backend as a Transactor over every domain Store,
// for conformance tests and for hosts that read the store directly.
func (s *Space) Store() storage.Transactor[Store] { return s.store }
