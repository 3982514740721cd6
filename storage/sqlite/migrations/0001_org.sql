-- Organisations, accounts, users, operators and organisation roles, with
-- the revision head and the audit and change log. Times are Unix
-- nanoseconds, NULL for none.

CREATE TABLE head (
	one      INTEGER PRIMARY KEY CHECK (one = 1),
	revision INTEGER NOT NULL
) STRICT;
INSERT INTO head (one, revision) VALUES (1, 0);

CREATE TABLE log (
	revision   INTEGER NOT NULL,
	seq        INTEGER NOT NULL,
	time       INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL,
	target     TEXT NOT NULL,
	org_id     TEXT NOT NULL,
	account_id TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	detail     TEXT NOT NULL,
	PRIMARY KEY (revision, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX log_of_org ON log (org_id, revision, seq);

CREATE TABLE organisations (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	time_zone  TEXT NOT NULL,
	locale     TEXT NOT NULL,
	created_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE accounts (
	id               TEXT PRIMARY KEY,
	org_id           TEXT NOT NULL REFERENCES organisations (id),
	product          TEXT NOT NULL,
	name             TEXT NOT NULL,
	login_method     INTEGER NOT NULL,
	login_provider   TEXT NOT NULL,
	login_two_factor INTEGER NOT NULL,
	created_at       INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX accounts_of_org ON accounts (org_id, id);

CREATE TABLE users (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	created_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE operators (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL,
	created_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE memberships (
	org_id  TEXT NOT NULL REFERENCES organisations (id),
	user_id TEXT NOT NULL REFERENCES users (id),
	role    INTEGER NOT NULL,
	since   INTEGER,
	PRIMARY KEY (org_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX memberships_of_user ON memberships (user_id, org_id);
CREATE INDEX memberships_by_role ON memberships (org_id, role);
