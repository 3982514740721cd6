package memstore

import "github.com/orgspace/orgspace/org"

// InsertUser implements org.Store. The email must be normalised already;
// it is compared exactly.
func (tx *Tx) InsertUser(u org.User) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.users[u.ID]; ok {
		return exists("user", u.ID)
	}
	if _, ok := st.userByEmail[u.Email]; ok {
		return exists("user with email", u.Email)
	}
	put(tx, st.users, u.ID, u)
	put(tx, st.userByEmail, u.Email, u.ID)
	return nil
}

// User implements org.Store.
func (tx *Tx) User(id org.UserID) (org.User, error) {
	st, err := tx.read()
	if err != nil {
		return org.User{}, err
	}
	return lookup(st.users, "user", id)
}

// UserByEmail implements org.Store.
func (tx *Tx) UserByEmail(email string) (org.User, error) {
	st, err := tx.read()
	if err != nil {
		return org.User{}, err
	}
	id, err := lookup(st.userByEmail, "user with email", email)
	if err != nil {
		return org.User{}, err
	}
	return st.users[id], nil
}

// InsertOperator implements org.Store.
func (tx *Tx) InsertOperator(op org.Operator) error {
	st, err := tx.write()
	if err != nil {
		return err
	}
	if _, ok := st.operators[op.ID]; ok {
		return exists("operator", op.ID)
	}
	put(tx, st.operators, op.ID, op)
	return nil
}

// Operator implements org.Store.
func (tx *Tx) Operator(id org.OperatorID) (org.Operator, error) {
	st, err := tx.read()
	if err != nil {
		return org.Operator{}, err
	}
	return lookup(st.operators, "operator", id)
}
