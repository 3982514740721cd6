-- The organisation structure: websites of Engage accounts, programs of
-- Loyalty accounts, custom links and the default rule.

CREATE TABLE websites (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organisations (id),
	account_id TEXT NOT NULL REFERENCES accounts (id),
	name       TEXT NOT NULL,
	archived   INTEGER NOT NULL,
	created_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX websites_of_org ON websites (org_id, id);

CREATE TABLE programs (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organisations (id),
	account_id TEXT NOT NULL REFERENCES accounts (id),
	name       TEXT NOT NULL,
	archived   INTEGER NOT NULL,
	created_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX programs_of_org ON programs (org_id, id);

-- website_all and program_all are the All of each side; the accounts and
-- items a side lists are rows of the tables below, in the order given
-- (ord), so a selection reads back as it was written.
CREATE TABLE links (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL REFERENCES organisations (id),
	name        TEXT NOT NULL,
	website_all INTEGER NOT NULL,
	program_all INTEGER NOT NULL,
	created_at  INTEGER,
	updated_at  INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX links_of_org ON links (org_id, id);

-- side: 1 for the websites side, 2 for the programs side.
CREATE TABLE link_accounts (
	link_id    TEXT NOT NULL REFERENCES links (id) ON DELETE CASCADE,
	side       INTEGER NOT NULL,
	ord        INTEGER NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	PRIMARY KEY (link_id, side, ord)
) STRICT, WITHOUT ROWID;

CREATE TABLE link_websites (
	link_id    TEXT NOT NULL REFERENCES links (id) ON DELETE CASCADE,
	ord        INTEGER NOT NULL,
	website_id TEXT NOT NULL REFERENCES websites (id),
	PRIMARY KEY (link_id, ord)
) STRICT, WITHOUT ROWID;

CREATE TABLE link_programs (
	link_id    TEXT NOT NULL REFERENCES links (id) ON DELETE CASCADE,
	ord        INTEGER NOT NULL,
	program_id TEXT NOT NULL REFERENCES programs (id),
	PRIMARY KEY (link_id, ord)
) STRICT, WITHOUT ROWID;

-- One row per organisation that set its rule; none means enabled.
CREATE TABLE default_rules (
	org_id  TEXT PRIMARY KEY REFERENCES organisations (id),
	enabled INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
