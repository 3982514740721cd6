package billing_test

import (
	"testing"

	"github.com/orgspace/orgspace/billing"
)

// FuzzParseCouponCode: whatever is typed, a parsed code is canonical (it
// parses to itself) and anything else is refused without a panic.
func FuzzParseCouponCode(f *testing.F) {
	for _, s := range []string{"ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z", "abcde fghij klmno pqrst uvwxy z", "", "0-1", "ÀBC"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		canon, err := billing.ParseCouponCode(s)
		if err != nil {
			return
		}
		again, err := billing.ParseCouponCode(canon)
		if err != nil || again != canon {
			t.Fatalf("ParseCouponCode(%q) = %q, which parses to %q, %v", s, canon, again, err)
		}
	})
}
