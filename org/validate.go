package org

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orgspace/orgspace/storage"
)

// MaxNameLength is the most characters a name may have.
const MaxNameLength = 200

// invalid builds an ErrInvalidArgument error that names the field.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("org: %s %s: %w", field, fmt.Sprintf(format, args...), storage.ErrInvalidArgument)
}

// CheckName trims a display name and validates it: not empty, at most
// MaxNameLength characters, valid UTF-8, no control characters. field names
// the input in the error ("organisation name").
func CheckName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case !utf8.ValidString(name):
		return "", invalid(field, "is not valid UTF-8")
	case name == "":
		return "", invalid(field, "is empty")
	case utf8.RuneCountInString(name) > MaxNameLength:
		return "", invalid(field, "is longer than %d characters", MaxNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalid(field, "contains a control character")
	}
	return name, nil
}

// NormaliseEmail trims and lower-cases an email address and validates it:
// a bare address (no display name, no angle brackets), at most 254
// characters, a local part of at most 64, and a domain with a dot. Two
// addresses are the same user exactly when they normalise to the same string.
func NormaliseEmail(email string) (string, error) {
	if !utf8.ValidString(email) {
		return "", invalid("email", "is not valid UTF-8")
	}
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return "", invalid("email", "is empty")
	}
	if len(e) > 254 {
		return "", invalid("email", "%q is not a valid address", email)
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Name != "" || addr.Address != e {
		return "", invalid("email", "%q is not a valid address", email)
	}
	at := strings.LastIndexByte(e, '@')
	local, domain := e[:at], e[at+1:]
	if len(local) > 64 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") || strings.ContainsAny(e, " \t\"\\") {
		return "", invalid("email", "%q is not a valid address", email)
	}
	return e, nil
}

var localePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// Defaults of organisation settings.
const (
	DefaultTimeZone = "UTC"
	DefaultLocale   = "en"
)

// CheckSettings fills defaults and validates settings: an IANA time zone and
// a BCP 47 style locale ("fr", "fr-BE").
func CheckSettings(s Settings) (Settings, error) {
	s.TimeZone = strings.TrimSpace(s.TimeZone)
	s.Locale = strings.TrimSpace(s.Locale)
	if s.TimeZone == "" {
		s.TimeZone = DefaultTimeZone
	}
	if s.Locale == "" {
		s.Locale = DefaultLocale
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || strings.EqualFold(s.TimeZone, "local") {
		return s, invalid("time zone", "%q is not an IANA time zone", s.TimeZone)
	}
	if !localePattern.MatchString(s.Locale) {
		return s, invalid("locale", "%q is not a locale like \"fr\" or \"fr-BE\"", s.Locale)
	}
	return s, nil
}

// CheckID validates an ID given by a caller: not empty, at most 128 bytes,
// printable ASCII without spaces. field names it in the error.
func CheckID(field, id string) error {
	if id == "" {
		return invalid(field, "is empty")
	}
	if len(id) > 128 {
		return invalid(field, "is longer than 128 bytes")
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return invalid(field, "%q contains a character other than printable ASCII", id)
		}
	}
	return nil
}
