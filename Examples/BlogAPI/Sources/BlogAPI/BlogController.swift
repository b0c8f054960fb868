import Hummingbird
import Tusk

/// The routes of the API, each a thin layer over Tusk: decode and check the input, run one
/// repository call or one session (one transaction), encode the result. Errors are thrown as
/// they come and mapped to statuses by ``ErrorMiddleware``.
struct BlogController {
    /// The pool every request leases from.
    let pool: ConnectionPool

    /// Registers the routes on `router`.
    func addRoutes(to router: Router<BlogRequestContext>) {
        router.get("health", use: health)
        router.group("authors")
            .post(use: createAuthor)
            .get(":id", use: getAuthor)
        router.group("posts")
            .get(use: listPosts)
            .post(use: createPost)
            .post("upsert", use: upsertPost)
            .post("import", use: importPosts)
            .get(":id", use: getPost)
            .delete(":id", use: deletePost)
    }

    /// `GET /health`: 200 once the schema exists and the database answers.
    @Sendable func health(_ request: Request, context: BlogRequestContext) async throws -> Health {
        try await pool.withConnection { try await $0.ping(timeout: .seconds(2)) }
        return Health(status: "ok")
    }

    // MARK: - Authors

    /// `POST /authors` `{"name", "email", "active"?}` → 201 with the author; 409 when the email is taken.
    @Sendable func createAuthor(_ request: Request, context: BlogRequestContext) async throws -> EditedResponse<Author> {
        let author = try await request.decode(as: NewAuthor.self, context: context).validated()
        let stored = try await pool.autocommit.repository(Author.self).add(author)   // one statement, committed
        return EditedResponse(status: .created, headers: location("authors", stored.id), response: stored)
    }

    /// `GET /authors/{id}`.
    @Sendable func getAuthor(_ request: Request, context: BlogRequestContext) async throws -> Author {
        let id = try context.parameters.require("id", as: Int64.self)
        guard let author = try await pool.autocommit.repository(Author.self).get(id: id) else { throw APIError.notFound("no author \(id)") }
        return author
    }

    // MARK: - Posts

    /// `GET /posts?author_id=&tag=&limit=&offset=&order=`: one page, its total and each post's
    /// tags, from one snapshot; two queries whatever the page size (the tags in one `= ANY`).
    @Sendable func listPosts(_ request: Request, context: BlogRequestContext) async throws -> Page<PostView> {
        let query = try PostListQuery(request.uri.queryParameters)
        return try await pool.withSession(isolation: .repeatableRead, readOnly: true) { session in
            let (items, total) = try await session.repository(Post.self)
                .listAndCount(where: query.filter, orderBy: query.order, limit: .rows(query.limit), offset: query.offset)
            let tags = try await session.repository(PostTag.self).grouped(by: \.postID, in: items.compactMap(\.id))
            let views = items.map { post in PostView(post: post, rows: post.id.flatMap { tags[$0] } ?? []) }
            return Page(items: views, total: total, limit: query.limit, offset: query.offset)
        }
    }

    /// `GET /posts/{id}`: a live post with its tags.
    @Sendable func getPost(_ request: Request, context: BlogRequestContext) async throws -> PostView {
        let id = try context.parameters.require("id", as: Int64.self)
        return try await pool.withSession(readOnly: true) { session in
            guard let post = try await session.repository(Post.self).get(id: id) else { throw APIError.notFound("no post \(id)") }
            let tags = try await session.repository(PostTag.self).list(where: \.postID == id, limit: .unbounded)
            return PostView(post: post, rows: tags)
        }
    }

    /// `POST /posts` `{"author_id", "slug", "title", "body", "views"?, "published_at"?, "tags"?}` →
    /// 201 with the post. The post and its tags are one transaction: an unknown author (422) or
    /// a taken slug (409) leaves nothing behind.
    @Sendable func createPost(_ request: Request, context: BlogRequestContext) async throws -> EditedResponse<PostView> {
        let input = try await request.decode(as: PostInput.self, context: context)
        let post = try input.validated()
        let tags = try input.validatedTags() ?? []
        let view = try await pool.withSession { session in
            let stored = try await session.repository(Post.self).add(post)
            let id = try Self.id(of: stored)
            if !tags.isEmpty {
                try await session.repository(PostTag.self).addMany(tags.map { PostTag(postID: id, tag: $0.tag, weight: $0.weight) })
            }
            return PostView(post: stored, tags: tags)
        }
        return EditedResponse(status: .created, headers: location("posts", view.post.id), response: view)
    }

    /// `POST /posts/upsert`, the body of `POST /posts`: inserts the post, or — when a post (even a
    /// deleted one) has this slug — overwrites its author, title, body and publication date,
    /// keeps its views and clears its deletion mark. `tags`, when present, replace the post's tags.
    @Sendable func upsertPost(_ request: Request, context: BlogRequestContext) async throws -> PostView {
        let input = try await request.decode(as: PostInput.self, context: context)
        let post = try input.validated()
        let tags = try input.validatedTags()
        return try await pool.withSession { session in
            let posts = session.repository(Post.self)
            let written = try await posts.upsert(post, matching: [\Post.slug],
                                                 update: .columns([\Post.authorID, \Post.title, \Post.body, \Post.publishedAt, \Post.deletedAt]))
            // `.columns` always writes, so a row comes back; nil would mean a WHERE excluded it.
            guard let stored = written else { throw APIError(status: .internalServerError, code: "internal_error", message: "the upsert wrote nothing") }
            let id = try Self.id(of: stored)
            let tagRows = session.repository(PostTag.self)
            if let tags {
                try await tagRows.deleteWhere(\.postID == id)
                if !tags.isEmpty { try await tagRows.addMany(tags.map { PostTag(postID: id, tag: $0.tag, weight: $0.weight) }) }
                return PostView(post: stored, tags: tags)
            }
            return PostView(post: stored, rows: try await tagRows.list(where: \.postID == id, limit: .unbounded))
        }
    }

    /// `POST /posts/import` with a JSON array of posts (without tags) → 201 `{"imported": n}`.
    /// Every post is checked first, then all go in one binary `COPY` in one transaction: one bad
    /// row (an unknown author, a duplicate slug) and none of them remain.
    @Sendable func importPosts(_ request: Request, context: BlogRequestContext) async throws -> EditedResponse<ImportResult> {
        let inputs = try await request.decode(as: [PostInput].self, context: context)
        guard !inputs.isEmpty else { throw APIError.invalid("nothing to import: the array is empty") }
        var posts: [Post] = []
        posts.reserveCapacity(inputs.count)
        for (index, input) in inputs.enumerated() {
            do throws(APIError) {
                guard input.tags == nil else { throw .invalid("tags are not imported; tag posts with POST /posts/upsert") }
                posts.append(try input.validated())
            } catch {
                throw APIError(status: error.status, code: error.code, message: "post \(index): \(error.message)")
            }
        }
        let imported = try await pool.withSession { try await $0.repository(Post.self).addMany(posts) }
        return EditedResponse(status: .created, response: ImportResult(imported: imported))
    }

    /// `DELETE /posts/{id}` → 204, marking the post deleted (its slug stays taken); 404 when
    /// there is no live post with this id.
    @Sendable func deletePost(_ request: Request, context: BlogRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.require("id", as: Int64.self)
        guard try await pool.autocommit.repository(Post.self).delete(id: id) else { throw APIError.notFound("no post \(id)") }
        return .noContent
    }

    // MARK: - Helpers

    private func location(_ collection: String, _ id: Int64?) -> HTTPFields {
        guard let id else { return [:] }
        return [.location: "/\(collection)/\(id)"]
    }

    /// The id the server assigned; a stored post always has one.
    private static func id(of post: Post) throws(APIError) -> Int64 {
        guard let id = post.id else { throw APIError(status: .internalServerError, code: "internal_error", message: "a stored post came back without an id") }
        return id
    }
}
