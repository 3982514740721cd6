package access_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/storage"
)

func fuzzWantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrInvalidArgument) {
		t.Fatalf("%s: error %v does not wrap ErrInvalidArgument", what, err)
	}
}

// A permission parses from its name (any case, surrounding space) and its
// String parses back to it.
func FuzzParsePermission(f *testing.F) {
	for _, p := range access.AllPermissions.List() {
		f.Add(p.String())
	}
	for _, s := range []string{" Content.EDIT ", "", "content", "content.edit.more", "permission(3)", "account.view\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := access.ParsePermission(in)
		if err != nil {
			fuzzWantInvalid(t, "ParsePermission", err)
			return
		}
		if !access.AllPermissions.Has(p) {
			t.Fatalf("ParsePermission(%q) = %v, not a permission", in, p)
		}
		if name := p.String(); name != strings.ToLower(strings.TrimSpace(in)) {
			t.Fatalf("ParsePermission(%q) = %v", in, name)
		}
		if back, err := access.ParsePermission(p.String()); err != nil || back != p {
			t.Fatalf("ParsePermission(%q) = %v, but ParsePermission(%q) = %v, %v", in, p, p.String(), back, err)
		}
	})
}

// Any set of permissions round-trips through the names of its members, and
// a list of names parses to the set of them or fails as a whole.
func FuzzParsePermissions(f *testing.F) {
	f.Add(uint64(0), "")
	f.Add(uint64(1), "account.view")
	f.Add(^uint64(0), "content.edit,content.publish")
	f.Add(uint64(0b1010), "content.edit,nope")
	f.Add(uint64(1<<40), " billing.manage , events.manage ")
	f.Fuzz(func(t *testing.T, bits uint64, list string) {
		set := access.Permissions(bits) & access.AllPermissions
		var names []string
		for _, p := range set.List() {
			names = append(names, p.String())
		}
		if got, err := access.ParsePermissions(names); err != nil || got != set {
			t.Fatalf("ParsePermissions(%q) = %v, %v; want %v", names, got, err, set)
		}
		// String lists the same names: "{a b}".
		if s := set.String(); s != "{"+strings.Join(names, " ")+"}" {
			t.Fatalf("%v.String() = %q, want the names %q", set, s, names)
		}
		if set.Len() != len(names) {
			t.Fatalf("%v.Len() = %d, want %d", set, set.Len(), len(names))
		}

		parts := strings.Split(list, ",")
		got, err := access.ParsePermissions(parts)
		if err != nil {
			fuzzWantInvalid(t, "ParsePermissions", err)
			return
		}
		var want access.Permissions
		for _, n := range parts {
			p, err := access.ParsePermission(n)
			if err != nil {
				t.Fatalf("ParsePermissions(%q) accepted %q, which ParsePermission refuses: %v", parts, n, err)
			}
			want |= access.PermissionsOf(p)
		}
		if got != want {
			t.Fatalf("ParsePermissions(%q) = %v, want %v", parts, got, want)
		}
	})
}

// An invitation token is 32 random bytes in base64url; ParseToken accepts
// every token Invite makes and returns it unchanged, and refuses the rest
// with ErrInvalidArgument.
func FuzzParseToken(f *testing.F) {
	f.Add(make([]byte, 32), "")
	f.Add([]byte("0123456789abcdef0123456789abcdef"), "AAAA")
	f.Add([]byte{0xff, 0xfe}, "not a token")
	f.Add([]byte{}, strings.Repeat("A", 43))
	f.Add([]byte{}, strings.Repeat("A", 44))
	f.Add([]byte{}, strings.Repeat("A", 42)+"=")
	f.Add([]byte{}, strings.Repeat("A", 42)+"B")                          // unused bits set
	f.Add([]byte{}, strings.Repeat("A", 21)+"\n"+strings.Repeat("A", 22)) // a line break
	f.Fuzz(func(t *testing.T, secret []byte, raw string) {
		if len(secret) >= 32 {
			token := base64.RawURLEncoding.EncodeToString(secret[:32])
			if got, err := access.ParseToken(token); err != nil || got != token {
				t.Fatalf("ParseToken(%q) = %q, %v; want it unchanged", token, got, err)
			}
		}
		got, err := access.ParseToken(raw)
		if err != nil {
			fuzzWantInvalid(t, "ParseToken", err)
			return
		}
		if got != raw {
			t.Fatalf("ParseToken(%q) = %q, want it unchanged", raw, got)
		}
		b, err := base64.RawURLEncoding.DecodeString(got)
		if err != nil || len(b) != 32 {
			t.Fatalf("ParseToken(%q) accepted a token that is not 32 bytes of base64url", raw)
		}
		// Exactly one spelling of each token is accepted: the canonical one.
		if canonical := base64.RawURLEncoding.EncodeToString(b); canonical != raw {
			t.Fatalf("ParseToken(%q) accepted a non-canonical spelling of %q", raw, canonical)
		}
	})
}
