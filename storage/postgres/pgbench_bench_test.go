package postgres

// pgbench's TPC-B-like script on the server of the other benchmarks, as
// the yardstick of BenchmarkBillingTransfers/clients=16: BENCHMARKS.md
// compares the two, run in one process.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace/internal/pgtest"
)

// pgbenchScale and pgbenchClients are the TPC-B run's scale (10 branches,
// 1,000,000 accounts) and clients.
const (
	pgbenchScale   = 10
	pgbenchClients = 16
)

// tpcb is the schema holding pgbench's tables, initialised by the first
// BenchmarkPgbenchTPCB of the process and dropped by TestMain.
var tpcb struct {
	once   sync.Once
	schema string
	drop   func() error
	err    error
}

// BenchmarkPgbenchTPCB runs pgbench's built-in TPC-B-like script (one
// transaction updates an account, a teller and a branch, reads the
// account and inserts a history row) with 16 clients on 2 threads, on the
// server that ORGSPACE_POSTGRES_DSN names, over the same connection (TCP
// to the DSN's host) as the backend's pool. b.N is the number of
// transactions: each client runs ceil(b.N/16) of them (-t), without
// pgbench's vacuum first (-n). The tables, at scale 10, are initialised
// once per process in a schema of their own, through PGOPTIONS'
// search_path.
//
// tps is the transactions run over the wall time of the pgbench process,
// its start and its 16 connections included; pgbench-tps is the figure
// pgbench prints, which leaves the connections out.
func BenchmarkPgbenchTPCB(b *testing.B) {
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		b.Skipf("pgbench not found on PATH (%v): install PostgreSQL's client tools (Debian: postgresql-client) to compare with it", err)
	}
	dsn := pgtest.DSN(b)
	tpcb.once.Do(func() { tpcb.err = initPgbench(b, pgbench, dsn) })
	if tpcb.err != nil {
		b.Fatal(tpcb.err)
	}
	perClient := (b.N + pgbenchClients - 1) / pgbenchClients
	cmd := exec.Command(pgbench, "-n", "-c", strconv.Itoa(pgbenchClients), "-j", "2", "-t", strconv.Itoa(perClient), dsn)
	cmd.Env = pgbenchEnv(tpcb.schema)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	b.ResetTimer()
	err = cmd.Run()
	b.StopTimer()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out.Bytes())
	}
	m := pgbenchTPS.FindSubmatch(out.Bytes())
	if m == nil {
		b.Fatalf("pgbench printed no tps:\n%s", out.Bytes())
	}
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		b.Fatalf("pgbench tps %q: %v", m[1], err)
	}
	b.ReportMetric(float64(perClient*pgbenchClients)/b.Elapsed().Seconds(), "tps")
	b.ReportMetric(tps, "pgbench-tps")
}

// pgbenchTPS matches the line "tps = 1234.567890 (without initial
// connection time)" of pgbench's report.
var pgbenchTPS = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// pgbenchEnv is the environment of a pgbench working in schema.
func pgbenchEnv(schema string) []string {
	return append(os.Environ(), "PGOPTIONS=-c search_path="+schema)
}

// initPgbench creates a schema and initialises pgbench's tables in it,
// logging how long that took; TestMain drops it.
func initPgbench(b *testing.B, pgbench, dsn string) error {
	var r [6]byte
	_, _ = rand.Read(r[:])
	tpcb.schema = "pgbench_" + hex.EncodeToString(r[:])
	run := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	schema := pgx.Identifier{tpcb.schema}.Sanitize()
	if err := run(`CREATE SCHEMA ` + schema); err != nil {
		return fmt.Errorf("pgbench: create schema: %w", err)
	}
	tpcb.drop = func() error { return run(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`) }
	start := time.Now()
	cmd := exec.Command(pgbench, "-i", "-q", "-s", strconv.Itoa(pgbenchScale), dsn)
	cmd.Env = pgbenchEnv(tpcb.schema)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgbench -i: %w\n%s", err, out)
	}
	// pgbench -i must have followed search_path: its tables are in the
	// schema, not in public.
	var n int
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'pgbench\_%'`, tpcb.schema).Scan(&n); err != nil {
		return err
	}
	if n != 4 {
		return fmt.Errorf("pgbench -i: schema %s holds %d of pgbench's 4 tables", tpcb.schema, n)
	}
	b.Logf("pgbench scale %d initialised in schema %s in %v", pgbenchScale, tpcb.schema, time.Since(start).Round(time.Millisecond))
	return nil
}
