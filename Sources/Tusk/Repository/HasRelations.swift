/// A model that declares its relations once, so a repository loads them on request without one
/// query per row: `list(…, load: [\.author, \.tags])`.
///
/// ```swift
/// extension Post: HasRelations {
///     static let relations: [Relation<Post>] = [
///         .belongsTo(\.author, foreignKey: \.authorID, references: \Author.id),
///         .manyToMany(\.tags, ownerKey: \.id, through: \PostTagLink.postID, \PostTagLink.tagID, targetKey: \Tag.id),
///     ]
/// }
/// ```
public protocol HasRelations: Model {
    /// The relations, each filling one ``Related`` property of the model.
    static var relations: [Relation<Self>] { get }
}

extension HasRelations {
    /// The declared relations for `keyPaths`, in order.
    ///
    /// - Throws: ``RepositoryError`` with code `invalidArgument` for a key path that is not a
    ///   declared relation, before anything is sent.
    static func relations(for keyPaths: [PartialKeyPath<Self>]) throws -> [Relation<Self>] {
        try keyPaths.map { keyPath in
            guard let relation = relations.first(where: { $0.property == keyPath as AnyKeyPath }) else {
                throw RepositoryError(.invalidArgument, "\(keyPath) is not a relation declared in \(Self.self).relations")
            }
            return relation
        }
    }
}
