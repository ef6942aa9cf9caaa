// Hostile input: nesting limits (including 10,000- and 100,000-deep input),
// integer and float overflow, invalid UTF-8 and NUL through the bytes API,
// large documents and random garbage. Nothing may crash or hang.

import Foundation   // Thread with a chosen stack size, for the small-stack test only
import Testing
import TOML

@Suite struct RobustnessTests {
    static let limit = TOML.maxNestingDepth

    @Test func arrayNestingLimit() throws {
        let ok = "a = " + String(repeating: "[", count: Self.limit) + String(repeating: "]", count: Self.limit)
        var node = try #require(try parse(ok)["a"])
        var depth = 0
        while let inner = node.value.arrayValue {
            depth += 1
            guard let first = inner.first else { break }
            node = first
        }
        #expect(depth == Self.limit)

        let tooDeep = "a = " + String(repeating: "[", count: Self.limit + 1) + String(repeating: "]", count: Self.limit + 1)
        let error = try #require(parseError(tooDeep))
        #expect(error.position == pos(1, 5 + Self.limit))   // the 129th '['
        #expect(error.message.contains("nesting is too deep"))
    }

    @Test func inlineTableNestingLimit() throws {
        func nested(_ n: Int) -> String {
            "a = " + String(repeating: "{b = ", count: n) + "1" + String(repeating: "}", count: n)
        }
        #expect(try parse(nested(Self.limit))["a"] != nil)
        let error = try #require(parseError(nested(Self.limit + 1)))
        #expect(error.message.contains("nesting is too deep"))
        #expect(error.position == pos(1, 5 + 5 * Self.limit))
    }

    @Test func tablesCountTowardsTheLimit() throws {
        let segments = { (n: Int) in (0..<n).map { "k\($0)" }.joined(separator: ".") }
        #expect(try parse("[\(segments(Self.limit))]\nx = 1")["k0"] != nil)
        #expect(parseError("[\(segments(Self.limit + 1))]")?.message.contains("nesting is too deep") == true)
        // A dotted key of n segments makes n - 1 tables; the last segment holds a plain value.
        #expect(try parse("\(segments(Self.limit + 1)) = 1")["k0"] != nil)
        #expect(parseError("\(segments(Self.limit + 2)) = 1")?.message.contains("nesting is too deep") == true)
        // 100 header levels + 1 dotted level + 28 arrays = 129 levels.
        let mixed = "[\(segments(100))]\nq.r = " + String(repeating: "[", count: 28) + String(repeating: "]", count: 28)
        #expect(parseError(mixed)?.message.contains("nesting is too deep") == true)
        let fits = "[\(segments(100))]\nq.r = " + String(repeating: "[", count: 27) + String(repeating: "]", count: 27)
        #expect(try parse(fits)["k0"] != nil)
    }

    @Test func tenThousandDeepNestingIsAnError() throws {
        let n = 10_000
        let arrays = try #require(parseError("a = " + String(repeating: "[", count: n) + String(repeating: "]", count: n)))
        #expect(arrays.position == pos(1, 5 + Self.limit))
        let tables = try #require(parseError("a = " + String(repeating: "{b = ", count: n) + "1" + String(repeating: "}", count: n)))
        #expect(tables.message.contains("nesting is too deep"))
        let unclosed = try #require(parseError("x = 1\na = " + String(repeating: "[", count: n)))
        #expect(unclosed.position == pos(2, 5 + Self.limit))
    }

    @Test func hundredThousandDeepNestingIsAnError() throws {
        let n = 100_000
        #expect(parseError("a = " + String(repeating: "[", count: n))?.message.contains("nesting is too deep") == true)
        #expect(parseError("a = " + String(repeating: "{a=", count: n))?.message.contains("nesting is too deep") == true)
        #expect(parseError("a = [" + String(repeating: "{a=[", count: n))?.message.contains("nesting is too deep") == true)
        #expect(parseError(String(repeating: "a.", count: n) + "a = 1")?.message.contains("nesting is too deep") == true)
        #expect(parseError("[" + String(repeating: "a.", count: n) + "a]")?.message.contains("nesting is too deep") == true)
    }

    /// Secondary threads can have small stacks (512 KB on macOS), and debug builds use
    /// large frames: maximal nesting must be parsed, compared and freed without recursion.
    @Test func maximalNestingOnASmallStack() {
        final class Results: @unchecked Sendable { var lines: [String] = [] }
        let results = Results()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let n = TOML.maxNestingDepth
            let keys = (0..<n).map { "k\($0)" }
            let documents = [
                "a = " + String(repeating: "[", count: n) + String(repeating: "]", count: n),
                "a = " + String(repeating: "{b = ", count: n) + "1" + String(repeating: "}", count: n),
                "a = " + String(repeating: "[{b = ", count: n / 2) + "1" + String(repeating: "}]", count: n / 2),
                "[" + keys.joined(separator: ".") + "]\nx = 1",
                keys.joined(separator: ".") + " = 1",
                "a = {" + keys.dropLast().joined(separator: ".") + " = 1}",
                "a = " + String(repeating: "[", count: n) + "1, x",             // error after deep values
                "[" + keys.joined(separator: ".") + "]\nx = 1\ny",             // error after deep tables
                "a = " + String(repeating: "[", count: 100_000),
            ]
            for text in documents {
                do throws(TOMLError) {
                    let t = try TOML.parse(text, file: "deep.toml")
                    let u = try TOML.parse(text, file: "deep.toml")
                    let same = t == u && TOMLValue.table(t).hasSameContent(as: .table(u))
                    results.lines.append(same ? "ok" : "different")
                } catch {
                    results.lines.append("\(error.position)")
                }
            }
            done.signal()
        }
        thread.stackSize = 256 * 1024
        thread.start()
        done.wait()
        #expect(results.lines == ["ok", "ok", "ok", "ok", "ok", "ok", "1:136", "3:2", "1:133"])
    }

    @Test(arguments: [
        ("a = 9223372036854775808", "out of range"),
        ("a = -9223372036854775809", "out of range"),
        ("a = 99999999999999999999999999", "out of range"),
        ("a = 0x8000000000000000", "too large"),
        ("a = 0xFFFFFFFFFFFFFFFFFF", "too large"),
        ("a = 0o1000000000000000000000", "too large"),
        ("a = 0b1" + String(repeating: "0", count: 63), "too large"),
        ("a = 1e400", "float '1e400' is out of range"),
        ("a = -1.5e309", "out of range"),
    ])
    func overflowIsAnError(text: String, message: String) throws {
        let error = try #require(parseError(text))
        #expect(error.position == pos(1, 5))
        #expect(error.message.contains(message), "\(error)")
    }

    @Test func largestValuesStillFit() throws {
        let t = try parse("a = 0b1\(String(repeating: "1", count: 62))\nb = 0o777777777777777777777\nc = 1.7976931348623157e308\nd = 1e-400")
        #expect(t.int("a") == Int64.max)
        #expect(t.int("b") == Int64.max)
        #expect(t.double("c") == Double.greatestFiniteMagnitude)
        #expect(t.double("d") == 0)
    }

    @Test(arguments: [
        ([0x61, 0x20, 0x3D, 0x20, 0x22, 0xFF, 0x22] as [UInt8], 1, 6),        // a = "\xFF"
        ([0x23, 0x0A, 0x61, 0x3D, 0x22, 0xC0, 0xAF, 0x22], 2, 4),            // overlong '/'
        ([0x61, 0x3D, 0x22, 0xED, 0xA0, 0x80, 0x22], 1, 4),                  // UTF-16 surrogate
        ([0x61, 0x3D, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, 4),            // above U+10FFFF
        ([0x61, 0x3D, 0x22, 0xE2, 0x82], 1, 4),                              // truncated at end of file
        ([0x61, 0x3D, 0x22, 0xE2, 0x28, 0xA1, 0x22], 1, 4),                  // bad continuation byte
        ([0xC3, 0xA9, 0x80], 1, 2),                                          // stray continuation byte after 'é'
    ])
    func invalidUTF8IsRejectedWithAPosition(bytes: [UInt8], line: Int, column: Int) throws {
        let error = try #require(parseError(bytes: bytes))
        #expect(error.position == pos(line, column))
        #expect(error.message.contains("invalid UTF-8"), "\(error)")
        // The String API repairs the same bytes instead of rejecting them, and must not crash.
        _ = parseError(String(decoding: bytes, as: UTF8.self))
    }

    @Test func nulIsRejected() throws {
        let error = try #require(parseError(bytes: Array("a = 1\nb\u{0}= 2".utf8)))
        #expect(error.position == pos(2, 2))
        #expect(error.message.contains("NUL"))
        // Through the String API a NUL is just an unexpected character.
        #expect(parseError("a = \"x\u{0}\"")?.position == pos(1, 7))
        #expect(parseError("a = 1\u{0}")?.position == pos(1, 6))
    }

    @Test func validUTF8ThroughBytes() throws {
        #expect(try TOML.parse(bytes: [], file: "e.toml").isEmpty)
        let t = try TOML.parse(bytes: Array("\"零碳\" = \"城 😀\"\n".utf8), file: "u.toml")
        #expect(t.string("零碳") == "城 😀")
        let repaired = try parse(String(decoding: [0x61, 0x3D, 0x22, 0xFF, 0x22] as [UInt8], as: UTF8.self))
        #expect(repaired.string("a") == "\u{FFFD}")
    }

    @Test func largeDocumentsParse() throws {
        var text = ""
        for i in 0..<5_000 {
            text += "k\(i) = \(i)\n"
        }
        text += "long = \"" + String(repeating: "x", count: 200_000) + "\"\n"
        for i in 0..<5_000 {
            text += "[t\(i)]\nv = [\(i), \"s\(i)\", {x = 1}]\n[[list]]\nq = \(i)\n"
        }
        let t = try parse(text)
        #expect(t.count == 10_002)
        #expect(t.int("k4999") == 4_999)
        #expect(t.array("list")?.count == 5_000)
        #expect(t.array("list")?.last?.value.tableValue?.int("q") == 4_999)
        #expect(t.string("long")?.count == 200_000)
        #expect(t["long"]?.keyPosition == pos(5_001, 1))
        #expect(t.table("t4999")?["v"]?.keyPosition == pos(5_001 + 4 * 4_999 + 2, 1))
        let wide = "a = [" + String(repeating: "1, ", count: 50_000) + "]"
        #expect(try parse(wide).array("a")?.count == 50_000)
    }

    @Test func randomGarbageNeverCrashes() {
        var rng = SplitMix64(seed: 0x5EED)
        var errors = 0
        let alphabet = Array("[]{}=\"'.,#\\\n\r\t abc019_-+:eTZx\u{0}\u{7F}é".unicodeScalars)
        for round in 0..<400 {
            let length = Int(rng.next() % 200)
            if round % 2 == 0 {
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if let error = parseError(bytes: bytes) {
                    errors += 1
                    #expect(error.position.line >= 1 && error.position.column >= 1)
                }
            } else {
                var s = String.UnicodeScalarView()
                for _ in 0..<length { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
                let text = String(s)
                if let error = parseError(text) {
                    errors += 1
                    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
                    #expect(error.position.line >= 1 && error.position.line <= lines + 1)
                    #expect(error.position.column >= 1)
                    #expect(error.description.hasPrefix("test.toml:\(error.position.line):\(error.position.column): error: "))
                }
            }
        }
        #expect(errors > 300)   // garbage is almost always rejected
    }
}
