package storagetest

import (
	"testing"

	"github.com/orgspace/orgspace"
	"github.com/orgspace/orgspace/storage"
)

// runServiceTests runs the service-level conformance tests.
func runServiceTests[T orgspace.Store](t *testing.T, open func(t *testing.T) storage.Transactor[T]) {}
