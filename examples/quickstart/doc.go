// Command quickstart walks through the scenarios of the help-centre
// articles orgspace is built from: organisations and their Owners,
// multi-account users, an agency working for two organisations, the
// favourite account and its login policy, switching accounts, time-bound
// access, refused escalations, the audit log, and the organisation's
// structure (websites, a program, the default rule and a custom link that
// narrows which campaigns an earning rule may use), licences and SMS
// credits bought, used and given as a coupon to another organisation's
// event, and the community: shared fields, events, volunteers accepted
// onto them (a licence each), the event list, the direct members and the
// stats in which the supported event's volunteers are only counted. It
// prints every step in
// plain English; the output is deterministic (a fixed clock, sequential
// IDs), and main_test.go compares it with golden files.
//
//	go run ./examples/quickstart
//
// It keeps the data in the SQLite file orgspace-quickstart.db in the
// current directory. The story can be told once per database: run it
// again and it opens the same file and prints what survived (the
// organisations, users and their roles, favourites, invitations, structure,
// billing, community and audit log), read back through the services.
//
// Flags:
//
//	-db FILE        the SQLite file (default orgspace-quickstart.db)
//	-memory         keep everything in memory: nothing survives the run
//	-postgres DSN   a PostgreSQL database instead (default $ORGSPACE_DSN)
//	-schema NAME    its schema for orgspace's tables (default orgspace_quickstart)
//	-reset          delete the file, or drop the schema, first: start over
package main
