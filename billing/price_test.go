package billing

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/orgspace/orgspace/storage"
)

func TestParseCurrencyAcceptsOnlyKnownUpperCaseCodes(t *testing.T) {
	tests := []struct {
		name, in string
		digits   int
		wantErr  string // a substring of the error; empty for success
	}{
		{"euro", "EUR", 2, ""},
		{"dollar", "USD", 2, ""},
		{"pound", "GBP", 2, ""},
		{"franc", "CHF", 2, ""},
		{"yen has no minor unit", "JPY", 0, ""},
		{"empty", "", 0, "currency"},
		{"lower case is not folded", "eur", 0, "currency"},
		{"two letters", "EU", 0, "currency"},
		{"four letters", "EURO", 0, "currency"},
		{"digits", "E1R", 0, "currency"},
		{"padded", " EUR", 0, "currency"},
		{"valid code not supported", "SEK", 0, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCurrency(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, storage.ErrInvalidArgument) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseCurrency(%q) = %q, %v; want ErrInvalidArgument mentioning %q", tt.in, c, err, tt.wantErr)
				}
				if c != "" || c.Valid() || c.Digits() != -1 {
					t.Fatalf("ParseCurrency(%q) returned %q with an error", tt.in, c)
				}
				return
			}
			if err != nil || string(c) != tt.in || !c.Valid() || c.Digits() != tt.digits {
				t.Fatalf("ParseCurrency(%q) = %q (digits %d), %v; want %q with %d digits", tt.in, c, c.Digits(), err, tt.in, tt.digits)
			}
		})
	}
}

func TestMoneyStringUsesTheCurrencysDigits(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Money{"EUR", 1250}, "12.50 EUR"},
		{Money{"EUR", 5}, "0.05 EUR"},
		{Money{"USD", -1999}, "-19.99 USD"},
		{Money{"JPY", 1200}, "1200 JPY"},
		{Money{"EUR", math.MinInt64}, "-92233720368547758.08 EUR"},
		{Money{"XXX", 1250}, "1250 XXX"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestPriceListValidateNamesTheBadField(t *testing.T) {
	tests := []struct {
		name      string
		list      PriceList
		wantField string // empty for a valid list
	}{
		{"empty list", PriceList{}, ""},
		{"both assets", PriceList{Licences: {"EUR", 500}, SMSCredits: {"EUR", 8}}, ""},
		{"highest unit price", PriceList{Licences: {"JPY", MaxUnitPrice}}, ""},
		{"invalid asset", PriceList{Asset(9): {"EUR", 500}}, "price list asset"},
		{"unknown currency", PriceList{Licences: {"SEK", 500}}, "price list currency"},
		{"missing currency", PriceList{Licences: {"", 500}}, "price list currency"},
		{"free", PriceList{Licences: {"EUR", 0}}, "price list unit price"},
		{"negative", PriceList{Licences: {"EUR", -1}}, "price list unit price"},
		{"could overflow a quote", PriceList{Licences: {"EUR", MaxUnitPrice + 1}}, "price list unit price"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.list.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, storage.ErrInvalidArgument) || !strings.Contains(err.Error(), tt.wantField) {
				t.Fatalf("Validate() = %v, want ErrInvalidArgument naming %q", err, tt.wantField)
			}
		})
	}
}

func TestQuoteIsQuantityTimesUnitPriceAndNeverOverflows(t *testing.T) {
	prices := PriceList{Licences: {"EUR", 500}, SMSCredits: {"JPY", MaxUnitPrice}}
	tests := []struct {
		name     string
		list     PriceList
		asset    Asset
		quantity int64
		want     Money
		wantErr  error
		field    string // named in the error
	}{
		{"one licence", prices, Licences, 1, Money{"EUR", 500}, nil, ""},
		{"ten licences", prices, Licences, 10, Money{"EUR", 5000}, nil, ""},
		{"largest quantity at the highest price fits", prices, SMSCredits, MaxAmount, Money{"JPY", MaxAmount * MaxUnitPrice}, nil, ""},
		{"zero quantity", prices, Licences, 0, Money{}, storage.ErrInvalidArgument, "quantity"},
		{"negative quantity", prices, Licences, -3, Money{}, storage.ErrInvalidArgument, "quantity"},
		{"huge quantity", prices, Licences, MaxAmount + 1, Money{}, storage.ErrInvalidArgument, "quantity"},
		{"largest int64 quantity", prices, Licences, math.MaxInt64, Money{}, storage.ErrInvalidArgument, "quantity"},
		{"unknown asset", prices, Asset(0), 1, Money{}, storage.ErrInvalidArgument, "asset"},
		{"no price for the asset", PriceList{Licences: {"EUR", 500}}, SMSCredits, 1, Money{}, storage.ErrNotFound, "sms_credits"},
		{"nil list", nil, Licences, 1, Money{}, storage.ErrNotFound, "licences"},
		{"unvalidated price that would overflow", PriceList{Licences: {"EUR", math.MaxInt64}}, Licences, 2, Money{}, storage.ErrInvalidArgument, "unit price"},
		{"unvalidated currency", PriceList{Licences: {"eur", 500}}, Licences, 2, Money{}, storage.ErrInvalidArgument, "currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.list.Quote(tt.asset, tt.quantity)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.field) {
					t.Fatalf("Quote(%v, %d) = %v, %v; want %v naming %q", tt.asset, tt.quantity, got, err, tt.wantErr, tt.field)
				}
				if got != (Money{}) {
					t.Fatalf("Quote(%v, %d) returned %v with an error", tt.asset, tt.quantity, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Quote(%v, %d) = %v, %v; want %v", tt.asset, tt.quantity, got, err, tt.want)
			}
		})
	}
}
