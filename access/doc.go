// Package access decides what users may do in the accounts and
// organisations of orgspace, and manages how they get there: roles, grants,
// invitations, the favourite account, sessions and account switching.
//
// # Roles and permissions
//
// Checks ask for a [Permission], never for a role. Roles are named
// permission sets:
//
//   - organisation roles (package org): Owner holds every permission in the
//     organisation; Member sees the organisation and works on all of its
//     Events accounts ([MemberEventPermissions]);
//   - built-in account roles: [Administrator] (everything in the account,
//     including its users), [Marketer], [Editor] and [Observer] (read only);
//   - custom roles, defined per organisation by its Owners ([Service.DefineRole]),
//     made of account permissions including [ViewAccount].
//
// A [Grant] gives a user one role on one account, optionally until a time
// ([Grant.ExpiresAt]): time-bound access ends by itself, in the store's view
// and in the compiled index alike. A user holds any number of grants, in any
// number of organisations, a different role in each. [Effective] is the one
// rule that turns what a user holds into permissions.
//
// # Grants limited to websites
//
// A grant on an Engage account may be limited to chosen websites of that
// account ([GrantRequest.Websites]; the websites are package structure's).
// Its role then holds on those websites only: [Index.CheckWebsite] allows
// it there and nowhere else, while the organisation role and an unlimited
// grant hold on every website of the account. On the account itself a
// limited grant gives only [ViewAccount] ([GrantedOnAccount]): its holder
// opens the account and works on their websites, and so never manages the
// account's users, whatever their role. A limit on another product's
// account is an invalid argument; a website that is not the account's is
// not found (as in package structure, whichever account it belongs to). The
// request is the whole new grant: granting again without websites lifts
// the limit. [Index.ExplainWebsite] names the limit when it decides.
//
// # Who manages users
//
// Only Owners and users holding [ManageAccountUsers] (Administrators) add
// and manage users. An Administrator acts only in the accounts they
// administer and never grants, changes or revokes a role holding a
// permission they lack. Only an Owner (or an operator) gives the Owner
// role, and the last Owner of an organisation cannot be removed or demoted.
// A user who already belongs to another organisation is attached by an
// operator, or by accepting an invitation; [Service.AddUser] creates a new
// user and fails with "that user already exists" for a known email.
//
// # Invitations
//
// [Service.Invite] mails a random token through a [Notifier]; only the
// token's SHA-256 is stored. An invitation is pending until accepted,
// declined, revoked or expired ([DefaultInvitationTTL], 7 days); Resend
// mails a new token and restarts the validity period.
//
// # Favourite account, login and switching
//
// The favourite account is the one a login lands in; a user stars only an
// account they can open. When they can no longer open it (revoked, expired,
// organisation role removed), the favourite falls back to the first account
// they can open in drop-down order: organisation name, organisation ID,
// account name, account ID. The effective login policy is the favourite
// account's method (password or SSO provider) and two-factor rule. With
// Config.StrictSwitch, switching into an account whose policy the session has
// not met requires step-up ([ErrStepUpRequired]).
//
// # The compiled index
//
// [Index] is an immutable in-memory form of all grants and roles. Check
// answers from it with no I/O and no allocation; Explain says which grant or
// organisation role allowed, or why it denied; the listings (accounts of a
// user, users of an account or organisation) cost time proportional to what
// they return. A user's accounts come as drop-down rows ([Index.AccountsOf],
// [Service.Menu]) or as bare IDs ([Index.AccountIDsOf]), for limiting a
// query to them. Writes authorise from the store inside their transaction with
// the same rule, then the Service patches its index from the log
// (copy-on-write) so its next Check sees them; another instance on the same
// database catches up through [Service.Index] with storage.AtLeast(rev), or
// [Service.Sync].
package access
