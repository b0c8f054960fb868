import MacroTesting
import Testing

/// Every misuse `@Model` and its markers report. The expected diagnostics were recorded, then
/// read one by one.
@Suite(.macros(TestMacros.all))
struct ModelMacroDiagnosticTests {
    @Test func notAStruct() {
        assertMacro {
            """
            @Model(table: "a") class A { var id: Int64 = 0 }
            @Model(table: "b") enum B { case one }
            @Model(table: "c") actor C { var id: Int64 = 0 }
            """
        } diagnostics: {
            """
            @Model(table: "a") class A { var id: Int64 = 0 }
            ┬─────────────────
            ╰─ 🛑 @Model applies to a struct, not a class
            @Model(table: "b") enum B { case one }
            ┬─────────────────
            ╰─ 🛑 @Model applies to a struct, not an enum
            @Model(table: "c") actor C { var id: Int64 = 0 }
            ┬─────────────────
            ╰─ 🛑 @Model applies to a struct, not an actor
            """
        }
    }

    @Test func missingTable() {
        assertMacro {
            """
            @Model
            struct A {
                var id: Int64
            }
            """
        } diagnostics: {
            """
            @Model
            ┬─────
            ╰─ 🛑 @Model needs the table: @Model(table: "name"), or a static var tableName
            struct A {
                var id: Int64
            }
            """
        }
    }

    @Test func tableNotALiteral() {
        assertMacro {
            """
            @Model(table: name)
            struct A {
                var id: Int64
            }
            @Model(table: "", schema: "s\\(x)")
            struct B {
                var id: Int64
            }
            """
        } diagnostics: {
            #"""
            @Model(table: name)
                          ┬───
                          ╰─ 🛑 table: must be a string literal
            struct A {
                var id: Int64
            }
            @Model(table: "", schema: "s\(x)")
                                      ┬──────
                          │           ╰─ 🛑 schema: must be a string literal
                          ┬─
                          ╰─ 🛑 table: must not be empty
            struct B {
                var id: Int64
            }
            """#
        }
    }

    @Test func missingPrimaryKey() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                var number: Int64
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                   ┬
                   ╰─ 🛑 mark the primary key with @ID (or name it `id`)
                var number: Int64
            }
            """
        }
    }

    @Test func duplicateColumn() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                var userID: Int64
                @Column("user_id") var owner: Int64
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                var userID: Int64
                @Column("user_id") var owner: Int64
                                       ┬────
                                       ╰─ 🛑 `owner` and `userID` both map to column "user_id"; name one of them with @Column
            }
            """
        }
    }

    @Test func missingType() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                var count = 0
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                var count = 0
                    ┬────
                    ╰─ 🛑 give `count` an explicit type, or mark it @Transient
            }
            """
        }
    }

    @Test func leftOutOfCodingKeysWithoutDefault() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                var hidden: String
                enum CodingKeys: String, CodingKey { case id }
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                var hidden: String
                    ┬─────
                    ╰─ 🛑 `hidden` is not in CodingKeys, so it is not a column and needs a default value
                enum CodingKeys: String, CodingKey { case id }
            }
            """
        }
    }

    @Test func markerOnComputedStaticOrNonProperty() {
        assertMacro {
            """
            struct A {
                @ID var computed: Int64 { 1 }
                @JSON static var shared: Int = 0
                @ServerDefault func make() {}
                @Column("x") var getSet: Int { get { 1 } set {} }
            }
            """
        } diagnostics: {
            """
            struct A {
                @ID var computed: Int64 { 1 }
                ┬──
                ╰─ 🛑 @ID applies to a stored property; `computed` is computed
                @JSON static var shared: Int = 0
                ┬────
                ╰─ 🛑 @JSON applies to a stored instance property; `shared` is static
                @ServerDefault func make() {}
                ┬─────────────
                ╰─ 🛑 @ServerDefault applies to a stored property
                @Column("x") var getSet: Int { get { 1 } set {} }
                ┬───────────
                ╰─ 🛑 @Column applies to a stored property; `getSet` is computed
            }
            """
        }
    }

    @Test func columnNames() {
        assertMacro {
            """
            struct A {
                @Column(name) var a: Int
                @Column("") var b: Int
                @Column("c\\(x)") var c: Int
                @Column var d: Int
            }
            """
        } diagnostics: {
            #"""
            struct A {
                @Column(name) var a: Int
                        ┬───
                        ╰─ 🛑 @Column's column name must be a string literal, without interpolation
                @Column("") var b: Int
                        ┬─
                        ╰─ 🛑 @Column's column name must not be empty
                @Column("c\(x)") var c: Int
                        ┬──────
                        ╰─ 🛑 @Column's column name must be a string literal, without interpolation
                @Column var d: Int
                ┬──────
                ╰─ 🛑 @Column needs the column name as a string literal
            }
            """#
        }
    }

    @Test func transientMisuse() {
        assertMacro {
            """
            struct A {
                @Transient @ID var a: Int = 0
                @Transient var b: Int
                @Transient let c: String?
                @Transient var d: String?
            }
            """
        } diagnostics: {
            """
            struct A {
                @Transient @ID var a: Int = 0
                ┬─────────
                ╰─ 🛑 @Transient leaves `a` out of the table, so @ID has no effect; remove one of them
                @Transient var b: Int
                ┬─────────
                ╰─ 🛑 @Transient property `b` needs a default value: a row read from the database keeps it
                @Transient let c: String?
                ┬─────────
                ╰─ 🛑 @Transient property `c` needs a default value: a row read from the database keeps it
                @Transient var d: String?
            }
            """
        }
    }

    @Test func lazyColumn() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                lazy var cached: Int = 1
                @Transient lazy var fine: Int = 2
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                lazy var cached: Int = 1
                         ┬─────
                         ╰─ 🛑 `cached` is lazy, so it has no key path and cannot be a column; mark it @Transient
                @Transient lazy var fine: Int = 2
            }
            """
        }
    }

    @Test func markersOnNonColumns() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                @JSON var author: Related<Author?>
                @ID var tags = Related<[Tag]>()
                @ServerDefault var hidden: Date? = nil
                @Column("shown") var shown: String = ""
                enum CodingKeys: String, CodingKey { case id }
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                var id: Int64
                @JSON var author: Related<Author?>
                          ┬─────
                          ╰─ 🛑 `author` is a relation, not a column: @JSON has no effect
                @ID var tags = Related<[Tag]>()
                        ┬───
                        ╰─ 🛑 `tags` is a relation, not a column: @ID has no effect
                @ServerDefault var hidden: Date? = nil
                                   ┬─────
                                   ╰─ 🛑 `hidden` is not in CodingKeys, so it is not a column: @ServerDefault has no effect
                @Column("shown") var shown: String = ""
                enum CodingKeys: String, CodingKey { case id }
            }
            """
        }
    }

    @Test func keyMappingDeclared() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                static var keyMapping: KeyMapping { .useKeys }
                var id: Int64
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                static var keyMapping: KeyMapping { .useKeys }
                           ┬─────────
                           ╰─ 🛑 @Model names the columns at compile time, so keyMapping would disagree with them; name columns with @Column or CodingKeys instead
                var id: Int64
            }
            """
        }
    }

    @Test func implicitlyUnwrappedID() {
        assertMacro {
            """
            @Model(table: "a")
            struct A {
                var id: Int64!
            }
            """
        } diagnostics: {
            """
            @Model(table: "a")
            struct A {
                var id: Int64!
                    ┬─
                    ╰─ 🛑 `id` cannot be implicitly unwrapped: declare it `Int64?`
            }
            """
        }
    }
}
