package org

import (
	"fmt"
	"strconv"

	"github.com/orgspace/orgspace/storage"
)

// Subject names the organisation, account and user a log entry concerns.
type Subject struct {
	Org     OrganisationID
	Account AccountID
	User    UserID
}

// Log appends an audit entry for a write in the running transaction.
func Log(st storage.Log, env Env, actor Actor, action, target string, about Subject, detail string) error {
	return st.Append(storage.Entry{
		Time:    env.Now(),
		Actor:   actor.String(),
		Action:  action,
		Target:  target,
		Org:     string(about.Org),
		Account: string(about.Account),
		User:    string(about.User),
		Detail:  detail,
	})
}

func (s *Service) log(st Store, actor Actor, action, target string, about Subject, detail string) error {
	return Log(st, s.env, actor, action, target, about, detail)
}

// RequireOwner allows operators, System and the Owners of org.
func RequireOwner(st Store, a Actor, org OrganisationID, what string) error {
	return requireRole(st, a, org, Owner, what)
}

// requireRole allows operators, System and users whose role in org is at
// least min (Owner > Member).
func requireRole(st Store, a Actor, org OrganisationID, min Role, what string) error {
	if err := Resolve(st, a); err != nil {
		return err
	}
	if a.Kind != ActorUser {
		return nil
	}
	m, err := st.Membership(org, a.User())
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	if m.Role < min {
		who := "an Owner"
		if min == Member {
			who = "an Owner or a Member"
		}
		return fmt.Errorf("org: only %s of organisation %s may %s (actor %s): %w", who, org, what, a, storage.ErrPermissionDenied)
	}
	return nil
}

// pageArgs validates a page request of an ID-ordered listing.
func pageArgs(r storage.PageRequest) (size int, after string, err error) {
	size, key, err := r.Key(1)
	if err != nil || key == nil {
		return size, "", err
	}
	return size, key[0], nil
}

// IDCursor is the cursor after an object of an ID-ordered listing.
func IDCursor[T ~string](id T) storage.Cursor { return storage.EncodeCursor(string(id)) }

func encodePosition(e storage.Entry) storage.Cursor {
	p := e.Position()
	return storage.EncodeCursor(strconv.FormatUint(uint64(p.Revision), 10), strconv.Itoa(p.Seq))
}

func decodePosition(c storage.Cursor) (storage.Position, error) {
	key, err := storage.DecodeCursor(c, 2)
	if err != nil {
		return storage.Position{}, err
	}
	rev, err1 := strconv.ParseUint(key[0], 10, 64)
	seq, err2 := strconv.Atoi(key[1])
	if err1 != nil || err2 != nil || seq < 0 {
		return storage.Position{}, fmt.Errorf("org: audit log cursor is malformed: %w", storage.ErrInvalidArgument)
	}
	return storage.Position{Revision: storage.Revision(rev), Seq: seq}, nil
}
