// Package accesstest is a property-testing kit for orgspace role set-ups,
// built on pgregory.net/rapid. It draws random organisations, accounts,
// users, custom roles, memberships and grants, applies them to a Space
// through its public services, attempts random operations by random actors,
// and checks after every operation that the access rules still hold.
//
// # The pieces
//
//   - Setup is a role configuration with symbolic names ("o1", "o1.a2",
//     "u3", "o1.r1"). SetupGen (or SetupGenWith and Options) draws one;
//     Setup.Apply creates it, as an operator, and returns a World that maps
//     the names to real IDs.
//   - Env bundles a settable Clock, a Mailbox that keeps invitation tokens,
//     and sequential IDs; Open opens a Space with it and registers the
//     operator. Attach the Env to the World so that ops can advance the
//     clock and accept invitations, and the checkers judge expiries on the
//     Space's clock.
//   - OpGen draws an Op: a grant, revocation, organisation role change,
//     custom role defined or changed, user added, invitation made and
//     accepted, favourite starred, or a clock step, attempted by the
//     operator, an Owner or Administrator, or any user. Refusals are
//     expected and are not failures: Op.Result and Outcome report them.
//   - The invariants, each returning Violations that name the user,
//     account, organisation and permissions at fault:
//     NoAccessWithoutGrantPath (every allowed Check rests on a grant or
//     organisation role the store confirms, and Explain agrees with Check),
//     NoPrivilegeEscalation (CheckEscalation on Snapshots taken around an
//     Op: a non-Owner gives nobody more than they hold themselves, and a
//     refused op gives nothing), OrganisationsIsolated (permissions on an
//     account come from that account's grant and its organisation's
//     membership only), AlwaysAnOwner (an organisation that had an Owner
//     keeps one) and ListingsAgreeWithCheck (AccountsOf and AccountIDsOf
//     list, in drop-down order, exactly the accounts where Check allows
//     ViewAccount, with one favourite). CheckAll runs all but
//     NoPrivilegeEscalation; Step applies an Op between two Snapshots and
//     runs all five.
//
// # A property test
//
//	func TestMyRoles(t *testing.T) {
//		rapid.Check(t, func(rt *rapid.T) {
//			ctx := context.Background()
//			env := accesstest.NewEnv(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
//			space, operator, err := accesstest.Open(ctx, memstore.New(), env)
//			if err != nil {
//				rt.Fatal(err)
//			}
//			w, err := accesstest.SetupGen().Draw(rt, "setup").Apply(ctx, space, operator)
//			if err != nil {
//				rt.Fatal(err)
//			}
//			w.Attach(env)
//			for i := range rapid.IntRange(20, 50).Draw(rt, "steps") {
//				op := accesstest.OpGen(w).Draw(rt, fmt.Sprint("op ", i))
//				if err := accesstest.Step(ctx, space, w, op); err != nil {
//					rt.Fatalf("%s (%s):\n%v", op, accesstest.Outcome(op), err)
//				}
//			}
//		})
//	}
//
// A host with its own backend passes it to Open instead of memstore.New();
// a host with a role set-up of its own writes it as a Setup literal and
// runs the same loop from it.
//
// # Determinism and speed
//
// With an Env (fixed clock, sequential IDs), a run depends only on rapid's
// draws, so rapid can shrink a failure to a short sequence of ops and
// replay it. OpGen reads the Space it draws for (who manages what, which
// grants exist) to choose plausible actors and targets. The checkers visit
// every user, account and permission, and expect no concurrent writes
// while they run.
package accesstest
