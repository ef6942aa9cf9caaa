// Hand-written TOML 1.0 reader: entry points, keys, strings, numbers, date-times,
// arrays and inline tables. It walks an array of Unicode scalars with an integer
// cursor (linear time), parses nested arrays/inline tables with an explicit stack
// (no recursion) and bounds nesting by `TOML.maxNestingDepth`.

public enum TOML {
    /// Deepest allowed nesting of tables, arrays and inline tables.
    public static let maxNestingDepth = 128

    /// Parses TOML text. `file` is only used in error messages.
    public static func parse(_ text: String, file: String) throws(TOMLError) -> TOMLTable {
        var parser = Parser(scalars: Input.scalars(of: text), file: file)
        return try parser.parseDocument()
    }

    /// Parses raw file contents, rejecting invalid UTF-8 and NUL bytes with a
    /// positioned error. A leading UTF-8 byte-order mark is ignored.
    public static func parse(bytes: [UInt8], file: String) throws(TOMLError) -> TOMLTable {
        let scalars = try Input.decodeUTF8(bytes, file: file)
        var parser = Parser(scalars: scalars, file: file)
        return try parser.parseDocument()
    }
}

/// One part of a (possibly dotted) key, with the index where it starts.
struct KeySegment {
    var name: String
    var index: Int
}

struct Parser {
    let s: [Unicode.Scalar]
    let file: String
    /// Index of the first scalar of every line.
    let lineStarts: [Int]
    var i = 0

    init(scalars: [Unicode.Scalar], file: String) {
        self.s = scalars
        self.file = file
        var starts = [0]
        for (k, c) in scalars.enumerated() where c == "\n" { starts.append(k + 1) }
        self.lineStarts = starts
    }

    // MARK: - Positions and errors

    func position(_ index: Int) -> SourcePosition {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return SourcePosition(line: lo + 1, column: index - lineStarts[lo] + 1)
    }

    func error(_ message: String, at index: Int) -> TOMLError {
        TOMLError(file: file, position: position(index), message: message)
    }

    func error(_ message: String, at position: SourcePosition) -> TOMLError {
        TOMLError(file: file, position: position, message: message)
    }

    // MARK: - Character helpers

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let j = i + offset
        return j < s.count ? s[j] : nil
    }

    static func isBare(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }

    static func isDigit(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c >= "0" && c <= "9"
    }

    static func isHex(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "0"..."9", "a"..."f", "A"..."F": return true
        default: return false
        }
    }

    /// Control characters TOML forbids in strings and comments (tab is handled by callers).
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || c.value == 0x7F
    }

    static func hex4(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A readable name for a character in error messages.
    static func describe(_ c: Unicode.Scalar?) -> String {
        guard let c else { return "end of file" }
        switch c {
        case "\n": return "end of line"
        case "\r": return "carriage return"
        case "\t": return "tab"
        case " ": return "space"
        default:
            if isControl(c) { return "control character U+\(hex4(c.value))" }
            if c.value < 0x80 { return "'\(c)'" }
            return "'\(c)' (U+\(hex4(c.value)))"
        }
    }

    func text(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[range])
        return String(view)
    }

    /// Shortens text quoted in an error message to at most about 60 characters.
    static func short(_ text: String) -> String {
        var count = 0
        for index in text.indices {
            count += 1
            if count > 60 { return String(text[..<index]) + "..." }
        }
        return text
    }

    /// A key as a user would write it, quoting segments that are not bare (shortened if very long).
    static func display(_ segments: ArraySlice<KeySegment>) -> String {
        short(segments.map { quoteIfNeeded($0.name) }.joined(separator: "."))
    }

    static func display(_ segments: [KeySegment]) -> String { display(segments[...]) }

    static func quoteIfNeeded(_ name: String) -> String {
        if !name.isEmpty && name.unicodeScalars.allSatisfy(isBare) { return name }
        var out = "\""
        for c in name.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if isControl(c) { out += "\\u\(hex4(c.value))" } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }

    // MARK: - Whitespace, comments, line ends

    mutating func skipWhitespace() {
        while let c = peek(), c == " " || c == "\t" { i += 1 }
    }

    /// At `#`: skips the comment up to (not including) the end of the line.
    mutating func skipComment() throws(TOMLError) {
        i += 1
        while let c = peek(), c != "\n" {
            if c == "\r" {
                if peek(1) == "\n" { return }
                throw error("a carriage return must be followed by a line feed", at: i)
            }
            if c != "\t" && Parser.isControl(c) {
                throw error("\(Parser.describe(c)) is not allowed in a comment", at: i)
            }
            i += 1
        }
    }

    /// Consumes a line end (LF or CRLF) if one is next. Returns false otherwise.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        if peek() == "\n" {
            i += 1
            return true
        }
        if peek() == "\r" {
            guard peek(1) == "\n" else {
                throw error("a carriage return must be followed by a line feed", at: i)
            }
            i += 2
            return true
        }
        return false
    }

    /// After a key/value pair or a header: only whitespace and a comment may follow on the line.
    mutating func expectLineEnd(after what: String) throws(TOMLError) {
        skipWhitespace()
        if peek() == "#" { try skipComment() }
        if i >= s.count { return }
        if try consumeNewline() { return }
        var message = "unexpected \(Parser.describe(peek())) after \(what); each entry must be on its own line"
        if peek() == "," {
            message += " (write large numbers as 1000 or 1_000, and lists as arrays like [1, 2])"
        }
        throw error(message, at: i)
    }

    /// Skips whitespace, line ends and comments (inside arrays).
    mutating func skipBlank() throws(TOMLError) {
        while true {
            skipWhitespace()
            if peek() == "#" {
                try skipComment()
            } else if !(try consumeNewline()) {
                return
            }
        }
    }

    // MARK: - Document

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        let root = MTable(origin: .root, position: SourcePosition(line: 1, column: 1), keyPosition: nil, depth: 0)
        var current = root
        while true {
            skipWhitespace()
            guard let c = peek() else { break }
            if try consumeNewline() { continue }
            if c == "#" {
                try skipComment()
                continue
            }
            if c == "[" {
                current = try parseHeader(root: root)
                try expectLineEnd(after: "the table header")
            } else if Parser.isBare(c) || c == "\"" || c == "'" {
                try parseKeyValue(into: current)
                try expectLineEnd(after: "the value")
            } else if c == "=" {
                throw error("missing key before '='", at: i)
            } else {
                throw error("unexpected \(Parser.describe(c)); expected a key, a [table] header or a comment", at: i)
            }
        }
        return root.freeze()
    }

    mutating func parseHeader(root: MTable) throws(TOMLError) -> MTable {
        let start = i
        i += 1
        let isArray = peek() == "["
        if isArray { i += 1 }
        skipWhitespace()
        if peek() == "]" {
            throw error("empty table header; write a name, like [buildings]", at: i)
        }
        let key = try parseKey()
        skipWhitespace()
        guard peek() == "]" else {
            throw error("expected '\(isArray ? "]]" : "]")' to close the table header, found \(Parser.describe(peek()))", at: i)
        }
        i += 1
        if isArray {
            guard peek() == "]" else {
                throw error("expected ']]' to close the array-of-tables header, found \(Parser.describe(peek()))", at: i)
            }
            i += 1
        }
        if isArray {
            return try openArrayTable(root: root, path: key, headerIndex: start)
        }
        return try openTable(root: root, path: key, headerIndex: start)
    }

    /// `key = value` in the current [section] (inline tables are handled by `parseContainer`).
    mutating func parseKeyValue(into table: MTable) throws(TOMLError) {
        let key = try parseKey()
        try expectEquals(after: key)
        skipWhitespace()
        let target = try resolveDottedKey(in: table, key: key)
        let value = try parseValue(parentDepth: target.depth)
        guard let last = key.last else { return }
        target.insertValue(value, key: last.name, keyPosition: position(last.index))
    }

    /// After a key: skips blanks, then consumes '=' or reports what is there instead.
    mutating func expectEquals(after key: [KeySegment]) throws(TOMLError) {
        skipWhitespace()
        guard peek() == "=" else {
            var message = "expected '=' after key '\(Parser.display(key))', found \(Parser.describe(peek()))"
            if let c = peek(), Parser.isBare(c), i > 0, s[i - 1] == " " || s[i - 1] == "\t" {
                message += " (if the key contains spaces, put it in quotes, like \"solar panel\" = 1)"
            }
            throw error(message, at: i)
        }
        i += 1
    }

    // MARK: - Keys

    mutating func parseKey() throws(TOMLError) -> [KeySegment] {
        var segments: [KeySegment] = []
        while true {
            skipWhitespace()
            let start = i
            guard let c = peek() else {
                throw error("expected a key, found end of file", at: i)
            }
            let name: String
            if c == "\"" {
                if peek(1) == "\"" && peek(2) == "\"" {
                    throw error("a multi-line string cannot be used as a key", at: i)
                }
                name = try parseBasicString()
            } else if c == "'" {
                if peek(1) == "'" && peek(2) == "'" {
                    throw error("a multi-line string cannot be used as a key", at: i)
                }
                name = try parseLiteralString()
            } else if Parser.isBare(c) {
                while let d = peek(), Parser.isBare(d) { i += 1 }
                name = text(start..<i)
            } else {
                let what = segments.isEmpty ? "expected a key" : "expected a key after '.'"
                throw error("\(what), found \(Parser.describe(c)) (keys use letters, digits, '_' and '-', or quotes)", at: i)
            }
            segments.append(KeySegment(name: name, index: start))
            skipWhitespace()
            if peek() == "." {
                i += 1
            } else {
                return segments
            }
        }
    }

    // MARK: - Values

    /// Any value. Arrays and inline tables go to the iterative `parseContainer`.
    mutating func parseValue(parentDepth: Int) throws(TOMLError) -> TOMLNode {
        if peek() == "[" || peek() == "{" {
            return try parseContainer(depth: parentDepth + 1)
        }
        return try parseScalar()
    }

    /// A value that is not an array or inline table.
    mutating func parseScalar() throws(TOMLError) -> TOMLNode {
        let start = i
        let pos = position(start)
        guard let c = peek() else {
            throw error("expected a value, found end of file", at: i)
        }
        let value: TOMLValue
        switch c {
        case "\"":
            if peek(1) == "\"" && peek(2) == "\"" {
                value = .string(try parseMultilineBasicString())
            } else {
                value = .string(try parseBasicString())
            }
        case "'":
            if peek(1) == "'" && peek(2) == "'" {
                value = .string(try parseMultilineLiteralString())
            } else {
                value = .string(try parseLiteralString())
            }
        case "0"..."9":
            if (Parser.isDigit(peek(1)) && Parser.isDigit(peek(2)) && Parser.isDigit(peek(3)) && peek(4) == "-")
                || (Parser.isDigit(peek(1)) && peek(2) == ":") {
                value = .datetime(try parseDateTime())
            } else {
                value = try parseNumber()
            }
        case "+", "-", ".":
            value = try parseNumber()
        case "a"..."z", "A"..."Z", "_":
            value = try parseWord()
        case "\n", "\r", "#":
            throw error("expected a value, found \(c == "#" ? "a comment" : "end of line")", at: i)
        default:
            throw error("expected a value, found \(Parser.describe(c))", at: i)
        }
        return TOMLNode(value: value, position: pos)
    }

    /// Characters that can continue a number, boolean or special float token.
    static func isTokenChar(_ c: Unicode.Scalar) -> Bool {
        isBare(c) || c == "." || c == "+" || c == ":"
    }

    mutating func scanToken() -> (start: Int, text: String) {
        let start = i
        while let c = peek(), Parser.isTokenChar(c) { i += 1 }
        return (start, text(start..<i))
    }

    /// true, false, inf, nan, or an unquoted word (an error with a hint).
    mutating func parseWord() throws(TOMLError) -> TOMLValue {
        let (start, fullWord) = scanToken()
        let word = Parser.short(fullWord)
        switch fullWord {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf": return .float(.infinity)
        case "nan": return .float(.nan)
        case "True", "TRUE", "False", "FALSE":
            throw error("invalid value '\(word)': booleans are written in lowercase, true or false", at: start)
        default:
            throw error("invalid value '\(word)': text must be in quotes, like \"\(word)\"", at: start)
        }
    }

    // MARK: Strings

    /// `"..."` with escapes, on one line.
    mutating func parseBasicString() throws(TOMLError) -> String {
        let open = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw error("unterminated string: missing closing '\"'", at: open)
            }
            switch c {
            case "\"":
                i += 1
                return String(out)
            case "\\":
                out.append(try parseEscape())
            case "\n", "\r":
                throw error("unterminated string: missing closing '\"' before the end of the line (use \"\"\" for multi-line strings)", at: open)
            default:
                if c != "\t" && Parser.isControl(c) {
                    throw error("\(Parser.describe(c)) is not allowed in a string; write it as \\u\(Parser.hex4(c.value))", at: i)
                }
                out.append(c)
                i += 1
            }
        }
    }

    /// At a backslash: reads one escape sequence and returns its character.
    mutating func parseEscape() throws(TOMLError) -> Unicode.Scalar {
        let backslash = i
        i += 1
        guard let e = peek() else {
            throw error("unterminated string: the file ends after '\\'", at: backslash)
        }
        i += 1
        switch e {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let count = e == "u" ? 4 : 8
            var v: UInt32 = 0
            for k in 0..<count {
                guard let h = peek(), Parser.isHex(h) else {
                    throw error("invalid escape \\\(e): expected \(count) hexadecimal digits, found \(Parser.describe(peek())) after \(k)", at: backslash)
                }
                v = v &* 16 &+ hexValue(h)
                i += 1
            }
            guard let scalar = Unicode.Scalar(v) else {
                throw error("invalid escape \\\(e)\(text((backslash + 2)..<i)): not a valid Unicode character", at: backslash)
            }
            return scalar
        default:
            if e == "\n" || e == "\r" || e == " " || e == "\t" {
                throw error("invalid escape: a backslash followed by \(Parser.describe(e)) is only allowed at the end of a line in a \"\"\" multi-line string", at: backslash)
            }
            throw error("invalid escape \\\(e) (valid escapes: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)", at: backslash)
        }
    }

    func hexValue(_ h: Unicode.Scalar) -> UInt32 {
        switch h {
        case "0"..."9": return h.value - 48
        case "a"..."f": return h.value - 97 + 10
        default: return h.value - 65 + 10
        }
    }

    /// `'...'`, no escapes, on one line.
    mutating func parseLiteralString() throws(TOMLError) -> String {
        let open = i
        i += 1
        let start = i
        while true {
            guard let c = peek() else {
                throw error("unterminated string: missing closing \"'\"", at: open)
            }
            if c == "'" {
                let result = text(start..<i)
                i += 1
                return result
            }
            if c == "\n" || c == "\r" {
                throw error("unterminated string: missing closing \"'\" before the end of the line (use ''' for multi-line strings)", at: open)
            }
            if c != "\t" && Parser.isControl(c) {
                throw error("\(Parser.describe(c)) is not allowed in a string", at: i)
            }
            i += 1
        }
    }

    /// `"""..."""`: escapes, line-ending backslash, newline after the opening quotes trimmed.
    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        try parseMultilineString(quote: "\"", escapes: true)
    }

    /// `'''...'''`: raw text, newline after the opening quotes trimmed.
    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        try parseMultilineString(quote: "'", escapes: false)
    }

    /// The two multi-line forms: `quote` is `"` or `'`; only basic strings have escapes and
    /// line-ending backslashes.
    mutating func parseMultilineString(quote: Unicode.Scalar, escapes: Bool) throws(TOMLError) -> String {
        let open = i
        let (q, closing) = quote == "\"" ? ("'\"'", "'\"\"\"'") : ("\"'\"", "\"'''\"")
        i += 3
        _ = try consumeNewline()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else {
                throw error("unterminated multi-line string: missing closing \(closing)", at: open)
            }
            switch c {
            case quote:
                var run = 0
                while peek() == quote {
                    run += 1
                    i += 1
                }
                if run >= 3 {
                    if run > 5 {
                        throw error("too many quotes: at most two \(q) may come right before the closing \(closing)", at: i - run)
                    }
                    for _ in 0..<(run - 3) { out.append(quote) }
                    return String(out)
                }
                for _ in 0..<run { out.append(quote) }
            case "\\" where escapes:
                // Line-ending backslash: skip whitespace to the line end, then all blank space.
                var j = i + 1
                while j < s.count, s[j] == " " || s[j] == "\t" { j += 1 }
                if j < s.count, s[j] == "\n" || (s[j] == "\r" && j + 1 < s.count && s[j + 1] == "\n") {
                    i = j
                    while true {
                        skipWhitespace()
                        if !(try consumeNewline()) { break }
                    }
                } else {
                    out.append(try parseEscape())
                }
            case "\n":
                out.append("\n")
                i += 1
            case "\r":
                guard peek(1) == "\n" else {
                    throw error("a carriage return must be followed by a line feed", at: i)
                }
                out.append("\n")
                i += 2
            default:
                if c != "\t" && Parser.isControl(c) {
                    throw error(escapes ? "\(Parser.describe(c)) is not allowed in a string; write it as \\u\(Parser.hex4(c.value))"
                                        : "\(Parser.describe(c)) is not allowed in a string", at: i)
                }
                out.append(c)
                i += 1
            }
        }
    }

    // MARK: Numbers

    mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let (start, fullToken) = scanToken()
        if fullToken.isEmpty {
            throw error("expected a value, found \(Parser.describe(peek()))", at: start)
        }
        let t = Array(fullToken.utf8)   // token characters are all ASCII
        var token: String { Parser.short(fullToken) }
        func bad(_ why: String) -> TOMLError {
            error("invalid number '\(token)': \(why)", at: start)
        }
        var j = 0
        var negative = false
        let signed = t[0] == UInt8(ascii: "+") || t[0] == UInt8(ascii: "-")
        if signed {
            negative = t[0] == UInt8(ascii: "-")
            j = 1
        }
        let body = t[j...]
        if body.elementsEqual("inf".utf8) { return .float(negative ? -.infinity : .infinity) }
        if body.elementsEqual("nan".utf8) { return .float(negative ? -.nan : .nan) }
        guard let first = body.first else { throw bad("a sign must be followed by digits") }
        if first == UInt8(ascii: ".") { throw bad("a decimal point must have digits on both sides, like 0.5") }

        // Hexadecimal, octal, binary.
        var radix: Int64 = 10
        if body.count >= 2, first == UInt8(ascii: "0") {
            switch body[body.startIndex + 1] {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: break
            }
        }
        if radix != 10 {
            if signed { throw bad("'+' and '-' are not allowed on hexadecimal, octal or binary numbers") }
            let digits = try checkDigits(body.dropFirst(2), radix: Int(radix), bad: bad)
            var v: Int64 = 0
            for d in digits {
                let (m, o1) = v.multipliedReportingOverflow(by: radix)
                let (a, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { throw error("integer '\(token)' is too large (the largest is 9223372036854775807)", at: start) }
                v = a
            }
            return .integer(v)
        }

        let isFloat = body.contains(UInt8(ascii: ".")) || body.contains(UInt8(ascii: "e")) || body.contains(UInt8(ascii: "E"))
        if !isFloat {
            let digits = try checkDigits(body, radix: 10, bad: bad)
            if digits.count > 1 && digits[0] == 0 { throw bad("leading zeros are not allowed") }
            var v: Int64 = 0
            for d in digits {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
                if o1 || o2 {
                    throw error("integer '\(token)' is out of range (it must be between -9223372036854775808 and 9223372036854775807)", at: start)
                }
                v = a
            }
            return .integer(v)
        }

        // Float: int-part [ '.' frac ] [ e [sign] exp ]
        var mantissa = body[...]
        var exponent: ArraySlice<UInt8>? = nil
        if let e = body.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            mantissa = body[body.startIndex..<e]
            exponent = body[(e + 1)...]
        }
        var intPart = mantissa
        var fracPart: ArraySlice<UInt8>? = nil
        if let dot = mantissa.firstIndex(of: UInt8(ascii: ".")) {
            intPart = mantissa[mantissa.startIndex..<dot]
            fracPart = mantissa[(dot + 1)...]
        }
        var clean = negative ? "-" : ""
        let intDigits = try checkDigits(intPart, radix: 10, bad: bad)
        if intDigits.count > 1 && intDigits[0] == 0 { throw bad("leading zeros are not allowed") }
        clean += Parser.digitString(intDigits)
        if let fracPart {
            if fracPart.isEmpty { throw bad("a decimal point must have digits on both sides, like 1.0") }
            clean += "." + Parser.digitString(try checkDigits(fracPart, radix: 10, bad: bad))
        }
        if var exponent {
            clean += "e"
            if let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                if sign == UInt8(ascii: "-") { clean += "-" }
                exponent = exponent.dropFirst()
            }
            if exponent.isEmpty { throw bad("the exponent needs digits, like 1e6") }
            clean += Parser.digitString(try checkDigits(exponent, radix: 10, bad: bad))
        }
        guard let d = Double(clean) else { throw bad("not a valid float") }
        if !d.isFinite { throw error("float '\(token)' is out of range", at: start) }
        return .float(d)
    }

    static func digitString(_ digits: [Int]) -> String {
        String(decoding: digits.map { UInt8(48 + $0) }, as: UTF8.self)
    }

    /// Digit values of `part`, checking that it is non-empty and that every '_' sits between two digits.
    func checkDigits(_ part: ArraySlice<UInt8>, radix: Int, bad: (String) -> TOMLError) throws(TOMLError) -> [Int] {
        if part.isEmpty { throw bad("digits are missing") }
        var digits: [Int] = []
        digits.reserveCapacity(part.count)
        var previousWasDigit = false
        for b in part {
            if b == UInt8(ascii: "_") {
                if !previousWasDigit { throw bad("an underscore must be between two digits") }
                previousWasDigit = false
                continue
            }
            let v: Int
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = Int(b) - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = Int(b) - 97 + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = Int(b) - 65 + 10
            default: v = Int.max
            }
            if v >= radix {
                let kind: String
                switch radix {
                case 16: kind = "a hexadecimal digit"
                case 8: kind = "an octal digit"
                case 2: kind = "a binary digit"
                default: kind = "a digit"
                }
                throw bad("'\(Unicode.Scalar(b))' is not \(kind)")
            }
            digits.append(v)
            previousWasDigit = true
        }
        if !previousWasDigit { throw bad("an underscore must be between two digits") }
        return digits
    }

    // MARK: Date-times

    /// Offset date-time, local date-time, local date or local time; returns the text as written.
    mutating func parseDateTime() throws(TOMLError) -> String {
        let start = i
        func bad(_ why: String) -> TOMLError {
            var j = start
            while j < s.count, Parser.isTokenChar(s[j]) { j += 1 }
            return error("invalid date-time '\(Parser.short(text(start..<max(j, i))))': \(why)", at: start)
        }
        func number(_ count: Int, _ what: String) throws(TOMLError) -> Int {
            var v = 0
            for _ in 0..<count {
                guard let c = peek(), Parser.isDigit(c) else { throw bad("expected \(count) digits for the \(what)") }
                v = v * 10 + Int(c.value - 48)
                i += 1
            }
            return v
        }
        func expect(_ c: Unicode.Scalar, _ why: String) throws(TOMLError) {
            guard peek() == c else { throw bad(why) }
            i += 1
        }
        var hasDate = false
        if peek(4) == "-" {
            hasDate = true
            let year = try number(4, "year")
            try expect("-", "expected '-' after the year (YYYY-MM-DD)")
            let month = try number(2, "month")
            try expect("-", "expected '-' after the month (YYYY-MM-DD)")
            let day = try number(2, "day")
            guard (1...12).contains(month) else { throw bad("the month must be 01 to 12") }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            guard (1...days).contains(day) else { throw bad("day \(day) does not exist in that month") }
            let spaceTime = peek() == " " && Parser.isDigit(peek(1)) && Parser.isDigit(peek(2)) && peek(3) == ":"
            guard peek() == "T" || peek() == "t" || spaceTime else {
                try checkEnd(bad)
                return text(start..<i)
            }
            i += 1
        }
        let hour = try number(2, "hour")
        try expect(":", "expected ':' after the hour (HH:MM:SS)")
        let minute = try number(2, "minute")
        try expect(":", "expected ':' and seconds after the minute (HH:MM:SS)")
        let second = try number(2, "second")
        guard hour < 24 else { throw bad("the hour must be 00 to 23") }
        guard minute < 60 else { throw bad("the minute must be 00 to 59") }
        guard second <= 60 else { throw bad("the second must be 00 to 60") }
        if peek() == "." {
            i += 1
            guard Parser.isDigit(peek()) else { throw bad("expected digits after '.' in the seconds") }
            while Parser.isDigit(peek()) { i += 1 }
        }
        if hasDate {
            if peek() == "Z" || peek() == "z" {
                i += 1
            } else if peek() == "+" || peek() == "-" {
                i += 1
                let oh = try number(2, "offset hour")
                try expect(":", "expected ':' in the time zone offset (+HH:MM)")
                let om = try number(2, "offset minute")
                guard oh < 24, om < 60 else { throw bad("the time zone offset is out of range") }
            }
        }
        try checkEnd(bad)
        return text(start..<i)
    }

    func checkEnd(_ bad: (String) -> TOMLError) throws(TOMLError) {
        if let c = peek(), Parser.isTokenChar(c) {
            throw bad("unexpected \(Parser.describe(c))")
        }
    }

    // MARK: Arrays and inline tables

    /// An array or inline table being parsed by `parseContainer`.
    struct Frame {
        enum State { case start, afterComma, afterValue }
        let isArray: Bool
        let open: Int
        let depth: Int
        var state = State.start
        var items: [TOMLNode] = []
        /// Inline tables: the table, and where the value being parsed will go.
        var table: MTable?
        var target: MTable?
        var key: KeySegment?
    }

    /// At `[` or `{`: opens a container at nesting level `depth`.
    mutating func openFrame(_ stack: inout [Frame], depth: Int) throws(TOMLError) {
        if depth > TOML.maxNestingDepth { throw tooDeep(at: i) }
        let isArray = peek() == "["
        let table = isArray ? nil : MTable(origin: .inline, position: position(i), keyPosition: nil, depth: depth)
        stack.append(Frame(isArray: isArray, open: i, depth: depth, table: table))
        i += 1
    }

    /// Arrays and inline tables, nested to any allowed depth. Iterative (an explicit
    /// stack of frames instead of recursion) so that deep nesting needs no call stack.
    mutating func parseContainer(depth: Int) throws(TOMLError) -> TOMLNode {
        var stack: [Frame] = []
        try openFrame(&stack, depth: depth)
        var finished: TOMLNode? = nil
        while true {
            let top = stack.count - 1
            if let value = finished {
                finished = nil
                if top < 0 { return value }
                if stack[top].isArray {
                    stack[top].items.append(value)
                } else if let target = stack[top].target, let key = stack[top].key {
                    target.insertValue(value, key: key.name, keyPosition: position(key.index))
                }
                stack[top].state = .afterValue
                continue
            }
            let frame = stack[top]
            if frame.isArray {
                try skipBlank()
                guard let c = peek() else {
                    throw error("unterminated array: missing ']' for the '[' at \(position(frame.open))", at: i)
                }
                if frame.state == .afterValue {
                    if c == "," {
                        i += 1
                        stack[top].state = .afterComma
                        continue
                    }
                    if c != "]" {
                        throw error("expected ',' or ']' after an array element, found \(Parser.describe(c))", at: i)
                    }
                }
                if c == "]" {
                    i += 1
                    finished = TOMLNode(value: .array(frame.items), position: position(frame.open))
                    stack.removeLast()
                } else if c == "," {
                    throw error(frame.items.isEmpty ? "expected a value before ','" : "expected a value between the commas", at: i)
                } else if c == "[" || c == "{" {
                    try openFrame(&stack, depth: frame.depth + 1)
                } else {
                    finished = try parseScalar()
                }
                continue
            }
            // Inline table: { key = value, ... } on one line.
            skipWhitespace()
            switch frame.state {
            case .start where peek() == "}", .afterValue where peek() == "}":
                i += 1
                if let table = frame.table {
                    finished = TOMLNode(value: .table(table.freeze()), position: position(frame.open))
                }
                stack.removeLast()
                continue
            case .afterValue:
                guard peek() == "," else { throw inlineTableError(open: frame.open) }
                i += 1
                skipWhitespace()
                if peek() == "}" {
                    throw error("a trailing comma is not allowed at the end of an inline table", at: i)
                }
                stack[top].state = .afterComma
                continue
            case .start, .afterComma:
                break
            }
            guard let c = peek(), Parser.isBare(c) || c == "\"" || c == "'" else {
                if peek() == "}" || peek() == "," {
                    throw error("expected a key in the inline table, found \(Parser.describe(peek()))", at: i)
                }
                throw inlineTableError(open: frame.open)
            }
            let key = try parseKey()
            try expectEquals(after: key)
            skipWhitespace()
            guard let table = frame.table else { continue }
            let target = try resolveDottedKey(in: table, key: key)
            stack[top].target = target
            stack[top].key = key.last
            if peek() == "[" || peek() == "{" {
                try openFrame(&stack, depth: target.depth + 1)
            } else {
                finished = try parseScalar()
            }
        }
    }

    /// The error for an unexpected character where an inline table needs ',' or '}'.
    func inlineTableError(open: Int) -> TOMLError {
        switch peek() {
        case nil:
            return error("unterminated inline table: missing '}' for the '{' at \(position(open))", at: i)
        case "\n", "\r":
            return error("an inline table { ... } must be on a single line; use a [table] section for longer tables", at: i)
        case "#":
            return error("comments are not allowed inside an inline table { ... }", at: i)
        default:
            return error("expected ',' or '}' in the inline table, found \(Parser.describe(peek()))", at: i)
        }
    }
}
