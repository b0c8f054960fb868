extension Repository {
    /// What an upsert does to a row that already exists: which columns take the proposed row's
    /// values (`EXCLUDED`), and which ``Assignment``s apply besides.
    ///
    /// ```swift
    /// update: .allColumns                                    // every non-match column from EXCLUDED
    /// update: .columns([\.title, \.body])                    // only these
    /// update: .columns([\.title]) + [.now(\.editedAt)]       // these, and an expression
    /// update: .assignments([.increment(\.views, by: 1)])     // expressions only
    /// update: .nothing                                       // ON CONFLICT DO NOTHING
    /// ```
    ///
    /// An assignment to a column also listed wins over its `EXCLUDED` value. For an
    /// ``Auditable`` or ``Versioned`` model, `updated_at = now()` and `version = version + 1` are
    /// added by Tusk; assigning them explicitly replaces Tusk's.
    public struct UpsertUpdate {
        /// The columns set from `EXCLUDED`; nil for every column but the match columns.
        let columns: [PartialKeyPath<M>]?
        let assignments: [Assignment<M>]
        let doesNothing: Bool

        /// Overwrite every column except the match columns with the new values.
        public static var allColumns: UpsertUpdate { UpsertUpdate(columns: nil, assignments: [], doesNothing: false) }

        /// Overwrite only these columns with the new values.
        public static func columns(_ keyPaths: [PartialKeyPath<M>]) -> UpsertUpdate {
            UpsertUpdate(columns: keyPaths, assignments: [], doesNothing: false)
        }

        /// Apply only these assignments (``Assignment/excluded(_:)`` for a proposed value).
        public static func assignments(_ assignments: [Assignment<M>]) -> UpsertUpdate {
            UpsertUpdate(columns: [], assignments: assignments, doesNothing: false)
        }

        /// Leave the existing row as it is (`ON CONFLICT DO NOTHING`).
        public static var nothing: UpsertUpdate { UpsertUpdate(columns: [], assignments: [], doesNothing: true) }

        /// `update` with `assignments` added: `.columns([\.title]) + [.now(\.editedAt)]`. Added to
        /// ``nothing``, the upsert throws ``RepositoryError`` with `invalidArgument`.
        public static func + (update: UpsertUpdate, assignments: [Assignment<M>]) -> UpsertUpdate {
            UpsertUpdate(columns: update.columns, assignments: update.assignments + assignments, doesNothing: update.doesNothing)
        }
    }
}
