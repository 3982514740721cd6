// Command benchtable reads the output of the bench module's benchmarks
// (go test -bench . -benchmem) on its standard input and prints a Markdown
// table of each figure per library, with each peer's figure as a multiple
// of orgspace's, and whether the targets are met.
//
// Benchmark names end in the library's name (BenchmarkCheck/casbin-2).
// When a benchmark ran more than once (rounds, -count), the table shows
// the median.
//
//	go test -run '^$' -bench . -benchmem . | go run ./cmd/benchtable
package main
