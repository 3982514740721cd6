package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// base is the library the others are compared with.
const base = "orgspace"

// result lines look like
// "BenchmarkCheck/orgspace-2   1922166   125.8 ns/op   0 B/op   0 allocs/op",
// the library's name followed, from the second round on, by #01, #02, ….
var resultLine = regexp.MustCompile(`^Benchmark(\S+)/([^/\s#]+?)(?:#\d+)?(?:-\d+)?\s+\d+\s+(.*)$`)

// samples holds every value measured, by figure, library and unit.
type samples struct {
	figures, libraries, units []string // in order of appearance
	values                    map[[3]string][]float64
}

func parse(r io.Reader) (*samples, error) {
	s := &samples{values: map[[3]string][]float64{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := resultLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		figure, lib := m[1], m[2]
		f := strings.Fields(m[3])
		if len(f)%2 != 0 {
			return nil, fmt.Errorf("benchtable: cannot read %q", sc.Text())
		}
		for i := 0; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("benchtable: cannot read %q: %w", sc.Text(), err)
			}
			unit := f[i+1]
			s.figures = appendNew(s.figures, figure)
			s.libraries = appendNew(s.libraries, lib)
			s.units = appendNew(s.units, unit)
			k := [3]string{figure, lib, unit}
			s.values[k] = append(s.values[k], v)
		}
	}
	return s, sc.Err()
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// median returns the median of the samples of figure, lib and unit.
func (s *samples) median(figure, lib, unit string) (float64, bool) {
	v := slices.Clone(s.values[[3]string{figure, lib, unit}])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// shownUnits are the units the table shows, in order; the others
// (B/op, counts of rows) stay in the raw output.
var shownUnits = []string{"ns/op", "allocs/op", "MiB-retained"}

func format(v float64, unit string) string {
	switch unit {
	case "ns/op":
		return time.Duration(v).Round(roundTo(v)).String()
	case "MiB-retained":
		return strconv.FormatFloat(v, 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// roundTo keeps three significant digits of a duration in nanoseconds.
func roundTo(ns float64) time.Duration {
	d := time.Duration(1)
	for float64(d)*1000 <= ns {
		d *= 10
	}
	return d
}

// ratio formats peer ÷ orgspace.
func ratio(peer, own float64) string {
	switch {
	case own == 0 && peer == 0:
		return "="
	case own == 0:
		return "∞"
	}
	r := peer / own
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

// target is one the comparison is held to: peer's value at least min times
// orgspace's (for a cost, orgspace at least min times better).
type target struct {
	figure, peer, unit string
	min                float64
}

var targets = []target{
	{"Check", "casbin", "ns/op", 30},
	{"AccountsOf/ordinary", "openfga-tenth", "ns/op", 100},
	{"AccountsOf/agency", "openfga-tenth", "ns/op", 100},
	{"AccountsOf/owner", "openfga-tenth", "ns/op", 100},
	{"AccountsOf/ordinary", "casbin", "ns/op", 10},
	{"AccountsOf/agency", "casbin", "ns/op", 10},
	{"AccountsOf/owner", "casbin", "ns/op", 10},
	{"Build", "casbin", "ns/op", 4},
	{"Build", "casbin", "MiB-retained", 4},
}

func write(w io.Writer, s *samples) {
	peers := slices.DeleteFunc(slices.Clone(s.libraries), func(l string) bool { return l == base })
	fmt.Fprintf(w, "| Figure | Unit | %s |", base)
	for _, p := range peers {
		fmt.Fprintf(w, " %s |", p)
	}
	for _, p := range peers {
		fmt.Fprintf(w, " %s ÷ %s |", p, base)
	}
	fmt.Fprintf(w, "\n|---|---|---:|%s%s\n", strings.Repeat("---:|", len(peers)), strings.Repeat("---:|", len(peers)))
	for _, f := range s.figures {
		for _, u := range shownUnits {
			own, ok := s.median(f, base, u)
			if !ok {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s |", f, u, format(own, u))
			for _, p := range peers {
				fmt.Fprintf(w, " %s |", cell(s, f, p, u, func(v float64) string { return format(v, u) }))
			}
			for _, p := range peers {
				fmt.Fprintf(w, " %s |", cell(s, f, p, u, func(v float64) string { return ratio(v, own) }))
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Targets (a peer's figure as a multiple of orgspace's):")
	for _, t := range targets {
		own, ok1 := s.median(t.figure, base, t.unit)
		peer, ok2 := s.median(t.figure, t.peer, t.unit)
		if !ok1 || !ok2 {
			fmt.Fprintf(w, "- %s %s vs %s: not measured\n", t.figure, t.unit, t.peer)
			continue
		}
		verdict := "met"
		if own != 0 && peer/own < t.min || own == 0 && peer == 0 {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "- %s %s vs %s: %s, target ≥ %g×: %s\n", t.figure, t.unit, t.peer, ratio(peer, own), t.min, verdict)
	}
	if a, ok := s.median("Check", base, "allocs/op"); ok {
		verdict := "met"
		if a != 0 {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "- Check allocs/op of %s: %g, target 0: %s\n", base, a, verdict)
	}
}

func cell(s *samples, figure, lib, unit string, f func(float64) string) string {
	v, ok := s.median(figure, lib, unit)
	if !ok {
		return "–"
	}
	return f(v)
}

func main() {
	s, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if len(s.figures) == 0 {
		fmt.Fprintln(os.Stderr, "benchtable: no benchmark result on the input")
		os.Exit(1)
	}
	write(os.Stdout, s)
}
