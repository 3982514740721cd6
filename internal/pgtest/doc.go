// Package pgtest gives tests a PostgreSQL database to run on: the one the
// environment variable ORGSPACE_POSTGRES_DSN names, with a fresh schema
// per test.
//
// Without the variable, tests skip, saying how to run them; under CI=true
// they fail instead, as they do whenever the variable is set and the
// database cannot be reached, so that a CI run cannot pass by skipping.
package pgtest
