/// What erasure leaves in the address columns of records kept for accounting (pledges): the
/// person is gone, the amounts stay. Anything that mails a stored address checks for it.
public enum ErasedAddress {
    /// The stored stand-in for an erased address.
    public static let placeholder = "erased"
}
