// Save files: the global table `state` written as a Lua table constructor with sorted keys
// (the same text for the same data, in any process) and read back by a parser of that data
// syntax alone — never evaluated as Lua — within the budget and the memory cap.

import CLua

extension LuaSandbox {
    /// The global table `state` as deterministic text: a Lua table constructor, keys sorted
    /// (numbers, strings bytewise, false, true), two-space indentation. Values that cannot be
    /// saved — functions, cycles, tables nested deeper than 32, keys that are not numbers,
    /// strings or booleans — are left out, each noted by a "-- skipped" comment line.
    public func saveState() -> String {
        var writer = StateWriter()
        var out: [UInt8] = []
        let type = pushGlobal("state")
        if type == LUA_TTABLE {
            writer.writeTable(state, at: lua_gettop(state), indent: 0, into: &out)
        } else {
            out.append(contentsOf: "-- skipped: global 'state' is a \(String(cString: lua_typename(state, type))), not a table\n{}".utf8)
        }
        nz_lua_pop(state, 1)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Replaces the contents of `state` with the data in `text` (as written by `saveState`).
    /// The text is read as data, never run as code: a parser accepts only a table constructor
    /// of numbers, strings, booleans and nested tables (at most 32 levels, 1,000,000 values,
    /// text no longer than the memory limit), and the work is counted against the instruction
    /// budget. Anything else is refused and `state` is left unchanged. Scripts keep their
    /// references to the same `state` table.
    public func restoreState(_ text: String) throws(ScriptError) {
        try checkUsable("restore the state", allowDisabled: true)
        let bytes = Array(text.utf8)
        guard bytes.count <= memoryLimit else {
            throw ScriptError(chunkName: "state", line: nil,
                              message: "saved state is \(bytes.count) bytes; the script's memory limit is \(memoryLimit)", kind: .usage)
        }
        var parser = StateParser(bytes)
        let value: StateValue
        do {
            value = try parser.parseDocument()
        } catch {
            throw ScriptError(chunkName: "state", line: error.line, message: "saved state is not plain data: \(error.message)",
                              kind: .usage)
        }
        // Reading costs what evaluating it as code would: one instruction per value and per 16 bytes.
        guard parser.valueCount + bytes.count / 16 <= instructionBudget else {
            throw ScriptError(chunkName: "state", line: nil,
                              message: "saved state needs more work to read than the instruction budget allows", kind: .budget)
        }
        guard lua_checkstack(state, 8) != 0 else {
            throw ScriptError(chunkName: "state", line: nil, message: "no stack space to restore the state", kind: .memory)
        }
        value.push(state)
        if memoryInUse > memoryLimit {
            nz_lua_pop(state, 1)
            throw ScriptError(chunkName: "state", line: nil,
                              message: "saved state needs more than the script's memory limit of \(memoryLimit) bytes", kind: .memory)
        }
        let restored = lua_gettop(state)
        if pushGlobal("state") == LUA_TTABLE {
            let target = lua_gettop(state)
            lua_pushnil(state)
            while lua_next(state, target) != 0 {  // clearing existing fields while traversing is allowed
                nz_lua_pop(state, 1)
                lua_pushvalue(state, -1)
                lua_pushnil(state)
                lua_rawset(state, target)
            }
            lua_pushnil(state)
            while lua_next(state, restored) != 0 {
                lua_pushvalue(state, -2)
                nz_lua_insert(state, -2)
                lua_rawset(state, target)
            }
            nz_lua_pop(state, 2)
        } else {
            nz_lua_pop(state, 1)
            nz_lua_pushglobaltable(state)
            pushString(state, "state")
            lua_pushvalue(state, restored)
            lua_rawset(state, -3)
            nz_lua_pop(state, 2)
        }
    }

    private func pushGlobal(_ name: String) -> Int32 {
        nz_lua_pushglobaltable(state)
        pushString(state, name)
        let type = lua_rawget(state, -2)
        nz_lua_remove(state, -2)
        return type
    }
}

/// Writes Lua tables as sorted table constructors.
struct StateWriter {
    private var path: [UnsafeRawPointer] = []
    private var remaining = maximumConvertedValues

    private struct Entry {
        var key: SortKey
        var text: [UInt8]  // "key = value" or a comment
    }

    private enum SortKey {
        case number(NumericKey)
        case string([UInt8])
        case boolean(Bool)
        case unsortable

        var rank: Int {
            switch self {
            case .number: return 0
            case .string: return 1
            case .boolean: return 2
            case .unsortable: return 3
            }
        }

        static func precedes(_ a: SortKey, _ b: SortKey) -> Bool {
            if a.rank != b.rank { return a.rank < b.rank }
            switch (a, b) {
            case (.number(let x), .number(let y)): return NumericKey.precedes(x, y)
            case (.string(let x), .string(let y)): return x.lexicographicallyPrecedes(y)
            case (.boolean(let x), .boolean(let y)): return !x && y
            default: return false
            }
        }
    }

    /// Writes the table at absolute `index` (no trailing newline).
    mutating func writeTable(_ L: OpaquePointer, at index: Int32, indent: Int, into out: inout [UInt8]) {
        guard let identity = lua_topointer(L, index) else { return }
        path.append(identity)
        defer { path.removeLast() }
        var entries: [Entry] = []
        var unsortableKeys = 0
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            defer { nz_lua_pop(L, 1) }
            let keyType = lua_type(L, -2)
            let key: SortKey
            switch keyType {
            case LUA_TNUMBER: key = .number(numericKey(L, -2))
            case LUA_TSTRING: key = .string(Array(stringBytes(L, -2)))
            case LUA_TBOOLEAN: key = .boolean(lua_toboolean(L, -2) != 0)
            default:
                unsortableKeys += 1  // tables/functions as keys have no stable order: counted only
                continue
            }
            var text = Self.keyText(L, -2)
            remaining -= 1
            let valueType = lua_type(L, -1)
            switch valueType {
            case LUA_TNUMBER, LUA_TBOOLEAN:
                text += " = ".utf8
                text += Self.numberOrBooleanText(L, -1).utf8
            case LUA_TSTRING:
                text += " = ".utf8
                Self.appendStringLiteral(stringBytes(L, -1), to: &text)
            case LUA_TTABLE:
                let child = lua_topointer(L, -1)!
                if path.contains(child) {
                    text = Self.skipped(text, because: "cycle")
                } else if path.count >= maximumTableDepth {
                    text = Self.skipped(text, because: "nested deeper than \(maximumTableDepth) levels")
                } else if remaining <= 0 || lua_checkstack(L, 4) == 0 {
                    text = Self.skipped(text, because: "state too large")
                } else {
                    text += " = ".utf8
                    writeTable(L, at: lua_gettop(L), indent: indent + 2, into: &text)
                }
            default:
                text = Self.skipped(text, because: String(cString: lua_typename(L, valueType)))
            }
            entries.append(Entry(key: key, text: text))
        }
        entries.sort { SortKey.precedes($0.key, $1.key) }
        if unsortableKeys > 0 {
            entries.append(Entry(key: .unsortable,
                                 text: Array("-- skipped: \(unsortableKeys) keys that are not numbers, strings or booleans".utf8)))
        }
        if entries.isEmpty {
            out += "{}".utf8
            return
        }
        out += "{\n".utf8
        let pad = [UInt8](repeating: UInt8(ascii: " "), count: indent + 2)
        for entry in entries {
            out += pad
            out += entry.text
            if entry.text.first != UInt8(ascii: "-") { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\n"))
        }
        out += [UInt8](repeating: UInt8(ascii: " "), count: indent)
        out.append(UInt8(ascii: "}"))
    }

    private static func skipped(_ keyText: [UInt8], because reason: String) -> [UInt8] {
        Array("-- skipped: ".utf8) + keyText + Array(" (\(reason))".utf8)
    }

    /// `name` for identifier keys, `[literal]` otherwise.
    private static func keyText(_ L: OpaquePointer, _ index: Int32) -> [UInt8] {
        if lua_type(L, index) == LUA_TSTRING {
            let bytes = Array(stringBytes(L, index))
            if isIdentifier(bytes) { return bytes }
            var text: [UInt8] = [UInt8(ascii: "[")]
            bytes.withUnsafeBytes { appendStringLiteral($0, to: &text) }
            text.append(UInt8(ascii: "]"))
            return text
        }
        return Array("[\(numberOrBooleanText(L, index))]".utf8)
    }

    private static let reservedWords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    private static func isIdentifier(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        guard bytes.allSatisfy({ $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }) else {
            return false
        }
        return !reservedWords.contains(String(decoding: bytes, as: UTF8.self))
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    /// A number that reads back with the same subtype and value, or a boolean.
    static func numberOrBooleanText(_ L: OpaquePointer, _ index: Int32) -> String {
        if lua_type(L, index) == LUA_TBOOLEAN { return lua_toboolean(L, index) != 0 ? "true" : "false" }
        if lua_isinteger(L, index) != 0 {
            let value = lua_tointegerx(L, index, nil)
            return value == .min ? "(-9223372036854775807-1)" : String(value)
        }
        let value = lua_tonumberx(L, index, nil)
        if value.isNaN { return "(0/0)" }
        if value.isInfinite { return value < 0 ? "(-1/0)" : "(1/0)" }
        let text = value.description  // shortest round-trip form: "0.1", "3.0", "1e+16"
        return text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? text : text + ".0"
    }

    /// A double-quoted Lua string literal. Valid UTF-8 stays readable; control bytes, and all
    /// bytes >= 0x80 of a string that is not valid UTF-8, become \ddd escapes.
    static func appendStringLiteral(_ bytes: UnsafeRawBufferPointer, to text: inout [UInt8]) {
        let decoded = String(decoding: bytes, as: UTF8.self)
        let validUTF8 = decoded.utf8.elementsEqual(bytes)
        text.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): text += "\\\"".utf8
            case UInt8(ascii: "\\"): text += "\\\\".utf8
            case UInt8(ascii: "\n"): text += "\\n".utf8
            case UInt8(ascii: "\r"): text += "\\r".utf8
            case UInt8(ascii: "\t"): text += "\\t".utf8
            case 0..<32, 127:
                text += escape(byte)
            case 128...255 where !validUTF8:
                text += escape(byte)
            default:
                text.append(byte)
            }
        }
        text.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8) -> [UInt8] {
        let digits = String(byte)
        return Array(("\\" + String(repeating: "0", count: 3 - digits.count) + digits).utf8)
    }
}

/// Reads the data syntax `StateWriter` writes: a table constructor whose keys are names or
/// [number|string|boolean] and whose values are numbers, strings ("…" with \\ escapes),
/// booleans, (0/0), (1/0), (-1/0), (-9223372036854775807-1) or tables; `--` line comments.
struct StateParser {
    struct Failure: Error {
        var line: Int
        var message: String
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var depth = 0
    private(set) var valueCount = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(Failure) -> StateValue {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw failure("expected '{'") }
        let value = try parseValue()
        skipSpace()
        guard index == bytes.count else { throw failure("unexpected text after the table") }
        return value
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func failure(_ message: String) -> Failure { Failure(line: line, message: message) }

    private mutating func skipSpace() {
        while let c = peek {
            if c == UInt8(ascii: "\n") {
                line += 1
                index += 1
            } else if c == 32 || c == 9 || c == 13 {
                index += 1
            } else if c == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                while let d = peek, d != UInt8(ascii: "\n") { index += 1 }
            } else {
                return
            }
        }
    }

    private mutating func expect(_ text: String) -> Bool {
        let expected = Array(text.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else { return false }
        index += expected.count
        return true
    }

    private mutating func parseValue() throws(Failure) -> StateValue {
        valueCount += 1
        guard valueCount <= maximumConvertedValues else { throw failure("more than \(maximumConvertedValues) values") }
        skipSpace()
        guard let c = peek else { throw failure("unexpected end of the state") }
        switch c {
        case UInt8(ascii: "{"): return try parseTable()
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .string(try parseString())
        case UInt8(ascii: "("):
            for (text, value) in [("(0/0)", StateValue.number(.nan)), ("(1/0)", .number(.infinity)),
                                  ("(-1/0)", .number(-.infinity)), ("(-9223372036854775807-1)", .integer(.min))]
            where expect(text) {
                return value
            }
            throw failure("unexpected '(': saved state holds data only, never code")
        default:
            if expect("true") { return .bool(true) }
            if expect("false") { return .bool(false) }
            return try parseNumber()
        }
    }

    private mutating func parseNumber() throws(Failure) -> StateValue {
        let start = index
        if let c = peek, c == UInt8(ascii: "_") || (c | 0x20 >= 97 && c | 0x20 <= 122) {
            var end = index
            while end < bytes.count, end - index < 20, bytes[end] == UInt8(ascii: "_") || (bytes[end] | 0x20 >= 97 && bytes[end] | 0x20 <= 122) {
                end += 1
            }
            let word = String(decoding: bytes[index..<end], as: UTF8.self)
            throw failure("found '\(word)': saved state holds data only, never code")
        }
        if peek == UInt8(ascii: "-") { index += 1 }
        var isFloat = false
        while let c = peek, (c >= 48 && c <= 57) || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
            || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "-")) && (bytes[index - 1] | 0x20) == UInt8(ascii: "e"))
        {
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isFloat = true }
            index += 1
            guard index - start <= 64 else { throw failure("a number longer than 64 characters") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if !isFloat, let integer = Int64(text) { return .integer(integer) }
        guard index > start, let number = Double(text) else { throw failure("expected a value, found '\(text.isEmpty ? String(UnicodeScalar(bytes[start])) : text)'") }
        return .number(number)
    }

    private mutating func parseString() throws(Failure) -> [UInt8] {
        let quote = bytes[index]
        index += 1  // the opening quote
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw failure("unfinished string") }
            index += 1
            switch c {
            case quote:
                return out
            case UInt8(ascii: "\n"):
                throw failure("unfinished string")
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw failure("unfinished string") }
                index += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"): out.append(e)
                case 48...57:
                    var value = Int(e) - 48
                    for _ in 0..<2 {
                        guard let d = peek, d >= 48, d <= 57 else { break }
                        value = value * 10 + Int(d) - 48
                        index += 1
                    }
                    guard value <= 255 else { throw failure("escape \\\(value) is larger than 255") }
                    out.append(UInt8(value))
                default:
                    throw failure("unknown escape '\\\(String(UnicodeScalar(e)))' in a string")
                }
            default:
                out.append(c)
            }
        }
    }

    private mutating func parseTable() throws(Failure) -> StateValue {
        index += 1  // {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maximumTableDepth else { throw failure("tables nested deeper than \(maximumTableDepth) levels") }
        var entries: [(key: StateValue, value: StateValue)] = []
        var nextPosition: Int64 = 1
        while true {
            skipSpace()
            guard let c = peek else { throw failure("unfinished table (missing '}')") }
            if c == UInt8(ascii: "}") {
                index += 1
                return .table(entries)
            }
            let key: StateValue
            if c == UInt8(ascii: "[") {
                index += 1
                key = try parseValue()
                switch key {
                case .table: throw failure("a table cannot be a key")
                case .number(let number) where number.isNaN: throw failure("NaN cannot be a key")
                default: break
                }
                skipSpace()
                guard peek == UInt8(ascii: "]") else { throw failure("expected ']'") }
                index += 1
                skipSpace()
                guard peek == UInt8(ascii: "=") else { throw failure("expected '='") }
                index += 1
            } else if c == UInt8(ascii: "_") || (c | 0x20 >= 97 && c | 0x20 <= 122) {
                let start = index
                while let d = peek, d == UInt8(ascii: "_") || (d | 0x20 >= 97 && d | 0x20 <= 122) || (d >= 48 && d <= 57) { index += 1 }
                let name = String(decoding: bytes[start..<index], as: UTF8.self)
                skipSpace()
                if peek == UInt8(ascii: "="), name != "true", name != "false" {
                    index += 1
                    key = .string(Array(name.utf8))
                } else {
                    index = start  // a value (true or false) in list position
                    key = .integer(nextPosition)
                    nextPosition += 1
                }
            } else {
                key = .integer(nextPosition)
                nextPosition += 1
            }
            let value = try parseValue()
            entries.append((key, value))
            skipSpace()
            if peek == UInt8(ascii: ",") || peek == UInt8(ascii: ";") {
                index += 1
            } else {
                skipSpace()
                guard peek == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
            }
        }
    }
}

/// Saved data as read, strings as raw bytes (a state may hold bytes that are not UTF-8).
indirect enum StateValue {
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string([UInt8])
    case table([(key: StateValue, value: StateValue)])

    /// Pushes the value (one slot; tables at most 32 deep, which the parser guarantees).
    /// The caller lifts the memory cap and checks the memory afterwards.
    func push(_ L: OpaquePointer) {
        switch self {
        case .bool(let flag): lua_pushboolean(L, flag ? 1 : 0)
        case .integer(let value): lua_pushinteger(L, value)
        case .number(let value): lua_pushnumber(L, value)
        case .string(let bytes):
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
            }
        case .table(let entries):
            guard lua_checkstack(L, 4) != 0 else {
                lua_pushnil(L)
                return
            }
            lua_createtable(L, 0, Int32(clamping: entries.count))
            for entry in entries {
                entry.key.push(L)
                entry.value.push(L)
                lua_rawset(L, -3)
            }
        }
    }
}
