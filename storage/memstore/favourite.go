package memstore

import "github.com/orgspace/orgspace/org"

// SetFavourite implements access.Store; "" clears the favourite.
func (tx *Tx) SetFavourite(user org.UserID, account org.AccountID) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if account == "" {
		del(tx, st.favourites, user)
	} else {
		put(tx, st.favourites, user, account)
	}
	return nil
}

// Favourite implements access.Store: "" when the user has none.
func (tx *Tx) Favourite(user org.UserID) (org.AccountID, error) {
	st, err := tx.read()
	if err != nil {
		return "", err
	}
	return st.favourites[user], nil
}

// AllFavourites implements access.Store.
func (tx *Tx) AllFavourites(fn func(org.UserID, org.AccountID) error) error {
	st, err := tx.read()
	if err != nil {
		return err
	}
	for user, account := range st.favourites {
		if err := fn(user, account); err != nil {
			return err
		}
	}
	return nil
}
