-- Custom roles, grants, invitations and favourite accounts.

CREATE TABLE roles (
	id          TEXT COLLATE "C" PRIMARY KEY,
	org_id      TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	name        TEXT NOT NULL,
	permissions BIGINT NOT NULL,
	created_at  BIGINT
);
CREATE INDEX roles_of_org ON roles (org_id, id);

-- role_id names a built-in role or a row of roles, so it has no foreign key;
-- the service refuses to delete a role that grants use.
CREATE TABLE grants (
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
	account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
	org_id     TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	role_id    TEXT COLLATE "C" NOT NULL,
	expires_at BIGINT,
	granted_by TEXT NOT NULL,
	granted_at BIGINT,
	PRIMARY KEY (user_id, account_id)
);
CREATE INDEX grants_by_role ON grants (role_id);

CREATE TABLE invitations (
	id          TEXT COLLATE "C" PRIMARY KEY,
	org_id      TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	email       TEXT NOT NULL,
	account_id  TEXT COLLATE "C" NOT NULL,
	role_id     TEXT COLLATE "C" NOT NULL,
	org_role    SMALLINT NOT NULL,
	invited_by  TEXT NOT NULL,
	created_at  BIGINT,
	expires_at  BIGINT,
	status      SMALLINT NOT NULL,
	token_hash  BYTEA UNIQUE,
	sent        INTEGER NOT NULL,
	answered_at BIGINT,
	user_id     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX invitations_of_org ON invitations (org_id, id);

-- One favourite per user: the key is the user.
CREATE TABLE favourites (
	user_id    TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id),
	account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id)
);
