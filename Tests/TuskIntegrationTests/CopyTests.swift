import Foundation
import Testing
import Tusk

@Suite struct CopyTests {
    static let columns = "COPY items (id, name, score) FROM STDIN (FORMAT binary)"

    func createTable(_ connection: Connection) async throws {
        try await connection.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, score float8)")
    }

    @Test func hundredThousandRowsWithMatchingServerChecksum() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await createTable(connection)
            let count = 100_000
            var expectedNameLength = 0
            var expectedScore = 0.0
            let copied = try await connection.copyIn(SQL(unsafeRaw: Self.columns)) { writer in
                var encoder = PostgresBinaryCopyEncoder(capacity: 1 << 18)
                for id in 1...count {
                    let name = "item-\(id)-é"
                    let score = Double(id) * 0.25
                    expectedNameLength += name.count
                    expectedScore += score
                    encoder.beginRow(fieldCount: 3)
                    try encoder.append(Int64(id))
                    try encoder.append(name)
                    try encoder.append(id % 10 == 0 ? nil : score)
                    if id % 10 == 0 { expectedScore -= score }
                    if encoder.count >= 1 << 18 {
                        try await writer.write(encoder.bytes)
                        encoder.clear()
                    }
                }
                encoder.finish()
                try await writer.write(encoder.bytes)
            }
            #expect(copied == count)
            let check = try await connection.query(
                "SELECT count(*), sum(id)::int8, sum(char_length(name))::int8, sum(score), count(*) FILTER (WHERE score IS NULL) FROM items")
            let (rows, idSum, nameLength, scoreSum, nulls) = try check[0].decodeColumns((Int, Int64, Int64, Double, Int).self)
            #expect(rows == count)
            #expect(idSum == Int64(count * (count + 1) / 2))
            #expect(nameLength == Int64(expectedNameLength))
            #expect(scoreSum == expectedScore)
            #expect(nulls == count / 10)
        }
    }

    struct ProducerFailed: Error {}

    @Test func abortedHalfWayLeavesTheTableAsItWas() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await createTable(connection)
            try await connection.execute("INSERT INTO items SELECT g, 'before', 1 FROM generate_series(1, 10) g")
            await #expect(throws: ProducerFailed.self) {
                try await connection.copyIn(SQL(unsafeRaw: Self.columns)) { writer in
                    var encoder = PostgresBinaryCopyEncoder()
                    for id in 100...100_000 {
                        encoder.beginRow(fieldCount: 3)
                        try encoder.append(Int64(id))
                        try encoder.append("x")
                        try encoder.append(1.0)
                        if encoder.count > 1 << 16 {
                            try await writer.write(encoder.bytes)
                            encoder.clear()
                        }
                        if id == 50_000 { throw ProducerFailed() }
                    }
                }
            }
            let after = try await connection.query("SELECT count(*), min(name), max(name) FROM items")
            let (count, low, high) = try after[0].decodeColumns((Int, String, String).self)
            #expect(count == 10 && low == "before" && high == "before")
            #expect(connection.isReusable)
        }
    }

    @Test func badRowIsReportedWithItsLine() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await createTable(connection)
            let error = await #expect(throws: PostgresError.self) {
                try await connection.copyIn(SQL(unsafeRaw: Self.columns)) { writer in
                    var encoder = PostgresBinaryCopyEncoder()
                    for id in 1...1_000 {
                        encoder.beginRow(fieldCount: 3)
                        try encoder.append(Int64(id))
                        try encoder.append(id == 700 ? nil : "name")
                        try encoder.append(1.0)
                    }
                    encoder.finish()
                    try await writer.write(encoder.bytes)
                }
            }
            #expect(error?.sqlState == .notNullViolation)
            #expect(error?.column == "name")
            #expect(error?.context?.contains("line 700") == true)
            #expect(try await connection.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test func copyOutStreamsEveryRow() async throws {
        let connection = try await TestDatabase.connect()
        var bytes = 0
        var batches = 0
        let rows = try await connection.copyOut("COPY (SELECT g, repeat('x', 100) FROM generate_series(1, 50000) g) TO STDOUT", batchSize: 64 * 1024) { batch in
            bytes += batch.count
            batches += 1
            #expect(batch.count < 64 * 1024 + 4096)
        }
        #expect(rows == 50_000)
        #expect(batches > 10)
        #expect(bytes > 50_000 * 100)
        #expect(try await connection.query("SELECT 1")[0].decode(Int32.self, at: 0) == 1)
        await connection.close()
    }

    @Test func copyOutStoppedByTheConsumerLeavesTheConnectionUsable() async throws {
        let connection = try await TestDatabase.connect()
        struct Enough: Error {}
        await #expect(throws: Enough.self) {
            try await connection.copyOut("COPY (SELECT g FROM generate_series(1, 5000000) g) TO STDOUT") { _ in throw Enough() }
        }
        #expect(try await connection.query("SELECT 3")[0].decode(Int32.self, at: 0) == 3)
        await connection.close()
    }

    @Test func copyThroughQueryIsRefused() async throws {
        let connection = try await TestDatabase.connect()
        let error = await #expect(throws: ConnectionError.self) {
            try await connection.query("COPY (SELECT 1) TO STDOUT")
        }
        #expect(error?.code == .invalidUsage)
        await connection.close()
    }

    @Test func aFieldShorterThanItsColumnsTypeIsAServerErrorAndTheConnectionStays() async throws {
        try await TestDatabase.withSchema { connection, _ in
            try await createTable(connection)
            let pid = connection.backendPID
            // 4 bytes for an int8 column: the server's receive function runs out of data (08P01 at
            // ERROR severity), which ends the COPY, not the session.
            let error = await #expect(throws: PostgresError.self) {
                try await connection.copyIn(SQL(unsafeRaw: Self.columns)) { writer in
                    var encoder = PostgresBinaryCopyEncoder()
                    encoder.beginRow(fieldCount: 3)
                    try encoder.append(Int32(1))
                    try encoder.append("one")
                    try encoder.append(1.0)
                    encoder.finish()
                    try await writer.write(encoder.bytes)
                }
            }
            #expect(error?.sqlState == .protocolViolation)
            #expect(!connection.isClosed)
            #expect(connection.backendPID == pid)
            #expect(try await connection.query("SELECT count(*) FROM items")[0].decode(Int.self, at: 0) == 0)
        }
    }
}
