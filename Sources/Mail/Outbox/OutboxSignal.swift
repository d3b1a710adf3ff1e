public import SideEffects

/// Wakes the delivery worker when a message was queued, so a confirmation leaves at once
/// instead of at the next poll.
public typealias OutboxSignal = WakeSignal
