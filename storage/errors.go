package storage

import "errors"

// Sentinel errors. Every error returned by orgspace that a caller may want
// to act on wraps one of these; test with errors.Is.
var (
	// ErrNotFound: the named object does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: an object with the same identity (an ID, an email)
	// exists already.
	ErrAlreadyExists = errors.New("already exists")
	// ErrPermissionDenied: the actor may not do this.
	ErrPermissionDenied = errors.New("permission denied")
	// ErrInvalidArgument: the input is malformed; the message names the field.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrFailedPrecondition: the input is well formed but the current state
	// forbids the operation (removing the last Owner, accepting an expired
	// invitation).
	ErrFailedPrecondition = errors.New("failed precondition")
	// ErrConflict: a concurrent or earlier operation conflicts with this one
	// (an idempotency key reused with a different request, a lost race).
	ErrConflict = errors.New("conflict")
	// ErrInsufficientFunds: a ledger balance would become negative.
	ErrInsufficientFunds = errors.New("insufficient funds")
)

// IsNotFound reports whether err wraps ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
