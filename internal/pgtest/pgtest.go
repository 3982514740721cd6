package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the environment variable that names the test database.
const EnvDSN = "ORGSPACE_POSTGRES_DSN"

// DSN returns the test database's DSN, or skips t (fails it under
// CI=true) when none is set, and fails t when the database cannot be
// reached.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run sets it)", EnvDSN)
		}
		t.Skipf("PostgreSQL tests skipped: set %s, e.g. %s='postgres://orgspace:orgspace@127.0.0.1:5432/orgspace?sslmode=disable', to run them (.ci/run starts a server and sets it)", EnvDSN, EnvDSN)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("PostgreSQL at %s=%q cannot be reached: %v", EnvDSN, dsn, err)
	}
	_ = conn.Close(ctx)
	return dsn
}

// Schema returns the name of a schema no other test uses, and drops it
// with everything in it when t ends. The backend creates it on open.
func Schema(t testing.TB, dsn string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "orgspace_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}
