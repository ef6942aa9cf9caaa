// Generated-input property tests: a seeded deterministic generator builds random
// documents, serialises them in varied TOML spellings, parses them back and
// compares; random byte mutations of the same texts must parse or throw, never crash.

import Testing
import TOML

/// Small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Independent model of a document, compared with what the parser returns.
/// (Deliberately not Equatable: `matches` spells out NaN and -0.0 handling.)
enum Model {
    case string(String), integer(Int64), float(Double), bool(Bool), datetime(String)
    case array([Model])
    case table([(String, Model)])

    func matches(_ other: Model) -> Bool {
        switch (self, other) {
        case (.string(let x), .string(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.float(let x), .float(let y)):
            return x.isNaN ? y.isNaN : (x == y && x.sign == y.sign)
        case (.bool(let x), .bool(let y)): return x == y
        case (.datetime(let x), .datetime(let y)): return x == y
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.matches($1) }
        case (.table(let x), .table(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1.matches($1.1) }
        default: return false
        }
    }

    init(_ value: TOMLValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .integer(let i): self = .integer(i)
        case .float(let d): self = .float(d)
        case .bool(let b): self = .bool(b)
        case .datetime(let s): self = .datetime(s)
        case .array(let a): self = .array(a.map { Model($0.value) })
        case .table(let t): self = .table(t.entries.map { ($0.key, Model($0.node.value)) })
        }
    }
}

/// How an entry of a table is written.
enum Form { case plain, dotted }

struct DocumentGenerator {
    var rng: SplitMix64

    // MARK: Random model

    mutating func key(avoiding used: Set<String>) -> String {
        let pool = ["solar", "wind", "coal", "co2_kg", "Factor-2", "1234", "x", "a b", "零碳", "quote\"d",
                    "back\\slash", "", "tab\there", "dot.ted", "'apos'", "é", "UPPER", "_", "-"]
        var k = rng.pick(pool)
        if rng.chance(40) { k += String(rng.below(100)) }
        while used.contains(k) { k += "_" }
        return k
    }

    mutating func string() -> String {
        let pieces = ["a", "Z", " ", "\t", "\n", "\"", "\\", "'", "é", "😀", "零", "\u{1}", "\u{7F}", "\r", "#", "=",
                      "[", "{", "\"\"", "''", "x y", "\\n", "\u{FFFD}", "\u{10FFFF}"]
        return (0..<rng.below(8)).map { _ in rng.pick(pieces) }.joined()
    }

    mutating func datetime() -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = "\(1900 + rng.below(200))-\(two(1 + rng.below(12)))-\(two(1 + rng.below(28)))"
        var time = "\(two(rng.below(24))):\(two(rng.below(60))):\(two(rng.below(60)))"
        if rng.chance(30) { time += "." + String(rng.next() % 1_000_000) }
        switch rng.below(4) {
        case 0: return date
        case 1: return time
        case 2: return date + rng.pick(["T", "t", " "]) + time
        default:
            let offset = rng.pick(["Z", "z", "+01:00", "-07:30", "+00:00"])
            return date + rng.pick(["T", " "]) + time + offset
        }
    }

    mutating func float() -> Double {
        switch rng.below(8) {
        case 0: return Double(Int64(bitPattern: rng.next()) % 1_000_000)
        case 1: return Double(rng.next() % 10_000) / 100
        case 2: return rng.pick([Double.infinity, -.infinity, .nan, -0.0, 0.0])
        case 3: return Double.greatestFiniteMagnitude * (rng.chance(50) ? 1 : -1)
        case 4: return Double.leastNonzeroMagnitude
        default:
            let d = Double(bitPattern: rng.next())
            return d.isFinite ? d : 1.5
        }
    }

    mutating func scalar() -> Model {
        switch rng.below(6) {
        case 0: return .string(string())
        case 1:
            let small = Int64(bitPattern: rng.next()) % 10_000
            return .integer(rng.chance(20) ? Int64(bitPattern: rng.next()) : small)
        case 2: return .float(float())
        case 3: return .bool(rng.chance(50))
        case 4: return .datetime(datetime())
        default: return .string(string())
        }
    }

    mutating func value(depth: Int) -> Model {
        if depth >= 4 || rng.chance(60) { return scalar() }
        if rng.chance(50) {
            return .array((0..<rng.below(4)).map { _ in value(depth: depth + 1) })
        }
        return table(depth: depth + 1, size: rng.below(4))
    }

    mutating func table(depth: Int, size: Int) -> Model {
        var used = Set<String>()
        var entries: [(String, Model)] = []
        for _ in 0..<size {
            let k = key(avoiding: used)
            used.insert(k)
            if depth < 3 && rng.chance(15) {
                // An array of tables candidate.
                entries.append((k, .array((0..<(1 + rng.below(3))).map { _ in table(depth: depth + 1, size: rng.below(3)) })))
            } else {
                entries.append((k, value(depth: depth)))
            }
        }
        return .table(entries)
    }

    // MARK: Serialisation

    static func isBare(_ k: String) -> Bool {
        !k.isEmpty && k.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let d = String(v, radix: 16, uppercase: v % 2 == 0)
        return String(repeating: "0", count: max(0, width - d.count)) + d
    }

    mutating func basic(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += rng.chance(50) ? "\\n" : "\\u000A"
            case "\t": out += rng.chance(50) ? "\t" : "\\t"
            case "\r": out += "\\r"
            case "\u{8}": out += "\\b"
            case "\u{C}": out += "\\f"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\u" + Self.hex(c.value, width: 4)
                } else if c.value > 0x7F && rng.chance(30) {
                    out += rng.chance(50) && c.value <= 0xFFFF ? "\\u" + Self.hex(c.value, width: 4) : "\\U" + Self.hex(c.value, width: 8)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    mutating func quotedKey(_ k: String) -> String {
        if Self.isBare(k) && rng.chance(85) { return k }
        let literalOK = !k.unicodeScalars.contains { $0 == "'" || $0 == "\n" || $0 == "\r" || ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }
        if literalOK && rng.chance(40) { return "'\(k)'" }
        return basic(k)
    }

    mutating func stringLiteral(_ s: String) -> String {
        let controls = s.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || $0.value == 0x7F || $0 == "\r" }
        let hasNewline = s.contains("\n")
        let hasApostrophe = s.contains("'")
        switch rng.below(4) {
        case 0 where !controls && !hasNewline && !hasApostrophe:
            return "'\(s)'"
        case 1 where !controls && !hasApostrophe:
            return "'''" + (s.hasPrefix("\n") || rng.chance(50) ? "\n" : "") + s + "'''"
        case 2:
            // Multi-line basic: quotes and backslashes escaped, newlines raw, a line-ending backslash now and then.
            let scalars = Array(s.unicodeScalars)
            var out = "\"\"\"" + (s.hasPrefix("\n") || rng.chance(50) ? "\n" : "")
            for (n, c) in scalars.enumerated() {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += rng.chance(50) ? "\n" : "\\n"
                case "\r": out += "\\r"
                default:
                    if (c.value < 0x20 && c != "\t") || c.value == 0x7F {
                        out += "\\u" + Self.hex(c.value, width: 4)
                    } else {
                        out.unicodeScalars.append(c)
                    }
                }
                // The continuation swallows following blanks, so only before a non-blank character.
                if n + 1 < scalars.count, !" \t\n".unicodeScalars.contains(scalars[n + 1]), rng.chance(10) {
                    out += "\\\n  \n\t "
                }
            }
            return out + "\"\"\""
        default:
            return basic(s)
        }
    }

    mutating func integerLiteral(_ i: Int64) -> String {
        if i >= 0 && rng.chance(30) {
            switch rng.below(3) {
            case 0: return "0x" + String(i, radix: 16, uppercase: rng.chance(50))
            case 1: return "0o" + String(i, radix: 8)
            default: return "0b" + String(i, radix: 2)
            }
        }
        var digits = String(i.magnitude)
        if digits.count > 3 && rng.chance(30) {
            var grouped = ""
            for (n, ch) in digits.reversed().enumerated() {
                if n > 0 && n % 3 == 0 { grouped.append("_") }
                grouped.append(ch)
            }
            digits = String(grouped.reversed())
        }
        return (i < 0 ? "-" : (rng.chance(20) ? "+" : "")) + digits
    }

    mutating func floatLiteral(_ d: Double) -> String {
        if d.isNaN { return rng.pick(["nan", "+nan", "-nan"]) }
        if d.isInfinite { return d < 0 ? "-inf" : rng.pick(["inf", "+inf"]) }
        var text = "\(d)"   // shortest round-trip form, e.g. 1.5, 1e-05, 5e+22, -0.0
        if rng.chance(20), let e = text.firstIndex(of: "e") {
            text.replaceSubrange(e...e, with: "E")
        }
        return text
    }

    mutating func inlineValue(_ m: Model, depth: Int) -> String {
        switch m {
        case .string(let s): return stringLiteral(s)
        case .integer(let i): return integerLiteral(i)
        case .float(let d): return floatLiteral(d)
        case .bool(let b): return b ? "true" : "false"
        case .datetime(let s): return s
        case .array(let items):
            if items.isEmpty { return rng.pick(["[]", "[ ]", "[\n]", "[ # empty\n]"]) }
            let multiLine = rng.chance(30)
            let sep = multiLine ? ",\n  " : rng.pick([",", ", ", " , "])
            let body = items.map { inlineValue($0, depth: depth + 1) }.joined(separator: sep)
            if multiLine { return "[\n  " + body + (rng.chance(50) ? ",\n" : "\n") + "]" }
            return "[" + body + (rng.chance(20) ? "," : "") + "]"
        case .table(let entries):
            if entries.isEmpty { return rng.pick(["{}", "{ }"]) }
            let body = entries.map { quotedKey($0.0) + rng.pick(["=", " = ", " =  "]) + inlineValue($0.1, depth: depth + 1) }
            return "{ " + body.joined(separator: rng.pick([", ", ","])) + " }"
        }
    }

    /// Whether an array model can be written as [[header]] sections.
    static func isArrayOfTables(_ m: Model) -> Bool {
        guard case .array(let items) = m, !items.isEmpty else { return false }
        return items.allSatisfy { if case .table = $0 { return true } else { return false } }
    }

    /// Lines `prefix.key = value` for a table written with dotted keys.
    mutating func dottedLines(prefix: String, _ entries: [(String, Model)], into out: inout String) {
        for (k, v) in entries {
            let name = prefix + rng.pick([".", " . "]) + quotedKey(k)
            if case .table(let sub) = v, !sub.isEmpty, rng.chance(50) {
                dottedLines(prefix: name, sub, into: &out)
            } else {
                out += name + " = " + inlineValue(v, depth: 1) + "\n"
            }
        }
    }

    /// Writes the entries of a table whose header (if any) is already written.
    /// Returns the entries in the order the parser will see their keys.
    mutating func emit(_ entries: [(String, Model)], path: [String], into out: inout String) -> [(String, Model)] {
        var plain: [(String, Model, Form)] = []
        var sections: [(String, Model)] = []
        for (k, v) in entries {
            if case .table(let sub) = v, rng.chance(50) {
                if rng.chance(50) || sub.isEmpty { sections.append((k, v)) } else { plain.append((k, v, .dotted)) }
            } else if Self.isArrayOfTables(v) && rng.chance(60) {
                sections.append((k, v))
            } else {
                plain.append((k, v, .plain))
            }
        }
        for (k, v, form) in plain {
            if rng.chance(10) { out += rng.pick(["\n", "# a comment\n", "   \t\n"]) }
            let key = quotedKey(k)
            if form == .dotted, case .table(let sub) = v {
                dottedLines(prefix: key, sub, into: &out)
            } else {
                out += rng.pick(["", "  ", "\t"]) + key + rng.pick([" = ", "=", "  =  "]) + inlineValue(v, depth: 0)
                out += rng.chance(15) ? " # trailing comment\n" : "\n"
            }
        }
        var order = plain.map { ($0.0, $0.1) }
        for (k, v) in sections {
            let p = path + [k]
            let header = p.map { quotedKey($0) }.joined(separator: rng.pick([".", " . "]))
            if case .table(let sub) = v {
                // A table with only sub-sections may be left implicit.
                let onlySections = sub.allSatisfy { if case .table = $0.1 { return true } else { return false } }
                let implicit = !sub.isEmpty && onlySections && rng.chance(50)
                var reordered: [(String, Model)]
                if implicit {
                    reordered = []
                    for (sk, sv) in sub {
                        guard case .table(let subsub) = sv else { continue }
                        out += "\n[" + (p + [sk]).map { quotedKey($0) }.joined(separator: ".") + "]\n"
                        reordered.append((sk, .table(emit(subsub, path: p + [sk], into: &out))))
                    }
                } else {
                    out += "\n[" + rng.pick(["", " "]) + header + rng.pick(["", " "]) + "]\n"
                    reordered = emit(sub, path: p, into: &out)
                }
                order.append((k, .table(reordered)))
            } else if case .array(let items) = v {
                var elements: [Model] = []
                for item in items {
                    guard case .table(let sub) = item else { continue }
                    out += "\n[[" + header + "]]\n"
                    elements.append(.table(emit(sub, path: p, into: &out)))
                }
                order.append((k, .array(elements)))
            }
        }
        return order
    }

    struct Document {
        var text: String
        var expected: Model
    }

    mutating func document() -> Document {
        guard case .table(let entries) = table(depth: 0, size: 1 + rng.below(6)) else {
            return Document(text: "", expected: .table([]))
        }
        var out = rng.chance(20) ? "# generated\n" : ""
        let order = emit(entries, path: [], into: &out)
        if rng.chance(30) { out = out.withCRLF() }
        return Document(text: out, expected: .table(order))
    }
}

private extension String {
    /// Every LF becomes CRLF.
    func withCRLF() -> String {
        var out = String.UnicodeScalarView()
        for c in unicodeScalars {
            if c == "\n" { out.append("\r") }
            out.append(c)
        }
        return String(out)
    }
}

@Suite struct PropertyTests {
    @Test func generatedDocumentsRoundTrip() throws {
        var generator = DocumentGenerator(rng: SplitMix64(seed: 20_240_601))
        var totalKeys = 0
        for n in 0..<400 {
            let document = generator.document()
            let text = document.text
            let expected = document.expected
            let table: TOMLTable
            do {
                table = try TOML.parse(text, file: "gen\(n).toml")
            } catch {
                Issue.record("document \(n) failed: \(error)\n\(text)")
                continue
            }
            let actual = Model(.table(table))
            #expect(actual.matches(expected), "document \(n):\n\(text)\nexpected: \(expected)\nactual: \(actual)")
            // The bytes API agrees with the String API.
            let viaBytes = try TOML.parse(bytes: Array(text.utf8), file: "gen\(n).toml")
            #expect(Model(.table(viaBytes)).matches(actual))
            #expect(viaBytes.keys == table.keys && viaBytes.position == table.position)
            totalKeys += table.count
        }
        #expect(totalKeys > 400)
    }

    @Test func mutatedDocumentsParseOrThrow() {
        var generator = DocumentGenerator(rng: SplitMix64(seed: 77))
        var rng = SplitMix64(seed: 4242)
        let inserts: [[UInt8]] = ["[", "]", "[[", "{", "}", "\"", "'", "'''", "\"\"\"", "\\", "\n", "\r", "=", ".", ",", "#",
                                  "0x", "1e", "_", "-", ":", "T", "\u{0}", "é", "\\u"].map { Array($0.utf8) }
        var parsed = 0
        var rejected = 0
        for _ in 0..<150 {
            let original = Array(generator.document().text.utf8)
            for _ in 0..<12 {
                var bytes = original
                for _ in 0..<(1 + rng.below(3)) {
                    let at = bytes.isEmpty ? 0 : rng.below(bytes.count + 1)
                    switch rng.below(5) {
                    case 0 where at < bytes.count: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1 where at < bytes.count: bytes.remove(at: at)
                    case 2: bytes.insert(contentsOf: rng.pick(inserts), at: at)
                    case 3 where at < bytes.count:
                        let end = min(bytes.count, at + rng.below(20))
                        bytes.insert(contentsOf: bytes[at..<end], at: rng.below(bytes.count + 1))
                    default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                    }
                }
                do {
                    _ = try TOML.parse(bytes: bytes, file: "m.toml")
                    parsed += 1
                } catch {
                    rejected += 1
                    #expect(error.position.line >= 1 && error.position.column >= 1)
                    #expect(error.description.hasPrefix("m.toml:"))
                }
                // The repairing String API must not crash either.
                _ = try? TOML.parse(String(decoding: bytes, as: UTF8.self), file: "m.toml")
            }
        }
        // Mutations exercise both outcomes.
        #expect(parsed > 50)
        #expect(rejected > 50)
    }
}
