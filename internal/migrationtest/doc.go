// Package migrationtest holds what the SQL backends' migration tests share:
// the rows a database of schema version 1 holds, written with plain SQL,
// and the check that an upgraded database shows them through the services
// and takes new writes. Both backends upgrade the same rows, so the fixture
// lives once, here.
package migrationtest
