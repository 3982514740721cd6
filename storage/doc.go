// Package storage is the backend-neutral contract every orgspace backend
// implements: sentinel errors, revisions, read consistency, opaque cursors,
// the audit and change log, and the transaction shape.
//
// # Transactions
//
// A backend has one transaction type that implements the Store interface of
// every domain package (org.Store, access.Store, …). A domain service holds a
// [Transactor] over the Store it needs; [Narrow] derives it from the backend's
// own Transactor, so a write that spans two domains is still one transaction.
//
// Update runs a function in a read-write transaction. When the function
// returns an error nothing it did is kept and no revision is used; otherwise
// the transaction commits as one new [Revision], and every [Entry] it appended
// to the log is stamped with that revision.
//
// # Consistency
//
// Reads take a [Consistency]: [Latest] or [AtLeast] a revision. A caller that
// wrote at revision r and reads with AtLeast(r) sees its own write, also
// through another service instance that shares the database.
//
// # Errors
//
// Backends translate native errors into the sentinels below at their edge;
// callers test them with errors.Is.
package storage
