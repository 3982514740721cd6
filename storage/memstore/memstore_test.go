package memstore_test

import (
	"testing"

	"github.com/orgspace/orgspace/storage"
	"github.com/orgspace/orgspace/storage/memstore"
	"github.com/orgspace/orgspace/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Transactor[*memstore.Tx] { return memstore.New() })
}
