package org_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// fuzzWantInvalid fails unless err is an ErrInvalidArgument error.
func fuzzWantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrInvalidArgument) {
		t.Fatalf("%s: error %v does not wrap ErrInvalidArgument", what, err)
	}
}

// Two addresses are the same user exactly when they normalise to the same
// string, so normalising is idempotent and yields a trimmed, lower-case,
// valid address.
func FuzzNormaliseEmail(f *testing.F) {
	for _, s := range []string{
		"  Anna@Example.COM ", "first.last+tag@sub.example.org", "", "anna", "anna@localhost",
		"Anna <anna@example.com>", "<anna@example.com>", "anna@@example.com", "an na@example.com",
		"anna@example..com", "anna@.example.com", "\"quoted\"@example.com", "ÉLODIE@exemple.fr",
		"a@b.c", "a\xff@example.com", strings.Repeat("a", 65) + "@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := org.NormaliseEmail(in)
		if !utf8.ValidString(in) && err == nil {
			t.Fatalf("NormaliseEmail(%q) = %q: invalid UTF-8 accepted", in, got)
		}
		if err != nil {
			fuzzWantInvalid(t, "NormaliseEmail", err)
			if !strings.Contains(err.Error(), "email") {
				t.Fatalf("NormaliseEmail(%q): error %q does not name the email", in, err)
			}
			return
		}
		if got != strings.TrimSpace(got) || got != strings.ToLower(got) {
			t.Fatalf("NormaliseEmail(%q) = %q: not trimmed and lower-case", in, got)
		}
		if !utf8.ValidString(got) || len(got) > 254 || strings.Count(got, "@") < 1 {
			t.Fatalf("NormaliseEmail(%q) = %q: not a valid address", in, got)
		}
		again, err := org.NormaliseEmail(got)
		if err != nil || again != got {
			t.Fatalf("NormaliseEmail(%q) = %q, but NormaliseEmail(%q) = %q, %v", in, got, got, again, err)
		}
	})
}

// A checked name is trimmed, valid UTF-8, short enough and free of control
// characters, and checking it again changes nothing.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"  Toppp Media ", "Zoë", "", "   ", "tab\there", "bad\xffutf8",
		strings.Repeat("x", org.MaxNameLength), strings.Repeat("é", org.MaxNameLength+1), "\u00a0nbsp\u00a0", "a\u0085b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		const field = "organisation name"
		got, err := org.CheckName(field, in)
		if err != nil {
			fuzzWantInvalid(t, "CheckName", err)
			if !strings.Contains(err.Error(), field) {
				t.Fatalf("CheckName(%q): error %q does not name the field", in, err)
			}
			return
		}
		switch {
		case got == "" || got != strings.TrimSpace(got):
			t.Fatalf("CheckName(%q) = %q: empty or not trimmed", in, got)
		case !utf8.ValidString(got) || utf8.RuneCountInString(got) > org.MaxNameLength:
			t.Fatalf("CheckName(%q) = %q: invalid UTF-8 or too long", in, got)
		case strings.IndexFunc(got, unicode.IsControl) >= 0:
			t.Fatalf("CheckName(%q) = %q: contains a control character", in, got)
		}
		if again, err := org.CheckName(field, got); err != nil || again != got {
			t.Fatalf("CheckName(%q) = %q, but CheckName(%q) = %q, %v", in, got, got, again, err)
		}
	})
}

// A product name is accepted exactly as given, and only when made of
// lower-case ASCII letters, digits and '-', 1 to 32 of them.
func FuzzParseProduct(f *testing.F) {
	for _, s := range []string{"engage", "loyalty", "events", "my-product-2", "", "Engage", "en gage",
		strings.Repeat("a", 32), strings.Repeat("a", 33), "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		valid := in != "" && len(in) <= 32 && strings.IndexFunc(in, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
		}) < 0
		p, err := org.ParseProduct(in)
		if err != nil {
			fuzzWantInvalid(t, "ParseProduct", err)
			if valid {
				t.Fatalf("ParseProduct(%q) refused a valid product name: %v", in, err)
			}
			return
		}
		if !valid || string(p) != in {
			t.Fatalf("ParseProduct(%q) = %q, want an error or the name unchanged", in, p)
		}
	})
}

// ParseRole knows "owner" and "member" (any case, any surrounding space),
// and String parses back.
func FuzzParseRole(f *testing.F) {
	for _, s := range []string{"owner", "member", " Owner ", "MEMBER", "none", "", "admin", "owner\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := org.ParseRole(in)
		if err != nil {
			fuzzWantInvalid(t, "ParseRole", err)
			if r != org.NoRole {
				t.Fatalf("ParseRole(%q) = %v with error %v, want NoRole", in, r, err)
			}
			return
		}
		if r != org.Owner && r != org.Member {
			t.Fatalf("ParseRole(%q) = %v", in, r)
		}
		if back, err := org.ParseRole(r.String()); err != nil || back != r {
			t.Fatalf("ParseRole(%q) = %v, but ParseRole(%q) = %v, %v", in, r, r.String(), back, err)
		}
	})
}

// Checked settings have both fields filled, and checking them again
// changes nothing.
func FuzzCheckSettings(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"UTC", "en"}, {"Europe/Brussels", "fr-BE"}, {" America/New_York ", " en-US "},
		{"Mars/Olympus", "en"}, {"Local", "en"}, {"local", "en"}, {"UTC", "French!"}, {"../etc/passwd", "en"},
		{"/etc/localtime", "en"}, {"UTC", "zh-Hant-TW"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, tz, locale string) {
		got, err := org.CheckSettings(org.Settings{TimeZone: tz, Locale: locale})
		if err != nil {
			fuzzWantInvalid(t, "CheckSettings", err)
			return
		}
		if got.TimeZone == "" || got.Locale == "" {
			t.Fatalf("CheckSettings(%q, %q) = %+v: a field is empty", tz, locale, got)
		}
		if again, err := org.CheckSettings(got); err != nil || again != got {
			t.Fatalf("CheckSettings(%q, %q) = %+v, but CheckSettings of that = %+v, %v", tz, locale, got, again, err)
		}
	})
}

// Every actor renders to a string that parses back to it, and any other
// string is refused with ErrInvalidArgument.
func FuzzParseActor(f *testing.F) {
	for _, s := range []string{"system", "operator:op_1", "user:usr_2", "user:", "nobody", "system:x", "user:a b", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := org.ParseActor(in)
		if err != nil {
			fuzzWantInvalid(t, "ParseActor", err)
			return
		}
		if a.String() != in {
			t.Fatalf("ParseActor(%q) = %v, which renders as %q", in, a, a.String())
		}
		for _, b := range []org.Actor{org.System(), org.AsOperator(org.OperatorID(a.ID)), org.AsUser(org.UserID(a.ID))} {
			if b.Kind != org.ActorSystem && b.ID == "" {
				continue
			}
			if got, err := org.ParseActor(b.String()); err != nil || got != b {
				t.Fatalf("ParseActor(%q) = %v, %v; want %v", b.String(), got, err, b)
			}
		}
	})
}

// An ID from outside is accepted exactly when it is 1 to 128 bytes of
// printable ASCII without spaces; a refusal names the field.
func FuzzCheckID(f *testing.F) {
	for _, s := range []string{"acc_1", "", " ", "a b", "é", strings.Repeat("x", 128), strings.Repeat("x", 129), "usr_\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := org.CheckID("account", id)
		valid := len(id) >= 1 && len(id) <= 128 && strings.IndexFunc(id, func(r rune) bool { return r <= ' ' || r > '~' }) < 0
		if valid != (err == nil) {
			t.Fatalf("CheckID(%q) = %v, want valid=%v", id, err, valid)
		}
		if err != nil {
			fuzzWantInvalid(t, "CheckID", err)
			if !strings.Contains(err.Error(), "account") {
				t.Fatalf("CheckID(%q): error %q does not name the field", id, err)
			}
		}
	})
}
