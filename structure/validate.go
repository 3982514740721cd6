package structure

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// Input is validated in two steps. The form (names, IDs, selections that
// select something) is checked before any transaction opens; what the
// input refers to is looked up inside the write's transaction, after the
// actor is authorised, so that a refused actor learns nothing about which
// IDs exist.
//
// Errors name the field as the caller wrote it ("link Websites.Items") and
// the offending value. A malformed input, or a component of the wrong kind
// (a program on the website side, a Loyalty account selecting websites),
// wraps storage.ErrInvalidArgument; an ID that names nothing of its kind in
// the organisation wraps storage.ErrNotFound, and the error does not tell
// whether it names something in another organisation.

func invalid(field, format string, args ...any) error {
	return fmt.Errorf("structure: %s %s: %w", field, fmt.Sprintf(format, args...), storage.ErrInvalidArgument)
}

// checkLinkName trims a link's name; an empty one means the link has none.
func checkLinkName(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", nil
	}
	return org.CheckName("link name", name)
}

// checkSelection validates the form of one side of a link and returns it
// in canonical form: accounts and items sorted, each once (a selection is
// a set, so a repeated ID changes nothing and is dropped), and copied so
// that the caller's slices are never kept. field names the side
// ("link Websites"), noun its components ("website").
func checkSelection[ID ~string](field, noun string, sel Selection[ID]) (Selection[ID], error) {
	if sel.IsEmpty() {
		return sel, invalid(field, "selects nothing: set All, or list accounts or %ss", noun)
	}
	if sel.All && (len(sel.Accounts) > 0 || len(sel.Items) > 0) {
		return sel, invalid(field, "sets All, which selects every %s already: leave Accounts and Items empty", noun)
	}
	for i, a := range sel.Accounts {
		if err := org.CheckID(fmt.Sprintf("%s.Accounts[%d]", field, i), string(a)); err != nil {
			return sel, err
		}
	}
	for i, id := range sel.Items {
		if err := org.CheckID(fmt.Sprintf("%s.Items[%d]", field, i), string(id)); err != nil {
			return sel, err
		}
	}
	return Selection[ID]{
		All:      sel.All,
		Accounts: sortedSet(sel.Accounts),
		Items:    sortedSet(sel.Items),
	}, nil
}

// sortedSet returns a sorted copy of ids without repeats; nil for none.
func sortedSet[ID ~string](ids []ID) []ID {
	if len(ids) == 0 {
		return nil
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// checkRefs checks, inside a transaction, that what a selection names
// exists in organisation o and is of the side's kind: accounts of
// k.product, and components of kind k (other is the opposite kind, looked
// up to tell a component of the wrong kind from an unknown ID).
func checkRefs[ID ~string](st Store, o org.OrganisationID, field string, k, other finder, sel Selection[ID]) error {
	for _, id := range sel.Accounts {
		a, err := st.Account(id)
		if storage.IsNotFound(err) || (err == nil && a.Org != o) {
			return fmt.Errorf("structure: %s.Accounts: no account %q in organisation %s: %w", field, id, o, storage.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if a.Product != k.product() {
			return invalid(field+".Accounts", "%q is an account of product %s; this side selects %s accounts", id, a.Product, k.product())
		}
	}
	for _, id := range sel.Items {
		c, err := k.find(st, string(id))
		if err == nil && c.Org == o {
			continue
		}
		if err != nil && !storage.IsNotFound(err) {
			return err
		}
		c, err = other.find(st, string(id))
		if err == nil && c.Org == o {
			return invalid(field+".Items", "%q is a %s, not a %s", id, other.noun(), k.noun())
		}
		if err != nil && !storage.IsNotFound(err) {
			return err
		}
		return fmt.Errorf("structure: %s.Items: no %s %q in organisation %s: %w", field, k.noun(), id, o, storage.ErrNotFound)
	}
	return nil
}

// describe renders a selection for the audit log.
func describe[ID ~string](sel Selection[ID]) string {
	if sel.All {
		return "all"
	}
	var parts []string
	if len(sel.Accounts) > 0 {
		parts = append(parts, fmt.Sprintf("accounts %v", sel.Accounts))
	}
	if len(sel.Items) > 0 {
		parts = append(parts, fmt.Sprintf("items %v", sel.Items))
	}
	return strings.Join(parts, " and ")
}
