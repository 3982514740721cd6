package org

import (
	"fmt"
	"strings"

	"github.com/orgspace/orgspace/storage"
)

// ActorKind says who performs a write.
type ActorKind uint8

// Kinds of actor.
const (
	// ActorNone is the zero Actor: nobody. Every write refuses it.
	ActorNone ActorKind = iota
	// ActorSystem is the host application itself, for bootstrapping.
	ActorSystem
	// ActorOperator is platform staff: customer success, support.
	ActorOperator
	// ActorUser is a user acting for themselves.
	ActorUser
)

// Actor is who performs an operation. The host authenticates people and
// passes the matching Actor; orgspace authorises it.
type Actor struct {
	Kind ActorKind
	ID   string
}

// System is the host application acting on its own behalf.
func System() Actor { return Actor{Kind: ActorSystem} }

// AsOperator is the operator id acting.
func AsOperator(id OperatorID) Actor { return Actor{Kind: ActorOperator, ID: string(id)} }

// AsUser is the user id acting.
func AsUser(id UserID) Actor { return Actor{Kind: ActorUser, ID: string(id)} }

// User returns the acting user's ID, or "" when a is not a user.
func (a Actor) User() UserID {
	if a.Kind != ActorUser {
		return ""
	}
	return UserID(a.ID)
}

// String renders a for the audit log: "system", "operator:<id>", "user:<id>".
func (a Actor) String() string {
	switch a.Kind {
	case ActorSystem:
		return "system"
	case ActorOperator:
		return "operator:" + a.ID
	case ActorUser:
		return "user:" + a.ID
	}
	return "nobody"
}

// ParseActor parses the form String renders: "system", "operator:<id>" or
// "user:<id>" (as kept in Invitation.InvitedBy and Grant.GrantedBy).
func ParseActor(s string) (Actor, error) {
	kind, id, _ := strings.Cut(s, ":")
	var a Actor
	switch kind {
	case "system":
		if s == "system" {
			return System(), nil
		}
	case "operator":
		a = Actor{Kind: ActorOperator, ID: id}
	case "user":
		a = Actor{Kind: ActorUser, ID: id}
	}
	if a.Kind == ActorNone || CheckID("actor ID", id) != nil {
		return Actor{}, invalid("actor", "%q is not \"system\", \"operator:<id>\" or \"user:<id>\"", s)
	}
	return a, nil
}

// Resolve checks that a names an existing operator or user (System needs no
// record). It returns ErrPermissionDenied for the zero Actor and for an
// actor whose record does not exist, so an unknown ID can never act.
func Resolve(st Store, a Actor) error {
	switch a.Kind {
	case ActorSystem:
		return nil
	case ActorOperator:
		if _, err := st.Operator(OperatorID(a.ID)); err != nil {
			return deniedUnknown(a, err)
		}
		return nil
	case ActorUser:
		if _, err := st.User(UserID(a.ID)); err != nil {
			return deniedUnknown(a, err)
		}
		return nil
	}
	return fmt.Errorf("org: no actor given: %w", storage.ErrPermissionDenied)
}

func deniedUnknown(a Actor, err error) error {
	if storage.IsNotFound(err) {
		return fmt.Errorf("org: actor %s does not exist: %w", a, storage.ErrPermissionDenied)
	}
	return err
}

// RequireOperator allows operators (and System) only.
func RequireOperator(st Store, a Actor, what string) error {
	if err := Resolve(st, a); err != nil {
		return err
	}
	if a.Kind != ActorOperator && a.Kind != ActorSystem {
		return fmt.Errorf("org: only an operator may %s (actor %s): %w", what, a, storage.ErrPermissionDenied)
	}
	return nil
}
