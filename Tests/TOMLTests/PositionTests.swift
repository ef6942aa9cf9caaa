// Source positions: where every key, value and table starts (1-based line and
// column, columns counting Unicode scalars), so callers can report their own
// semantic errors at the right place.

import Testing
import TOML

@Suite struct PositionTests {
    @Test func keyAndValuePositions() throws {
        let t = try parse("""
        # catalog
        solar = 42
          wind   =   "gust"
        \tcoal = [1, 2]
        """)
        #expect(t["solar"]?.keyPosition == pos(2, 1))
        #expect(t["solar"]?.position == pos(2, 9))
        #expect(t["wind"]?.keyPosition == pos(3, 3))
        #expect(t["wind"]?.position == pos(3, 14))
        #expect(t["coal"]?.keyPosition == pos(4, 2))
        #expect(t["coal"]?.position == pos(4, 9))
        let items = try #require(t.array("coal"))
        #expect(items.map(\.position) == [pos(4, 10), pos(4, 13)])
        #expect(items.map(\.keyPosition) == [nil, nil])
        #expect(t.position == pos(1, 1))
    }

    @Test func columnsCountUnicodeScalars() throws {
        // "é", "零" and "😀" are one column each, although they take 2-4 bytes in UTF-8.
        let t = try parse("\"é零😀\" = \"😀😀\"   # ü\nx = 1")
        #expect(t["é零😀"]?.keyPosition == pos(1, 1))
        #expect(t["é零😀"]?.position == pos(1, 9))
        let bytesTable = try TOML.parse(bytes: Array("k = 'ü'\n\"mé\" = 2".utf8), file: "b.toml")
        #expect(bytesTable["mé"]?.position == pos(2, 8))
        #expect(parseError("名前 = 1")?.position == pos(1, 1))   // non-ASCII bare key
        #expect(parseError("\"名前\" = 1\n\"名前\" = 2")?.position == pos(2, 1))
        #expect(parseError("\"名前\" = 1 x")?.position == pos(1, 10))
    }

    @Test func byteOrderMarkIsNotAColumn() throws {
        let t = try parse("\u{FEFF}a = 1")
        #expect(t["a"]?.keyPosition == pos(1, 1))
        let b = try TOML.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("a = 1".utf8), file: "b.toml")
        #expect(b["a"]?.position == pos(1, 5))
    }

    @Test func dottedKeyPositions() throws {
        let t = try parse("""
        a = 0
        site . "google.com" . rank = 7
        """)
        let site = try #require(t["site"])
        #expect(site.keyPosition == pos(2, 1))
        #expect(site.position == pos(2, 1))
        let google = try #require(site.value.tableValue?["google.com"])
        #expect(google.keyPosition == pos(2, 8))
        let rank = try #require(google.value.tableValue?["rank"])
        #expect(rank.keyPosition == pos(2, 23))
        #expect(rank.position == pos(2, 30))
    }

    @Test func tablePositions() throws {
        let t = try parse("""
        [a.b]
        x = 1

          [ a ]
        y = { z = 2 }
        [[list]]
        [[ list ]]
        q = 1
        """)
        let a = try #require(t["a"])
        // `a` was first mentioned in [a.b] and then defined by its own [ a ] header.
        #expect(a.position == pos(4, 3))
        #expect(a.keyPosition == pos(4, 5))
        let b = try #require(a.value.tableValue?["b"])
        #expect(b.position == pos(1, 1))
        #expect(b.keyPosition == pos(1, 4))
        #expect(b.value.tableValue?.position == pos(1, 1))
        let y = try #require(a.value.tableValue?["y"])
        #expect(y.position == pos(5, 5))
        #expect(y.value.tableValue?.position == pos(5, 5))
        #expect(y.value.tableValue?["z"]?.position == pos(5, 11))
        let list = try #require(t["list"])
        #expect(list.position == pos(6, 1))
        #expect(list.keyPosition == pos(6, 3))
        let elements = try #require(list.value.arrayValue)
        #expect(elements.map(\.position) == [pos(6, 1), pos(7, 1)])
        #expect(elements.map(\.keyPosition) == [pos(6, 3), pos(7, 4)])
        #expect(elements[1].value.tableValue?["q"]?.keyPosition == pos(8, 1))
    }

    @Test func multiLineValuesAndCRLF() throws {
        let t = try parse("a = \"\"\"\none\ntwo\"\"\"\nb = 1\r\nc = [\r\n  2,\r\n  3 ]\r\n")
        #expect(t["a"]?.position == pos(1, 5))
        #expect(t["b"]?.keyPosition == pos(4, 1))
        #expect(t["c"]?.keyPosition == pos(5, 1))
        #expect(t.array("c")?.map(\.position) == [pos(6, 3), pos(7, 3)])
    }

    @Test func callersReportTheirOwnErrors() throws {
        let t = try TOML.parse("[building.solar]\nfactor = 0.05\nunit = 12\n", file: "catalog.toml")
        let unit = try #require(t.table("building")?.table("solar")?["unit"])
        let error = TOMLError(file: "catalog.toml", position: unit.position,
                              message: "'unit' must be a string, found \(unit.value.typeName)")
        #expect(error.description == "catalog.toml:3:8: error: 'unit' must be a string, found integer")
        #expect(pos(3, 8) < pos(4, 1) && pos(3, 8) < pos(3, 9) && !(pos(3, 8) < pos(3, 8)))
        #expect(pos(3, 8).description == "3:8")
    }
}
