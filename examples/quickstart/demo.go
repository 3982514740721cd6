package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/billing"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/structure"
)

// demo narrates the story, or what survived of it.
type demo struct {
	w      io.Writer
	step   int
	ctx    context.Context
	space  *orgspace.Space
	clock  *clock
	tokens map[string]string // invitee email → token of the last mail
	pay    *billing.FakeProvider
	sms    *billing.FakeSMSSender
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

func (d *demo) websiteName(id structure.WebsiteID) string {
	w, _ := d.space.Structure.Current().Website(id)
	return w.Name
}

func (d *demo) programName(id structure.ProgramID) string {
	p, _ := d.space.Structure.Current().Program(id)
	return p.Name
}

// link describes a custom link: the websites and the programs it selects,
// by name.
func (d *demo) link(l structure.Link) string {
	return fmt.Sprintf("link %s %q: %s ↔ %s", l.ID, l.Name,
		selection(l.Websites, "website", d.websiteName, d.accountName),
		selection(l.Programs, "program", d.programName, d.accountName))
}

// selection describes one side of a link: all of the organisation's
// components (noun), all of some accounts', and listed ones.
func selection[ID ~string](s structure.Selection[ID], noun string, name func(ID) string, account func(org.AccountID) string) string {
	if s.All {
		return "all " + noun + "s"
	}
	var parts []string
	for _, a := range s.Accounts {
		parts = append(parts, fmt.Sprintf("all %ss of %s", noun, account(a)))
	}
	if len(s.Items) > 0 {
		names := make([]string, len(s.Items))
		for i, id := range s.Items {
			names[i] = fmt.Sprintf("%q", name(id))
		}
		if len(names) > 1 {
			noun += "s"
		}
		parts = append(parts, noun+" "+strings.Join(names, ", "))
	}
	return strings.Join(parts, " and ")
}

// decided says which link or rule decided a structure.Decision in
// organisation o.
func (d *demo) decided(o org.OrganisationID, dec structure.Decision) string {
	if dec.Basis != structure.ByLink {
		return dec.Basis.String()
	}
	for _, l := range d.space.Structure.Current().Links(o) {
		if l.ID == dec.Link {
			return fmt.Sprintf("link %s %q selects both", l.ID, l.Name)
		}
	}
	return fmt.Sprintf("link %s selects both", dec.Link)
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
		d.say(indent+"r%-3d %-16s %-30s %s", e.Revision, e.Actor, e.Action, e.Detail)
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
