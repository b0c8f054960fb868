/// What spans and metrics say about where a connection goes: `db.namespace`, `server.address`
/// and `server.port`, worked out once per connection (the configuration's `target` builds strings
/// each time it is read).
struct DatabaseEndpoint: Sendable {
    /// The database: the configured one, or libpq's default, the user name.
    let namespace: String?
    /// The first configured host, as the connection string names it.
    let address: String?
    let port: Int?

    init(_ configuration: ConnectionConfiguration) {
        namespace = configuration.target.database
        address = configuration.hosts.first?.name
        port = configuration.hosts.first?.port
    }
}
