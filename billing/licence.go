package billing

import (
	"context"
	"fmt"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// TakeLicence gives person a licence on event, inside the caller's
// transaction, which has authorised the write: package community calls
// it when it accepts the person onto the event. It is idempotent per
// person and event: a person who holds a licence on the event keeps it
// and nothing moves. The licence comes from the first coupon the event
// redeemed that has one left, by redemption time (then coupon ID), and
// otherwise from its organiser's pool (after the organiser's expired
// coupons gave theirs back); when neither has one it fails with
// storage.ErrInsufficientFunds, and the caller's transaction must roll
// back, as it does on any error.
//
// env supplies the time and the transfer's ID; actor is recorded on it.
// The transfer does not name the person: a licence from a coupon shows in
// the issuer's journal, and the people on the events an organisation
// supports are never identified to it. The LicenceUse, which the event's
// organisation reads, ties the person to the transfer.
func TakeLicence(st Store, env org.Env, actor org.Actor, event EventID, person PersonID) (LicenceUse, error) {
	if err := checkLicenceArgs(event, person); err != nil {
		return LicenceUse{}, err
	}
	// Locking the event makes the takes and returns of one event run one
	// at a time, so two of them never race for the last licence of a
	// coupon and fail while another source had one.
	e, err := st.Event(event)
	if err != nil {
		return LicenceUse{}, fmt.Errorf("billing: take licence: event %q: %w", event, err)
	}
	u, err := st.LicenceUse(event, person)
	switch {
	case err == nil && !u.Returned:
		return u, nil
	case err != nil && !storage.IsNotFound(err):
		return LicenceUse{}, err
	}
	now := env.Now()
	u = LicenceUse{Event: event, Person: person, TransferID: env.NewID("lic"), TakenAt: now, UpdatedAt: now}
	to := account(e.Org, Licences, Allocation, string(event))
	from, err := licenceSource(st, e, &u)
	if err != nil {
		return LicenceUse{}, err
	}
	if u.Coupon == "" {
		if err := expireDue(st, e.Org, actor, now); err != nil {
			return LicenceUse{}, err
		}
	}
	if err := Apply(st, actor.String(), Transfer{
		ID: u.TransferID, Asset: Licences, From: from, To: to, Amount: 1, Time: now,
		Reason: "licence taken on event " + string(event),
	}); err != nil {
		return LicenceUse{}, err
	}
	return u, st.PutLicenceUse(u)
}

// licenceSource returns the account event e takes its next licence from:
// the escrow of the first coupon it redeemed that has one left (recorded
// in u), else its organiser's pool.
func licenceSource(st Store, e Event, u *LicenceUse) (LedgerAccount, error) {
	coupons, err := st.CouponsOfEvent(e.ID)
	if err != nil {
		return LedgerAccount{}, err
	}
	for _, c := range coupons {
		escrow := account(c.Org, Licences, Escrow, string(c.ID))
		b, err := st.Balance(escrow)
		if err != nil {
			return LedgerAccount{}, err
		}
		if b.Available() > 0 {
			u.Coupon = c.ID
			return escrow, nil
		}
	}
	return account(e.Org, Licences, Pool, ""), nil
}

// ReturnLicence gives back, inside the caller's transaction, the licence
// person holds on event, to where it came from: package community calls
// it when the person withdraws. It fails with storage.ErrFailedPrecondition
// once the event has started (the licence is used) and with
// storage.ErrNotFound when the person never held one; returning a licence
// already returned changes nothing.
func ReturnLicence(st Store, env org.Env, actor org.Actor, event EventID, person PersonID) (LicenceUse, error) {
	if err := checkLicenceArgs(event, person); err != nil {
		return LicenceUse{}, err
	}
	e, err := st.Event(event)
	if err != nil {
		return LicenceUse{}, fmt.Errorf("billing: return licence: event %q: %w", event, err)
	}
	u, err := st.LicenceUse(event, person)
	switch {
	case err != nil:
		return LicenceUse{}, fmt.Errorf("billing: return licence of %s on event %s: %w", person, event, err)
	case u.Returned:
		return u, nil
	}
	now := env.Now()
	if !now.Before(e.Start) {
		return LicenceUse{}, fmt.Errorf("billing: return licence of %s: event %s started at %s; its licences are used: %w",
			person, event, e.Start.Format("2006-01-02 15:04 MST"), storage.ErrFailedPrecondition)
	}
	back := account(e.Org, Licences, Pool, "")
	if u.Coupon != "" {
		c, err := st.Coupon(u.Coupon)
		if err != nil {
			return LicenceUse{}, err
		}
		back = account(c.Org, Licences, Escrow, string(c.ID))
	}
	if err := Apply(st, actor.String(), Transfer{
		ID: u.TransferID + "/return", Asset: Licences, From: account(e.Org, Licences, Allocation, string(event)), To: back,
		Amount: 1, Time: now, Reason: "licence returned on event " + string(event),
	}); err != nil {
		return LicenceUse{}, err
	}
	u.Returned, u.UpdatedAt = true, now
	return u, st.PutLicenceUse(u)
}

func checkLicenceArgs(event EventID, person PersonID) error {
	if err := org.CheckID("event", string(event)); err != nil {
		return err
	}
	return org.CheckID("person", string(person))
}

// TakeLicence gives person a licence on event, as the function
// [TakeLicence] does, in a transaction of its own. The Owners and Members
// of the event's organisation may. Hosts that keep their participants
// outside package community call it when they accept someone.
func (s *Service) TakeLicence(ctx context.Context, actor org.Actor, event EventID, person PersonID) (LicenceUse, error) {
	var u LicenceUse
	err := s.update(ctx, func(st Store) error {
		if _, err := eventFor(st, actor, event, memberRight, "take a licence"); err != nil {
			return err
		}
		var err error
		u, err = TakeLicence(st, s.env, actor, event, person)
		return err
	})
	return u, err
}

// ReturnLicence gives back the licence person holds on event, as the
// function [ReturnLicence] does, in a transaction of its own. The Owners
// and Members of the event's organisation may.
func (s *Service) ReturnLicence(ctx context.Context, actor org.Actor, event EventID, person PersonID) (LicenceUse, error) {
	var u LicenceUse
	err := s.update(ctx, func(st Store) error {
		if _, err := eventFor(st, actor, event, memberRight, "return a licence"); err != nil {
			return err
		}
		var err error
		u, err = ReturnLicence(st, s.env, actor, event, person)
		return err
	})
	return u, err
}
