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
// and panicking transactions, copies of returned values, and behaviour
// under concurrent transactions (run them with -race). The service-level
// tests drive the domain services over the backend. A backend that passes
// both behaves, as far as orgspace can tell, like every other.
package storagetest
