package bench

import (
	"fmt"
	"io"
	"time"

	"github.com/orgspace/orgspace/internal/synthetic"
)

// Cross-check sizes: how many checks and listings Load asks every engine
// before anything is measured.
const (
	CrossChecks   = 10_000
	CrossListings = 1_000
)

// Loaded is a Set with every library's Source prepared and one Engine of
// each built from it, all of which passed the cross-check.
type Loaded struct {
	Set       *Set
	Libraries []Library
	Sources   []Source
	Engines   []Named
}

// Load generates the set c describes, prepares and builds every library
// in libs on it, and cross-checks the engines (CrossChecks checks and
// CrossListings listings). logf, if not nil, reports each step and how
// long it took.
func Load(c synthetic.Config, libs []Library, logf func(format string, args ...any)) (*Loaded, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	step := func(what string, f func() error) error {
		start := time.Now()
		if err := f(); err != nil {
			return fmt.Errorf("bench: %s: %w", what, err)
		}
		logf("%s: %v", what, time.Since(start).Round(time.Millisecond))
		return nil
	}
	l := &Loaded{Libraries: libs}
	err := step("generate the set", func() (err error) {
		l.Set, err = NewSet(c)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, lib := range libs {
		var src Source
		if err := step(lib.Name+": prepare", func() (err error) { src, err = lib.Prepare(l.Set); return err }); err != nil {
			return nil, err
		}
		var e Engine
		if err := step(lib.Name+": build", func() (err error) { e, err = src.Build(); return err }); err != nil {
			return nil, err
		}
		l.Sources = append(l.Sources, src)
		l.Engines = append(l.Engines, Named{Name: lib.Name, Engine: e})
	}
	err = step(fmt.Sprintf("cross-check (%d checks, %d listings, %d libraries)", CrossChecks, CrossListings, len(libs)), func() error {
		return CrossCheck(l.Set, l.Engines, CrossChecks, CrossListings, c.Seed)
	})
	if err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// index returns the index in l.Engines of the library named name, or -1.
func (l *Loaded) index(name string) int {
	for i, e := range l.Engines {
		if e.Name == name {
			return i
		}
	}
	return -1
}

// Close closes the engines that hold resources (io.Closer).
func (l *Loaded) Close() {
	for _, e := range l.Engines {
		if c, ok := e.Engine.(io.Closer); ok {
			c.Close()
		}
	}
}
