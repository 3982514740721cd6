-- Organisations, accounts, users, operators and organisation roles, with
-- the revision head and the audit and change log. Times are Unix
-- nanoseconds, NULL for none.

CREATE TABLE head (
	one      INTEGER PRIMARY KEY CHECK (one = 1),
	revision BIGINT NOT NULL
);
INSERT INTO head (one, revision) VALUES (1, 0);

CREATE TABLE log (
	revision   BIGINT NOT NULL,
	seq        INTEGER NOT NULL,
	time       BIGINT NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL,
	target     TEXT NOT NULL,
	org_id     TEXT COLLATE "C" NOT NULL,
	account_id TEXT COLLATE "C" NOT NULL,
	user_id    TEXT COLLATE "C" NOT NULL,
	detail     TEXT NOT NULL,
	PRIMARY KEY (revision, seq)
);
CREATE INDEX log_of_org ON log (org_id, revision, seq);

CREATE TABLE organisations (
	id         TEXT COLLATE "C" PRIMARY KEY,
	name       TEXT NOT NULL,
	time_zone  TEXT NOT NULL,
	locale     TEXT NOT NULL,
	created_at BIGINT
);

CREATE TABLE accounts (
	id               TEXT COLLATE "C" PRIMARY KEY,
	org_id           TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	product          TEXT NOT NULL,
	name             TEXT NOT NULL,
	login_method     SMALLINT NOT NULL,
	login_provider   TEXT NOT NULL,
	login_two_factor BOOLEAN NOT NULL,
	created_at       BIGINT
);
CREATE INDEX accounts_of_org ON accounts (org_id, id);

CREATE TABLE users (
	id         TEXT COLLATE "C" PRIMARY KEY,
	email      TEXT COLLATE "C" NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	created_at BIGINT
);

CREATE TABLE operators (
	id         TEXT COLLATE "C" PRIMARY KEY,
	name       TEXT NOT NULL,
	email      TEXT NOT NULL,
	created_at BIGINT
);

CREATE TABLE memberships (
	org_id  TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	role    SMALLINT NOT NULL,
	since   BIGINT,
	PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_of_user ON memberships (user_id, org_id);
CREATE INDEX memberships_by_role ON memberships (org_id, role);
