-- Community: the events organisations organise, the people who take part
-- (volunteers) and their participations, each event's roster, direct
-- members, the shared fields and people's last answers, and event
-- managers. Enumerations (participation status, field type, visibility)
-- are the small integers of package community; times are Unix
-- nanoseconds, NULL for none; a time worked is nanoseconds; latitudes and
-- longitudes are REAL (never NaN, which SQLite cannot store: the
-- service refuses it).
--
-- Lists of IDs or values (an event's fields, a field's options, a person's
-- last values of a field) are JSON arrays of strings, and a
-- participation's answers a JSON object of such arrays, keeping only the
-- fields that have values; an empty list or map is NULL. Nothing queries
-- inside them: what a query needs is a column or a row of its own
-- (participation_fields, last_answers).

-- starts_at and ends_at: start and end are reserved words.
CREATE TABLE community_events (
	id           TEXT PRIMARY KEY,
	org_id       TEXT NOT NULL REFERENCES organisations (id),
	name         TEXT NOT NULL,
	starts_at    INTEGER,
	ends_at      INTEGER,
	time_zone    TEXT NOT NULL,
	lat          REAL NOT NULL,
	lon          REAL NOT NULL,
	fields       TEXT,
	archived     INTEGER NOT NULL,
	participants INTEGER NOT NULL,
	created_at   INTEGER,
	created_by   TEXT NOT NULL,
	updated_at   INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX community_events_of_org ON community_events (org_id, id);

-- name_key is community.NameKey(name), computed in Go, so that every
-- backend orders and searches people alike; community_members keeps a copy.
CREATE TABLE people (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL,
	email      TEXT NOT NULL UNIQUE,
	birth_date INTEGER,
	home_lat   REAL NOT NULL,
	home_lon   REAL NOT NULL,
	created_at INTEGER,
	updated_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE participations (
	event_id   TEXT NOT NULL REFERENCES community_events (id),
	person_id  TEXT NOT NULL REFERENCES people (id),
	status     INTEGER NOT NULL,
	answers    TEXT,
	worked     INTEGER NOT NULL,
	applied_at INTEGER,
	updated_at INTEGER,
	updated_by TEXT NOT NULL,
	PRIMARY KEY (event_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX participations_of_person ON participations (person_id, event_id);

-- One row per field a participation's answers hold a value of, written
-- with the participation, so that FieldInUse is one index lookup.
CREATE TABLE participation_fields (
	event_id  TEXT NOT NULL,
	person_id TEXT NOT NULL,
	field_id  TEXT NOT NULL,
	PRIMARY KEY (event_id, person_id, field_id),
	FOREIGN KEY (event_id, person_id) REFERENCES participations (event_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX participation_fields_by_field ON participation_fields (field_id);

-- An event's roster is one value, community.Roster's binary encoding:
-- the stats read an organisation's rosters a row per event, not a row per
-- participant. An event without participants has no row. A rowid table,
-- unlike the others: a roster spills onto overflow pages, and a seek in a
-- WITHOUT ROWID table reads each record it passes whole, which made the
-- stats a third slower (BENCHMARKS.md, Community).
CREATE TABLE rosters (
	event_id TEXT PRIMARY KEY REFERENCES community_events (id),
	data     BLOB NOT NULL
) STRICT;

-- Direct members: one row per organisation and person accepted onto at
-- least one of its events (events counts them). name_key is the person's,
-- copied so that a page of members in name order is one range scan of
-- community_members_by_name; PutPerson keeps it up to date through
-- community_members_of_person.
CREATE TABLE community_members (
	org_id    TEXT NOT NULL REFERENCES organisations (id),
	person_id TEXT NOT NULL REFERENCES people (id),
	name_key  TEXT NOT NULL,
	events    INTEGER NOT NULL,
	PRIMARY KEY (org_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX community_members_by_name ON community_members (org_id, name_key, person_id);
CREATE INDEX community_members_of_person ON community_members (person_id, org_id);

-- An organisation's shared fields; a label is unique within it.
CREATE TABLE community_fields (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organisations (id),
	label      TEXT NOT NULL,
	type       INTEGER NOT NULL,
	options    TEXT,
	required   INTEGER NOT NULL,
	visibility INTEGER NOT NULL,
	created_at INTEGER,
	updated_at INTEGER,
	UNIQUE (org_id, label)
) STRICT, WITHOUT ROWID;
CREATE INDEX community_fields_of_org ON community_fields (org_id, id);

-- A person's latest values of each field they answered, a row per field
-- that has values.
CREATE TABLE last_answers (
	person_id TEXT NOT NULL REFERENCES people (id),
	field_id  TEXT NOT NULL,
	vals      TEXT NOT NULL,
	PRIMARY KEY (person_id, field_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX last_answers_by_field ON last_answers (field_id);

CREATE TABLE event_managers (
	event_id TEXT NOT NULL REFERENCES community_events (id),
	user_id  TEXT NOT NULL REFERENCES users (id),
	PRIMARY KEY (event_id, user_id)
) STRICT, WITHOUT ROWID;
