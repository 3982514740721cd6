package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orgspace/orgspace/internal/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata with the current output")

// The golden files hold the output with the default backend's first line
// (SQLite, orgspace-quickstart.db); every backend tells the same story
// under its own first line.
const (
	storyGolden    = "quickstart.golden"
	reopenedGolden = "reopened.golden"
)

// On a fresh SQLite file the quickstart tells the whole story; the output
// is deterministic and compared, line by line, with the golden file. After
// an intended change, run
//
//	go test ./examples/quickstart -update
func TestQuickstartOutput(t *testing.T) {
	o := options{Path: filepath.Join(t.TempDir(), defaultPath)}
	compare(t, storyGolden, o, runOnce(t, o))
}

// The data outlives the program: a second run on the same file finds it and
// reports what survived, and -reset starts the story over.
func TestSecondRunShowsWhatSurvived(t *testing.T) {
	o := options{Path: filepath.Join(t.TempDir(), "q.db")}
	compare(t, storyGolden, o, runOnce(t, o))
	compare(t, reopenedGolden, o, runOnce(t, o))
	o.Reset = true
	compare(t, storyGolden, o, runOnce(t, o))
}

func TestMemoryTellsTheSameStory(t *testing.T) {
	o := options{Memory: true}
	compare(t, storyGolden, o, runOnce(t, o))
	compare(t, storyGolden, o, runOnce(t, o)) // nothing survives in memory
}

// PostgreSQL tells the same story and keeps it, like SQLite. It runs when
// ORGSPACE_POSTGRES_DSN names a database, in a schema of its own.
func TestPostgresKeepsTheStory(t *testing.T) {
	dsn := pgtest.DSN(t)
	o := options{DSN: dsn, Schema: pgtest.Schema(t, dsn)}
	compare(t, storyGolden, o, runOnce(t, o))
	compare(t, reopenedGolden, o, runOnce(t, o))
	o.Reset = true
	compare(t, storyGolden, o, runOnce(t, o))
}

func TestFlags(t *testing.T) {
	env := func(dsn string) func(string) string {
		return func(k string) string {
			if k == "ORGSPACE_DSN" {
				return dsn
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		dsn  string // ORGSPACE_DSN
		want options
		err  bool
	}{
		{name: "no flags: the SQLite file in the current directory",
			want: options{Path: defaultPath, Schema: defaultSchema}},
		{name: "-db names the file", args: []string{"-db", "x.db", "-reset"},
			want: options{Path: "x.db", Schema: defaultSchema, Reset: true}},
		{name: "ORGSPACE_DSN selects PostgreSQL", dsn: "postgres://h/d",
			want: options{Path: defaultPath, DSN: "postgres://h/d", Schema: defaultSchema}},
		{name: "a backend flag wins over ORGSPACE_DSN", args: []string{"-memory"}, dsn: "postgres://h/d",
			want: options{Memory: true, Path: defaultPath, Schema: defaultSchema}},
		{name: "-postgres and -schema", args: []string{"-postgres", "postgres://h/d", "-schema", "s"},
			want: options{Path: defaultPath, DSN: "postgres://h/d", Schema: "s"}},
		{name: "two backends are refused", args: []string{"-memory", "-db", "x.db"}, err: true},
		{name: "arguments are refused", args: []string{"extra"}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
			fs.SetOutput(new(bytes.Buffer))
			got, err := parseFlags(fs, tc.args, env(tc.dsn))
			if tc.err {
				if err == nil {
					t.Fatalf("parseFlags(%q) = %+v, want an error", tc.args, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseFlags(%q) = %+v, %v; want %+v", tc.args, got, err, tc.want)
			}
		})
	}
}

// runOnce runs the quickstart and returns its output.
func runOnce(t *testing.T, o options) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(&out, o); err != nil {
		t.Fatalf("run: %v\noutput so far:\n%s", err, out.String())
	}
	return out.String()
}

// compare checks that out starts with o's header line and goes on as the
// golden file does after its own. With -update it rewrites the file.
func compare(t *testing.T, name string, o options, out string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	first, rest, _ := strings.Cut(out, "\n")
	if first != header(o) {
		t.Fatalf("first line %q, want %q", first, header(o))
	}
	if *update {
		canonical := header(options{Path: defaultPath, Schema: defaultSchema}) + "\n" + rest
		if err := os.WriteFile(golden, []byte(canonical), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	_, wantRest, _ := strings.Cut(string(want), "\n")
	got, wantLines := strings.Split(rest, "\n"), strings.Split(wantRest, "\n")
	for i := range max(len(got), len(wantLines)) {
		g, w := line(got, i), line(wantLines, i)
		if g != w {
			t.Fatalf("output differs from %s at line %d:\n got: %q\nwant: %q\n(run with -update if the change is intended)", golden, i+2, g, w)
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of output>"
}
