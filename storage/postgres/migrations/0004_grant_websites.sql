-- The websites a grant on an Engage account is limited to; a grant with no
-- row here holds on the whole account. Rows go with their grant.
CREATE TABLE grant_websites (
	user_id    TEXT COLLATE "C" NOT NULL,
	account_id TEXT COLLATE "C" NOT NULL,
	website_id TEXT COLLATE "C" NOT NULL REFERENCES websites (id),
	PRIMARY KEY (user_id, account_id, website_id),
	FOREIGN KEY (user_id, account_id) REFERENCES grants (user_id, account_id) ON DELETE CASCADE
);
