-- Billing: the licence and SMS-credit ledgers (balances and journal),
-- purchases, coupons, licence uses, SMS, and what billing knows of events.
-- Assets, account kinds and statuses are the small integers of package
-- billing; times are Unix nanoseconds, NULL for none.

-- billing_events: package community keeps events of its own; billing
-- knows of one only its organiser and start.
CREATE TABLE billing_events (
	id        TEXT PRIMARY KEY,
	org_id    TEXT NOT NULL REFERENCES organisations (id),
	starts_at INTEGER
) STRICT, WITHOUT ROWID;

-- One row per ledger account. On PostgreSQL, LockBalances creates a
-- missing account's row, with zero totals, so that it can lock it;
-- written is set once PutBalance wrote the account, and only rows written
-- are listed.
CREATE TABLE balances (
	org_id          TEXT NOT NULL REFERENCES organisations (id),
	asset           INTEGER NOT NULL,
	kind            INTEGER NOT NULL,
	ref             TEXT NOT NULL,
	debits_posted   INTEGER NOT NULL DEFAULT 0,
	credits_posted  INTEGER NOT NULL DEFAULT 0,
	debits_pending  INTEGER NOT NULL DEFAULT 0,
	credits_pending INTEGER NOT NULL DEFAULT 0,
	written         INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (org_id, asset, kind, ref)
) STRICT, WITHOUT ROWID;

-- The journal of transfers, numbered by seq (the rowid) in the order they
-- were inserted. Its accounts name organisations without a foreign key:
-- the journal is the append-only record of what happened, and a key would
-- make every transfer look up (on PostgreSQL, share-lock) the rows of its
-- organisations.
CREATE TABLE journal (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	asset      INTEGER NOT NULL,
	from_org   TEXT NOT NULL,
	from_asset INTEGER NOT NULL,
	from_kind  INTEGER NOT NULL,
	from_ref   TEXT NOT NULL,
	to_org     TEXT NOT NULL,
	to_asset   INTEGER NOT NULL,
	to_kind    INTEGER NOT NULL,
	to_ref     TEXT NOT NULL,
	amount     INTEGER NOT NULL,
	pending    INTEGER NOT NULL,
	pending_id TEXT NOT NULL,
	void       INTEGER NOT NULL,
	time       INTEGER,
	reason     TEXT NOT NULL,
	open       INTEGER NOT NULL,
	actor      TEXT NOT NULL
) STRICT;
CREATE INDEX journal_from_org ON journal (from_org, seq);
CREATE INDEX journal_to_org ON journal (to_org, seq);

-- Listings order by a time and then the ID, a missing (NULL) time first
-- (SQLite's order for NULLs).
CREATE TABLE purchases (
	id              TEXT PRIMARY KEY,
	org_id          TEXT NOT NULL REFERENCES organisations (id),
	idempotency_key TEXT NOT NULL,
	asset           INTEGER NOT NULL,
	quantity        INTEGER NOT NULL,
	currency        TEXT NOT NULL,
	price_minor     INTEGER NOT NULL,
	status          INTEGER NOT NULL,
	provider_ref    TEXT NOT NULL,
	created_at      INTEGER,
	created_by      TEXT NOT NULL,
	settled_at      INTEGER,
	UNIQUE (org_id, idempotency_key)
) STRICT, WITHOUT ROWID;
CREATE INDEX purchases_of_org ON purchases (org_id, created_at, id);
CREATE INDEX purchases_by_status ON purchases (status, created_at, id);

-- An empty code hash is NULL; a set one is unique.
CREATE TABLE coupons (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organisations (id),
	licences   INTEGER NOT NULL,
	code_hash  BLOB UNIQUE,
	status     INTEGER NOT NULL,
	expires_at INTEGER,
	created_at INTEGER,
	created_by TEXT NOT NULL,
	event_id   TEXT NOT NULL,
	closed_at  INTEGER,
	closed_by  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX coupons_of_org ON coupons (org_id, created_at, id);
CREATE INDEX coupons_of_event ON coupons (event_id, closed_at, id);
CREATE INDEX coupons_by_expiry ON coupons (status, expires_at, id);
CREATE INDEX coupons_of_org_by_expiry ON coupons (org_id, status, expires_at, id);

CREATE TABLE licence_uses (
	event_id    TEXT NOT NULL,
	person_id   TEXT NOT NULL,
	coupon_id   TEXT NOT NULL,
	transfer_id TEXT NOT NULL,
	returned    INTEGER NOT NULL,
	taken_at    INTEGER,
	updated_at  INTEGER,
	PRIMARY KEY (event_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE sms (
	org_id       TEXT NOT NULL REFERENCES organisations (id),
	id           TEXT NOT NULL,
	event_id     TEXT NOT NULL,
	recipient    TEXT NOT NULL,
	body         TEXT NOT NULL,
	credits      INTEGER NOT NULL,
	status       INTEGER NOT NULL,
	provider_ref TEXT NOT NULL,
	error        TEXT NOT NULL,
	created_at   INTEGER,
	created_by   TEXT NOT NULL,
	settled_at   INTEGER,
	PRIMARY KEY (org_id, id)
) STRICT, WITHOUT ROWID;
