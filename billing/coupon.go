package billing

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
)

// A coupon code is 130 random bits written as 26 characters of the
// RFC 4648 base32 alphabet, in groups of five joined by dashes:
// "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY-Z". Only its SHA-256 is stored, so the
// store cannot list codes, and guessing one among 2^130 is hopeless.
const (
	codeChars = 26
	codeGroup = 5
)

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newCouponCode reads a code from r.
func newCouponCode(r io.Reader) (string, error) {
	var b [17]byte // 136 bits; the 26 characters keep 130 of them
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("billing: coupon code: %w", err)
	}
	return grouped(codeEncoding.EncodeToString(b[:])[:codeChars]), nil
}

// grouped writes plain in groups of codeGroup characters joined by dashes.
func grouped(plain string) string {
	var sb strings.Builder
	for i := 0; i < len(plain); i += codeGroup {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(plain[i:min(i+codeGroup, len(plain))])
	}
	return sb.String()
}

// ParseCouponCode returns the canonical form of a coupon code as a person
// might type it: case, spaces and dashes do not matter, and the digits 0
// and 1, which no code has, are read as the letters O and I. Anything else fails with
// storage.ErrInvalidArgument naming "coupon code".
func ParseCouponCode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ' ':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case c == '0':
			c = 'O'
		case c == '1':
			c = 'I'
		}
		if !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return "", invalid("coupon code", "has %q, which no code has", s[i])
		}
		if b.Len() == codeChars {
			return "", invalid("coupon code", "is longer than %d characters", codeChars)
		}
		b.WriteByte(c)
	}
	if b.Len() != codeChars {
		return "", invalid("coupon code", "has %d characters, not %d", b.Len(), codeChars)
	}
	return grouped(b.String()), nil
}

// hashCode returns the stored form of a canonical code.
func hashCode(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}
