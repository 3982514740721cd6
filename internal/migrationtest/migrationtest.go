package migrationtest

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/access/accesstest"
	"github.com/orgspace/orgspace/internal/sqlstore"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// T0 is the time the test clocks start at: whole seconds, UTC.
var T0 = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// Version1 is what a database of schema version 1 holds: an operator,
// an organisation with an Engage account (SSO with two-factor) and an
// Events account, its Owner, a Member, a user with no role yet, and the log
// of the three revisions that wrote them, as the services write them.
type Version1 struct {
	operator org.Operator
	org      org.Organisation
	engage   org.Account
	events   org.Account
	owner    org.User
	member   org.User
	plain    org.User
	members  []org.Membership
	entries  []storage.Entry
	// Head is the revision the rows were written up to.
	Head storage.Revision
}

// NewVersion1 returns the version-1 state both backends upgrade.
func NewVersion1() Version1 {
	at := func(d time.Duration) time.Time { return T0.Add(-30*24*time.Hour + d) }
	s := Version1{
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
		Head:   3,
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

// Insert writes s with plain SQL into the version-1 tables, the way the
// store encodes values: times as Unix nanoseconds, enumerations as
// integers.
func (s Version1) Insert(ctx context.Context, exec func(ctx context.Context, query string, args ...any) error) error {
	ns := func(t time.Time) int64 { return t.UnixNano() }
	stmts := [][]any{
		{`INSERT INTO operators (id, name, email, created_at) VALUES ($1, $2, $3, $4)`,
			s.operator.ID, s.operator.Name, s.operator.Email, ns(s.operator.CreatedAt)},
		{`INSERT INTO organisations (id, name, time_zone, locale, created_at) VALUES ($1, $2, $3, $4, $5)`,
			s.org.ID, s.org.Name, s.org.Settings.TimeZone, s.org.Settings.Locale, ns(s.org.CreatedAt)},
		{`UPDATE head SET revision = $1`, int64(s.Head)},
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

// CheckUpgraded opens a Space on db, whose schema is up to date and
// which holds s, and checks that the services show s and that new writes,
// into the tables of later migrations, continue after s's head.
func CheckUpgraded(t *testing.T, db storage.Transactor[*sqlstore.Tx], s Version1) {
	t.Helper()
	ctx := t.Context()
	var seed [32]byte
	mail := accesstest.NewMailbox()
	sp, err := orgspace.Open(ctx, db, orgspace.Config{
		Clock: accesstest.NewClock(T0), IDs: &org.SequentialIDs{}, Notifier: mail, Rand: rand.NewChaCha8(seed),
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
	if err != nil || rev != s.Head+1 {
		t.Fatalf("DefineRole = revision %d, %v; want %d", rev, err, s.Head+1)
	}
	rev, err = sp.Access.Grant(ctx, ownerA, access.GrantRequest{User: s.plain.ID, Account: s.engage.ID, Role: role.ID})
	if err != nil || rev != s.Head+2 {
		t.Fatalf("Grant = revision %d, %v; want %d", rev, err, s.Head+2)
	}
	inv, rev, err := sp.Access.Invite(ctx, ownerA, access.InviteRequest{Email: "new@legacy.test", Account: s.events.ID, Role: access.Editor})
	if err != nil || rev != s.Head+3 {
		t.Fatalf("Invite = revision %d, %v; want %d", rev, err, s.Head+3)
	}
	token, _ := mail.Token(inv.ID)
	u, rev, err := sp.Access.Accept(ctx, token, "Newcomer")
	if err != nil || rev != s.Head+4 {
		t.Fatalf("Accept = revision %d, %v; want %d", rev, err, s.Head+4)
	}
	if rev, err = sp.Access.SetFavourite(ctx, org.AsUser(s.plain.ID), s.engage.ID); err != nil || rev != s.Head+5 {
		t.Fatalf("SetFavourite = revision %d, %v; want %d", rev, err, s.Head+5)
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

// Row is a row of schema_migrations.
type Row struct {
	Version   int
	Name      string
	Checksum  string
	AppliedAt int64
}

// Load returns the migrations in fsys's migrations folder: a backend's
// embedded files.
func Load(t *testing.T, fsys fs.FS) []sqlstore.Migration {
	t.Helper()
	ms, err := sqlstore.LoadMigrations(fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d migrations: the upgrade tests need at least two", len(ms))
	}
	return ms
}

// CheckRecorded fails t unless rows record exactly ms, in order.
func CheckRecorded(t *testing.T, rows []Row, ms []sqlstore.Migration) {
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
