// Package synthetic generates deterministic, realistically shaped data sets
// for benchmarks and load tests of orgspace: organisations with one or more
// Owners each, accounts of the three products, users holding grants on
// accounts of one to three organisations (built-in and custom roles, some
// time-bound, some expired), agency users holding 50 to 100 grants across
// organisations, plus two marked users with exactly 1 and 100 accessible
// accounts. [Default] is the set of orgspace's own benchmarks, and
// [Comparison] the one the bench module loads into orgspace and its peers.
//
// [Generate] builds a [Dataset] in memory from a [Config] (the same Config
// always gives the same data); [Dataset.Load] writes it into any backend
// through access.Store in a few large transactions; [Dataset.Queries] draws
// permission checks with their expected answers, for benchmarks that also
// verify what they measure.
//
// The package is internal: it is for orgspace's own tests and benchmarks.
package synthetic
