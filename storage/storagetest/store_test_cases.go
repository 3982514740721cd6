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

	// Billing.
	{"BillingRoundTrip", storeBillingRoundTrip},
	{"BillingDuplicateKeyFailsWithAlreadyExists", storeBillingDuplicates},
	{"BillingMissingObjectFailsWithNotFound", storeBillingNotFound},
	{"BillingUpdatesWriteOnlyTheirFields", storeBillingUpdatesWriteOnlyTheirFields},
	{"BillingValuesAreCopies", storeBillingCopies},
	{"BalancesOfOrgInAccountOrder", storeBillingBalances},
	{"JournalSelectsByOneSidesAccount", storeBillingJournal},
	{"PurchasesPageByCreationTimeAndID", storeBillingPurchaseListings},
	{"CouponListingsInTheirOrder", storeBillingCouponListings},
	{"LicenceUsesReplacedAndListedByPerson", storeBillingLicenceUses},
	{"BillingListingsRefuseNonPositiveLimit", storeBillingListingLimit},
	{"BillingAllStopsAtFirstError", storeBillingAllStopsAtError},
	{"BillingListingsBoundedByAnyTime", storeBillingListingBounds},
	{"ManyTransfersInOneTransaction", storeBillingManyTransfers},
	{"UpdateUnloggedAdvancesNoRevision", storeUnloggedKeepsRevision},
	{"UpdateUnloggedRefusesAppend", storeUnloggedRefusesAppend},
	{"FailedUpdateUnloggedRollsBack", storeUnloggedRollsBack},
	{"BillingWriteInViewFails", storeBillingWriteInViewFails},
	{"BillingWritesInUpdateAdvanceTheRevision", storeBillingInUpdate},
	{"ApplyOnTheStoreAgreesWithTheLedger", storeBillingApply},
	{"ConcurrentTransfersNeverOverdraw", storeBillingConcurrentOverdraft},
	{"OpposingTransfersFinishAndConserve", storeBillingConcurrentOpposite},

	// Concurrency.
	{"ConcurrentUpdatesAndViews", storeConcurrentUpdates},
	{"ConcurrentInsertsOfOneEmail", storeConcurrentSameEmail},

	// Community.
	{"CommunityRoundTrip", storeCommunityRoundTrip},
	{"CommunityDuplicateKeyFailsWithAlreadyExists", storeCommunityDuplicates},
	{"CommunityMissingObjectFailsWithNotFound", storeCommunityNotFound},
	{"CommunityUpdatesWriteOnlyTheirFields", storeCommunityUpdatesWriteOnlyTheirFields},
	{"CommunityValuesAreCopies", storeCommunityCopies},
	{"CommunityListingsInKeyOrder", storeCommunityListings},
	{"CommunityListingsRefuseNonPositiveLimit", storeCommunityListingLimit},
	{"CommunityStreamsStopAtFirstError", storeCommunityAllStopsAtError},
	{"DirectMembersOrderedByNameKeyThenID", storeDirectMembersOrder},
	{"DirectMembersFilterByTextAndEvent", storeDirectMembersFilter},
	{"DirectMembersFollowRenames", storeDirectMembersFollowRenames},
	{"AdjustMemberAddsRemovesAndRefusesNegative", storeAdjustMember},
	{"FieldInUseWhileAnswersOrLastAnswersHoldIt", storeFieldInUse},
	{"RostersPutReplacedDeletedByEmptyRoster", storeCommunityRosters},
	{"CommunityFailedUpdateRollsBack", storeCommunityFailedUpdateRollsBack},
	{"CommunityWriteInViewFails", storeCommunityWriteInViewFails},
}
