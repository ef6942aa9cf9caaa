// LevelText.swift — a level file as its text, edited in place (the scenario editor's writer).
//
// The editor changes a level by changing the bytes of the keys and tables it edits and keeping
// every other byte: comments, blank lines, the order of keys, `40_000_000` written with
// underscores. A level opened and saved unchanged is the same file, byte for byte. The text is
// scanned for where each table, key and value is (the TOML reader keeps where things start; the
// writer needs where they end too). The scanner expects text the TOML reader accepted.
public struct LevelText: Sendable, Equatable {
    public private(set) var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { bytes = Array(text.utf8) }
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Which table an edit is in: the file's top level, a `[table]`, or the n-th `[[table]]`.
    public enum Table: Sendable, Equatable {
        case root
        case named([String])
        case element([String], Int)
    }

    /// A `key = value` line: where the line starts, the value's bytes, and the end of its line
    /// (after the newline and any comment).
    struct Entry {
        var key: [String]
        var lineStart: Int
        var valueStart: Int
        var valueEnd: Int
        var lineEnd: Int
    }

    /// A `[header]` or `[[header]]` and the entries under it (the first section, without a
    /// header, is the file's top level). `end` is where the next header's line starts.
    struct Section {
        var path: [String]
        var isArray: Bool
        var arrayIndex: Int
        var headerStart: Int
        var headerEnd: Int
        var entries: [Entry]
        var end: Int
        /// The end of the last line that belongs to this section (comments and blank lines
        /// before the next header belong to the next header).
        var contentEnd: Int { entries.last?.lineEnd ?? headerEnd }
    }

    // MARK: - Edits

    /// Sets `key` in `table` to `literal` (a TOML value as written, e.g. `"text"`, `2030`,
    /// `{ value = 1.0, unit = "yuan", source = "…" }`): the old value's bytes are replaced; a
    /// new key goes on a line after the table's last key; a missing `[table]` is added at the end.
    public mutating func set(_ key: String, to literal: String, in table: Table) {
        let sections = scan()
        guard let index = sectionIndex(table, in: sections) else {
            guard case .named(let path) = table else { return }
            appendBlock("[\(path.map(LevelText.keyText).joined(separator: "."))]\n\(LevelText.keyText(key)) = \(literal)\n")
            return
        }
        let section = sections[index]
        if let entry = section.entries.first(where: { $0.key == [key] }) {
            replace(entry.valueStart..<entry.valueEnd, with: Array(literal.utf8))
            return
        }
        var at = section.contentEnd
        if index == 0 && section.entries.isEmpty {
            // A new top-level key goes before the first table (in TOML, after it would belong to it).
            at = sections.count > 1 ? sections[1].headerStart : bytes.count
        }
        var line = Array("\(LevelText.keyText(key)) = \(literal)\n".utf8)
        if at > 0 && bytes[at - 1] != UInt8(ascii: "\n") { line.insert(UInt8(ascii: "\n"), at: 0) }
        replace(at..<at, with: line)
    }

    /// Removes `key`'s line (with its comment) from `table`; nothing when it is not there.
    public mutating func remove(_ key: String, in table: Table) {
        let sections = scan()
        guard let index = sectionIndex(table, in: sections),
              let entry = sections[index].entries.first(where: { $0.key == [key] }) else { return }
        replace(entry.lineStart..<entry.lineEnd, with: [])
    }

    /// The `[[path]]` elements in the file.
    public func elementCount(_ path: [String]) -> Int {
        scan().filter { $0.isArray && $0.path == path }.count
    }

    /// Replaces the n-th `[[path]]` element, its sub-tables included, with `block` (which
    /// starts with its `[[path]]` line).
    public mutating func replaceElement(_ path: [String], _ n: Int, with block: String) {
        guard let range = elementRange(path, n) else { return }
        var body = Array(block.utf8)
        if body.last == UInt8(ascii: "\n") && range.upperBound > 0 && bytes[range.upperBound - 1] != UInt8(ascii: "\n") { body.removeLast() }
        replace(range, with: body)
    }

    /// Removes the n-th `[[path]]` element with its sub-tables (and one blank line before it).
    public mutating func removeElement(_ path: [String], _ n: Int) {
        guard var range = elementRange(path, n) else { return }
        if range.lowerBound >= 2 && bytes[range.lowerBound - 1] == UInt8(ascii: "\n") && bytes[range.lowerBound - 2] == UInt8(ascii: "\n") {
            range = (range.lowerBound - 1)..<range.upperBound
        }
        replace(range, with: [])
    }

    /// Adds a `[[path]]` element (`block` starts with its `[[path]]` line) after the last one,
    /// or at the end of the file.
    public mutating func appendElement(_ path: [String], block: String) {
        let count = elementCount(path)
        guard count > 0, let last = elementRange(path, count - 1) else {
            appendBlock(block)
            return
        }
        var text = Array(("\n" + block).utf8)
        if last.upperBound > 0 && bytes[last.upperBound - 1] != UInt8(ascii: "\n") { text.insert(UInt8(ascii: "\n"), at: 0) }
        replace(last.upperBound..<last.upperBound, with: text)
    }

    /// The bytes of the n-th `[[path]]` element with its sub-tables (from its header to the
    /// end of its last key's line).
    func elementRange(_ path: [String], _ n: Int) -> Range<Int>? {
        let sections = scan()
        guard let start = sections.firstIndex(where: { $0.isArray && $0.path == path && $0.arrayIndex == n }) else { return nil }
        var end = sections[start].contentEnd
        var next = start + 1
        while next < sections.count, sections[next].path.count > path.count, Array(sections[next].path.prefix(path.count)) == path {
            end = sections[next].contentEnd
            next += 1
        }
        return sections[start].headerStart..<end
    }

    mutating func appendBlock(_ block: String) {
        var text = Array(block.utf8)
        if !bytes.isEmpty {
            text.insert(UInt8(ascii: "\n"), at: 0)
            if bytes.last != UInt8(ascii: "\n") { text.insert(UInt8(ascii: "\n"), at: 0) }
        }
        replace(bytes.count..<bytes.count, with: text)
    }

    mutating func replace(_ range: Range<Int>, with replacement: [UInt8]) {
        bytes.replaceSubrange(range, with: replacement)
    }

    func sectionIndex(_ table: Table, in sections: [Section]) -> Int? {
        switch table {
        case .root: return 0
        case .named(let path): return sections.firstIndex { !$0.isArray && $0.path == path }
        case .element(let path, let n): return sections.firstIndex { $0.isArray && $0.path == path && $0.arrayIndex == n }
        }
    }

    // MARK: - Literals

    /// A key as TOML writes it: bare when it can be, else quoted.
    public static func keyText(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy { $0.isASCII && (isBareKey(UInt8($0.value))) }
        return bare ? key : string(key)
    }

    /// A basic string, escaped as every TOML the game writes escapes it (`HeadlessRun.quote`).
    public static func string(_ text: String) -> String { HeadlessRun.quote(text) }

    /// A number: whole numbers as integers, others in Swift's shortest round-trip form (which TOML reads back exactly).
    public static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    public static func list(_ names: [String]) -> String {
        "[" + names.map(string).joined(separator: ", ") + "]"
    }

    // MARK: - The scanner

    static func isBareKey(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }

    func scan() -> [Section] {
        var sections = [Section(path: [], isArray: false, arrayIndex: 0, headerStart: 0, headerEnd: 0, entries: [], end: 0)]
        var arrayCounts: [[String]: Int] = [:]
        var i = 0
        let n = bytes.count
        while i < n {
            let lineStart = i
            skipSpaces(&i)
            guard i < n else { break }
            let c = bytes[i]
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { i += 1; continue }
            if c == UInt8(ascii: "#") { skipLine(&i); continue }
            if c == UInt8(ascii: "[") {
                let isArray = i + 1 < n && bytes[i + 1] == UInt8(ascii: "[")
                i += isArray ? 2 : 1
                let path = readKey(&i)
                skipLine(&i)
                sections[sections.count - 1].end = lineStart
                let index = isArray ? arrayCounts[path, default: 0] : 0
                if isArray { arrayCounts[path] = index + 1 }
                sections.append(Section(path: path, isArray: isArray, arrayIndex: index, headerStart: lineStart, headerEnd: i, entries: [], end: n))
                continue
            }
            let key = readKey(&i)
            skipSpaces(&i)
            if i < n && bytes[i] == UInt8(ascii: "=") { i += 1 }
            skipSpaces(&i)
            let valueStart = i
            skipValue(&i)
            let valueEnd = i
            skipLine(&i)
            sections[sections.count - 1].entries.append(Entry(key: key, lineStart: lineStart, valueStart: valueStart, valueEnd: valueEnd, lineEnd: i))
        }
        sections[sections.count - 1].end = n
        return sections
    }

    func skipSpaces(_ i: inout Int) {
        while i < bytes.count && (bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t")) { i += 1 }
    }

    /// To just after the end of the line (its comment included).
    func skipLine(_ i: inout Int) {
        while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
        if i < bytes.count { i += 1 }
    }

    /// A dotted key (or a header's path), up to `=` or `]`; quoted parts are unescaped.
    func readKey(_ i: inout Int) -> [String] {
        var parts: [String] = []
        while i < bytes.count {
            skipSpaces(&i)
            guard i < bytes.count else { break }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let start = i
                skipString(&i)
                parts.append(LevelText.unquote(Array(bytes[start..<i])))
            } else if LevelText.isBareKey(c) {
                let start = i
                while i < bytes.count && LevelText.isBareKey(bytes[i]) { i += 1 }
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
            } else {
                break
            }
            skipSpaces(&i)
            if i < bytes.count && bytes[i] == UInt8(ascii: ".") { i += 1 } else { break }
        }
        return parts
    }

    static func unquote(_ quoted: [UInt8]) -> String {
        guard quoted.count >= 2 else { return "" }
        let inner = Array(quoted[1..<(quoted.count - 1)])
        guard quoted[0] == UInt8(ascii: "\"") else { return String(decoding: inner, as: UTF8.self) }
        var out: [UInt8] = []
        var i = 0
        while i < inner.count {
            if inner[i] == UInt8(ascii: "\\"), i + 1 < inner.count {
                switch inner[i + 1] {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                default: out.append(inner[i + 1])
                }
                i += 2
            } else {
                out.append(inner[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Past one string of any of TOML's four kinds.
    func skipString(_ i: inout Int) {
        let n = bytes.count
        let quote = bytes[i]
        let escapes = quote == UInt8(ascii: "\"")
        if i + 2 < n && bytes[i + 1] == quote && bytes[i + 2] == quote {
            i += 3
            while i < n {
                if escapes && bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                if bytes[i] == quote && i + 2 < n && bytes[i + 1] == quote && bytes[i + 2] == quote {
                    i += 3
                    // Up to two more quotes belong to the string's content.
                    var extra = 0
                    while i < n && bytes[i] == quote && extra < 2 { i += 1; extra += 1 }
                    return
                }
                i += 1
            }
            i = min(i, n)
            return
        }
        i += 1
        while i < n {
            if escapes && bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
            if bytes[i] == quote { i += 1; return }
            if bytes[i] == UInt8(ascii: "\n") { return }
            i += 1
        }
        i = min(i, n)
    }

    /// Past one value: a string, an array or inline table (nested, with comments inside
    /// arrays), or a number, boolean or date.
    func skipValue(_ i: inout Int) {
        let n = bytes.count
        guard i < n else { return }
        let c = bytes[i]
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { skipString(&i); return }
        if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
            var depth = 0
            while i < n {
                let d = bytes[i]
                if d == UInt8(ascii: "[") || d == UInt8(ascii: "{") {
                    depth += 1
                    i += 1
                } else if d == UInt8(ascii: "]") || d == UInt8(ascii: "}") {
                    depth -= 1
                    i += 1
                    if depth == 0 { return }
                } else if d == UInt8(ascii: "\"") || d == UInt8(ascii: "'") {
                    skipString(&i)
                } else if d == UInt8(ascii: "#") {
                    while i < n && bytes[i] != UInt8(ascii: "\n") { i += 1 }
                } else {
                    i += 1
                }
            }
            return
        }
        while i < n {
            let d = bytes[i]
            if d == UInt8(ascii: " ") || d == UInt8(ascii: "\t") {
                // A date and time may be separated by one space: "1979-05-27 07:32:00".
                if i + 1 < n, bytes[i + 1] >= 0x30, bytes[i + 1] <= 0x39, looksLikeDate(before: i) {
                    i += 1
                    continue
                }
                return
            }
            if d == UInt8(ascii: "\n") || d == UInt8(ascii: "\r") || d == UInt8(ascii: "#") || d == UInt8(ascii: ",")
                || d == UInt8(ascii: "]") || d == UInt8(ascii: "}") { return }
            i += 1
        }
    }

    /// Whether the token ending at `i` is a date `YYYY-MM-DD`.
    func looksLikeDate(before i: Int) -> Bool {
        guard i >= 10 else { return false }
        let token = bytes[(i - 10)..<i]
        return token[token.startIndex + 4] == UInt8(ascii: "-") && token[token.startIndex + 7] == UInt8(ascii: "-")
    }
}
