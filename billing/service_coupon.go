package billing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Why a coupon cannot be redeemed or revoked. Each wraps
// storage.ErrFailedPrecondition.
var (
	ErrCouponRedeemed = fmt.Errorf("billing: coupon already redeemed: %w", storage.ErrFailedPrecondition)
	ErrCouponRevoked  = fmt.Errorf("billing: coupon revoked: %w", storage.ErrFailedPrecondition)
	ErrCouponExpired  = fmt.Errorf("billing: coupon expired: %w", storage.ErrFailedPrecondition)
)

// CouponRequest asks to issue a coupon of Licences licences from Org's
// pool.
type CouponRequest struct {
	Org      org.OrganisationID
	Licences int64
	// ExpiresAt, when set, is when the coupon expires unless redeemed
	// before; it must be in the future.
	ExpiresAt time.Time
}

// IssuedCoupon is a coupon just issued, with its code: the only time the
// code is shown.
type IssuedCoupon struct {
	Coupon
	Code string
}

// The transfers of coupon id: issuing reserves its licences, redeeming
// posts them, revoking or expiry voids them.
func issueID(id CouponID) string  { return "coupon/" + string(id) + "/issue" }
func redeemID(id CouponID) string { return "coupon/" + string(id) + "/redeem" }
func voidID(id CouponID) string   { return "coupon/" + string(id) + "/void" }

// IssueCoupon reserves licences of the organisation's pool for a coupon
// (a pending transfer into the coupon's escrow) and returns it with its
// code. Owners may. Too few available licences fail with
// storage.ErrInsufficientFunds. The organisation's coupons that expired
// meanwhile give their licences back first.
func (s *Service) IssueCoupon(ctx context.Context, actor org.Actor, r CouponRequest) (IssuedCoupon, error) {
	if err := org.CheckID("organisation", string(r.Org)); err != nil {
		return IssuedCoupon{}, err
	}
	if r.Licences <= 0 || r.Licences > MaxAmount {
		return IssuedCoupon{}, invalid("licences", "%d is not between 1 and %d", r.Licences, MaxAmount)
	}
	now := s.now()
	if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(now) {
		return IssuedCoupon{}, invalid("expires at", "%s is not in the future", r.ExpiresAt.Format(time.RFC3339))
	}
	code, err := newCouponCode(s.cfg.Rand)
	if err != nil {
		return IssuedCoupon{}, err
	}
	c := Coupon{
		ID: CouponID(s.env.NewID("cpn")), Org: r.Org, Licences: r.Licences, CodeHash: hashCode(code),
		Status: CouponActive, CreatedAt: now, CreatedBy: actor.String(),
	}
	if !r.ExpiresAt.IsZero() {
		c.ExpiresAt = r.ExpiresAt.UTC()
	}
	err = s.update(ctx, func(st Store) error {
		if err := authorize(st, actor, r.Org, ownerRight, "issue a coupon"); err != nil {
			return err
		}
		if err := expireDue(st, r.Org, actor, now); err != nil {
			return err
		}
		if err := st.InsertCoupon(c); err != nil {
			return err
		}
		return Apply(st, actor.String(), Transfer{
			ID: issueID(c.ID), Asset: Licences, Pending: true,
			From:   account(r.Org, Licences, Pool, ""),
			To:     account(r.Org, Licences, Escrow, string(c.ID)),
			Amount: r.Licences, Time: now, Reason: "coupon " + string(c.ID) + " issued",
		})
	})
	if err != nil {
		return IssuedCoupon{}, err
	}
	return IssuedCoupon{Coupon: c, Code: code}, nil
}

// RedeemCoupon gives the licences of the coupon with the given code to an
// event, which draws on them before its organiser's pool, and records the
// issuing organisation as a supporter of the event. The event's
// organisation's Owners and Members may; it must be another organisation
// than the issuer (storage.ErrInvalidArgument naming "event").
//
// A coupon is redeemed once: a coupon another event redeemed fails with
// ErrCouponRedeemed, a revoked one with ErrCouponRevoked, one past its
// expiry with ErrCouponExpired, and an unknown code with
// storage.ErrNotFound; none of them changes anything. Redeeming again a
// coupon the same event redeemed returns it and changes nothing, so a
// request whose answer was lost may be retried.
func (s *Service) RedeemCoupon(ctx context.Context, actor org.Actor, event EventID, code string) (Coupon, error) {
	canon, err := ParseCouponCode(code)
	if err != nil {
		return Coupon{}, err
	}
	now := s.now()
	var c Coupon
	err = s.update(ctx, func(st Store) error {
		e, err := eventFor(st, actor, event, memberRight, "redeem a coupon")
		if err != nil {
			return err
		}
		if c, err = st.CouponByCode(hashCode(canon)); err != nil {
			return fmt.Errorf("billing: redeem: coupon code: %w", err)
		}
		switch {
		case c.Status == CouponRedeemed && c.Event == event:
			return nil
		case c.Status == CouponRedeemed:
			return fmt.Errorf("billing: redeem coupon %s: %w", c.ID, ErrCouponRedeemed)
		case c.Status == CouponRevoked:
			return fmt.Errorf("billing: redeem coupon %s: %w", c.ID, ErrCouponRevoked)
		case c.Status == CouponExpired || expired(c, now):
			return fmt.Errorf("billing: redeem coupon %s: %w", c.ID, ErrCouponExpired)
		case c.Org == e.Org:
			return invalid("event", "%q is organised by %s, which issued coupon %s: a coupon supports another organisation's event", event, e.Org, c.ID)
		}
		if err := Apply(st, actor.String(), Transfer{
			ID: redeemID(c.ID), PendingID: issueID(c.ID), Amount: c.Licences, Time: now,
			Reason: "coupon " + string(c.ID) + " redeemed by event " + string(event),
		}); err != nil {
			return err
		}
		c.Status, c.Event, c.ClosedAt, c.ClosedBy = CouponRedeemed, event, now, actor.String()
		return st.UpdateCoupon(c)
	})
	if err != nil {
		return Coupon{}, err
	}
	return c, nil
}

// RevokeCoupon returns the licences of an active coupon to its issuer's
// pool; the code no longer redeems. The issuing organisation's Owners may.
// A redeemed coupon cannot be revoked (ErrCouponRedeemed); revoking a
// revoked or expired one returns it and changes nothing.
func (s *Service) RevokeCoupon(ctx context.Context, actor org.Actor, id CouponID) (Coupon, error) {
	if err := org.CheckID("coupon", string(id)); err != nil {
		return Coupon{}, err
	}
	now := s.now()
	var c Coupon
	err := s.update(ctx, func(st Store) error {
		var err error
		if c, err = st.Coupon(id); err != nil {
			return fmt.Errorf("billing: revoke: coupon %q: %w", id, err)
		}
		if err := authorizeIn(st, actor, c.Org, ownerRight, "revoke a coupon"); err != nil {
			return err
		}
		switch c.Status {
		case CouponRedeemed:
			return fmt.Errorf("billing: revoke coupon %s: %w", c.ID, ErrCouponRedeemed)
		case CouponRevoked, CouponExpired:
			return nil
		}
		return closeCoupon(st, &c, CouponRevoked, actor, now)
	})
	if err != nil {
		return Coupon{}, err
	}
	return c, nil
}

// ExpireCoupons gives back the licences of every organisation's coupons
// that passed their expiry unredeemed, and returns how many it expired.
// Operators and System may; a host runs it periodically. Until then an
// expired coupon no longer redeems and lists as expired, but its
// licences stay reserved (an organisation's own coupon writes expire its
// coupons first).
func (s *Service) ExpireCoupons(ctx context.Context, actor org.Actor) (int, error) {
	now := s.now()
	total := 0
	for {
		n := 0
		err := s.update(ctx, func(st Store) error {
			if err := authorizeIn(st, actor, "", operatorRight, "expire coupons"); err != nil {
				return err
			}
			due, err := st.ExpiredCoupons("", now, expireBatch)
			if err != nil {
				return err
			}
			n = len(due)
			for _, c := range due {
				if err := closeCoupon(st, &c, CouponExpired, actor, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < expireBatch {
			return total, nil
		}
	}
}

// expireBatch is how many coupons one transaction expires.
const expireBatch = 100

// expireDue expires organisation o's coupons that passed their expiry, in
// the caller's transaction.
func expireDue(st Store, o org.OrganisationID, actor org.Actor, now time.Time) error {
	for {
		due, err := st.ExpiredCoupons(o, now, expireBatch)
		if err != nil {
			return err
		}
		for _, c := range due {
			if err := closeCoupon(st, &c, CouponExpired, actor, now); err != nil {
				return err
			}
		}
		if len(due) < expireBatch {
			return nil
		}
	}
}

// closeCoupon voids active coupon c's reservation and records it closed
// with status.
func closeCoupon(st Store, c *Coupon, status CouponStatus, actor org.Actor, now time.Time) error {
	if err := Apply(st, actor.String(), Transfer{
		ID: voidID(c.ID), PendingID: issueID(c.ID), Void: true, Time: now,
		Reason: fmt.Sprintf("coupon %s %s", c.ID, status),
	}); err != nil {
		return err
	}
	c.Status, c.ClosedAt, c.ClosedBy = status, now, actor.String()
	return st.UpdateCoupon(*c)
}

// expired reports whether active coupon c is past its expiry at now.
func expired(c Coupon, now time.Time) bool {
	return c.Status == CouponActive && !c.ExpiresAt.IsZero() && !c.ExpiresAt.After(now)
}

// Coupons lists the coupons organisation o issued, oldest first, a page
// at a time; a coupon past its expiry lists as CouponExpired even before
// ExpireCoupons gave its licences back. Owners may.
func (s *Service) Coupons(ctx context.Context, c storage.Consistency, actor org.Actor, o org.OrganisationID, page storage.PageRequest) (storage.Page[Coupon], error) {
	var out storage.Page[Coupon]
	after, afterID, limit, err := timeCursor(page)
	if err != nil {
		return out, err
	}
	now := s.now()
	err = s.view(ctx, c, func(st Store) error {
		if err := authorize(st, actor, o, ownerRight, "list coupons"); err != nil {
			return err
		}
		items, err := st.CouponsOfOrg(o, after, CouponID(afterID), limit+1)
		if err != nil {
			return err
		}
		for i := range items {
			if expired(items[i], now) {
				items[i].Status = CouponExpired
			}
		}
		out = pageOf(items, limit, func(c Coupon) storage.Cursor { return encodeTimeCursor(c.CreatedAt, string(c.ID)) })
		return nil
	})
	return out, err
}

// SupportersOf lists the organisations whose coupons event e redeemed, by
// redemption time (then coupon ID), once each: the organisations that
// support it. Owners and Members of the event's organisation may.
func (s *Service) SupportersOf(ctx context.Context, c storage.Consistency, actor org.Actor, e EventID) ([]org.OrganisationID, error) {
	var out []org.OrganisationID
	err := s.view(ctx, c, func(st Store) error {
		if _, err := eventFor(st, actor, e, memberRight, "list an event's supporters"); err != nil {
			return err
		}
		var err error
		out, err = Supporters(st, e)
		return err
	})
	return out, err
}

// Supporters lists, inside the caller's transaction, the organisations
// whose coupons event e redeemed, once each, by redemption time (then
// coupon ID): what package community reads to count indirect members.
func Supporters(st Store, e EventID) ([]org.OrganisationID, error) {
	cs, err := st.CouponsOfEvent(e)
	if err != nil {
		return nil, err
	}
	var out []org.OrganisationID
	seen := map[org.OrganisationID]bool{}
	for _, c := range cs {
		if !seen[c.Org] {
			seen[c.Org] = true
			out = append(out, c.Org)
		}
	}
	return out, nil
}

// SupportedEvents lists, inside the caller's transaction, the events that
// redeemed a coupon organisation o issued, once each, ordered by ID: the
// events o supports, whose participants are its indirect members.
func SupportedEvents(st Store, o org.OrganisationID) ([]EventID, error) {
	seen := map[EventID]bool{}
	var after time.Time
	var afterID CouponID
	for {
		cs, err := st.CouponsOfOrg(o, after, afterID, storage.MaxPageSize)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.Status == CouponRedeemed {
				seen[c.Event] = true
			}
		}
		if len(cs) < storage.MaxPageSize {
			break
		}
		after, afterID = cs[len(cs)-1].CreatedAt, cs[len(cs)-1].ID
	}
	out := make([]EventID, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	slices.Sort(out)
	return out, nil
}
