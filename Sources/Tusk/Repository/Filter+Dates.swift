import Foundation

/// Advanced Alchemy's `BeforeAfter` and `OnBeforeAfter`: a date column before or after a moment.
///
/// ```swift
/// try await posts.list(where: .after(\.publishedAt, lastWeek) && .before(\.publishedAt, now, inclusive: true))
/// ```
extension Filter {
    /// `column < $1` (`<=` when `inclusive`).
    public static func before(_ keyPath: KeyPath<M, Date>, _ date: Date, inclusive: Bool = false) -> Filter {
        compare(keyPath, inclusive ? "<=" : "<", date)
    }

    /// `column < $1` for an optional column (NULL never matches).
    public static func before(_ keyPath: KeyPath<M, Date?>, _ date: Date, inclusive: Bool = false) -> Filter {
        compare(keyPath, inclusive ? "<=" : "<", date)
    }

    /// `column > $1` (`>=` when `inclusive`).
    public static func after(_ keyPath: KeyPath<M, Date>, _ date: Date, inclusive: Bool = false) -> Filter {
        compare(keyPath, inclusive ? ">=" : ">", date)
    }

    /// `column > $1` for an optional column (NULL never matches).
    public static func after(_ keyPath: KeyPath<M, Date?>, _ date: Date, inclusive: Bool = false) -> Filter {
        compare(keyPath, inclusive ? ">=" : ">", date)
    }
}
