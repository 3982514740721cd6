package billing

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Config configures a Service. The zero Config is usable for everything
// but purchases (which need Prices and Payments) and SMS (which needs an
// SMSSender).
type Config struct {
	// Env supplies the clock and the IDs of new purchases and coupons.
	Env org.Env
	// Prices are the unit prices purchases are charged at; an asset it
	// has no price for cannot be bought.
	Prices PriceList
	// Payments charges purchases.
	Payments PaymentProvider
	// SMS delivers text messages.
	SMS SMSSender
	// Rand is the source of coupon codes; default crypto/rand.
	Rand io.Reader
}

// Service keeps the licence and SMS-credit ledgers of organisations: it
// sells units, issues, redeems and revokes licence coupons, takes and
// returns licences for people on events, and spends SMS credits.
//
// # Who may do what
//
//   - buy, issue and revoke coupons, and read the journal, the purchases
//     and the coupons of an organisation: its Owners;
//   - register the organisation's events, take and return licences on
//     them, send SMS for them, redeem a coupon for one of them, and read
//     the organisation's balances: its Owners and Members (Members have
//     rights on all of the organisation's events);
//   - operators and System may do all of that, and alone may post
//     transfers directly ([Service.Transfer]), expire coupons across
//     organisations and recover purchases left pending.
//
// Users who only hold grants on accounts have no rights in billing.
//
// # Writes and the change log
//
// Billing writes run in storage.Transactor.UpdateUnlogged transactions:
// they do not advance the revision nor append to the change log, and so
// do not return a revision. Their record is the journal, in which every
// transfer names who made it and why, and the purchases, coupons and SMS,
// which name who created and who settled or closed them. No compiled
// index follows them: billing reads go to the store, so a write is
// visible to every read that starts after it returns, on every instance.
// Running outside the change log lets PostgreSQL commit ledger writes
// concurrently, kept apart by row locks, instead of one at a time behind
// the head revision (see storage/postgres).
//
// # Errors
//
// Bad input fails with storage.ErrInvalidArgument naming the field, an
// unknown organisation, event, coupon or purchase with
// storage.ErrNotFound, a refused actor with storage.ErrPermissionDenied,
// a spend beyond the available units with storage.ErrInsufficientFunds;
// each changes nothing.
type Service struct {
	tx  storage.Transactor[Store]
	cfg Config
	env org.Env
}

// NewService returns a Service over tx. It refuses a price list that
// [PriceList.Validate] refuses.
func NewService(tx storage.Transactor[Store], cfg Config) (*Service, error) {
	if err := cfg.Prices.Validate(); err != nil {
		return nil, err
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{tx: tx, cfg: cfg, env: cfg.Env}, nil
}

// update runs fn in an unlogged read-write transaction.
func (s *Service) update(ctx context.Context, fn func(st Store) error) error {
	return s.tx.UpdateUnlogged(ctx, fn)
}

// view runs fn in a read-only transaction at consistency c.
func (s *Service) view(ctx context.Context, c storage.Consistency, fn func(st Store) error) error {
	return s.tx.View(ctx, c, fn)
}

// Who may act on an organisation's billing.
type right uint8

const (
	// ownerRight: Owners, operators and System.
	ownerRight right = iota + 1
	// memberRight: Owners, Members, operators and System.
	memberRight
	// operatorRight: operators and System.
	operatorRight
)

// authorize allows actor to do what needs r in organisation o, which must
// exist (storage.ErrNotFound otherwise, before the actor is looked at).
// Writes call it inside their transaction. Billing writes do not take the
// head revision's lock, so on PostgreSQL a role change committing at the
// same moment may or may not be seen: the write is ordered just before or
// just after it, never on a role the actor never held.
func authorize(st Store, actor org.Actor, o org.OrganisationID, r right, what string) error {
	if _, err := st.Organisation(o); err != nil {
		return fmt.Errorf("billing: %s: organisation %q: %w", what, o, err)
	}
	return authorizeIn(st, actor, o, r, what)
}

// authorizeIn is authorize for an organisation known to exist.
func authorizeIn(st Store, actor org.Actor, o org.OrganisationID, r right, what string) error {
	if err := org.Resolve(st, actor); err != nil {
		return err
	}
	if actor.Kind != org.ActorUser {
		return nil
	}
	if r != operatorRight {
		m, err := st.Membership(o, actor.User())
		if err != nil && !storage.IsNotFound(err) {
			return err
		}
		if m.Role == org.Owner || (r == memberRight && m.Role == org.Member) {
			return nil
		}
	}
	who := map[right]string{ownerRight: "an Owner of organisation " + string(o), memberRight: "an Owner or Member of organisation " + string(o), operatorRight: "an operator"}[r]
	return fmt.Errorf("billing: only %s may %s (actor %s): %w", who, what, actor, storage.ErrPermissionDenied)
}

// eventFor looks event id up, locking it in a write, and authorises actor
// with r in its organisation.
func eventFor(st Store, actor org.Actor, id EventID, r right, what string) (Event, error) {
	if err := org.CheckID("event", string(id)); err != nil {
		return Event{}, err
	}
	e, err := st.Event(id)
	if err != nil {
		return Event{}, fmt.Errorf("billing: %s: event %q: %w", what, id, err)
	}
	return e, authorizeIn(st, actor, e.Org, r, what)
}

// RegisterEvent tells billing about an event: the organisation that
// organises it and when it starts. An event must be registered before it
// takes licences, redeems coupons or sends SMS. Registering it again
// updates its start; it never moves to another organisation
// (storage.ErrInvalidArgument naming "event organisation"). The
// organisation's Owners and Members may.
//
// Package community registers its events itself, with [RegisterEvent] in
// its own transaction; hosts that keep events elsewhere call this.
func (s *Service) RegisterEvent(ctx context.Context, actor org.Actor, e Event) error {
	if err := checkEvent(e); err != nil {
		return err
	}
	return s.update(ctx, func(st Store) error {
		if err := authorize(st, actor, e.Org, memberRight, "register an event"); err != nil {
			return err
		}
		return RegisterEvent(st, e)
	})
}

func checkEvent(e Event) error {
	if err := org.CheckID("event", string(e.ID)); err != nil {
		return err
	}
	if err := org.CheckID("event organisation", string(e.Org)); err != nil {
		return err
	}
	if e.Start.IsZero() {
		return invalid("event start", "is zero")
	}
	return nil
}

// RegisterEvent records or updates event e in st, inside the caller's
// transaction, which has authorised the write. It refuses what
// Service.RegisterEvent refuses.
func RegisterEvent(st Store, e Event) error {
	if err := checkEvent(e); err != nil {
		return err
	}
	e.Start = e.Start.UTC()
	old, err := st.Event(e.ID)
	switch {
	case err == nil && old.Org != e.Org:
		return invalid("event organisation", "%q differs from %q, which organises event %q", e.Org, old.Org, e.ID)
	case err != nil && !storage.IsNotFound(err):
		return err
	}
	return st.PutEvent(e)
}

// Transfer posts transfers directly, as one transaction, all or nothing:
// corrections, grants of free units, bulk loads from another system. Only
// operators and System may. The transfers follow the rules of
// [Ledger.Apply]; a transfer equal to one already recorded under its ID
// changes nothing, so a batch may be retried.
func (s *Service) Transfer(ctx context.Context, actor org.Actor, ts ...Transfer) error {
	if len(ts) == 0 {
		return invalid("transfers", "are none")
	}
	return s.update(ctx, func(st Store) error {
		if err := org.Resolve(st, actor); err != nil {
			return err
		}
		if actor.Kind == org.ActorUser {
			return fmt.Errorf("billing: only an operator may post transfers (actor %s): %w", actor, storage.ErrPermissionDenied)
		}
		return Apply(st, actor.String(), ts...)
	})
}

// account returns the ledger account of organisation o for asset a of
// kind k, with ref for the kinds that need one.
func account(o org.OrganisationID, a Asset, k AccountKind, ref string) LedgerAccount {
	return LedgerAccount{Org: o, Asset: a, Kind: k, Ref: ref}
}

// now returns the service's time.
func (s *Service) now() time.Time { return s.env.Now() }

// errorsIsAny reports whether err wraps any of targets.
func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
