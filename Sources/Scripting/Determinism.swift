// Determinism: `next`, `pairs` and `tostring` that give the same results in every process.
//
// Lua 5.4 seeds its string hashes from the clock and from addresses (luai_makeseed), so the
// order `next` visits a table's keys changes between runs, and `tostring({})` prints an
// address. Here keys are visited in one total order — numbers ascending (an integer before an
// equal float), strings bytewise, false, true, then tables and functions by id — and tables
// and functions print as "table: #N". The id of a table or closure is the order the state
// created it in (the allocator counts them); the libraries' C functions are numbered at set-up
// in name order. Both are the same in every run of the same script.
//
// Every function here follows the callbacks' rule (Callbacks.swift): it may raise (memory
// errors, the budget), so no Swift value that needs cleanup is alive across a Lua call.

import CLua

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Registry keys of the id table ({object → id}, weak keys) and the traversal snapshots
/// ({table → {sorted keys, key → position}}, weak keys).
let objectIDsRegistryKey = "netzero.sandbox.ids"
let snapshotsRegistryKey = "netzero.sandbox.snapshots"

/// Creates the two weak-keyed registry tables. Called once at set-up, before any script runs.
func installDeterminismTables(_ L: OpaquePointer) {
    for key in [objectIDsRegistryKey, snapshotsRegistryKey] {
        lua_createtable(L, 0, 0)
        lua_createtable(L, 0, 1)
        lua_pushstring(L, "k")
        lua_setfield(L, -2, "__mode")
        _ = lua_setmetatable(L, -2)
        lua_setfield(L, nz_LUA_REGISTRYINDEX(), key)
    }
}

/// Whether values of this type are ordered by id (they have no order of their own).
@inline(__always)
private func isIdentified(_ type: Int32) -> Bool {
    type == LUA_TTABLE || type == LUA_TFUNCTION || type == LUA_TUSERDATA || type == LUA_TTHREAD
        || type == LUA_TLIGHTUSERDATA
}

/// The id of the object at `index` (absolute), assigning the next one if it has none. May
/// raise a memory error.
func objectID(_ L: OpaquePointer, _ index: Int32) -> lua_Integer {
    _ = lua_getfield(L, nz_LUA_REGISTRYINDEX(), objectIDsRegistryKey)
    lua_pushvalue(L, index)
    if lua_rawget(L, -2) == LUA_TNUMBER {
        let id = lua_tointegerx(L, -1, nil)
        nz_lua_pop(L, 2)
        return id
    }
    nz_lua_pop(L, 1)
    // Tables and closures: the order the state created them. Others (the libraries' C
    // functions, numbered at set-up): the next number.
    let counters = sandboxCounters(L)
    guard let trackerPointer = counters.pointee.longStrings else { return 0 }
    let tracker = Unmanaged<LongStringTracker>.fromOpaque(trackerPointer).takeUnretainedValue()
    let id: lua_Integer
    if let pointer = lua_topointer(L, index), let number = tracker.creationNumber(pointer) {
        nz_lua_pop(L, 1)
        return lua_Integer(number)
    } else {
        id = lua_Integer(tracker.nextNumber())
    }
    lua_pushvalue(L, index)
    lua_pushinteger(L, id)
    lua_rawset(L, -3)
    nz_lua_pop(L, 1)
    return id
}

/// The id of the object at `index` if it has one (never allocates), else 0.
private func existingObjectID(_ L: OpaquePointer, _ index: Int32) -> lua_Integer {
    _ = lua_getfield(L, nz_LUA_REGISTRYINDEX(), objectIDsRegistryKey)
    lua_pushvalue(L, index)
    var id = lua_rawget(L, -2) == LUA_TNUMBER ? lua_tointegerx(L, -1, nil) : 0
    nz_lua_pop(L, 2)
    if id == 0, let trackerPointer = sandboxCounters(L).pointee.longStrings, let pointer = lua_topointer(L, index) {
        id = lua_Integer(Unmanaged<LongStringTracker>.fromOpaque(trackerPointer).takeUnretainedValue().creationNumber(pointer) ?? 0)
    }
    return id
}

/// Numbers every C function reachable from the globals, in sorted name order, so that they
/// print and sort the same in every run (their addresses change with each process).
func numberLibraryFunctions(_ L: OpaquePointer) {
    nz_lua_pushglobaltable(L)
    let globals = lua_gettop(L)
    numberFunctions(in: globals, L)
    // Library tables, in name order.
    var names: [String] = []
    lua_pushnil(L)
    while lua_next(L, globals) != 0 {
        if lua_type(L, -1) == LUA_TTABLE, lua_type(L, -2) == LUA_TSTRING { names.append(readString(L, -2)) }
        nz_lua_pop(L, 1)
    }
    for name in names.sorted() {
        pushString(L, name)
        _ = lua_rawget(L, globals)
        numberFunctions(in: lua_gettop(L), L)
        nz_lua_pop(L, 1)
    }
    nz_lua_pop(L, 1)
}

private func numberFunctions(in table: Int32, _ L: OpaquePointer) {
    var names: [String] = []
    lua_pushnil(L)
    while lua_next(L, table) != 0 {
        if lua_type(L, -1) == LUA_TFUNCTION, lua_type(L, -2) == LUA_TSTRING { names.append(readString(L, -2)) }
        nz_lua_pop(L, 1)
    }
    for name in names.sorted() {
        pushString(L, name)
        _ = lua_rawget(L, table)
        _ = objectID(L, lua_gettop(L))
        nz_lua_pop(L, 1)
    }
}

/// tostring(v): Lua's, honouring __tostring and __name, but tables, functions and other
/// reference values print as "TYPE: #ID" instead of their address.
func sandboxToString(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    luaL_checkany(L, 1)
    lua_settop(L, 1)
    if luaL_callmeta(L, 1, "__tostring") != 0 {
        if lua_type(L, -1) != LUA_TSTRING {
            lua_pushstring(L, "'__tostring' must return a string")
            return lua_error(L)
        }
        return 1
    }
    let type = lua_type(L, 1)
    guard isIdentified(type) else {
        _ = luaL_tolstring(L, 1, nil)
        return 1
    }
    let nameType = luaL_getmetafield(L, 1, "__name")  // pushes nothing when there is no field
    if nameType != LUA_TSTRING {
        if nameType != LUA_TNIL { nz_lua_pop(L, 1) }
        lua_pushstring(L, lua_typename(L, type))
    }
    let id = objectID(L, 1)
    lua_pushstring(L, ": #")
    lua_pushinteger(L, id)
    lua_concat(L, 3)
    return 1
}

/// Key order on two stack slots, without metamethods: numbers, strings, booleans, then
/// reference values by id (ids must have been assigned: see `objectID`).
func keyLess(_ L: OpaquePointer, _ a: Int32, _ b: Int32) -> Bool {
    let (ta, tb) = (lua_type(L, a), lua_type(L, b))
    let (ra, rb) = (keyRank(ta), keyRank(tb))
    if ra != rb { return ra < rb }
    switch ta {
    case LUA_TNUMBER:
        return NumericKey.precedes(numericKey(L, a), numericKey(L, b))
    case LUA_TSTRING:
        var (la, lb) = (0, 0)
        let pa = lua_tolstring(L, a, &la)!
        let pb = lua_tolstring(L, b, &lb)!
        let common = memcmp(pa, pb, min(la, lb))
        return common != 0 ? common < 0 : la < lb
    case LUA_TBOOLEAN:
        return lua_toboolean(L, a) == 0 && lua_toboolean(L, b) != 0
    default:
        return existingObjectID(L, a) < existingObjectID(L, b)
    }
}

private func keyRank(_ type: Int32) -> Int {
    switch type {
    case LUA_TNUMBER: return 0
    case LUA_TSTRING: return 1
    case LUA_TBOOLEAN: return 2
    default: return 3
    }
}

func numericKey(_ L: OpaquePointer, _ index: Int32) -> NumericKey {
    lua_isinteger(L, index) != 0 ? .integer(lua_tointegerx(L, index, nil)) : .float(lua_tonumberx(L, index, nil))
}

/// Comparator for table.sort over keys. Never raises.
private func sandboxKeyLess(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    lua_pushboolean(L, keyLess(L, 1, 2) ? 1 : 0)
    return 1
}

/// Charges `amount` and raises the budget error when it is spent (callers have no Swift
/// values alive).
@inline(__always)
func chargeOrRaise(_ L: OpaquePointer, _ amount: Int) {
    if chargeBudget(L, amount) {
        lua_pushstring(L, budgetExceededMessage)
        _ = raiseWithPosition(L, level: 1)
    }
}

/// Builds the snapshot of the table at index 1 and leaves it on top of the stack:
/// {[1] = sorted keys, [2] = {key → position}}; stores it in the snapshot registry.
/// Upvalue 1 of the calling closure is the original table.sort.
private func buildSnapshot(_ L: OpaquePointer) {
    lua_createtable(L, 2, 0)  // snapshot
    lua_createtable(L, 0, 0)  // keys
    var count: lua_Integer = 0
    lua_pushnil(L)
    while lua_next(L, 1) != 0 {
        nz_lua_pop(L, 1)
        count += 1
        if isIdentified(lua_type(L, -1)) { _ = objectID(L, lua_gettop(L)) }
        lua_pushvalue(L, -1)
        lua_rawseti(L, -3, count)
    }
    let n = Int(count)
    chargeOrRaise(L, n * (n.bitWidth - n.leadingZeroBitCount + 2))
    if count > 1 {
        lua_pushvalue(L, nz_lua_upvalueindex(1))
        lua_pushvalue(L, -2)
        nz_lua_pushcfunction(L, sandboxKeyLess)
        nz_lua_call(L, 2, 0)
    }
    lua_createtable(L, 0, Int32(clamping: count))  // positions
    for position in stride(from: lua_Integer(1), through: count, by: 1) {
        _ = lua_rawgeti(L, -2, position)
        lua_pushinteger(L, position)
        lua_rawset(L, -3)
    }
    lua_rawseti(L, -3, 2)
    lua_rawseti(L, -2, 1)
    _ = lua_getfield(L, nz_LUA_REGISTRYINDEX(), snapshotsRegistryKey)
    lua_pushvalue(L, 1)
    lua_pushvalue(L, -3)
    lua_rawset(L, -3)
    nz_lua_pop(L, 1)
}

/// next(t, k): the key after k in the deterministic order, and its value. next(t, nil)
/// scans for the first key (linear) and drops any old snapshot; later keys come from a
/// sorted snapshot made on the first next(t, k) of a traversal (n·log n, charged). Keys
/// cleared during a traversal are skipped, as Lua allows; a key no longer in the table
/// continues from where it would sort. Upvalue 1: the original table.sort.
func sandboxNext(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    luaL_checktype(L, 1, LUA_TTABLE)
    lua_settop(L, 2)
    if lua_type(L, 2) == LUA_TNIL {
        _ = lua_getfield(L, nz_LUA_REGISTRYINDEX(), snapshotsRegistryKey)
        lua_pushvalue(L, 1)
        lua_pushnil(L)
        lua_rawset(L, -3)
        nz_lua_pop(L, 1)  // 1 t, 2 nil
        var visited = 0
        lua_pushnil(L)  // 3: the best key so far (nil)
        lua_pushnil(L)  // 4: the iteration key
        while lua_next(L, 1) != 0 {
            nz_lua_pop(L, 1)
            visited += 1
            if isIdentified(lua_type(L, 4)) { _ = objectID(L, 4) }
            if lua_type(L, 3) == LUA_TNIL || keyLess(L, 4, 3) {
                lua_pushvalue(L, 4)
                nz_lua_replace(L, 3)
            }
        }
        chargeOrRaise(L, visited)
        if lua_type(L, 3) == LUA_TNIL { return 1 }
        lua_pushvalue(L, 3)
        _ = lua_rawget(L, 1)
        return 2
    }
    // 3: the snapshot (the stored one, if it holds the key, else a new one).
    _ = lua_getfield(L, nz_LUA_REGISTRYINDEX(), snapshotsRegistryKey)
    lua_pushvalue(L, 1)
    _ = lua_rawget(L, -2)
    nz_lua_remove(L, -2)
    var position: lua_Integer = 0
    if lua_type(L, 3) == LUA_TTABLE {
        _ = lua_rawgeti(L, 3, 2)
        lua_pushvalue(L, 2)
        if lua_rawget(L, -2) == LUA_TNUMBER { position = lua_tointegerx(L, -1, nil) }
        nz_lua_pop(L, 2)
    }
    if position == 0 {
        lua_settop(L, 2)
        buildSnapshot(L)  // 3
        _ = lua_rawgeti(L, 3, 2)
        lua_pushvalue(L, 2)
        if lua_rawget(L, -2) == LUA_TNUMBER {
            position = lua_tointegerx(L, -1, nil)
        } else {
            // The key is gone: continue after the last key that sorts before it.
            if isIdentified(lua_type(L, 2)) { _ = objectID(L, 2) }
            _ = lua_rawgeti(L, 3, 1)
            let keys = lua_gettop(L)
            var low: lua_Integer = 0
            var high = lua_Integer(lua_rawlen(L, keys))
            while low < high {  // first position whose key is not less than k, minus one
                let middle = (low + high + 1) / 2
                _ = lua_rawgeti(L, keys, middle)
                if keyLess(L, lua_gettop(L), 2) { low = middle } else { high = middle - 1 }
                nz_lua_pop(L, 1)
            }
            position = low
            nz_lua_pop(L, 1)
        }
        nz_lua_pop(L, 2)
    }
    _ = lua_rawgeti(L, 3, 1)  // 4: the keys
    while true {
        position += 1
        if lua_rawgeti(L, 4, position) == LUA_TNIL { return 1 }  // the end: nil
        lua_pushvalue(L, -1)
        if lua_rawget(L, 1) != LUA_TNIL { return 2 }
        nz_lua_pop(L, 2)  // cleared during the traversal: skip
    }
}

/// pairs(t): honours __pairs; otherwise returns the deterministic next, t, nil.
/// Upvalue 1: the sandbox's next.
func sandboxPairs(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    if luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL {
        lua_pushvalue(L, 1)
        nz_lua_call(L, 1, 3)
        return 3
    }
    luaL_checktype(L, 1, LUA_TTABLE)
    lua_pushvalue(L, nz_lua_upvalueindex(1))
    lua_pushvalue(L, 1)
    lua_pushnil(L)
    return 3
}
