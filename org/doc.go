// Package org holds the base of orgspace: organisations, the accounts grouped
// in them, users (global identities), operators (platform staff), the
// organisation roles Owner and Member, and the actors that perform writes.
//
// # Who does what
//
//   - The host application itself (System) registers operators.
//   - Only an operator creates organisations, accounts and users outside an
//     invitation, and sets an organisation's first Owner (through
//     access.Service.SetOrganisationRole).
//   - Owners rename their organisation, list all its accounts and read its
//     audit log; operators may do the same for every organisation.
//
// Accounts are standalone: each has a product kind (Engage, Loyalty, Events
// or a product of the host's own), a name and a login policy (password or a
// named SSO provider, with or without required two-factor authentication).
//
// Users are global: one identity, one unique email, in any number of
// organisations. Emails are normalised (trimmed, lower-cased, validated) by
// [NormaliseEmail]; creating a user whose email exists fails with an error
// that wraps storage.ErrAlreadyExists and says "that user already exists".
//
// Package access decides what users may do; org only records who is an
// Owner or a Member of an organisation ([Membership]).
package org
