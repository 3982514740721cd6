package org

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"
)

// Identifiers of the objects of this package.
type (
	OrganisationID string
	AccountID      string
	UserID         string
	OperatorID     string
)

// WebsiteID identifies a website of an Engage account. Websites are managed
// by package structure; the identifier lives here because package access,
// below structure, limits grants to chosen websites.
type WebsiteID string

// Clock tells the time. Services take one so that tests and simulations are
// deterministic; the zero Env uses the system clock.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// IDGenerator makes new object IDs. It must never repeat an ID, also across
// service instances that share one database.
type IDGenerator interface {
	// NewID returns a new ID that starts with prefix ("org", "acc", …).
	NewID(prefix string) string
}

// RandomIDs makes IDs of a prefix and 16 random hex digits; the default.
type RandomIDs struct{}

// NewID implements IDGenerator.
func (RandomIDs) NewID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return prefix + "_" + hex.EncodeToString(b[:])
}

// SequentialIDs makes the IDs prefix_1, prefix_2, … (one counter for all
// prefixes): deterministic, for tests and examples on a single instance.
type SequentialIDs struct{ n atomic.Uint64 }

// NewID implements IDGenerator.
func (s *SequentialIDs) NewID(prefix string) string {
	return fmt.Sprintf("%s_%d", prefix, s.n.Add(1))
}

// Env is what services take from their surroundings: the clock and the ID
// generator. The zero Env is the system clock and random IDs.
type Env struct {
	Clock Clock
	IDs   IDGenerator
}

// Now returns the time on e's clock.
func (e Env) Now() time.Time {
	if e.Clock == nil {
		return time.Now().UTC()
	}
	return e.Clock.Now().UTC()
}

// NewID returns a new ID from e's generator.
func (e Env) NewID(prefix string) string {
	if e.IDs == nil {
		return RandomIDs{}.NewID(prefix)
	}
	return e.IDs.NewID(prefix)
}
