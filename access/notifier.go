package access

import (
	"context"
	"log/slog"
	"time"
)

// InvitationMail is what a Notifier delivers: the invitation and the secret
// token the invitee presents to accept or decline it.
type InvitationMail struct {
	Invitation Invitation
	OrgName    string
	// Token is the secret; only its hash is stored.
	Token     string
	ExpiresAt time.Time
	// Resend is true for a resent invitation.
	Resend bool
}

// Notifier delivers invitation mails. The host implements it with its own
// mailer; it is called after the invitation is committed.
type Notifier interface {
	NotifyInvitation(ctx context.Context, m InvitationMail) error
}

// LogNotifier writes invitation mails to a logger instead of sending them:
// the default, for development. The token is logged, so do not use it in
// production.
type LogNotifier struct{ Logger *slog.Logger }

// NotifyInvitation implements Notifier.
func (n LogNotifier) NotifyInvitation(ctx context.Context, m InvitationMail) error {
	l := n.Logger
	if l == nil {
		l = slog.Default()
	}
	l.InfoContext(ctx, "orgspace invitation", "to", m.Invitation.Email, "organisation", m.OrgName,
		"invitation", m.Invitation.ID, "token", m.Token, "expires", m.ExpiresAt, "resend", m.Resend)
	return nil
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, m InvitationMail) error

// NotifyInvitation calls f.
func (f NotifierFunc) NotifyInvitation(ctx context.Context, m InvitationMail) error { return f(ctx, m) }
