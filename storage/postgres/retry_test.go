package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/internal/pgtest"
	"github.com/orgspace/orgspace/org"
)

// TestUpdateRunsAgainAfterADeadlock makes a logged Update and another
// transaction lock two billing rows in opposite orders. The Update waits
// first, so PostgreSQL's deadlock check (after deadlock_timeout, 1 s by
// default) aborts it; Update must run its function again and commit,
// rather than return the deadlock, as package community relies on when
// accepting a participant takes a licence.
func TestUpdateRunsAgainAfterADeadlock(t *testing.T) {
	ctx := t.Context()
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t, dsn)
	db, err := Open(ctx, dsn, Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.Update(ctx, func(tx *Tx) error {
		o := org.Organisation{ID: "org_1", Name: "Club", Settings: org.Settings{TimeZone: "UTC"}, CreatedAt: start}
		return errors.Join(tx.InsertOrganisation(o),
			tx.PutEvent(billing.Event{ID: "evt_x", Org: o.ID, Start: start}),
			tx.PutEvent(billing.Event{ID: "evt_y", Org: o.ID, Start: start}))
	}); err != nil {
		t.Fatal(err)
	}

	other, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.WithoutCancel(ctx))
	lockedX, lockedY := make(chan struct{}), make(chan struct{})
	otherDone := make(chan error, 1)
	go func() {
		otherDone <- func() error {
			tx, err := other.Begin(ctx)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
			lock := `SELECT id FROM ` + pgx.Identifier{schema, "billing_events"}.Sanitize() + ` WHERE id = $1 FOR UPDATE`
			<-lockedX
			if _, err := tx.Exec(ctx, lock, "evt_y"); err != nil {
				return err
			}
			close(lockedY)
			// Wait until the Update waits for evt_y, so that it is the
			// one whose deadlock check runs first.
			time.Sleep(200 * time.Millisecond)
			if _, err := tx.Exec(ctx, lock, "evt_x"); err != nil {
				return err
			}
			return tx.Commit(ctx)
		}()
	}()

	runs := 0
	_, err = db.Update(ctx, func(tx *Tx) error {
		runs++
		if _, err := tx.Event("evt_x"); err != nil {
			return err
		}
		if runs == 1 {
			close(lockedX)
			<-lockedY
		}
		_, err := tx.Event("evt_y")
		return err
	})
	if err != nil {
		t.Fatalf("Update returned %v, want it to run again after the deadlock and commit", err)
	}
	if runs != 2 {
		t.Errorf("the function ran %d times, want 2 (aborted once, then committed)", runs)
	}
	if err := <-otherDone; err != nil {
		t.Errorf("the other transaction: %v", err)
	}
}
