package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `bench: loading 10 organisations
goos: linux
BenchmarkCheck/orgspace-2   	 1922166	       100 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/casbin-2     	  100000	      5000 ns/op	    1200 B/op	      40 allocs/op
BenchmarkCheck/orgspace#01-2   	 1922166	       120 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/casbin#01-2     	  100000	      3000 ns/op	    1200 B/op	      40 allocs/op
BenchmarkCheck/orgspace-2   	 1922166	       110 ns/op	       0 B/op	       0 allocs/op
BenchmarkCheck/casbin-2     	  100000	      4000 ns/op	    1200 B/op	      40 allocs/op
BenchmarkBuild/orgspace-2   	       1	 300000000 ns/op	        60.00 MiB-retained	105737504 B/op	   11779 allocs/op
BenchmarkBuild/casbin-2     	       1	 900000000 ns/op	       300.0 MiB-retained	905737504 B/op	   91779 allocs/op
BenchmarkAccountsOf/owner/openfga-tenth-2  	 10	 5000000 ns/op	 100.0 accounts/op	 1 B/op	 1 allocs/op
BenchmarkAccountsOf/owner/orgspace-2 	 10	 50000 ns/op	 100.0 accounts/op	 1 B/op	 1 allocs/op
PASS
`

func TestTable(t *testing.T) {
	s, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.median("Check", "casbin", "ns/op"); got != 4000 {
		t.Errorf("median of casbin's Check = %v, want 4000", got)
	}
	if got, _ := s.median("Check", "orgspace", "ns/op"); got != 110 {
		t.Errorf("median of orgspace's Check = %v, want 110", got)
	}
	var b bytes.Buffer
	write(&b, s)
	out := b.String()
	for _, want := range []string{
		"| Figure | Unit | orgspace | casbin | openfga-tenth | casbin ÷ orgspace | openfga-tenth ÷ orgspace |",
		"| Check | ns/op | 110ns | 4µs | – | 36× | – |",
		"| Build | ns/op | 300ms | 900ms | – | 3.00× | – |",
		"| Build | MiB-retained | 60.0 MiB | 300.0 MiB | – | 5.00× | – |",
		"| AccountsOf/owner | ns/op | 50µs | – | 5ms | – | 100× |",
		"- Check ns/op vs casbin: 36×, target ≥ 30×: met",
		"- Build ns/op vs casbin: 3.00×, target ≥ 4×: MISSED",
		"- Build MiB-retained vs casbin: 5.00×, target ≥ 4×: met",
		"- AccountsOf/owner ns/op vs openfga-tenth: 100×, target ≥ 100×: met",
		"- AccountsOf/agency ns/op vs openfga-tenth: not measured",
		"- Check allocs/op of orgspace: 0, target 0: met",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}

func TestParseRefusesAMalformedLine(t *testing.T) {
	if _, err := parse(strings.NewReader("BenchmarkCheck/orgspace-2 10 abc ns/op\n")); err == nil {
		t.Error("parse accepted a value that is not a number")
	}
	if _, err := parse(strings.NewReader("BenchmarkCheck/orgspace-2 10 100 ns/op 3\n")); err == nil {
		t.Error("parse accepted a value without a unit")
	}
}
