// Command communitychart draws an organisation's community statistics as
// an SVG chart.
//
// It tells a short story in memory (package memstore): Harbour Friends
// organises a harbour cleanup every month from January to June 2026 and
// supports two events of the Marathon Club with licence coupons. The
// people on its cleanups are its direct members; the people on the
// Marathon Club's events are its indirect members, whom it never sees:
// it reads only community.Service.Stats, where every indirect cell
// counting fewer than k people (5) is withheld.
//
// The chart has two panels, each with a bar for direct and one for
// indirect members per row: the community size per month and the members
// by age bracket. A withheld cell is drawn as a hatched, dashed bar up to
// k with the label "<5": the reader learns that it is below k, nothing
// more. (In a table with totals, a cell may also be withheld so that the
// total does not give another one away; the story's data has none.)
//
//	go run ./examples/communitychart             # writes community.svg
//	go run ./examples/communitychart -o out.svg
//
// The story is deterministic (a fixed clock and sequential IDs), so the
// chart is the same on every run; main_test.go compares it with
// testdata/chart.golden.svg.
//
// The SVG is written by hand with the standard library only: text goes
// through encoding/xml's escaping, every other attribute is a number or
// a constant.
package main
