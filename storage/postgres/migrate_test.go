package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/internal/sqlstore"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// The upgrade fixture below is the SQLite backend's (storage/sqlite
// migrate_test.go): both backends must upgrade the same version-1 rows.

// migrationT0 is the time the test clocks start at: whole seconds, UTC.
var migrationT0 = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// legacyState is what a database of schema version 1 holds: an operator,
// an organisation with an Engage account (SSO with two-factor) and an
// Events account, its Owner, a Member, a user with no role yet, and the log
// of the three revisions that wrote them, as the services write them.
type legacyState struct {
	operator org.Operator
	org      org.Organisation
	engage   org.Account
	events   org.Account
	owner    org.User
	member   org.User
	plain    org.User
	members  []org.Membership
	entries  []storage.Entry
	head     storage.Revision
}

func newLegacyState() legacyState {
	at := func(d time.Duration) time.Time { return migrationT0.Add(-30*24*time.Hour + d) }
	s := legacyState{
		operator: org.Operator{ID: "op_legacy", Name: "Customer Success", Email: "csm@platform.test", CreatedAt: at(0)},
		org: org.Organisation{ID: "org_legacy", Name: "Legacy Ltd",
			Settings: org.Settings{TimeZone: "Europe/Brussels", Locale: "fr-BE"}, CreatedAt: at(time.Minute)},
		engage: org.Account{ID: "acc_engage", Org: "org_legacy", Product: org.Engage, Name: "Legacy Engage",
			Login: org.LoginPolicy{Method: org.SSO, Provider: "okta", TwoFactor: true}, CreatedAt: at(2 * time.Minute)},
		events: org.Account{ID: "acc_events", Org: "org_legacy", Product: org.Events, Name: "Legacy Events",
			CreatedAt: at(3 * time.Minute)},
		owner:  org.User{ID: "usr_owner", Email: "owner@legacy.test", Name: "Olivia Owner", CreatedAt: at(4 * time.Minute)},
		member: org.User{ID: "usr_member", Email: "member@legacy.test", Name: "Mo Member", CreatedAt: at(5 * time.Minute)},
		plain:  org.User{ID: "usr_plain", Email: "plain@legacy.test", Name: "Pat Plain", CreatedAt: at(6 * time.Minute)},
		head:   3,
	}
	s.members = []org.Membership{
		{Org: s.org.ID, User: s.member.ID, Role: org.Member, Since: at(7 * time.Minute)},
		{Org: s.org.ID, User: s.owner.ID, Role: org.Owner, Since: at(7 * time.Minute)},
	}
	sys, op := org.System().String(), org.AsOperator(s.operator.ID).String()
	s.entries = []storage.Entry{
		{Revision: 1, Seq: 0, Time: at(0), Actor: sys, Action: "org.operator.create", Target: string(s.operator.ID), Detail: "operator Customer Success"},
		{Revision: 2, Seq: 0, Time: at(time.Minute), Actor: op, Action: "org.organisation.create", Target: string(s.org.ID), Org: string(s.org.ID), Detail: "organisation Legacy Ltd"},
		{Revision: 2, Seq: 1, Time: at(2 * time.Minute), Actor: op, Action: "org.account.create", Target: string(s.engage.ID), Org: string(s.org.ID), Account: string(s.engage.ID), Detail: "account Legacy Engage"},
		{Revision: 2, Seq: 2, Time: at(3 * time.Minute), Actor: op, Action: "org.account.create", Target: string(s.events.ID), Org: string(s.org.ID), Account: string(s.events.ID), Detail: "account Legacy Events"},
		{Revision: 3, Seq: 0, Time: at(7 * time.Minute), Actor: op, Action: "access.org_role.set", Target: string(s.owner.ID), Org: string(s.org.ID), User: string(s.owner.ID), Detail: "none → owner"},
		{Revision: 3, Seq: 1, Time: at(7 * time.Minute), Actor: op, Action: "access.org_role.set", Target: string(s.member.ID), Org: string(s.org.ID), User: string(s.member.ID), Detail: "none → member"},
	}
	return s
}

// insert writes s with plain SQL into the version-1 tables, the way the
// store encodes values: times as Unix nanoseconds, enumerations as
// integers.
func (s legacyState) insert(ctx context.Context, exec func(ctx context.Context, query string, args ...any) error) error {
	ns := func(t time.Time) int64 { return t.UnixNano() }
	stmts := [][]any{
		{`INSERT INTO operators (id, name, email, created_at) VALUES ($1, $2, $3, $4)`,
			s.operator.ID, s.operator.Name, s.operator.Email, ns(s.operator.CreatedAt)},
		{`INSERT INTO organisations (id, name, time_zone, locale, created_at) VALUES ($1, $2, $3, $4, $5)`,
			s.org.ID, s.org.Name, s.org.Settings.TimeZone, s.org.Settings.Locale, ns(s.org.CreatedAt)},
		{`UPDATE head SET revision = $1`, int64(s.head)},
	}
	for _, a := range []org.Account{s.engage, s.events} {
		stmts = append(stmts, []any{`INSERT INTO accounts (id, org_id, product, name, login_method, login_provider, login_two_factor, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			a.ID, a.Org, a.Product, a.Name, int64(a.Login.Method), a.Login.Provider, a.Login.TwoFactor, ns(a.CreatedAt)})
	}
	for _, u := range []org.User{s.owner, s.member, s.plain} {
		stmts = append(stmts, []any{`INSERT INTO users (id, email, name, created_at) VALUES ($1, $2, $3, $4)`,
			u.ID, u.Email, u.Name, ns(u.CreatedAt)})
	}
	for _, m := range s.members {
		stmts = append(stmts, []any{`INSERT INTO memberships (org_id, user_id, role, since) VALUES ($1, $2, $3, $4)`,
			m.Org, m.User, int64(m.Role), ns(m.Since)})
	}
	for _, e := range s.entries {
		stmts = append(stmts, []any{`INSERT INTO log (revision, seq, time, actor, action, target, org_id, account_id, user_id, detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			int64(e.Revision), e.Seq, ns(e.Time), e.Actor, e.Action, e.Target, e.Org, e.Account, e.User, e.Detail})
	}
	for _, st := range stmts {
		if err := exec(ctx, st[0].(string), st[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// checkLegacyState opens a Space on db, whose schema is up to date and
// which holds s, and checks that the services show s and that new writes,
// into the tables of later migrations, continue after s's head.
func checkLegacyState(t *testing.T, db storage.Transactor[*Tx], s legacyState) {
	t.Helper()
	ctx := t.Context()
	var seed [32]byte
	mail := accesstest.NewMailbox()
	sp, err := orgspace.Open(ctx, db, orgspace.Config{
		Clock: accesstest.NewClock(migrationT0), IDs: &org.SequentialIDs{}, Notifier: mail, Rand: rand.NewChaCha8(seed),
	})
	if err != nil {
		t.Fatalf("orgspace.Open on the upgraded database: %v", err)
	}
	latest, op := storage.Latest(), org.AsOperator(s.operator.ID)
	ownerA := org.AsUser(s.owner.ID)

	o, err := sp.Org.Organisation(ctx, latest, op, s.org.ID)
	if err != nil || !gocmp.Equal(o, s.org) {
		t.Errorf("Organisation = %+v, %v; want %+v", o, err, s.org)
	}
	accs, err := sp.Org.Accounts(ctx, latest, ownerA, s.org.ID, storage.PageRequest{})
	if diff := gocmp.Diff([]org.Account{s.engage, s.events}, accs.Items); err != nil || diff != "" {
		t.Errorf("Accounts: %v (-want +got):\n%s", err, diff)
	}
	for _, u := range []org.User{s.owner, s.member, s.plain} {
		if got, err := sp.Org.User(ctx, latest, op, u.ID); err != nil || !gocmp.Equal(got, u) {
			t.Errorf("User(%s) = %+v, %v; want %+v", u.ID, got, err, u)
		}
	}
	log, err := sp.Org.AuditLog(ctx, latest, op, "", storage.PageRequest{Limit: storage.MaxPageSize})
	if diff := gocmp.Diff(s.entries, log.Items); err != nil || diff != "" {
		t.Errorf("AuditLog: %v (-want +got):\n%s", err, diff)
	}

	// What each user may do follows from the organisation roles alone.
	want := map[org.UserID]map[org.AccountID]access.Permissions{
		s.owner.ID:  {s.engage.ID: access.AllPermissions, s.events.ID: access.AllPermissions},
		s.member.ID: {s.engage.ID: access.MemberPermissions, s.events.ID: access.MemberPermissions | access.MemberEventPermissions},
		s.plain.ID:  {},
	}
	checkPermissions(t, sp, want)
	rows, err := sp.Access.Accounts(ctx, latest, s.owner.ID)
	if err != nil || len(rows) != 2 || rows[0].OrgName != s.org.Name || rows[0].OrgRole != org.Owner {
		t.Errorf("Accounts(owner) = %+v, %v; want both accounts of %s as Owner", rows, err, s.org.Name)
	}
	// With no star, a login lands in the first account in drop-down
	// order, by name: Legacy Engage, whose policy applies.
	if p, fav, err := sp.Access.LoginPolicy(ctx, latest, s.owner.ID); err != nil || fav != s.engage.ID || p != s.engage.Login {
		t.Errorf("LoginPolicy(owner) = %v, %s, %v; want %s's %v", p, fav, err, s.engage.ID, s.engage.Login)
	}

	// New writes land in the tables of later migrations, at head+1, +2, ….
	role, rev, err := sp.Access.DefineRole(ctx, ownerA, s.org.ID, access.NewRole{Name: "Analyst", Permissions: access.PermissionsOf(access.ViewAccount, access.ExportData)})
	if err != nil || rev != s.head+1 {
		t.Fatalf("DefineRole = revision %d, %v; want %d", rev, err, s.head+1)
	}
	rev, err = sp.Access.Grant(ctx, ownerA, access.GrantRequest{User: s.plain.ID, Account: s.engage.ID, Role: role.ID})
	if err != nil || rev != s.head+2 {
		t.Fatalf("Grant = revision %d, %v; want %d", rev, err, s.head+2)
	}
	inv, rev, err := sp.Access.Invite(ctx, ownerA, access.InviteRequest{Email: "new@legacy.test", Account: s.events.ID, Role: access.Editor})
	if err != nil || rev != s.head+3 {
		t.Fatalf("Invite = revision %d, %v; want %d", rev, err, s.head+3)
	}
	token, _ := mail.Token(inv.ID)
	u, rev, err := sp.Access.Accept(ctx, token, "Newcomer")
	if err != nil || rev != s.head+4 {
		t.Fatalf("Accept = revision %d, %v; want %d", rev, err, s.head+4)
	}
	if rev, err = sp.Access.SetFavourite(ctx, org.AsUser(s.plain.ID), s.engage.ID); err != nil || rev != s.head+5 {
		t.Fatalf("SetFavourite = revision %d, %v; want %d", rev, err, s.head+5)
	}
	want[s.plain.ID] = map[org.AccountID]access.Permissions{s.engage.ID: role.Permissions}
	editor, _ := access.BuiltinRole(access.Editor)
	want[u.ID] = map[org.AccountID]access.Permissions{s.events.ID: editor.Permissions}
	checkPermissions(t, sp, want)
	if p, fav, err := sp.Access.LoginPolicy(ctx, latest, s.plain.ID); err != nil || fav != s.engage.ID || p != s.engage.Login {
		t.Errorf("LoginPolicy(plain) = %v, %s, %v; want the favourite %s's %v", p, fav, err, s.engage.ID, s.engage.Login)
	}
}

// checkPermissions checks Check on every permission of want's users on
// every account named in want.
func checkPermissions(t *testing.T, sp *orgspace.Space, want map[org.UserID]map[org.AccountID]access.Permissions) {
	t.Helper()
	var accounts []org.AccountID
	for _, as := range want {
		for a := range as {
			accounts = append(accounts, a)
		}
	}
	for u, as := range want {
		for _, a := range accounts {
			for p := access.Permission(0); access.AllPermissions.Has(p); p++ {
				if got := sp.Access.Check(u, a, p); got != as[a].Has(p) {
					t.Errorf("Check(%s, %s, %s) = %v, want %v", u, a, p, got, !got)
				}
			}
		}
	}
}

// migrationRow is a row of schema_migrations.
type migrationRow struct {
	Version   int
	Name      string
	Checksum  string
	AppliedAt int64
}

// schemaState is what a schema says about its migrations, tables and head.
type schemaState struct {
	Migrations []migrationRow
	Tables     []string
	Head       int64
}

// inspect reads the state of schema through a connection of its own.
func inspect(t *testing.T, dsn, schema string) schemaState {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var s schemaState
	rows, _ := conn.Query(ctx, `SELECT version, name, checksum, applied_at FROM `+
		pgx.Identifier{schema, "schema_migrations"}.Sanitize()+` ORDER BY version`)
	if s.Migrations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[migrationRow]); err != nil {
		t.Fatal(err)
	}
	rows, _ = conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, schema)
	if s.Tables, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT revision FROM `+pgx.Identifier{schema, "head"}.Sanitize()).Scan(&s.Head); err != nil {
		t.Fatal(err)
	}
	return s
}

// allMigrations is this build's migrations.
func allMigrations(t *testing.T) []sqlstore.Migration {
	t.Helper()
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d migrations: the upgrade tests need at least two", len(ms))
	}
	return ms
}

// checkMigrations fails t unless rows record exactly ms, in order.
func checkMigrations(t *testing.T, rows []migrationRow, ms []sqlstore.Migration) {
	t.Helper()
	if len(rows) != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d: %+v", len(rows), len(ms), rows)
	}
	for i, m := range ms {
		if r := rows[i]; r.Version != m.Version || r.Name != m.Name || r.Checksum != m.Sum {
			t.Errorf("schema_migrations row %d = %d %s %s, want %d %s %s", i, r.Version, r.Name, r.Checksum, m.Version, m.Name, m.Sum)
		}
	}
}

// write opens schema with the first upTo migrations (all when nil) and
// runs statements in it.
func write(t *testing.T, dsn, schema string, upTo *int, stmts ...string) {
	t.Helper()
	db, err := open(t.Context(), dsn, Options{Schema: schema, MaxConns: 2}, upTo)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.pool.Exec(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestOpenUpgradesAVersion1SchemaAndKeepsItsRows(t *testing.T) {
	ctx := t.Context()
	ms := allMigrations(t)
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	s := newLegacyState()

	one := 1
	old, err := open(ctx, dsn, Options{Schema: schema, MaxConns: 2}, &one)
	if err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, old.pool, func(tx pgx.Tx) error {
		return s.insert(ctx, func(ctx context.Context, q string, args ...any) error {
			_, err := tx.Exec(ctx, q, args...)
			return err
		})
	})
	old.Close()
	if err != nil {
		t.Fatalf("insert the version-1 rows: %v", err)
	}
	before := inspect(t, dsn, schema)
	checkMigrations(t, before.Migrations, ms[:1])

	db, err := Open(ctx, dsn, Options{Schema: schema, MaxConns: 4})
	if err != nil {
		t.Fatalf("Open the version-1 schema: %v", err)
	}
	t.Cleanup(db.Close)
	after := inspect(t, dsn, schema)
	checkMigrations(t, after.Migrations, ms)
	if after.Migrations[0] != before.Migrations[0] {
		t.Errorf("the upgrade rewrote version 1's record: %+v, was %+v", after.Migrations[0], before.Migrations[0])
	}
	if after.Head != int64(s.head) {
		t.Errorf("head = %d after the upgrade, want %d", after.Head, s.head)
	}
	checkLegacyState(t, db, s)
}

func TestOpenRefusesASchemaItDoesNotKnowAndLeavesIt(t *testing.T) {
	ms := allMigrations(t)
	dsn := pgtest.DSN(t)
	tests := []struct {
		name   string
		change string
	}{
		{"a newer version", `INSERT INTO schema_migrations (version, name, checksum, applied_at)
			VALUES (` + strconv.Itoa(len(ms)+1) + `, '9999_from_the_future.sql', 'unknown', 1)`},
		{"a changed checksum", `UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`},
		{"a renamed migration", `UPDATE schema_migrations SET name = '0002_renamed.sql' WHERE version = 2`},
		{"a gap in the record", `DELETE FROM schema_migrations WHERE version = 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			schema := pgtest.Schema(t, dsn)
			write(t, dsn, schema, nil, `UPDATE head SET revision = 7`, tc.change)
			before := inspect(t, dsn, schema)

			db, err := Open(t.Context(), dsn, Options{Schema: schema, MaxConns: 2})
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, storage.ErrFailedPrecondition) {
				t.Fatalf("Open = %v, want ErrFailedPrecondition", err)
			}
			if diff := gocmp.Diff(before, inspect(t, dsn, schema)); diff != "" {
				t.Errorf("the refused Open changed the schema (-before +after):\n%s", diff)
			}
		})
	}
}

func TestOpenUpToDateAppliesNothing(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	write(t, dsn, schema, nil)
	before := inspect(t, dsn, schema)
	checkMigrations(t, before.Migrations, allMigrations(t))
	time.Sleep(time.Millisecond) // a second run would record a later applied_at
	write(t, dsn, schema, nil)
	if diff := gocmp.Diff(before, inspect(t, dsn, schema)); diff != "" {
		t.Errorf("opening an up-to-date schema changed it (-before +after):\n%s", diff)
	}
}

// A migration that fails rolls back with the others of its Open: the
// schema stays at the version it had, with none of the failed step's
// tables.
func TestOpenWithAFailingMigrationKeepsTheOldSchema(t *testing.T) {
	ms := allMigrations(t)
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	one := 1
	// A table of migration 2's, made by hand, makes its CREATE TABLE fail
	// after the statements before it ran.
	write(t, dsn, schema, &one, `CREATE TABLE favourites (user_id TEXT PRIMARY KEY)`)
	before := inspect(t, dsn, schema)

	db, err := Open(t.Context(), dsn, Options{Schema: schema, MaxConns: 2})
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded over a clashing table")
	}
	after := inspect(t, dsn, schema)
	if diff := gocmp.Diff(before, after); diff != "" {
		t.Errorf("the failed upgrade left changes (-before +after):\n%s", diff)
	}
	checkMigrations(t, after.Migrations, ms[:1])
}

// Instances that start together on a fresh schema queue on the migration
// lock: the first creates the schema and migrates, the others find it
// done. The lock holds also when instances name the schema differently:
// some by Options.Schema, others by the DSN's search_path.
func TestConcurrentOpenOfAFreshSchemaMigratesOnce(t *testing.T) {
	t.Run("named by Options.Schema", func(t *testing.T) {
		testConcurrentOpen(t, false)
	})
	t.Run("named by Options.Schema or by search_path", func(t *testing.T) {
		testConcurrentOpen(t, true)
	})
}

func testConcurrentOpen(t *testing.T, bySearchPath bool) {
	const n = 8
	ms := allMigrations(t)
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	opts := func(i int) (string, Options) {
		if bySearchPath && i%2 == 1 {
			return withSearchPath(t, dsn, schema), Options{MaxConns: 2}
		}
		return dsn, Options{Schema: schema, MaxConns: 2}
	}
	if bySearchPath {
		// search_path names only a schema that exists: create it, empty.
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Exec(t.Context(), `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
		conn.Close(t.Context())
		if err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	dbs, errs := make([]*DB, n), make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			d, o := opts(i)
			dbs[i], errs[i] = Open(t.Context(), d, o)
		})
	}
	close(start)
	wg.Wait()
	writes := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		// Every handle works on the one schema.
		if _, err := dbs[i].Update(t.Context(), func(tx *Tx) error {
			return tx.Append(storage.Entry{Time: migrationT0, Actor: "system", Action: "test.open"})
		}); err != nil {
			t.Errorf("Update through handle %d: %v", i, err)
			continue
		}
		writes++
	}
	for _, db := range dbs {
		if db != nil {
			db.Close()
		}
	}
	s := inspect(t, dsn, schema)
	checkMigrations(t, s.Migrations, ms)
	if s.Head != int64(writes) {
		t.Errorf("head = %d after one write per handle, want %d", s.Head, writes)
	}
	other := pgtest.Schema(t, dsn)
	write(t, dsn, other, nil)
	if diff := gocmp.Diff(inspect(t, dsn, other).Tables, s.Tables); diff != "" {
		t.Errorf("tables differ from a schema opened alone (-want +got):\n%s", diff)
	}
}

// withSearchPath returns dsn with its search_path set to schema.
func withSearchPath(t *testing.T, dsn, schema string) string {
	t.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
