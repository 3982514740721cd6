package org

import (
	"fmt"
	"strings"
	"time"
)

// Settings are an organisation's preferences.
type Settings struct {
	// TimeZone is an IANA zone name; default "UTC".
	TimeZone string
	// Locale is a language tag like "fr" or "fr-BE"; default "en".
	Locale string
}

// Organisation groups accounts and is managed by its Owners.
type Organisation struct {
	ID        OrganisationID
	Name      string
	Settings  Settings
	CreatedAt time.Time
}

// Product is the kind of product an account is for. Engage, Loyalty and
// Events are built in; a host may use product names of its own.
type Product string

// Built-in products.
const (
	Engage  Product = "engage"
	Loyalty Product = "loyalty"
	Events  Product = "events"
)

// ParseProduct validates a product name: lower-case ASCII letters, digits and
// '-', 1 to 32 characters.
func ParseProduct(s string) (Product, error) {
	if s == "" || len(s) > 32 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return "", invalid("product", "%q is not a product name (lower-case letters, digits, '-')", s)
	}
	return Product(s), nil
}

// LoginMethod is how users sign in to an account.
type LoginMethod uint8

// Login methods.
const (
	// Password: email and password (the zero value).
	Password LoginMethod = iota
	// SSO: single sign-on through the policy's named provider.
	SSO
)

// String returns "password" or "sso".
func (m LoginMethod) String() string {
	if m == SSO {
		return "sso"
	}
	return "password"
}

// LoginPolicy is how an account's users must authenticate.
type LoginPolicy struct {
	Method LoginMethod
	// Provider names the SSO identity provider; empty for Password.
	Provider string
	// TwoFactor requires a second factor.
	TwoFactor bool
}

// Check validates p: an SSO policy names its provider, a password policy none.
func (p LoginPolicy) Check() error {
	switch p.Method {
	case Password:
		if p.Provider != "" {
			return invalid("login policy provider", "must be empty for password login")
		}
	case SSO:
		if err := CheckID("login policy provider", p.Provider); err != nil {
			return err
		}
	default:
		return invalid("login policy method", "%d is unknown", p.Method)
	}
	return nil
}

// Satisfies reports whether a session authenticated as p meets policy q:
// q's SSO provider when q asks for SSO, and a second factor when q requires
// one. A password policy without 2FA is met by every session.
func (p LoginPolicy) Satisfies(q LoginPolicy) bool {
	if q.Method == SSO && (p.Method != SSO || p.Provider != q.Provider) {
		return false
	}
	return p.TwoFactor || !q.TwoFactor
}

// String renders p, e.g. "sso(okta)+2fa".
func (p LoginPolicy) String() string {
	s := p.Method.String()
	if p.Method == SSO {
		s += "(" + p.Provider + ")"
	}
	if p.TwoFactor {
		s += "+2fa"
	}
	return s
}

// Account belongs to exactly one organisation and is standalone: nothing of
// one account is visible through another.
type Account struct {
	ID        AccountID
	Org       OrganisationID
	Product   Product
	Name      string
	Login     LoginPolicy
	CreatedAt time.Time
}

// User is a global identity: one person, one email, any number of accounts in
// any number of organisations.
type User struct {
	ID        UserID
	Email     string // normalised
	Name      string
	CreatedAt time.Time
}

// Operator is platform staff (customer success, support).
type Operator struct {
	ID        OperatorID
	Name      string
	Email     string
	CreatedAt time.Time
}

// Role is an organisation role.
type Role uint8

// Organisation roles.
const (
	// NoRole: not an Owner nor a Member.
	NoRole Role = iota
	// Member has rights on all events of the organisation.
	Member
	// Owner manages everything in the organisation.
	Owner
)

// String returns "owner", "member" or "none".
func (r Role) String() string {
	switch r {
	case Owner:
		return "owner"
	case Member:
		return "member"
	}
	return "none"
}

// ParseRole parses "owner" or "member".
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "owner":
		return Owner, nil
	case "member":
		return Member, nil
	}
	return NoRole, invalid("organisation role", "%q is not \"owner\" or \"member\"", s)
}

// Membership records a user's organisation role.
type Membership struct {
	Org   OrganisationID
	User  UserID
	Role  Role
	Since time.Time
}

// Key returns a readable key for logs and errors.
func (m Membership) Key() string { return fmt.Sprintf("%s/%s", m.Org, m.User) }
