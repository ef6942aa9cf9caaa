// Moving values between the Lua stack and LuaValue. Reading uses raw access only (lua_next,
// never metamethods), stops at 32 levels of tables, cuts cycles and caps the total number of
// values, and lists every table in sorted key order. Pushing never raises: callers lift the
// memory cap first, and keys Lua would reject (nil, NaN) are skipped.

import CLua

/// Deepest table nesting converted in either direction; deeper tables become nil.
let maximumTableDepth = 32
/// Most values one conversion produces; past it, tables become nil (shared subtables would
/// otherwise be copied an exponential number of times).
let maximumConvertedValues = 1_000_000
/// Most values, and most bytes of text, one call of a host function may be given.
let maximumHostArgumentValues: Int32 = 10_000
let maximumHostArgumentBytes = 1 << 20

/// Reads Lua values into LuaValue. Functions, userdata, threads, tables deeper than
/// `maximumTableDepth`, tables already on the path (cycles), and entries with such keys or
/// values become nil / are dropped.
struct ValueReader {
    private var path: [UnsafeRawPointer] = []
    private var remaining: Int
    private var bytesRemaining: Int
    /// Values and string bytes read so far.
    private(set) var valuesRead = 0
    private(set) var bytesRead = 0
    /// Set when the limits cut the conversion short (the result is then incomplete).
    private(set) var overflowed = false

    init(limit: Int = maximumConvertedValues, byteLimit: Int = Int.max) {
        remaining = limit
        bytesRemaining = byteLimit
    }

    mutating func read(_ L: OpaquePointer, _ index: Int32) -> LuaValue {
        remaining -= 1
        valuesRead += 1
        if remaining < 0 {
            overflowed = true
            return .nil
        }
        switch lua_type(L, index) {
        case LUA_TBOOLEAN:
            return .bool(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(lua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            let bytes = stringBytes(L, index)
            bytesRead += bytes.count
            bytesRemaining -= bytes.count
            if bytesRemaining < 0 {
                overflowed = true
                return .nil
            }
            return .string(String(decoding: bytes, as: UTF8.self))
        case LUA_TTABLE:
            return readTable(L, lua_absindex(L, index))
        default:
            return .nil
        }
    }

    private mutating func readTable(_ L: OpaquePointer, _ index: Int32) -> LuaValue {
        guard let identity = lua_topointer(L, index), path.count < maximumTableDepth, remaining > 0, !overflowed,
              !path.contains(identity), lua_checkstack(L, 4) != 0
        else { return .nil }
        path.append(identity)
        defer { path.removeLast() }
        var entries: [LuaTableEntry] = []
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            if overflowed {
                nz_lua_pop(L, 2)
                break
            }
            let keyType = lua_type(L, -2)
            if keyType == LUA_TNUMBER || keyType == LUA_TSTRING || keyType == LUA_TBOOLEAN {
                let key = read(L, -2)  // reads numbers without converting them to strings
                let value = read(L, -1)
                if value != .nil { entries.append(LuaTableEntry(key, value)) }
            }
            nz_lua_pop(L, 1)
        }
        entries.sort { LuaValue.keyPrecedes($0.key, $1.key) }
        return .table(entries)
    }
}

/// The bytes of the string at `index` as a Swift string (invalid UTF-8 becomes U+FFFD).
func readString(_ L: OpaquePointer, _ index: Int32) -> String {
    String(decoding: stringBytes(L, index), as: UTF8.self)
}

/// The bytes of the string at `index` (which must be a string: numbers would be converted).
func stringBytes(_ L: OpaquePointer, _ index: Int32) -> UnsafeRawBufferPointer {
    var length = 0
    guard let pointer = lua_tolstring(L, index, &length) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: pointer, count: length)
}

func pushString(_ L: OpaquePointer, _ string: String) {
    var string = string
    string.withUTF8 { bytes in
        bytes.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
}

/// Pushes exactly one value. The caller guarantees stack room for one slot and lifts the cap.
func pushValue(_ L: OpaquePointer, _ value: LuaValue, depth: Int = 0) {
    switch value {
    case .nil:
        lua_pushnil(L)
    case .bool(let flag):
        lua_pushboolean(L, flag ? 1 : 0)
    case .number(let number):
        lua_pushnumber(L, number)
    case .integer(let integer):
        lua_pushinteger(L, integer)
    case .string(let string):
        pushString(L, string)
    case .table(let entries):
        guard depth < maximumTableDepth, lua_checkstack(L, 4) != 0 else {
            lua_pushnil(L)
            return
        }
        lua_createtable(L, 0, Int32(clamping: entries.count))
        for entry in entries {
            switch entry.key {
            case .nil, .table: continue
            case .number(let number) where number.isNaN: continue
            default: break
            }
            if entry.value == .nil { continue }
            pushValue(L, entry.key, depth: depth + 1)
            pushValue(L, entry.value, depth: depth + 1)
            lua_rawset(L, -3)
        }
    }
}
