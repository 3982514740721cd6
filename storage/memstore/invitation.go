package memstore

import (
	"bytes"
	"fmt"

	"github.com/orgspace/orgspace/access"
	"github.com/orgspace/orgspace/org"
	"github.com/orgspace/orgspace/storage"
)

// cloneInvitation copies inv with a TokenHash of its own.
func cloneInvitation(inv access.Invitation) access.Invitation {
	if inv.TokenHash != nil {
		inv.TokenHash = bytes.Clone(inv.TokenHash)
	}
	return inv
}

// checkToken refuses a token hash that another invitation than id holds.
func (st *state) checkToken(id access.InvitationID, hash []byte) error {
	if len(hash) == 0 {
		return nil
	}
	if other, ok := st.invByToken[string(hash)]; ok && other != id {
		return fmt.Errorf("memstore: invitation %q: its token hash is invitation %q's: %w", id, other, storage.ErrAlreadyExists)
	}
	return nil
}

// InsertInvitation implements access.Store. An invitation whose token hash
// another invitation has fails with storage.ErrAlreadyExists.
func (tx *Tx) InsertInvitation(inv access.Invitation) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.invitations[inv.ID]; ok {
		return exists("invitation", inv.ID)
	}
	if err := st.checkToken(inv.ID, inv.TokenHash); err != nil {
		return err
	}
	inv = cloneInvitation(inv)
	put(tx, st.invitations, inv.ID, inv)
	indexAdd(tx, st.invsOfOrg, inv.Org, inv.ID)
	if len(inv.TokenHash) > 0 {
		put(tx, st.invByToken, string(inv.TokenHash), inv.ID)
	}
	return nil
}

// UpdateInvitation implements access.Store. The token hash may change: the
// old one then finds nothing.
func (tx *Tx) UpdateInvitation(inv access.Invitation) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	old, err := lookup(st.invitations, "invitation", inv.ID)
	if err != nil {
		return err
	}
	if err := st.checkToken(inv.ID, inv.TokenHash); err != nil {
		return err
	}
	inv = cloneInvitation(inv)
	put(tx, st.invitations, inv.ID, inv)
	indexMove(tx, st.invsOfOrg, old.Org, inv.Org, inv.ID)
	if !bytes.Equal(old.TokenHash, inv.TokenHash) {
		if len(old.TokenHash) > 0 {
			del(tx, st.invByToken, string(old.TokenHash))
		}
		if len(inv.TokenHash) > 0 {
			put(tx, st.invByToken, string(inv.TokenHash), inv.ID)
		}
	}
	return nil
}

// Invitation implements access.Store.
func (tx *Tx) Invitation(id access.InvitationID) (access.Invitation, error) {
	st, err := tx.read()
	if err != nil {
		return access.Invitation{}, err
	}
	inv, err := lookup(st.invitations, "invitation", id)
	return cloneInvitation(inv), err
}

// InvitationByToken implements access.Store.
func (tx *Tx) InvitationByToken(hash []byte) (access.Invitation, error) {
	st, err := tx.read()
	if err != nil {
		return access.Invitation{}, err
	}
	id, ok := st.invByToken[string(hash)]
	if !ok || len(hash) == 0 {
		return access.Invitation{}, fmt.Errorf("memstore: invitation with token hash %x: %w", hash, storage.ErrNotFound)
	}
	return cloneInvitation(st.invitations[id]), nil
}

// ListInvitations implements access.Store.
func (tx *Tx) ListInvitations(o org.OrganisationID, after access.InvitationID, limit int) ([]access.Invitation, error) {
	st, err := tx.read()
	if err != nil {
		return nil, err
	}
	if err := checkLimit("list invitations", limit); err != nil {
		return nil, err
	}
	return collect(st.invitations, st.invsOfOrg[o].after(after, limit), cloneInvitation), nil
}
