package billing

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/orgspace/orgspace/storage"
)

// Currency is an ISO 4217 currency code, such as "EUR". Only the
// currencies whose minor unit the library knows are accepted (see
// [ParseCurrency]): an amount in minor units means nothing without it.
type Currency string

// currencyDigits holds the minor-unit digits of the accepted currencies.
// It is kept small on purpose: adding a currency is one line, and an
// unknown one is refused rather than guessed.
var currencyDigits = map[Currency]int{
	"CHF": 2,
	"EUR": 2,
	"GBP": 2,
	"JPY": 0,
	"USD": 2,
}

// ParseCurrency returns the currency with the code s: three upper-case
// letters naming one of CHF, EUR, GBP, JPY or USD. Anything else fails
// with storage.ErrInvalidArgument naming "currency"; lower case is
// refused rather than folded, so that stored codes are always canonical.
func ParseCurrency(s string) (Currency, error) {
	if len(s) != 3 || !isUpper(s[0]) || !isUpper(s[1]) || !isUpper(s[2]) {
		return "", invalid("currency", "%q is not an ISO 4217 code (three upper-case letters)", s)
	}
	c := Currency(s)
	if _, ok := currencyDigits[c]; !ok {
		return "", invalid("currency", "%q is not supported", s)
	}
	return c, nil
}

func isUpper(b byte) bool { return 'A' <= b && b <= 'Z' }

// Valid reports whether c is one of the accepted currencies.
func (c Currency) Valid() bool {
	_, ok := currencyDigits[c]
	return ok
}

// Digits returns the number of minor-unit digits of c (2 for EUR: one euro
// is 100 cents; 0 for JPY), or -1 if c is not an accepted currency.
func (c Currency) Digits() int {
	d, ok := currencyDigits[c]
	if !ok {
		return -1
	}
	return d
}

// String returns the code.
func (c Currency) String() string { return string(c) }

// Money is an amount in the minor unit of a currency (cents for EUR):
// integers, so that sums are exact.
type Money struct {
	Currency Currency
	Minor    int64
}

// String formats m with its currency's digits, as in "12.50 EUR" or
// "1200 JPY". An unknown currency is shown in minor units.
func (m Money) String() string {
	d := m.Currency.Digits()
	if d <= 0 {
		return fmt.Sprintf("%d %s", m.Minor, m.Currency)
	}
	sign, abs := "", uint64(m.Minor)
	if m.Minor < 0 {
		// Negating as uint64 is exact even for math.MinInt64.
		sign, abs = "-", -uint64(m.Minor)
	}
	scale := uint64(1)
	for range d {
		scale *= 10
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, abs/scale, d, abs%scale, m.Currency)
}

// MaxUnitPrice is the largest unit price, in minor units, a [PriceList]
// accepts: the largest for which MaxAmount units cost no more than
// math.MaxInt64 minor units, so that no quote can overflow.
const MaxUnitPrice int64 = math.MaxInt64 / MaxAmount

// PriceList gives the unit price of each asset on sale. An asset missing
// from the list cannot be bought.
type PriceList map[Asset]Money

// Validate checks every entry: a valid asset, an accepted currency and a
// unit price between 1 and [MaxUnitPrice] minor units. A free asset is
// refused: it would be given away, not sold, and needs no payment.
func (p PriceList) Validate() error {
	for a, m := range p {
		if err := validatePrice(a, m); err != nil {
			return err
		}
	}
	return nil
}

func validatePrice(a Asset, m Money) error {
	switch {
	case !a.Valid():
		return invalid("price list asset", "%v is not an asset", a)
	case !m.Currency.Valid():
		return invalid("price list currency", "%q of %v is not supported", string(m.Currency), a)
	case m.Minor <= 0 || m.Minor > MaxUnitPrice:
		return invalid("price list unit price", "%d of %v is not between 1 and %d", m.Minor, a, MaxUnitPrice)
	}
	return nil
}

// Quote returns what quantity units of asset cost: quantity times the
// unit price, in the unit price's currency. Quantity must be between 1
// and [MaxAmount] (storage.ErrInvalidArgument naming "quantity"), asset
// a valid asset (naming "asset"); an asset the list has no price for
// fails with storage.ErrNotFound, and an entry that [PriceList.Validate]
// would refuse fails as it does.
func (p PriceList) Quote(asset Asset, quantity int64) (Money, error) {
	if !asset.Valid() {
		return Money{}, invalid("asset", "%v is not an asset", asset)
	}
	if quantity <= 0 || quantity > MaxAmount {
		return Money{}, invalid("quantity", "%d is not between 1 and %d", quantity, MaxAmount)
	}
	unit, ok := p[asset]
	if !ok {
		return Money{}, fmt.Errorf("billing: no price for %v: %w", asset, storage.ErrNotFound)
	}
	if err := validatePrice(asset, unit); err != nil {
		return Money{}, err
	}
	// The bounds above keep the product in range; multiplying in 128 bits
	// keeps a future change of them from wrapping around silently.
	hi, lo := bits.Mul64(uint64(quantity), uint64(unit.Minor))
	if hi != 0 || lo > math.MaxInt64 {
		return Money{}, invalid("quantity", "%d of %v at %d would overflow", quantity, asset, unit.Minor)
	}
	return Money{Currency: unit.Currency, Minor: int64(lo)}, nil
}
