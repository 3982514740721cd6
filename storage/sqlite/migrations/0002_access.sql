-- Custom roles, grants, invitations and favourite accounts.

CREATE TABLE roles (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL REFERENCES organisations (id),
	name        TEXT NOT NULL,
	permissions INTEGER NOT NULL,
	created_at  INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX roles_of_org ON roles (org_id, id);

-- role_id names a built-in role or a row of roles, so it has no foreign key;
-- the service refuses to delete a role that grants use.
CREATE TABLE grants (
	user_id    TEXT NOT NULL REFERENCES users (id),
	account_id TEXT NOT NULL REFERENCES accounts (id),
	org_id     TEXT NOT NULL REFERENCES organisations (id),
	role_id    TEXT NOT NULL,
	expires_at INTEGER,
	granted_by TEXT NOT NULL,
	granted_at INTEGER,
	PRIMARY KEY (user_id, account_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX grants_by_role ON grants (role_id);

CREATE TABLE invitations (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL REFERENCES organisations (id),
	email       TEXT NOT NULL,
	account_id  TEXT NOT NULL,
	role_id     TEXT NOT NULL,
	org_role    INTEGER NOT NULL,
	invited_by  TEXT NOT NULL,
	created_at  INTEGER,
	expires_at  INTEGER,
	status      INTEGER NOT NULL,
	token_hash  BLOB UNIQUE,
	sent        INTEGER NOT NULL,
	answered_at INTEGER,
	user_id     TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX invitations_of_org ON invitations (org_id, id);

-- One favourite per user: the key is the user.
CREATE TABLE favourites (
	user_id    TEXT PRIMARY KEY REFERENCES users (id),
	account_id TEXT NOT NULL REFERENCES accounts (id)
) STRICT, WITHOUT ROWID;
