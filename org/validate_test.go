package org

import (
	"errors"
	"strings"
	"testing"

	"github.com/orgspace/orgspace/storage"
)

func TestNormaliseEmail(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  Anna@Example.COM ", "anna@example.com"},
		{"first.last+tag@sub.example.org", "first.last+tag@sub.example.org"},
		{"", ""},
		{"anna", ""},
		{"anna@localhost", ""},
		{"Anna <anna@example.com>", ""},
		{"<anna@example.com>", ""},
		{"anna@@example.com", ""},
		{"an na@example.com", ""},
		{"anna@example..com", ""},
		{"anna@.example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"a@" + strings.Repeat("b", 250) + ".com", ""},
	}
	for _, tt := range tests {
		got, err := NormaliseEmail(tt.in)
		if tt.want == "" {
			if !errors.Is(err, storage.ErrInvalidArgument) || !strings.Contains(err.Error(), "email") {
				t.Errorf("NormaliseEmail(%q) = %q, %v; want an invalid-argument error naming the email", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormaliseEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"  Toppp Media ", "Toppp Media", true},
		{"Zoë", "Zoë", true},
		{"", "", false},
		{"   ", "", false},
		{"tab\there", "", false},
		{"bad\xffutf8", "", false},
		{strings.Repeat("x", MaxNameLength), strings.Repeat("x", MaxNameLength), true},
		{strings.Repeat("x", MaxNameLength+1), "", false},
	}
	for _, tt := range tests {
		got, err := CheckName("organisation name", tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("CheckName(%q) = %q, %v", tt.in, got, err)
		}
		if err != nil && (!errors.Is(err, storage.ErrInvalidArgument) || !strings.Contains(err.Error(), "organisation name")) {
			t.Errorf("CheckName(%q): error %v must name the field and wrap ErrInvalidArgument", tt.in, err)
		}
	}
}

func TestLoginPolicySatisfies(t *testing.T) {
	password := LoginPolicy{}
	password2FA := LoginPolicy{TwoFactor: true}
	okta := LoginPolicy{Method: SSO, Provider: "okta"}
	okta2FA := LoginPolicy{Method: SSO, Provider: "okta", TwoFactor: true}
	azure := LoginPolicy{Method: SSO, Provider: "azure"}
	tests := []struct {
		name          string
		session, need LoginPolicy
		want          bool
	}{
		{"password meets password", password, password, true},
		{"password does not meet 2FA", password, password2FA, false},
		{"password+2FA meets password", password2FA, password, true},
		{"password does not meet SSO", password2FA, okta, false},
		{"SSO meets password", okta, password, true},
		{"SSO with another provider does not meet SSO", azure, okta, false},
		{"SSO without 2FA does not meet SSO+2FA", okta, okta2FA, false},
		{"SSO+2FA meets SSO", okta2FA, okta, true},
	}
	for _, tt := range tests {
		if got := tt.session.Satisfies(tt.need); got != tt.want {
			t.Errorf("%s: %s.Satisfies(%s) = %v", tt.name, tt.session, tt.need, got)
		}
	}
}

func TestLoginPolicyCheck(t *testing.T) {
	tests := []struct {
		p  LoginPolicy
		ok bool
	}{
		{LoginPolicy{}, true},
		{LoginPolicy{Method: SSO, Provider: "okta", TwoFactor: true}, true},
		{LoginPolicy{Method: SSO}, false},
		{LoginPolicy{Provider: "okta"}, false},
		{LoginPolicy{Method: 7}, false},
	}
	for _, tt := range tests {
		if err := tt.p.Check(); (err == nil) != tt.ok {
			t.Errorf("%+v.Check() = %v", tt.p, err)
		}
	}
}

func TestCheckSettingsDefaultsAndValidates(t *testing.T) {
	s, err := CheckSettings(Settings{})
	if err != nil || s.TimeZone != "UTC" || s.Locale != "en" {
		t.Fatalf("defaults: %+v, %v", s, err)
	}
	if _, err := CheckSettings(Settings{TimeZone: "Europe/Brussels", Locale: "fr-BE"}); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
	for _, bad := range []Settings{{TimeZone: "Mars/Olympus"}, {TimeZone: "Local"}, {Locale: "French!"}} {
		if _, err := CheckSettings(bad); !errors.Is(err, storage.ErrInvalidArgument) {
			t.Errorf("CheckSettings(%+v) = %v", bad, err)
		}
	}
}
