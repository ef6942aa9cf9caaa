// Values the reader must produce: every scalar kind, strings and escapes,
// numbers, date-times, arrays, inline tables, tables and arrays of tables,
// document order of keys, and the convenience accessors.

import Testing
import TOML

@Suite struct ValueTests {
    @Test func emptyAndBlankDocuments() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("\n\n  # only a comment\n\t\n").isEmpty)
        #expect(try parse("\u{FEFF}a = 1").int("a") == 1)
        #expect(try parse("a = 1\r\nb = 2\r\n").int("b") == 2)
        #expect(try parse("").position == pos(1, 1))
    }

    @Test func basicStringsAndEscapes() throws {
        let t = try parse(#"""
        a = "plain"
        b = "tab\there"
        c = "quote \" backslash \\ end"
        d = "\b\t\n\f\r"
        e = "\u00E9\U0001F600\u0041"
        f = ""
        g = "# not a comment"
        h = "ünïcødé 零碳城"
        """#)
        #expect(t.string("a") == "plain")
        #expect(t.string("b") == "tab\there")
        #expect(t.string("c") == "quote \" backslash \\ end")
        #expect(t.string("d") == "\u{08}\t\n\u{0C}\r")
        #expect(t.string("e") == "é😀A")
        #expect(t.string("f") == "")
        #expect(t.string("g") == "# not a comment")
        #expect(t.string("h") == "ünïcødé 零碳城")
    }

    @Test func literalStrings() throws {
        let t = try parse(#"""
        path = 'C:\Users\nodejs\templates'
        regex = '<\i\c*\s*>'
        quoted = 'Tom "Dubs" Preston-Werner'
        empty = ''
        """#)
        #expect(t.string("path") == #"C:\Users\nodejs\templates"#)
        #expect(t.string("regex") == #"<\i\c*\s*>"#)
        #expect(t.string("quoted") == #"Tom "Dubs" Preston-Werner"#)
        #expect(t.string("empty") == "")
    }

    @Test func multiLineBasicStrings() throws {
        let t = try parse("a = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
            + "b = \"\"\"\\\n    The quick brown \\\n\n    fox.\\\n    \"\"\"\n"
            + "c = \"\"\"Two quotes: \"\". Five: \"\"\"\"\"\n"
            + "d = \"\"\"line\r\nnext\"\"\"\n"
            + "e = \"\"\"esc \\t \\u00e9 \\\"\"\"\"\"\n"
            + "f = \"\"\"trailing space backslash \\   \n  done\"\"\"")
        #expect(t.string("a") == "Roses are red\nViolets are blue")
        #expect(t.string("b") == "The quick brown fox.")
        #expect(t.string("c") == "Two quotes: \"\". Five: \"\"")
        #expect(t.string("d") == "line\nnext")
        #expect(t.string("e") == "esc \t é \"\"")
        #expect(t.string("f") == "trailing space backslash done")
    }

    @Test func multiLineLiteralStrings() throws {
        let t = try parse("a = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace \\n\n   is preserved.\n'''\n"
            + "b = ''''That,' she said, 'is still pointless.''''\n"
            + "c = '''''''\n")
        #expect(t.string("a") == "The first newline is\ntrimmed in raw strings.\n   All other whitespace \\n\n   is preserved.\n")
        #expect(t.string("b") == "'That,' she said, 'is still pointless.'")
        #expect(t.string("c") == "'")
    }

    @Test func integers() throws {
        let t = try parse("""
        a = 99
        b = +17
        c = -17
        d = 0
        e = -0
        f = 1_000_000
        g = 0xDEAD_beef
        h = 0o755
        i = 0b1101_0110
        max = 9223372036854775807
        min = -9223372036854775808
        hmax = 0x7FFFFFFFFFFFFFFF
        """)
        #expect(t.int("a") == 99)
        #expect(t.int("b") == 17)
        #expect(t.int("c") == -17)
        #expect(t.int("d") == 0)
        #expect(t.int("e") == 0)
        #expect(t.int("f") == 1_000_000)
        #expect(t.int("g") == 0xDEADBEEF)
        #expect(t.int("h") == 0o755)
        #expect(t.int("i") == 0b1101_0110)
        #expect(t.int("max") == Int64.max)
        #expect(t.int("min") == Int64.min)
        #expect(t.int("hmax") == Int64.max)
    }

    @Test func floats() throws {
        let t = try parse("""
        a = 1.0
        b = 3.1415
        c = -0.01
        d = 5e+22
        e = 1e06
        f = -2E-2
        g = 6.626e-34
        h = 224_617.445_991
        i = inf
        j = +inf
        k = -inf
        l = nan
        m = -0.0
        n = 0e0
        """)
        #expect(t.double("a") == 1.0)
        #expect(t.double("b") == 3.1415)
        #expect(t.double("c") == -0.01)
        #expect(t.double("d") == 5e22)
        #expect(t.double("e") == 1e6)
        #expect(t.double("f") == -2e-2)
        #expect(t.double("g") == 6.626e-34)
        #expect(t.double("h") == 224_617.445_991)
        #expect(t.double("i") == .infinity)
        #expect(t.double("j") == .infinity)
        #expect(t.double("k") == -.infinity)
        #expect(t.double("l")?.isNaN == true)
        #expect(t.double("m") == 0 && t.double("m")?.sign == .minus)
        #expect(t.double("n") == 0)
        #expect(t["a"]?.value == .float(1.0))
        #expect(t.int("a") == nil)
    }

    @Test func booleans() throws {
        let t = try parse("yes = true\nno = false")
        #expect(t.bool("yes") == true)
        #expect(t.bool("no") == false)
        #expect(t["yes"]?.value.typeName == "boolean")
    }

    @Test func dateTimesKeepTheirText() throws {
        let t = try parse("""
        odt1 = 1979-05-27T07:32:00Z
        odt2 = 1979-05-27T00:32:00-07:00
        odt3 = 1979-05-27T00:32:00.999999+07:00
        odt4 = 1979-05-27 07:32:00Z
        ldt1 = 1979-05-27T07:32:00
        ldt2 = 1979-05-27t00:32:00.999999
        ld = 1979-05-27
        lt1 = 07:32:00
        lt2 = 00:32:00.999999
        leap = 2000-02-29
        inarray = [1979-05-27, 07:32:00]
        """)
        #expect(t.datetime("odt1") == "1979-05-27T07:32:00Z")
        #expect(t.datetime("odt2") == "1979-05-27T00:32:00-07:00")
        #expect(t.datetime("odt3") == "1979-05-27T00:32:00.999999+07:00")
        #expect(t.datetime("odt4") == "1979-05-27 07:32:00Z")
        #expect(t.datetime("ldt1") == "1979-05-27T07:32:00")
        #expect(t.datetime("ldt2") == "1979-05-27t00:32:00.999999")
        #expect(t.datetime("ld") == "1979-05-27")
        #expect(t.datetime("lt1") == "07:32:00")
        #expect(t.datetime("lt2") == "00:32:00.999999")
        #expect(t.datetime("leap") == "2000-02-29")
        #expect(t.array("inarray")?.map(\.value) == [.datetime("1979-05-27"), .datetime("07:32:00")])
    }

    @Test func arrays() throws {
        let t = try parse("""
        empty = []
        ints = [ 1, 2, 3 ]
        nested = [ [ 1, 2 ], ["a", 'b'], [] ]
        mixed = [ 1, "two", 3.0, true, { x = 1 } ]
        multi = [
          1, # one
          2, # two
          # just a comment

          3,
        ]
        """)
        #expect(t.array("empty")?.isEmpty == true)
        #expect(t.array("ints")?.compactMap(\.value.intValue) == [1, 2, 3])
        let nested = try #require(t.array("nested"))
        #expect(nested.count == 3)
        #expect(nested[0].value.arrayValue?.compactMap(\.value.intValue) == [1, 2])
        #expect(nested[1].value.arrayValue?.compactMap(\.value.stringValue) == ["a", "b"])
        #expect(nested[2].value.arrayValue?.isEmpty == true)
        let mixed = try #require(t.array("mixed"))
        #expect(mixed.map(\.value.typeName) == ["integer", "string", "float", "boolean", "table"])
        #expect(mixed[4].value.tableValue?.int("x") == 1)
        #expect(t.array("multi")?.compactMap(\.value.intValue) == [1, 2, 3])
    }

    @Test func inlineTables() throws {
        let t = try parse("""
        name = { first = "Tom", last = "Preston-Werner" }
        point = {x=1,y=2}
        empty = {}
        animal = { type.name = "pug", type.size = "small" }
        nested = { a = { b = { c = [1, {d = true}] } } }
        """)
        #expect(t.table("name")?.string("first") == "Tom")
        #expect(t.table("name")?.keys == ["first", "last"])
        #expect(t.table("point")?.int("y") == 2)
        #expect(t.table("empty")?.isEmpty == true)
        #expect(t.table("animal")?.table("type")?.keys == ["name", "size"])
        let c = t.table("nested")?.table("a")?.table("b")?.array("c")
        #expect(c?.count == 2)
        #expect(c?[1].value.tableValue?.bool("d") == true)
    }

    @Test func keys() throws {
        let t = try parse("""
        bare_key-1 = 1
        1234 = 2
        "quoted key" = 3
        'literal "key"' = 4
        "" = 5
        "ʎǝʞ" = 6
        site."google.com" = 7
        3.14159 = "pi"
        fruit . color = "yellow"
        "a\\tb" = 8
        """)
        #expect(t.keys == ["bare_key-1", "1234", "quoted key", "literal \"key\"", "", "ʎǝʞ", "site", "3", "fruit", "a\tb"])
        #expect(t.int("") == 5)
        #expect(t.table("site")?.int("google.com") == 7)
        #expect(t.table("3")?.string("14159") == "pi")
        #expect(t.table("fruit")?.string("color") == "yellow")
        #expect(t.int("a\tb") == 8)
    }

    @Test func tablesAndImplicitTables() throws {
        let t = try parse("""
        top = 0
        [dog."tater.man"]
        type.name = "pug"
        [ x . y . z ]
        w = 1
        [x]
        v = 2
        [fruit]
        apple.color = "red"
        [fruit.apple.texture]
        smooth = true
        """)
        #expect(t.keys == ["top", "dog", "x", "fruit"])
        #expect(t.table("dog")?.table("tater.man")?.table("type")?.string("name") == "pug")
        #expect(t.table("x")?.keys == ["y", "v"])
        #expect(t.table("x")?.table("y")?.table("z")?.int("w") == 1)
        let apple = t.table("fruit")?.table("apple")
        #expect(apple?.keys == ["color", "texture"])
        #expect(apple?.table("texture")?.bool("smooth") == true)
    }

    @Test func arraysOfTables() throws {
        let t = try parse("""
        [[products]]
        name = "Hammer"
        sku = 738594937

        [[products]]  # empty table within the array

        [[products]]
        name = "Nail"

        [[fruits]]
        name = "apple"
        [fruits.physical]
        color = "red"
        [[fruits.varieties]]
        name = "red delicious"
        [[fruits.varieties]]
        name = "granny smith"

        [[fruits]]
        name = "banana"
        [[fruits.varieties]]
        name = "plantain"
        """)
        let products = try #require(t.array("products"))
        #expect(products.count == 3)
        #expect(products[0].value.tableValue?.string("name") == "Hammer")
        #expect(products[1].value.tableValue?.isEmpty == true)
        #expect(products[2].value.tableValue?.string("name") == "Nail")
        let fruits = try #require(t.array("fruits"))
        #expect(fruits.count == 2)
        let apple = try #require(fruits[0].value.tableValue)
        #expect(apple.keys == ["name", "physical", "varieties"])
        #expect(apple.table("physical")?.string("color") == "red")
        #expect(apple.array("varieties")?.compactMap { $0.value.tableValue?.string("name") } == ["red delicious", "granny smith"])
        let banana = try #require(fruits[1].value.tableValue)
        #expect(banana.array("varieties")?.count == 1)
    }

    @Test func keysKeepDocumentOrder() throws {
        // Names chosen so that sorted and hash orders differ from document order.
        let names = ["zeta", "alpha", "mu", "beta", "omega", "delta", "kappa", "eta", "iota", "gamma", "b", "a"]
        let text = names.enumerated().map { "\($0.element) = \($0.offset)" }.joined(separator: "\n")
            + "\n[section]\n" + names.reversed().map { "\($0) = true" }.joined(separator: "\n")
        let t = try parse(text)
        #expect(t.keys == names + ["section"])
        #expect(t.entries.map(\.key) == names + ["section"])
        #expect(t.entries.prefix(names.count).compactMap { $0.node.value.intValue } == (0..<Int64(names.count)).map { $0 })
        #expect(t.table("section")?.keys == Array(names.reversed()))
        let inline = try parse("t = { c = 1, a = 2, b = 3 }\nu = [ { z = 1, y = 2 } ]")
        #expect(inline.table("t")?.keys == ["c", "a", "b"])
        #expect(inline.array("u")?.first?.value.tableValue?.keys == ["z", "y"])
    }

    @Test func accessorsCheckTypes() throws {
        let t = try parse("s = \"x\"\ni = 3\nf = 2.5\nb = true\nd = 2024-01-01\na = [1]\nt = {k = 1}")
        #expect(t.string("s") == "x" && t.string("i") == nil)
        #expect(t.int("i") == 3 && t.int("s") == nil)
        #expect(t.double("f") == 2.5 && t.double("i") == 3.0 && t.double("s") == nil)
        #expect(t.bool("b") == true && t.bool("i") == nil)
        #expect(t.datetime("d") == "2024-01-01" && t.datetime("s") == nil)
        #expect(t.array("a")?.count == 1 && t.array("t") == nil)
        #expect(t.table("t")?.int("k") == 1 && t.table("a") == nil)
        #expect(t["missing"] == nil && t.string("missing") == nil)
        #expect(t.contains("s") && !t.contains("missing"))
        #expect(t.count == 7)
        #expect(["string", "integer", "float", "boolean", "date-time", "array", "table"]
                == t.entries.map(\.node.value.typeName))
    }

    @Test func hasSameContentIgnoresPositions() throws {
        let a = try parse("x = 1\ny = [nan, {z = 'q'}]")
        let b = try parse("\n\nx = 1\n   y = [ nan , { z = \"q\" } ]")
        #expect(a != b)   // positions differ
        #expect(TOMLValue.table(a).hasSameContent(as: .table(b)))
        let c = try parse("x = 1\ny = [nan, {z = 'r'}]")
        #expect(!TOMLValue.table(a).hasSameContent(as: .table(c)))
        let d = try parse("y = [nan, {z = 'q'}]\nx = 1")
        #expect(!TOMLValue.table(a).hasSameContent(as: .table(d)))   // key order matters
    }

    @Test func tableMutation() {
        var t = TOMLTable()
        t.set(TOMLNode(value: .integer(1), position: pos(1, 1)), for: "b")
        t.set(TOMLNode(value: .integer(2), position: pos(2, 1)), for: "a")
        t.set(TOMLNode(value: .integer(3), position: pos(3, 1)), for: "b")
        #expect(t.keys == ["b", "a"])
        #expect(t.int("b") == 3)
        #expect(t.removeValue(forKey: "b")?.value == .integer(3))
        #expect(t.keys == ["a"])
        #expect(t.removeValue(forKey: "zzz") == nil)
    }
}
