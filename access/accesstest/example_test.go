package accesstest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/storage/memstore"
)

// A property test in miniature. A real one runs inside rapid.Check and
// draws with Draw(rt, label), so that rapid explores many cases and shrinks
// a failure; an Example has no *testing.T, so it draws one deterministic
// case with Example(seed). The Env's fixed clock and sequential IDs make
// the run repeatable.
func Example() {
	ctx := context.Background()
	env := accesstest.NewEnv(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	space, operator, err := accesstest.Open(ctx, memstore.New(), env)
	if err != nil {
		log.Fatal(err)
	}

	setup := accesstest.SetupGen().Example(3)
	fmt.Println(setup.Summary())
	w, err := setup.Apply(ctx, space, operator)
	if err != nil {
		log.Fatal(err)
	}
	w.Attach(env)

	for i := range 6 {
		op := accesstest.OpGen(w).Example(i)
		if err := accesstest.Step(ctx, space, w, op); err != nil {
			log.Fatalf("%s broke an invariant:\n%v", op, err)
		}
		fmt.Printf("%s → %s\n", op, accesstest.Outcome(op))
	}
	if err := accesstest.CheckAll(ctx, space, w); err != nil {
		log.Fatal(err)
	}
	fmt.Println("invariants hold")
	// Output:
	// 2 organisations, 5 accounts, 3 users, 2 custom roles, 3 memberships, 7 grants (3 expiring)
	// u2: add user n5 <n5@example.test> as administrator on o2.a2 → permission denied
	// u3: grant o1.r1 on o1.a2 to u2 for 7d → ok
	// u1: make u2 owner of o2 → permission denied
	// u1: invite i9 <i9@example.test> as o1.r2 on o1.a1, and i9 accepts → permission denied
	// operator: grant marketer on o2.a1 to u1 for 1h → ok
	// u3: add user n1 <n1@example.test> as marketer on o1.a1 → ok
	// invariants hold
}
