/// A property value that is not a column (a model's ``Related`` rows): the row encoder leaves
/// it out, and the row decoder fills it with ``notLoaded`` without looking for a column.
protocol NonColumnValue {
    /// The value a row read from the database carries.
    static var notLoaded: Self { get }
}
