// Package backendbench holds the benchmark bodies that every storage backend
// runs, so that memstore, SQLite and PostgreSQL are measured the same way. A
// backend's bench_test.go calls them with a function that opens the backend,
// as its conformance test calls storage/storagetest:
//
//   - [Writes]: grants and revokes through Space.Access by 1 or more
//     concurrent writers, reported as writes/s.
//   - [Load]: orgspace.Open on a backend that holds the synthetic set of
//     internal/synthetic (synthetic.Default(): 300,000 grants), which
//     compiles the access index from the store; reported as time per open
//     and the heap the open Space retains (MiB-retained).
//   - [Transfers]: licence transfers through billing.Service.Transfer, one
//     per transaction by 1 and [Clients] goroutines, and 1,000 per
//     transaction; reported as transfers/s.
//   - [CouponRedeem]: [Clients] goroutines redeeming coupons of one issuer
//     through billing.Service.RedeemCoupon, each a coupon of its own or
//     all the same one; reported as redemptions/s.
//   - [CommunityStats]: community.Service.Stats of an organisation with
//     200 events (150 organised, 50 supported through coupons), 50,000
//     accepted participations and 20,000 people, over the default 12
//     months; reported as time per call.
//   - [CommunityMembers]: community.Service.Members, a page of 50 direct
//     members of that organisation, the first page and a middle one (by
//     its cursor); reported as time per call.
//
// The community is written once per process ([FilledCommunity]) by a
// loader that writes, through community.Store in a few large
// transactions, exactly what the service would have stored; a test writes
// a small community both ways and compares every read.
//
// Run them with
//
//	go test -run '^$' -bench . -benchmem -count 5 ./storage/memstore ./storage/sqlite ./storage/postgres
//
// BENCHMARKS.md at the root of the repository records the figures.
package backendbench
