package accesstest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Clock is a settable org.Clock for tests: it tells the time it was set to
// until Advance or Set moves it. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now implements org.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advancer is a clock that a test moves forward. When a World's Clock is
// one, OpGen also generates operations that advance it (so grants and
// invitations expire).
type Advancer interface {
	org.Clock
	Advance(d time.Duration)
}

// Mailbox is an access.Notifier that keeps every invitation mail, so that a
// test can accept invitations with their tokens. It is safe for concurrent
// use.
type Mailbox struct {
	mu     sync.Mutex
	mails  []access.InvitationMail
	tokens map[access.InvitationID]string
}

// NewMailbox returns an empty Mailbox.
func NewMailbox() *Mailbox { return &Mailbox{tokens: map[access.InvitationID]string{}} }

// NotifyInvitation implements access.Notifier: it keeps the mail.
func (m *Mailbox) NotifyInvitation(_ context.Context, mail access.InvitationMail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil {
		m.tokens = map[access.InvitationID]string{}
	}
	m.mails = append(m.mails, mail)
	m.tokens[mail.Invitation.ID] = mail.Token
	return nil
}

// Token returns the token of the latest mail of invitation id.
func (m *Mailbox) Token(id access.InvitationID) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[id]
	return t, ok
}

// Mails returns a copy of the mails received so far, oldest first.
func (m *Mailbox) Mails() []access.InvitationMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]access.InvitationMail(nil), m.mails...)
}

// Env is the controllable surroundings of a Space under test: a settable
// clock, a mailbox that keeps invitation tokens, and sequential IDs, so a
// run is deterministic.
type Env struct {
	Clock   *Clock
	Mailbox *Mailbox
	IDs     *org.SequentialIDs
}

// NewEnv returns an Env whose clock stands at start.
func NewEnv(start time.Time) *Env {
	return &Env{Clock: NewClock(start), Mailbox: NewMailbox(), IDs: &org.SequentialIDs{}}
}

// Config returns an orgspace.Config that uses e's clock, mailbox and IDs.
func (e *Env) Config() orgspace.Config {
	return orgspace.Config{Clock: e.Clock, IDs: e.IDs, Notifier: e.Mailbox}
}

// Open opens a Space on backend with e's configuration and registers an
// operator, returned as the Actor to pass to Setup.Apply.
func Open[T orgspace.Store](ctx context.Context, backend storage.Transactor[T], e *Env) (*orgspace.Space, org.Actor, error) {
	space, err := orgspace.Open(ctx, backend, e.Config())
	if err != nil {
		return nil, org.Actor{}, fmt.Errorf("accesstest: open: %w", err)
	}
	op, _, err := space.Org.CreateOperator(ctx, org.System(), org.NewOperator{Name: "Accesstest Operator", Email: "operator@platform.test"})
	if err != nil {
		return nil, org.Actor{}, fmt.Errorf("accesstest: register operator: %w", err)
	}
	return space, org.AsOperator(op.ID), nil
}
