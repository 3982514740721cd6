// Package storagetest is the conformance suite every backend runs:
// storagetest.Run(t, open).
//
// Like the drivertest packages of Go Cloud, it holds no backend of its own.
// A backend's test calls [Run] with a function that opens a fresh, empty
// instance of it:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Transactor[*mybackend.Tx] {
//			return mybackend.Open(t) // may register t.Cleanup
//		})
//	}
//
// Run checks the backend at two levels. The store-level tests (subtest
// "store") call the Store methods directly: round trips of every object,
// uniqueness, not-found errors, listings and their order and paging,
// counters, the log, revisions and read consistency, atomicity of failed
// and panicking transactions, copies of returned values, the billing
// ledger against the pure billing.Ledger, UpdateUnlogged, community's
// events, people, rosters and direct members in name order, and behaviour
// under concurrent transactions (run them with -race). The service-level
// tests drive the domain services over the backend, among them three state
// machines that compare a Space with a simple model after every random
// step: one for organisations, access and structure, one for billing and
// the ledger's invariants, one for community (events, applications,
// archive and coupon support). A backend that passes both levels behaves, as
// far as orgspace can tell, like every other.
//
// Two more suites cover what not every backend can offer:
//
//   - [RunInstances] opens several handles on one database, as several
//     service instances do, and checks that they behave as one system: each
//     sees the others' writes once it reads at least their revision, its
//     index follows the log without recompiling, concurrent demotions of
//     the last two Owners leave one (a write-skew trap), and racing
//     creations of one email or acceptances of one invitation succeed once,
//     as do racing redemptions of one coupon and applications with one
//     email; concurrent spending of the last units of a pool never
//     overdraws it, even when community's logged accepts race billing's
//     unlogged takes for an event's last licences.
//     memstore runs it with one DB shared n times.
//   - [RunFaults] needs a hook that fails a chosen statement or commit. For
//     every write of the services and every N, it fails the N-th call and
//     checks that the write is all or nothing and that the audit log agrees
//     with the state; a billing write of two transactions may keep its
//     first (a purchase pending, an SMS whose delivery is unrecorded), and
//     its retry must then take effect exactly once. The SQL backends run
//     it.
package storagetest
