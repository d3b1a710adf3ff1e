import FuzzSupport

// The property is in Tests/SigningTests/FuzzCorpusTests.swift (linked here).
FuzzDriver.run(TokenFuzzProperty.check)
