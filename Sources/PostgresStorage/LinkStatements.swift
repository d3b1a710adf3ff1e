import PostgresNIO
import SideEffects

/// The statements of a confirmation or unsubscribe link, as named prepared statements with
/// generic plans, as a sign-up's are (`SignupStatements`): the consent record's subscriber,
/// locked; the newsletters it covers with the subscriber's state in each; and one write of the
/// change with its effects, whose text is the same whatever the values.
enum LinkStatements {
    /// Consent record `$1`'s subscriber and when it was recorded; FOR UPDATE OF s locks the
    /// subscriber before its subscriptions are read, so a second click on another daemon waits
    /// and then finds the work done. An erased subscriber gives no row.
    struct Subject: RowsStatement {
        static let name = "masthead_link_subject"
        static let sql = """
            SELECT c.subscriber_id, c.recorded_at, s.email_normalized FROM consent_records c
            JOIN subscribers s ON s.id = c.subscriber_id WHERE c.id = $1::bigint FOR UPDATE OF s
            """
        var consent: Int64

        func makeBindings() throws -> PostgresBindings { try .of(consent) }
    }

    /// The newsletters consent record `$1` covers, in slug order (bytes, as SQLite sorts), each
    /// with subscriber `$2`'s subscription state and the start of its pending episode.
    struct Members: RowsStatement {
        static let name = "masthead_link_members"
        static let sql = """
            SELECT n.id, n.slug, n.name, n.description, n.visibility, n.opt_in, n.archived_at, n.created_at, n.updated_at,
                sub.status AS subscription_status, sub.pending_since
            FROM consent_newsletters cn
            JOIN newsletters n ON n.id = cn.newsletter_id
            LEFT JOIN subscriptions sub ON sub.newsletter_id = n.id AND sub.subscriber_id = $2::bigint
            WHERE cn.consent_id = $1::bigint ORDER BY n.slug COLLATE "C"
            """
        var consent: Int64
        var subscriber: Int64

        func makeBindings() throws -> PostgresBindings { try .of(consent, subscriber) }
    }

    /// A confirmation: the pending subscriptions of `newsletters` confirmed, the consent record
    /// marked with the click, and the effects.
    struct Confirm: FragmentStatement {
        static let name = "masthead_link_confirm"
        static let sql = Confirm(consent: 0, subscriber: 0, newsletters: [], stamp: "", client: (nil, nil), effects: .none).fragment.numberedSQL
        var consent: Int64
        var subscriber: Int64
        var newsletters: [Int64]
        var stamp: String
        var client: (ip: String?, userAgent: String?)
        var effects: Effects

        var fragment: SQLFragment {
            SQLFragment(
                writes: [
                    """
                    UPDATE subscriptions SET status = 'confirmed', confirmed_at = \(stamp)::text, updated_at = \(stamp)::text
                    WHERE subscriber_id = \(subscriber)::bigint AND newsletter_id = ANY(\(newsletters)::bigint[]) AND status = 'pending'
                    """,
                    """
                    UPDATE consent_records SET confirmed_at = \(stamp)::text, confirm_client_ip = \(client.ip)::text,
                        confirm_user_agent = \(client.userAgent)::text
                    WHERE id = \(consent)::bigint AND confirmed_at IS NULL
                    """,
                ],
                effects: effects)
        }
    }

    /// An unsubscribe link: the active subscriptions of `newsletters` left, and the effects.
    struct Unsubscribe: FragmentStatement {
        static let name = "masthead_link_unsubscribe"
        static let sql = Unsubscribe(subscriber: 0, newsletters: [], stamp: "", effects: .none).fragment.numberedSQL
        var subscriber: Int64
        var newsletters: [Int64]
        var stamp: String
        var effects: Effects

        var fragment: SQLFragment {
            SQLFragment(
                writes: [
                    """
                    UPDATE subscriptions SET status = 'unsubscribed', unsubscribed_at = \(stamp)::text, updated_at = \(stamp)::text
                    WHERE subscriber_id = \(subscriber)::bigint AND newsletter_id = ANY(\(newsletters)::bigint[])
                        AND status IN ('pending', 'confirmed')
                    """
                ],
                effects: effects)
        }
    }
}
