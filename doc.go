// Package orgspace is an embeddable library that gets organisations right:
// accounts grouped into organisations; users with a different role in each
// of many accounts, across organisations; favourite account and account
// switching; the effective SSO and two-factor policy; a permission check
// that is an in-memory lookup; and an audit log of every change. All of it
// sits on pluggable storage (package storage and its backends).
//
// [Open] wires a backend into a [Space], whose services do the work:
//
//	db, err := sqlite.Open(ctx, "orgspace.db", sqlite.Options{})
//	...
//	space, err := orgspace.Open(ctx, db, orgspace.Config{})
//	...
//	o, _, err := space.Org.CreateOrganisation(ctx, operator, org.NewOrganisation{Name: "Acme"})
//	...
//	if space.Access.Check(user, account, access.PublishContent) { ... }
//
// The packages, from the bottom up:
//
//   - storage: the backend contract (errors, revisions, consistency, cursors,
//     the audit and change log, transactions), and its backends:
//     storage/sqlite, the embedded default (one file, nothing to install);
//     storage/postgres, for several service instances on one database;
//     storage/memstore, in memory, for tests and short-lived processes.
//     storage/storagetest is the conformance suite every backend runs.
//   - org: organisations, accounts, users, operators, actors.
//   - access: roles, grants, invitations, favourites, sessions, Check.
//   - structure: websites, programs, custom links and the default rule:
//     which Engage data each Loyalty program may use.
//   - access/accesstest: rapid generators and invariants to property-test a
//     role set-up.
//
// Every write takes a context and an org.Actor, is authorised, validated and
// atomic, appends to the audit log and returns the new storage.Revision.
// Errors wrap the sentinels of package storage; test them with errors.Is.
package orgspace
