import FuzzSupport

// The property is in Tests/EmailAddressTests/FuzzCorpusTests.swift (linked here).
FuzzDriver.run(AddressFuzzProperty.check)
