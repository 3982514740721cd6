package storagetest

// storeTests are the store-level conformance tests, each run on a fresh
// backend, named after the behaviour they check.
var storeTests = []storeTest{
	// Objects.
	{"RoundTrip", storeRoundTrip},
	{"DuplicateKeyFailsWithAlreadyExists", storeDuplicates},
	{"MissingObjectFailsWithNotFound", storeNotFound},
	{"ReadsInsideUpdateSeeItsWrites", storeReadYourWrites},
	{"StoreKeepsCopiesOfInputs", storeCopiesIn},
	{"ReturnedValuesAreCopies", storeCopiesOut},

	// Listings, counters, lookups.
	{"ListingsPageInIDOrder", storePagination},
	{"ListingsRefuseNonPositiveLimit", storeListingLimit},
	{"ListingsReturnTheirOrganisationsObjects", storeListingValues},
	{"UserListingsInKeyOrder", storeUserListings},
	{"CountMembersFollowsChanges", storeCountMembers},
	{"CountGrantsWithRoleFollowsChanges", storeCountGrantsWithRole},
	{"FavouritesSetReplaceClear", storeFavourites},
	{"InvitationByTokenFollowsHashChange", storeInvitationByToken},
	{"AllStopsAtFirstError", storeAllStopsAtError},

	// Transactions.
	{"FailedUpdateRollsBack", storeFailedUpdateRollsBack},
	{"PanicInUpdateRollsBack", storePanicRollsBack},
	{"CommittedWritesKeepIndexesConsistent", storeCommittedWrites},
	{"WriteInViewFails", storeWriteInViewFails},
	{"CancelledContextRunsNothing", storeCancelledContext},
	{"RevisionsCountCommittedUpdates", storeRevisions},
	{"ViewHonoursConsistency", storeViewConsistency},

	// Log.
	{"LogPagesByPosition", storeLogEntries},
	{"LogRefusesNonPositiveLimit", storeLogLimit},
	{"LogRejectsInvalidEntry", storeLogRejectsInvalidEntry},

	// Structure.
	{"StructureRoundTrip", storeStructureRoundTrip},
	{"StructureDuplicateKeyFailsWithAlreadyExists", storeStructureDuplicates},
	{"StructureMissingObjectFailsWithNotFound", storeStructureNotFound},
	{"StructureListingsInIDOrder", storeStructureListings},
	{"StructureValuesAreCopies", storeStructureCopies},
	{"StructureFailedUpdateRollsBack", storeStructureFailedUpdateRollsBack},
	{"GrantWebsitesRoundTripAsCopies", storeGrantWebsites},

	// Concurrency.
	{"ConcurrentUpdatesAndViews", storeConcurrentUpdates},
	{"ConcurrentInsertsOfOneEmail", storeConcurrentSameEmail},
}
