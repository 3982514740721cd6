-- Billing: the licence and SMS-credit ledgers (balances and journal),
-- purchases, coupons, licence uses, SMS, and what billing knows of events.
-- Assets, account kinds and statuses are the small integers of package
-- billing; times are Unix nanoseconds, NULL for none.

-- billing_events: package community keeps events of its own; billing
-- knows of one only its organiser and start.
CREATE TABLE billing_events (
	id        TEXT COLLATE "C" PRIMARY KEY,
	org_id    TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	starts_at BIGINT
);

-- One row per ledger account. On PostgreSQL, LockBalances creates a
-- missing account's row, with zero totals, so that it can lock it;
-- written is set once PutBalance wrote the account, and only rows written
-- are listed.
CREATE TABLE balances (
	org_id          TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	asset           SMALLINT NOT NULL,
	kind            SMALLINT NOT NULL,
	ref             TEXT COLLATE "C" NOT NULL,
	debits_posted   BIGINT NOT NULL DEFAULT 0,
	credits_posted  BIGINT NOT NULL DEFAULT 0,
	debits_pending  BIGINT NOT NULL DEFAULT 0,
	credits_pending BIGINT NOT NULL DEFAULT 0,
	written         BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (org_id, asset, kind, ref)
);

-- The journal of transfers, numbered by seq in the order they were
-- inserted. Its accounts name organisations without a foreign key: the
-- journal is the append-only record of what happened, and a key would
-- make every transfer look up (on PostgreSQL, share-lock) the rows of its
-- organisations.
CREATE TABLE journal (
	seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         TEXT COLLATE "C" NOT NULL UNIQUE,
	asset      SMALLINT NOT NULL,
	from_org   TEXT COLLATE "C" NOT NULL,
	from_asset SMALLINT NOT NULL,
	from_kind  SMALLINT NOT NULL,
	from_ref   TEXT COLLATE "C" NOT NULL,
	to_org     TEXT COLLATE "C" NOT NULL,
	to_asset   SMALLINT NOT NULL,
	to_kind    SMALLINT NOT NULL,
	to_ref     TEXT COLLATE "C" NOT NULL,
	amount     BIGINT NOT NULL,
	pending    BOOLEAN NOT NULL,
	pending_id TEXT COLLATE "C" NOT NULL,
	void       BOOLEAN NOT NULL,
	time       BIGINT,
	reason     TEXT NOT NULL,
	open       BOOLEAN NOT NULL,
	actor      TEXT NOT NULL
);
CREATE INDEX journal_from_org ON journal (from_org, seq);
CREATE INDEX journal_to_org ON journal (to_org, seq);

-- Listings order by a time and then the ID, a missing (NULL) time first.
CREATE TABLE purchases (
	id              TEXT COLLATE "C" PRIMARY KEY,
	org_id          TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	idempotency_key TEXT COLLATE "C" NOT NULL,
	asset           SMALLINT NOT NULL,
	quantity        BIGINT NOT NULL,
	currency        TEXT NOT NULL,
	price_minor     BIGINT NOT NULL,
	status          SMALLINT NOT NULL,
	provider_ref    TEXT NOT NULL,
	created_at      BIGINT,
	created_by      TEXT NOT NULL,
	settled_at      BIGINT,
	UNIQUE (org_id, idempotency_key)
);
CREATE INDEX purchases_of_org ON purchases (org_id, created_at NULLS FIRST, id);
CREATE INDEX purchases_by_status ON purchases (status, created_at NULLS FIRST, id);

-- An empty code hash is NULL; a set one is unique.
CREATE TABLE coupons (
	id         TEXT COLLATE "C" PRIMARY KEY,
	org_id     TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	licences   BIGINT NOT NULL,
	code_hash  BYTEA UNIQUE,
	status     SMALLINT NOT NULL,
	expires_at BIGINT,
	created_at BIGINT,
	created_by TEXT NOT NULL,
	event_id   TEXT COLLATE "C" NOT NULL,
	closed_at  BIGINT,
	closed_by  TEXT NOT NULL
);
CREATE INDEX coupons_of_org ON coupons (org_id, created_at NULLS FIRST, id);
CREATE INDEX coupons_of_event ON coupons (event_id, closed_at NULLS FIRST, id);
CREATE INDEX coupons_by_expiry ON coupons (status, expires_at, id);
CREATE INDEX coupons_of_org_by_expiry ON coupons (org_id, status, expires_at, id);

CREATE TABLE licence_uses (
	event_id    TEXT COLLATE "C" NOT NULL,
	person_id   TEXT COLLATE "C" NOT NULL,
	coupon_id   TEXT COLLATE "C" NOT NULL,
	transfer_id TEXT COLLATE "C" NOT NULL,
	returned    BOOLEAN NOT NULL,
	taken_at    BIGINT,
	updated_at  BIGINT,
	PRIMARY KEY (event_id, person_id)
);

CREATE TABLE sms (
	org_id       TEXT COLLATE "C" NOT NULL REFERENCES organisations (id),
	id           TEXT COLLATE "C" NOT NULL,
	event_id     TEXT COLLATE "C" NOT NULL,
	recipient    TEXT NOT NULL,
	body         TEXT NOT NULL,
	credits      BIGINT NOT NULL,
	status       SMALLINT NOT NULL,
	provider_ref TEXT NOT NULL,
	error        TEXT NOT NULL,
	created_at   BIGINT,
	created_by   TEXT NOT NULL,
	settled_at   BIGINT,
	PRIMARY KEY (org_id, id)
);
