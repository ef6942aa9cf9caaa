// Save files: the global table `state` written as a Lua table constructor with sorted keys
// (the same text for the same data, in any process) and read back by evaluating that text as
// a text chunk in an empty environment, within the budget and the memory cap, then checking it
// is plain data before it replaces the contents of `state`.

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
    /// The text is evaluated as a text-only expression with no globals, within the instruction
    /// budget and memory cap; anything but plain data (numbers, strings, booleans, tables
    /// without metatables, no shared or cyclic tables, at most 32 levels) is refused and
    /// `state` is left unchanged. Scripts keep their references to the same `state` table.
    public func restoreState(_ text: String) throws(ScriptError) {
        try checkUsable("restore the state", allowDisabled: true)
        try compile(Array(("return " + text).utf8), sourceName: "state")
        lua_createtable(state, 0, 0)
        _ = lua_setupvalue(state, -2, 1)  // _ENV of the chunk: an empty table
        let count = try runProtected(argumentCount: 0, fallbackChunk: "state", disableOnBudget: false)
        guard count == 1, lua_type(state, -1) == LUA_TTABLE else {
            nz_lua_pop(state, count)
            throw ScriptError(chunkName: "state", line: nil, message: "saved state is not a table", kind: .usage)
        }
        var seen: [UnsafeRawPointer] = []
        var visited = Set<UnsafeRawPointer>()
        if let problem = plainDataProblem(at: lua_gettop(state), path: "state", ancestors: &seen, visited: &visited) {
            nz_lua_pop(state, 1)
            throw ScriptError(chunkName: "state", line: nil, message: "saved state is not plain data: \(problem)",
                              kind: .usage)
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

    /// Why the table at `index` is not plain data, or nil if it is.
    private func plainDataProblem(at index: Int32, path: String, ancestors stack: inout [UnsafeRawPointer],
                                  visited: inout Set<UnsafeRawPointer>) -> String?
    {
        let L = state
        guard let identity = lua_topointer(L, index) else { return "\(path) is not a table" }
        if visited.contains(identity) { return "\(path) is a table that appears twice" }
        visited.insert(identity)
        if visited.count > maximumConvertedValues { return "too many tables" }
        if stack.count >= maximumTableDepth { return "\(path) is nested deeper than \(maximumTableDepth) levels" }
        if lua_getmetatable(L, index) != 0 {
            nz_lua_pop(L, 1)
            return "\(path) has a metatable"
        }
        guard lua_checkstack(L, 4) != 0 else { return "\(path) is nested too deeply" }
        stack.append(identity)
        defer { stack.removeLast() }
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let keyType = lua_type(L, -2)
            guard keyType == LUA_TNUMBER || keyType == LUA_TSTRING || keyType == LUA_TBOOLEAN else {
                nz_lua_pop(L, 2)
                return "\(path) has a \(String(cString: lua_typename(L, keyType))) key"
            }
            let keyText = keyType == LUA_TSTRING ? readString(L, -2) : StateWriter.numberOrBooleanText(L, -2)
            let childPath = "\(path)[\(keyText)]"
            switch lua_type(L, -1) {
            case LUA_TNUMBER, LUA_TSTRING, LUA_TBOOLEAN:
                break
            case LUA_TTABLE:
                if let problem = plainDataProblem(at: lua_gettop(L), path: childPath, ancestors: &stack, visited: &visited) {
                    nz_lua_pop(L, 2)
                    return problem
                }
            default:
                let valueType = String(cString: nz_luaL_typename(L, -1))
                nz_lua_pop(L, 2)
                return "\(childPath) is a \(valueType)"
            }
            nz_lua_pop(L, 1)
        }
        return nil
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
