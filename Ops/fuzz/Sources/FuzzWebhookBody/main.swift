import FuzzSupport

// The property is in WebhookBodyFuzzProperty.swift beside this file.
FuzzDriver.run(WebhookBodyFuzzProperty.check)
