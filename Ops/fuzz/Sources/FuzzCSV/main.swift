import FuzzSupport

// The property is in Tests/SubscriberListsTests/FuzzCorpusTests.swift (linked here).
FuzzDriver.run(CSVFuzzProperty.check)
