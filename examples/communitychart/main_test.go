package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/chart.golden.svg with the current output")

const golden = "testdata/chart.golden.svg"

// The chart is deterministic: it is compared, byte for byte, with the
// golden file. After an intended change, run
//
//	go test ./examples/communitychart -update
func TestChartMatchesGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "chart.svg")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-o", out}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "wrote "+out+": ") {
		t.Errorf("stdout %q does not report the file", stdout.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, got)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		if line(g, i) != line(w, i) {
			t.Fatalf("chart differs from %s at line %d:\n got: %q\nwant: %q\n(run with -update if the change is intended)", golden, i+1, line(g, i), line(w, i))
		}
	}
}

// Without -o the chart goes to community.svg in the current directory.
func TestDefaultOutput(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := run(nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("community.svg")
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b)
}

// The chart shows what the stats publish and no more: withheld cells
// carry the "<k" label, escaped, and no volunteer's name appears.
func TestChartShowsOnlyCells(t *testing.T) {
	out := filepath.Join(t.TempDir(), "chart.svg")
	if err := run([]string{"-o", out}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	if !strings.Contains(svg, ">&lt;5</text>") {
		t.Error("no withheld cell labelled <5")
	}
	for _, v := range append(append([]volunteer(nil), cleanupVolunteers...), runners...) {
		if strings.Contains(svg, v.Name) {
			t.Errorf("the chart names %s", v.Name)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"-x"}} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
	if err := run([]string{"-help"}, io.Discard, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("run(-help) = %v, want flag.ErrHelp", err)
	}
}

// wellFormed fails t unless b is well-formed XML.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of output>"
}
