package billing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// ErrSMSRejected is returned by an SMSSender that refused a message for
// good (an invalid number, a blocked recipient): it was not sent and
// will not be. It wraps storage.ErrFailedPrecondition.
var ErrSMSRejected = fmt.Errorf("billing: sms rejected: %w", storage.ErrFailedPrecondition)

// SMSSender delivers text messages. The library calls it after the
// message's credits are consumed; a user plugs in their SMS gateway, and
// tests use [FakeSMSSender].
//
// The contract, like PaymentProvider's: Send sends at most once per
// message (m.Org, m.ID), returning the first reference when called again;
// an error wrapping ErrSMSRejected means it was not sent; any other error
// leaves it unknown, and the caller finds out by sending again.
type SMSSender interface {
	Send(ctx context.Context, m SMS) (ref string, err error)
}

// SMS limits: a message is split into segments of SMSSegment characters,
// each costing one credit, and has at most MaxSMSSegments of them.
const (
	SMSSegment     = 160
	MaxSMSSegments = 10
)

// SMSRequest asks to send Body to the phone number To for an event.
type SMSRequest struct {
	Event EventID
	// ID identifies the message within the event's organisation: sending
	// again under it consumes nothing more.
	ID string
	// To is an international phone number: "+" and 8 to 15 digits.
	To   string
	Body string
}

func (r SMSRequest) validate() (credits int64, err error) {
	if err := org.CheckID("event", string(r.Event)); err != nil {
		return 0, err
	}
	if err := checkKey("message ID", r.ID); err != nil {
		return 0, err
	}
	if err := checkPhone(r.To); err != nil {
		return 0, err
	}
	n := utf8.RuneCountInString(r.Body)
	switch {
	case !utf8.ValidString(r.Body):
		return 0, invalid("body", "is not valid UTF-8")
	case n == 0:
		return 0, invalid("body", "is empty")
	case n > SMSSegment*MaxSMSSegments:
		return 0, invalid("body", "has %d characters, above %d", n, SMSSegment*MaxSMSSegments)
	}
	return int64((n + SMSSegment - 1) / SMSSegment), nil
}

// checkPhone accepts an E.164 number: "+" and 8 to 15 digits, the first
// not 0.
func checkPhone(s string) error {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return invalid("to", "%q is not an international number (+ and 8 to 15 digits)", s)
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return invalid("to", "%q is not an international number (+ and 8 to 15 digits)", s)
		}
	}
	return nil
}

func smsTransferID(o org.OrganisationID, id string) string { return "sms/" + string(o) + "/" + id }

// SendSMS consumes the credits of a message for an event from the event's
// organiser's pool, one per SMSSegment characters, and hands it to the
// SMSSender; the outcome is recorded on the returned SMS. The Owners and
// Members of the event's organisation may.
//
// Too few credits fail with storage.ErrInsufficientFunds, and nothing is
// consumed or sent. Sending again under an ID the organisation used
// returns that message and consumes nothing more (a different event,
// number or body fails with storage.ErrConflict); a message whose
// delivery is still unknown is handed to the sender again, which sends it
// at most once. A message the sender rejected keeps its credits consumed.
func (s *Service) SendSMS(ctx context.Context, actor org.Actor, r SMSRequest) (SMS, error) {
	credits, err := r.validate()
	if err != nil {
		return SMS{}, err
	}
	if s.cfg.SMS == nil {
		return SMS{}, fmt.Errorf("billing: send sms: no SMS sender is configured: %w", storage.ErrFailedPrecondition)
	}
	var m SMS
	consume := func(st Store) error {
		e, err := eventFor(st, actor, r.Event, memberRight, "send an SMS")
		if err != nil {
			return err
		}
		old, err := st.SMS(e.Org, r.ID)
		switch {
		case err == nil:
			if old.Event != r.Event || old.To != r.To || old.Body != r.Body {
				return fmt.Errorf("billing: send sms: message ID %q was used for another message: %w", r.ID, storage.ErrConflict)
			}
			m = old
			return nil
		case !storage.IsNotFound(err):
			return err
		}
		now := s.now()
		m = SMS{ID: r.ID, Org: e.Org, Event: r.Event, To: r.To, Body: r.Body, Credits: credits,
			Status: SMSAccepted, CreatedAt: now, CreatedBy: actor.String()}
		if err := st.InsertSMS(m); err != nil {
			return err
		}
		return Apply(st, actor.String(), Transfer{
			ID: smsTransferID(e.Org, r.ID), Asset: SMSCredits, Amount: credits, Time: now,
			From:   account(e.Org, SMSCredits, Pool, ""),
			To:     account(e.Org, SMSCredits, Consumed, ""),
			Reason: fmt.Sprintf("sms %s for event %s", r.ID, r.Event),
		})
	}
	err = s.update(ctx, consume)
	if errors.Is(err, storage.ErrAlreadyExists) {
		// A concurrent request with the same ID recorded it first.
		err = s.update(ctx, consume)
	}
	if err != nil || m.Status != SMSAccepted {
		return m, err
	}
	ref, sendErr := s.cfg.SMS.Send(ctx, m)
	switch {
	case errors.Is(sendErr, ErrSMSRejected):
		m.Status, m.Error = SMSFailed, sendErr.Error()
	case sendErr != nil:
		return m, fmt.Errorf("billing: send sms %s: its credits are consumed and delivery is unknown (send again with the same ID): %w", m.ID, sendErr)
	default:
		m.Status, m.ProviderRef = SMSSent, ref
	}
	var cur SMS
	err = s.update(ctx, func(st Store) error {
		var err error
		if cur, err = st.SMS(m.Org, m.ID); err != nil || cur.Status != SMSAccepted {
			return err
		}
		cur.Status, cur.ProviderRef, cur.Error, cur.SettledAt = m.Status, m.ProviderRef, m.Error, s.now()
		return st.UpdateSMS(cur)
	})
	if err != nil {
		return m, fmt.Errorf("billing: send sms %s: recording its delivery: %w", m.ID, err)
	}
	if cur.Status == SMSFailed {
		return cur, fmt.Errorf("billing: send sms %s: %w", m.ID, sendErr)
	}
	return cur, nil
}

// FakeSMSSender is an in-memory [SMSSender] for tests and examples: it
// keeps the contract, records every message sent, and rejects the
// numbers in Reject. The zero FakeSMSSender is ready to use; it is safe
// for concurrent use.
type FakeSMSSender struct {
	// Reject lists numbers whose messages are rejected with
	// ErrSMSRejected.
	Reject []string

	mu   sync.Mutex
	sent []SMS
	refs map[string]string
}

var _ SMSSender = (*FakeSMSSender)(nil)

// Send implements SMSSender: references are "sms_1", "sms_2", … in the
// order messages are first sent.
func (f *FakeSMSSender) Send(ctx context.Context, m SMS) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	for _, n := range f.Reject {
		if n == m.To {
			return "", fmt.Errorf("billing: fake sms sender: %s: %w", m.To, ErrSMSRejected)
		}
	}
	key := string(m.Org) + "\x00" + m.ID
	if ref, ok := f.refs[key]; ok {
		return ref, nil
	}
	if f.refs == nil {
		f.refs = map[string]string{}
	}
	f.sent = append(f.sent, m)
	ref := fmt.Sprintf("sms_%d", len(f.sent))
	f.refs[key] = ref
	return ref, nil
}

// Sent returns the messages sent, in order, once each.
func (f *FakeSMSSender) Sent() []SMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SMS(nil), f.sent...)
}
