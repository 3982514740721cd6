package access

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// InvitationID identifies an invitation.
type InvitationID string

// InvitationStatus is where an invitation is in its life.
type InvitationStatus uint8

// Invitation statuses: Pending until the invitee accepts or declines, an
// Owner or Administrator revokes it, or its time runs out (Expired).
const (
	Pending InvitationStatus = iota
	Accepted
	Declined
	Revoked
	Expired
)

// String returns the status name.
func (s InvitationStatus) String() string {
	switch s {
	case Pending:
		return "pending"
	case Accepted:
		return "accepted"
	case Declined:
		return "declined"
	case Revoked:
		return "revoked"
	case Expired:
		return "expired"
	}
	return fmt.Sprintf("status(%d)", s)
}

// DefaultInvitationTTL is how long an invitation stays valid by default.
const DefaultInvitationTTL = 7 * 24 * time.Hour

// Invitation asks someone, by email, to join an organisation: with a role on
// one account, an organisation role, or both.
type Invitation struct {
	ID    InvitationID
	Org   org.OrganisationID
	Email string // normalised
	// Account and Role: the grant the invitee receives (both or neither).
	Account org.AccountID
	Role    RoleID
	// OrgRole: the organisation role the invitee receives (NoRole: none).
	OrgRole   org.Role
	InvitedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	// Status as stored; StatusAt also reports expiry.
	Status InvitationStatus
	// TokenHash is the SHA-256 of the token mailed to the invitee; the token
	// itself is never stored.
	TokenHash []byte
	// Sent counts the mails sent (1 + resends).
	Sent       int
	AnsweredAt time.Time
	// User is the user who accepted.
	User org.UserID
}

// StatusAt returns the status at t: a pending invitation past its expiry is Expired.
func (inv Invitation) StatusAt(t time.Time) InvitationStatus {
	if inv.Status == Pending && !t.Before(inv.ExpiresAt) {
		return Expired
	}
	return inv.Status
}

// newToken draws a random token and returns it with its hash.
func newToken(r io.Reader) (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", nil, fmt.Errorf("access: invitation token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the stored form of an invitation token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ParseToken validates an invitation token received from outside: 43
// base64url characters, as made by Invite.
func ParseToken(token string) (string, error) {
	if len(token) != 43 {
		return "", fmt.Errorf("access: invitation token is malformed: %w", storage.ErrInvalidArgument)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != 32 {
		return "", fmt.Errorf("access: invitation token is malformed: %w", storage.ErrInvalidArgument)
	}
	return token, nil
}
