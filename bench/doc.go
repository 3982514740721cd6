// Package bench compares orgspace with general authorisation libraries on
// one data set, in one process: Casbin (RBAC with domains) and OpenFGA
// (embedded in-process, with its in-memory datastore).
//
// It is a module of its own, so that orgspace's go.mod never depends on the
// peers. Every library is loaded with the same deterministic set
// (synthetic.Comparison: 10 organisations, 1,000 accounts, 100,000 users,
// 300,000 grants, 1 to 3 Owners per organisation, 1% agency users with 50
// to 100 grants across organisations), and each one answers through the
// same [Engine] interface. [CrossCheck] asks every engine the same random
// checks and listings and reports any difference; the benchmarks of this
// package measure only engines that passed it.
//
// Run everything, the cross-check first, with
//
//	bash bench/run.sh
//
// which prints a table of each figure per library and orgspace's ratio to
// each peer. BENCHMARKS.md at the root of the repository records a run.
package bench
