// Command quickstart walks through the scenarios of the help-centre
// articles orgspace is built from: organisations and their Owners,
// multi-account users, an agency working for two organisations, the
// favourite account and its login policy, switching accounts, time-bound
// access, refused escalations and the audit log. It prints every step in
// plain English; the output is deterministic (a fixed clock, sequential
// IDs), and main_test.go compares it with a golden file.
//
//	go run ./examples/quickstart
package main
