package accesstest_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/storage/memstore"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// TestInvariantsHoldUnderRandomOps is the kit used as a library user would:
// a random set-up on memstore, then 20 to 50 random operations, with every
// invariant checked after each.
func TestInvariantsHoldUnderRandomOps(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		env := accesstest.NewEnv(start)
		db := memstore.New()
		space, operator, err := accesstest.Open(ctx, db, env)
		if err != nil {
			rt.Fatal(err)
		}
		setup := accesstest.SetupGen().Draw(rt, "setup")
		w, err := setup.Apply(ctx, space, operator)
		if err != nil {
			rt.Fatalf("apply setup: %v", err)
		}
		w.Attach(env)
		if err := accesstest.CheckAll(ctx, space, w); err != nil {
			rt.Fatalf("after the setup:\n%v", err)
		}
		steps := rapid.IntRange(20, 50).Draw(rt, "steps")
		for i := 1; i <= steps; i++ {
			op := accesstest.OpGen(w).Draw(rt, fmt.Sprintf("op %d", i))
			if err := accesstest.Step(ctx, space, w, op); err != nil {
				rt.Fatalf("after op %d, %s (%s):\n%v", i, op, accesstest.Outcome(op), err)
			}
		}
		// The index the Space patched op by op must equal one compiled
		// afresh from the same store.
		fresh, err := orgspace.Open(ctx, db, env.Config())
		if err != nil {
			rt.Fatal(err)
		}
		patched, err1 := accesstest.TakeSnapshot(ctx, space, w)
		rebuilt, err2 := accesstest.TakeSnapshot(ctx, fresh, w)
		if err := errors.Join(err1, err2); err != nil {
			rt.Fatal(err)
		}
		if !maps.Equal(patched.Held, rebuilt.Held) {
			rt.Fatalf("the patched index differs from a rebuilt one:\npatched %v\nrebuilt %v", patched.Held, rebuilt.Held)
		}
	})
}
