import Testing
@testable import Tusk

@Suite struct NotificationChannelTests {
    @Test func quotesDoubleQuotesAndKeepsEverythingElse() {
        #expect(NotificationChannel.quoted("orders") == #""orders""#)
        #expect(NotificationChannel.quoted(#"say "hi" now"#) == #""say ""hi"" now""#)
        #expect(NotificationChannel.quoted("Ünï 通知 🐘") == "\"Ünï 通知 🐘\"")
        #expect(NotificationChannel.listenScript(["a", #"b""#]) == #"LISTEN "a"; LISTEN "b""""#)
    }

    @Test func acceptsUpToSixtyThreeBytesCountedInUTF8() throws {
        try NotificationChannel.validate(String(repeating: "a", count: 63))
        try NotificationChannel.validate(String(repeating: "通", count: 21))  // 63 bytes
        let tooLong = String(repeating: "a", count: 62) + "é"  // 64 bytes, 63 characters
        let error = #expect(throws: NotificationError.self) { try NotificationChannel.validate(tooLong) }
        #expect(error?.code == .invalidChannel)
        #expect(error?.channel == tooLong)
    }

    @Test func rejectsEmptyNamesNULAndNoChannels() {
        for name in ["", "a\u{0}b"] {
            #expect(throws: NotificationError.self) { try NotificationChannel.validate(name) }
        }
        let error = #expect(throws: NotificationError.self) { try NotificationChannel.validated([]) }
        #expect(error?.code == .invalidChannel)
    }

    @Test func dropsRepeatsKeepingTheFirstOrder() throws {
        #expect(try NotificationChannel.validated(["b", "a", "b", "c", "a"]) == ["b", "a", "c"])
    }
}
