package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// MaxKeyLength is the longest idempotency key or SMS message ID accepted,
// in bytes.
const MaxKeyLength = 200

// PurchaseRequest asks to buy Quantity units of Asset for Org.
type PurchaseRequest struct {
	Org      org.OrganisationID
	Asset    Asset
	Quantity int64
	// Key makes the purchase idempotent: the organisation's purchases have
	// distinct keys, and a request with a key used before is answered
	// from the purchase made with it.
	Key string
}

func (r PurchaseRequest) validate() error {
	if err := org.CheckID("organisation", string(r.Org)); err != nil {
		return err
	}
	if !r.Asset.Valid() {
		return invalid("asset", "%v is not an asset", r.Asset)
	}
	if r.Quantity <= 0 || r.Quantity > MaxAmount {
		return invalid("quantity", "%d is not between 1 and %d", r.Quantity, MaxAmount)
	}
	return checkKey("idempotency key", r.Key)
}

func checkKey(field, k string) error {
	if k == "" {
		return invalid(field, "is empty")
	}
	if len(k) > MaxKeyLength {
		return invalid(field, "is %d bytes long, above %d", len(k), MaxKeyLength)
	}
	return nil
}

// Buy buys units for an organisation: it records the purchase, charges
// its price through the PaymentProvider, and credits the units to the
// organisation's pool only once the charge succeeded. Owners may.
//
// Buy is idempotent by r.Key within the organisation:
//   - a request with a key used before for the same asset and quantity
//     returns the purchase made then: completed, or declined with
//     ErrPaymentDeclined, and charges and credits nothing more;
//   - a request with a used key and a different asset or quantity fails
//     with storage.ErrConflict;
//   - a purchase left pending, because the provider's answer was lost (a
//     timeout, a crash between the charge and the credit), is settled by
//     the retry: the provider is asked again under the same idempotency
//     key, so it charges at most once, and the credit is posted once.
//
// An error other than these leaves the purchase pending and returns it
// with the error; retry with the same key, or let
// [Service.RecoverPurchases] settle it.
func (s *Service) Buy(ctx context.Context, actor org.Actor, r PurchaseRequest) (Purchase, error) {
	if err := r.validate(); err != nil {
		return Purchase{}, err
	}
	price, err := s.cfg.Prices.Quote(r.Asset, r.Quantity)
	if err != nil {
		return Purchase{}, err
	}
	if s.cfg.Payments == nil {
		return Purchase{}, fmt.Errorf("billing: buy: no payment provider is configured: %w", storage.ErrFailedPrecondition)
	}
	p, err := s.recordPurchase(ctx, actor, r, price)
	if err != nil || p.Status != PurchasePending {
		return p, err
	}
	return s.settle(ctx, actor, p)
}

// recordPurchase returns the purchase under r.Key, recording it as pending
// if it is new.
func (s *Service) recordPurchase(ctx context.Context, actor org.Actor, r PurchaseRequest, price Money) (Purchase, error) {
	var p Purchase
	record := func(st Store) error {
		if err := authorize(st, actor, r.Org, ownerRight, "buy"); err != nil {
			return err
		}
		old, err := st.PurchaseByKey(r.Org, r.Key)
		switch {
		case err == nil:
			if old.Asset != r.Asset || old.Quantity != r.Quantity {
				return fmt.Errorf("billing: buy: key %q was used for %d %v, not %d %v: %w",
					r.Key, old.Quantity, old.Asset, r.Quantity, r.Asset, storage.ErrConflict)
			}
			p = old
			return nil
		case !storage.IsNotFound(err):
			return err
		}
		p = Purchase{
			ID: PurchaseID(s.env.NewID("pur")), Org: r.Org, Key: r.Key, Asset: r.Asset, Quantity: r.Quantity,
			Price: price, Status: PurchasePending, CreatedAt: s.now(), CreatedBy: actor.String(),
		}
		return st.InsertPurchase(p)
	}
	err := s.update(ctx, record)
	if errors.Is(err, storage.ErrAlreadyExists) {
		// A concurrent request with the same key recorded it first.
		err = s.update(ctx, record)
	}
	if err != nil {
		return Purchase{}, err
	}
	if p.Status == PurchaseDeclined {
		return p, fmt.Errorf("billing: buy: purchase %s: %w", p.ID, ErrPaymentDeclined)
	}
	return p, nil
}

// settle asks the provider about pending purchase p, under its ID as the
// idempotency key, and records the answer: a credit, a decline, or
// nothing when the answer is unknown.
func (s *Service) settle(ctx context.Context, actor org.Actor, p Purchase) (Purchase, error) {
	receipt, err := s.cfg.Payments.Charge(ctx, Charge{
		IdempotencyKey: string(p.ID),
		Org:            p.Org,
		Amount:         p.Price,
		Description:    fmt.Sprintf("%d %v", p.Quantity, p.Asset),
	})
	switch {
	case errors.Is(err, ErrPaymentDeclined):
		return s.record(ctx, actor, p, func(st Store, cur *Purchase) error {
			cur.Status = PurchaseDeclined
			return nil
		})
	case err != nil:
		return p, fmt.Errorf("billing: buy: purchase %s is pending, the charge's outcome unknown (retry with the same key): %w", p.ID, err)
	case receipt.Amount != p.Price:
		return p, fmt.Errorf("billing: buy: purchase %s: the provider charged %v, not %v; it stays pending: %w",
			p.ID, receipt.Amount, p.Price, storage.ErrFailedPrecondition)
	}
	return s.record(ctx, actor, p, func(st Store, cur *Purchase) error {
		cur.Status, cur.ProviderRef = PurchaseCompleted, receipt.ProviderRef
		// The transfer's ID and time come from the purchase, so a second
		// attempt to credit it could only repeat the first.
		return Apply(st, actor.String(), Transfer{
			ID: "purchase/" + string(p.ID), Asset: p.Asset,
			From:   account(p.Org, p.Asset, External, ""),
			To:     account(p.Org, p.Asset, Pool, ""),
			Amount: p.Quantity, Time: p.CreatedAt,
			Reason: fmt.Sprintf("purchase %s (%v, %s)", p.ID, p.Price, receipt.ProviderRef),
		})
	})
}

// record settles purchase p with apply, unless another request settled it
// first; it returns the purchase as settled.
func (s *Service) record(ctx context.Context, actor org.Actor, p Purchase, apply func(Store, *Purchase) error) (Purchase, error) {
	var cur Purchase
	err := s.update(ctx, func(st Store) error {
		var err error
		if cur, err = st.Purchase(p.ID); err != nil {
			return err
		}
		if cur.Status != PurchasePending {
			return nil
		}
		if err := apply(st, &cur); err != nil {
			return err
		}
		cur.SettledAt = s.now()
		return st.UpdatePurchase(cur)
	})
	switch {
	case err != nil:
		return p, fmt.Errorf("billing: buy: purchase %s stays pending (retry with the same key): %w", p.ID, err)
	case cur.Status == PurchaseDeclined:
		return cur, fmt.Errorf("billing: buy: purchase %s: %w", p.ID, ErrPaymentDeclined)
	}
	return cur, nil
}

// RecoverPurchases settles the purchases of every organisation left
// pending for longer than olderThan, as a retry of each would: it asks
// the provider again under the purchase's key and credits or declines.
// It returns how many it settled; a purchase whose outcome is still
// unknown stays pending and its error is joined into the one returned.
// Operators and System may; a host runs it periodically, or at start-up
// after a crash.
func (s *Service) RecoverPurchases(ctx context.Context, actor org.Actor, olderThan time.Duration) (int, error) {
	if s.cfg.Payments == nil {
		return 0, fmt.Errorf("billing: recover purchases: no payment provider is configured: %w", storage.ErrFailedPrecondition)
	}
	var pending []Purchase
	err := s.view(ctx, storage.Latest(), func(st Store) error {
		if err := authorizeIn(st, actor, "", operatorRight, "recover purchases"); err != nil {
			return err
		}
		var err error
		pending, err = st.PendingPurchases(s.now().Add(-olderThan), storage.MaxPageSize)
		return err
	})
	if err != nil {
		return 0, err
	}
	settled := 0
	var errs []error
	for _, p := range pending {
		if _, err := s.settle(ctx, actor, p); err != nil && !errors.Is(err, ErrPaymentDeclined) {
			errs = append(errs, err)
			continue
		}
		settled++
	}
	return settled, errors.Join(errs...)
}
