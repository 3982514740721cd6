-- The websites a grant on an Engage account is limited to; a grant with no
-- row here holds on the whole account. Rows go with their grant.
CREATE TABLE grant_websites (
	user_id    TEXT NOT NULL,
	account_id TEXT NOT NULL,
	website_id TEXT NOT NULL REFERENCES websites (id),
	PRIMARY KEY (user_id, account_id, website_id),
	FOREIGN KEY (user_id, account_id) REFERENCES grants (user_id, account_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
