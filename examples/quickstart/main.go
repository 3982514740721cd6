package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

func main() {
	// flag.CommandLine exits by itself on -help and on a malformed flag.
	o, err := parseFlags(flag.CommandLine, os.Args[1:], os.Getenv)
	if err == nil {
		err = run(os.Stdout, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line into options. ORGSPACE_DSN stands in
// for -postgres when no backend is chosen on the command line.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) (options, error) {
	o := options{Path: defaultPath, Schema: defaultSchema}
	fs.StringVar(&o.Path, "db", o.Path, "the SQLite `file` to keep the data in")
	fs.BoolVar(&o.Memory, "memory", false, "keep the data in memory only: nothing survives the run")
	fs.StringVar(&o.DSN, "postgres", "", "the PostgreSQL database to keep the data in, as a `DSN` (default $ORGSPACE_DSN)")
	fs.StringVar(&o.Schema, "schema", o.Schema, "the PostgreSQL `schema` of orgspace's tables")
	fs.BoolVar(&o.Reset, "reset", false, "delete the SQLite file (or drop the PostgreSQL schema) first, to start over")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q (see -help)", fs.Args())
	}
	chosen := 0
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" || f.Name == "memory" || f.Name == "postgres" {
			chosen++
		}
	})
	switch {
	case chosen > 1:
		return o, errors.New("choose one of -db, -memory and -postgres")
	case chosen == 0:
		o.DSN = getenv("ORGSPACE_DSN")
	}
	return o, nil
}

// clock is a fixed clock that moves only when told to.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// The story's clock starts here; a later run reads the database at
// reopenedAt. Both are fixed so that the output is deterministic.
var (
	storyStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	reopenedAt = storyStart.Add(48 * time.Hour)
)

// run opens the backend o chooses and writes to w, after a line naming the
// backend, either the whole story (on an empty database) or what survived
// of an earlier run. An unexpected error stops it and is returned.
func run(w io.Writer, o options) (err error) {
	ctx := context.Background()
	if o.Reset {
		if err := reset(ctx, o); err != nil {
			return err
		}
	}
	d := &demo{w: w, ctx: ctx, clock: &clock{now: storyStart}, tokens: map[string]string{},
		pay: &billing.FakeProvider{}, sms: &billing.FakeSMSSender{}}
	space, closeFn, err := openBackend(ctx, o, orgspace.Config{
		Clock: d.clock,
		IDs:   &org.SequentialIDs{},
		Notifier: access.NotifierFunc(func(_ context.Context, m access.InvitationMail) error {
			d.say("mail to %s: join %q (valid until %s)", m.Invitation.Email, m.OrgName, m.ExpiresAt.Format(time.RFC3339))
			d.tokens[m.Invitation.Email] = m.Token // the invitee's click on the link, below
			return nil
		}),
		Prices:   prices,
		Payments: d.pay,
		SMS:      d.sms,
	})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := closeFn(); err == nil {
			err = cerr
		}
	}()
	defer func() {
		switch r := recover().(type) {
		case nil:
		case failed:
			err = r.err
		default:
			panic(r)
		}
	}()
	d.space = space
	fmt.Fprintln(w, header(o))
	// The story creates users with fixed emails and objects with
	// sequential IDs, so it can be told only once per database.
	if head := value(space.Access.Index(ctx, storage.Latest())).Revision(); head > 0 {
		d.clock.now = reopenedAt
		d.survived(head)
		return nil
	}
	d.walk()
	return nil
}
