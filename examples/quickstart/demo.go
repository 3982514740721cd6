package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// demo narrates the story, or what survived of it.
type demo struct {
	w      io.Writer
	step   int
	ctx    context.Context
	space  *orgspace.Space
	clock  *clock
	tokens map[string]string // invitee email → token of the last mail
}

func (d *demo) title(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.w, "\n%d. %s\n", d.step, fmt.Sprintf(format, args...))
}

func (d *demo) say(format string, args ...any) { fmt.Fprintf(d.w, "   "+format+"\n", args...) }

// refused prints an expected refusal; any other outcome stops the story.
func (d *demo) refused(err, want error) {
	if !errors.Is(err, want) {
		check(fmt.Errorf("expected an error wrapping %q, got %v", want, err))
	}
	d.say("refused: %v", err)
}

func (d *demo) accountName(id org.AccountID) string {
	a, _ := d.space.Access.Current().Account(id)
	return a.Name
}

// auditLog returns an organisation's audit log, oldest first.
func (d *demo) auditLog(actor org.Actor, o org.OrganisationID) []storage.Entry {
	return all(func(r storage.PageRequest) (storage.Page[storage.Entry], error) {
		return d.space.Org.AuditLog(d.ctx, storage.Latest(), actor, o, r)
	})
}

// entries prints audit log entries, one a line, after indent.
func (d *demo) entries(indent string, es []storage.Entry) {
	for _, e := range es {
		d.say(indent+"r%-3d %-16s %-24s %s", e.Revision, e.Actor, e.Action, e.Detail)
	}
}

// tail returns the last n of es.
func tail[T any](es []T, n int) []T { return es[max(0, len(es)-n):] }

// all reads every page of a listing, a page at a time.
func all[T any](list func(storage.PageRequest) (storage.Page[T], error)) []T {
	var items []T
	req := storage.PageRequest{Limit: storage.MaxPageSize}
	for {
		page := value(list(req))
		items = append(items, page.Items...)
		if page.Next == "" {
			return items
		}
		req.After = page.Next
	}
}

// The narration stops at the first unexpected error: check panics with it
// and run recovers it, so each step reads as one line.

type failed struct{ err error }

func check(err error) {
	if err != nil {
		panic(failed{err})
	}
}

// must returns the value of a write that also returns its revision.
func must[T any](v T, _ storage.Revision, err error) T { check(err); return v }

// value returns the value of a read.
func value[T any](v T, err error) T { check(err); return v }

// done checks a write that returns only its revision.
func done(_ storage.Revision, err error) { check(err) }
