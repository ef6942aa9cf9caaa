// The C callbacks Lua calls into: the capped allocator, the instruction-count hook, the
// traceback message handler, the host-function trampoline, print's output sink, the budget
// charge used by the prelude's wrappers, and a pairs() that iterates in sorted key order.
// Rule for every callback that may raise a Lua error (lua_error longjmps over its frame): all
// Swift work happens in a helper that has returned before the raise, so no Swift value that
// needs cleanup (and no exclusive access) is alive when the frame is skipped.

import CLua

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-state counters, reached from C callbacks through `lua_getextraspace` and the
/// allocator's user data. Plain memory: no reference counting, no exclusivity checks.
struct SandboxCounters {
    var memoryUsed = 0
    var memoryLimit: Int
    /// True while script code runs: allocations past the cap then fail. Host-side work (pushing
    /// arguments, results and host-function values) runs with the cap lifted so that it never
    /// raises a memory error outside a protected call.
    var capEnforced = false
    /// True while a protected call runs: the budget is counted.
    var running = false
    var instructionsUsed = 0
    var instructionBudget: Int
    var hookInterval: Int32
    var budgetExceeded = false
    /// `Unmanaged<LuaSandbox>` of the owner, unretained.
    var owner: UnsafeMutableRawPointer?
}

/// The message every budget overrun raises (the sandbox reports it as `.budget`).
let budgetExceededMessage = "instruction budget exceeded"
/// Registry key where the message handler leaves the traceback of the last error.
let tracebackRegistryKey = "netzero.sandbox.traceback"

@inline(__always)
func sandboxCounters(_ L: OpaquePointer) -> UnsafeMutablePointer<SandboxCounters> {
    nz_lua_getextraspace(L)!.load(as: UnsafeMutablePointer<SandboxCounters>.self)
}

/// The allocator: counts bytes, refuses growth past the cap while scripts run (Lua then raises
/// "not enough memory" after one emergency collection), and charges the budget one instruction
/// per 64 bytes allocated, so that copying large strings over and over is not free.
func sandboxAllocate(_ ud: UnsafeMutableRawPointer?, _ block: UnsafeMutableRawPointer?, _ oldSize: Int,
                     _ newSize: Int) -> UnsafeMutableRawPointer?
{
    let counters = ud!.assumingMemoryBound(to: SandboxCounters.self)
    if newSize == 0 {
        if let block {
            free(block)
            counters.pointee.memoryUsed -= oldSize
        }
        return nil
    }
    let growth = newSize - (block == nil ? 0 : oldSize)  // with no block, oldSize is a type tag
    if growth > 0, counters.pointee.capEnforced {
        if counters.pointee.memoryUsed > counters.pointee.memoryLimit - growth {
            // Each refusal also costs 1/64 of the budget: a script that keeps catching
            // out-of-memory errors (each one a full collection) is stopped soon.
            counters.pointee.instructionsUsed &+= counters.pointee.instructionBudget / 64 + 1
            return nil
        }
        counters.pointee.instructionsUsed &+= growth >> 6
    }
    guard let newBlock = realloc(block, newSize) else { return nil }
    counters.pointee.memoryUsed += growth
    return newBlock
}

/// Adds `amount` instructions to the running call. True when the budget is exhausted; the
/// hook is then set to fire at every instruction, so that a script catching the error with
/// pcall cannot execute one more instruction outside it.
func chargeBudget(_ L: OpaquePointer, _ amount: Int) -> Bool {
    let counters = sandboxCounters(L)
    guard counters.pointee.running else { return false }
    if counters.pointee.budgetExceeded { return true }
    let (sum, overflow) = counters.pointee.instructionsUsed.addingReportingOverflow(max(amount, 0))
    counters.pointee.instructionsUsed = overflow ? Int.max : sum
    guard counters.pointee.instructionsUsed >= counters.pointee.instructionBudget else { return false }
    counters.pointee.budgetExceeded = true
    lua_sethook(L, sandboxCountHook, nz_LUA_MASKCOUNT(), 1)
    return true
}

/// Prefixes the message on top of the stack with the position of `level`, then raises it.
/// Only C calls: to be the last statement of a callback.
@inline(__always)
func raiseWithPosition(_ L: OpaquePointer, level: Int32) -> Int32 {
    luaL_where(L, level)
    nz_lua_insert(L, -2)
    lua_concat(L, 2)
    return lua_error(L)
}

/// The count hook (LUA_MASKCOUNT, every `hookInterval` instructions).
func sandboxCountHook(_ L: OpaquePointer?, _ ar: UnsafeMutablePointer<lua_Debug>?) {
    guard let L else { return }
    if chargeBudget(L, Int(sandboxCounters(L).pointee.hookInterval)) {
        lua_pushstring(L, budgetExceededMessage)
        _ = raiseWithPosition(L, level: 0)  // level 0 in a hook: the running Lua function
    }
}

/// `charge(n)` for the prelude's wrappers of C library functions whose work the hook cannot
/// see (table.move, table.insert, ...): adds n instructions, raising when over budget.
func sandboxCharge(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    let amount = lua_tonumberx(L, 1, nil)
    let units = !(amount > 0) ? 0 : amount >= 0x1p62 ? Int.max : Int(amount)
    if chargeBudget(L, units) {
        lua_pushstring(L, budgetExceededMessage)
        return raiseWithPosition(L, level: 2)  // 1 is the prelude's wrapper, 2 the script
    }
    return 0
}

/// Message handler of every protected call from the host: makes the error a string, moves a
/// position inside the prelude to the script's line, and stores a traceback.
func sandboxMessageHandler(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    let counters = sandboxCounters(L)
    let enforced = counters.pointee.capEnforced
    counters.pointee.capEnforced = false  // the traceback must not fail for lack of memory
    relocateSandboxPosition(L, 1)
    let type = lua_type(L, 1)
    if type == LUA_TNUMBER {
        _ = lua_tolstring(L, 1, nil)  // converts in place
    } else if type != LUA_TSTRING {
        lua_pushstring(L, "(error object is a ")
        lua_pushstring(L, lua_typename(L, type))
        lua_pushstring(L, " value)")
        lua_concat(L, 3)
        nz_lua_replace(L, 1)
    }
    luaL_traceback(L, L, nil, 1)
    lua_setfield(L, nz_LUA_REGISTRYINDEX(), tracebackRegistryKey)
    counters.pointee.capEnforced = enforced
    lua_settop(L, 1)
    return 1
}

/// If the error message at absolute `index` starts with "[sandbox]:N: " — raised by a library
/// function the prelude wraps, which Lua places at the wrapper's line — replaces that prefix
/// with the position of the innermost script frame. Call at raise time (in a message handler).
func relocateSandboxPosition(_ L: OpaquePointer, _ index: Int32) {
    guard lua_type(L, index) == LUA_TSTRING else { return }
    var length = 0
    guard let text = lua_tolstring(L, index, &length), length > 10, strncmp(text, "[sandbox]:", 10) == 0 else {
        return
    }
    var cursor = 10
    while cursor < length, text[cursor] >= 48, text[cursor] <= 57 { cursor += 1 }
    guard cursor > 10, cursor + 1 < length, text[cursor] == 58, text[cursor + 1] == 32 else { return }
    var info = lua_Debug()
    var level: Int32 = 1
    var found = false
    while lua_getstack(L, level, &info) != 0 {
        _ = lua_getinfo(L, "Sl", &info)
        if info.currentline > 0, let source = info.source, strcmp(source, "=[sandbox]") != 0 {
            found = true
            break
        }
        level += 1
    }
    if found {
        luaL_where(L, level)
    } else {
        lua_pushstring(L, "")
    }
    lua_pushstring(L, text + cursor + 2)  // the message string stays on the stack meanwhile
    lua_concat(L, 2)
    nz_lua_replace(L, index)
}

/// Message handler of the sandbox's pcall and xpcall.
func sandboxPositionHandler(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    let counters = sandboxCounters(L)
    let enforced = counters.pointee.capEnforced
    counters.pointee.capEnforced = false
    relocateSandboxPosition(L, 1)
    counters.pointee.capEnforced = enforced
    lua_settop(L, 1)
    return 1
}

/// pcall(f, ...): Lua's, with the position handler.
func sandboxPcall(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    luaL_checkany(L, 1)
    let argumentCount = lua_gettop(L) - 1
    nz_lua_pushcfunction(L, sandboxPositionHandler)
    nz_lua_insert(L, 1)  // handler, f, args...
    let status = nz_lua_pcall(L, argumentCount, nz_LUA_MULTRET(), 1)
    lua_pushboolean(L, status == LUA_OK ? 1 : 0)
    nz_lua_replace(L, 1)  // true, results... | false, error
    return lua_gettop(L)
}

/// xpcall(f, h, ...): the error handler h runs after the stack has unwound, not at the raise
/// point. (At the raise point Lua may be inside the count hook, where hooks are off, so a
/// handler that loops would never be stopped. Without the debug library a handler cannot
/// look at the stack anyway, so the difference is not observable otherwise.)
func sandboxXpcall(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    luaL_checktype(L, 2, LUA_TFUNCTION)
    let argumentCount = lua_gettop(L) - 2
    lua_pushvalue(L, 2)
    nz_lua_remove(L, 2)
    nz_lua_insert(L, 1)  // h, f, args...
    nz_lua_pushcfunction(L, sandboxPositionHandler)
    nz_lua_insert(L, 2)  // h, handler, f, args...
    if nz_lua_pcall(L, argumentCount, nz_LUA_MULTRET(), 2) == LUA_OK {
        lua_pushboolean(L, 1)
        nz_lua_replace(L, 2)  // h, true, results...
        nz_lua_remove(L, 1)
        return lua_gettop(L)
    }
    lua_pushvalue(L, 1)
    nz_lua_insert(L, 3)  // h, handler, h, error
    _ = nz_lua_pcall(L, 1, 1, 2)  // h, handler, h's result (or its own error)
    lua_pushboolean(L, 0)
    nz_lua_replace(L, 2)
    nz_lua_remove(L, 1)
    return 2
}

/// Every host function is this C closure; upvalue 1 is its index in the sandbox's table.
func sandboxHostTrampoline(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    let results = sandboxDispatchHostFunction(L)
    if results >= 0 { return results }
    return raiseWithPosition(L, level: 1)  // the message is on top; level 1 is the Lua caller
}

/// Runs the host closure. Returns the number of results pushed, or -1 with an error message
/// on top of the stack. Raises nothing.
private func sandboxDispatchHostFunction(_ L: OpaquePointer) -> Int32 {
    let counters = sandboxCounters(L)
    let enforced = counters.pointee.capEnforced
    counters.pointee.capEnforced = false
    defer { counters.pointee.capEnforced = enforced }
    let sandbox = Unmanaged<LuaSandbox>.fromOpaque(counters.pointee.owner!).takeUnretainedValue()
    let index = Int(lua_tointegerx(L, nz_lua_upvalueindex(1), nil))
    let argumentCount = lua_gettop(L)
    var arguments: [LuaValue] = []
    arguments.reserveCapacity(Int(argumentCount))
    var conversion = ValueReader()
    for argument in stride(from: Int32(1), through: argumentCount, by: 1) {
        arguments.append(conversion.read(L, argument))
    }
    let message: String
    do {
        let results = try sandbox.hostFunction(at: index)(arguments)
        guard results.count < 1_000_000, lua_checkstack(L, Int32(results.count) + 8) != 0 else {
            pushString(L, "too many results from host function")
            return -1
        }
        for result in results { pushValue(L, result) }
        return Int32(results.count)
    } catch {
        message = String(describing: error)
    }
    pushString(L, message)
    return -1
}

/// `emit(line)`: print's sink (the prelude formats the line).
func sandboxEmit(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    sandboxAppendOutput(L)
    return 0
}

private func sandboxAppendOutput(_ L: OpaquePointer) {
    guard lua_type(L, 1) == LUA_TSTRING else { return }
    let counters = sandboxCounters(L)
    let sandbox = Unmanaged<LuaSandbox>.fromOpaque(counters.pointee.owner!).takeUnretainedValue()
    sandbox.appendOutput(readString(L, 1))
}

/// Lua's panic function (an error outside any protected call: a bug). Says so, then Lua aborts.
func sandboxPanic(_ L: OpaquePointer?) -> Int32 {
    writeToStandardError("Scripting: unprotected Lua error (sandbox bug)\n")
    if let L, lua_type(L, -1) == LUA_TSTRING {
        writeToStandardError(readString(L, -1) + "\n")
    }
    return 0
}

private func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

// MARK: - Deterministic pairs

/// pairs(t): like Lua's (honouring __pairs), but visits keys in sorted order — numbers, then
/// strings bytewise, then false, true, then other keys — instead of the hash order, which in
/// Lua 5.4 depends on a per-process random seed. The keys are snapshotted at the call, which
/// costs n·log n budget instructions; keys cleared during the loop are skipped.
/// Upvalue 1: the original table.sort.
func sandboxPairs(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    if luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL {
        lua_pushvalue(L, 1)
        nz_lua_call(L, 1, 3)
        return 3
    }
    luaL_checktype(L, 1, LUA_TTABLE)
    lua_settop(L, 1)
    lua_createtable(L, 0, 0)  // 2: the keys, in order
    var count: lua_Integer = 0
    lua_pushnil(L)
    while lua_next(L, 1) != 0 {
        nz_lua_pop(L, 1)
        count += 1
        lua_pushvalue(L, -1)
        lua_rawseti(L, 2, count)
    }
    let cost = Int(count) * (Int(count).bitWidth - Int(count).leadingZeroBitCount + 1)
    if chargeBudget(L, cost) {
        lua_pushstring(L, budgetExceededMessage)
        return raiseWithPosition(L, level: 1)
    }
    if count > 1 {
        lua_pushvalue(L, nz_lua_upvalueindex(1))
        lua_pushvalue(L, 2)
        nz_lua_pushcfunction(L, sandboxKeyLess)
        nz_lua_call(L, 2, 0)
    }
    lua_pushvalue(L, 1)
    lua_pushvalue(L, 2)
    lua_pushinteger(L, 0)
    lua_pushcclosure(L, sandboxPairsStep, 3)
    lua_pushvalue(L, 1)
    lua_pushnil(L)
    return 3
}

/// The iterator pairs returns. Upvalues: the table, the sorted keys, the position.
private func sandboxPairsStep(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    var position = lua_tointegerx(L, nz_lua_upvalueindex(3), nil)
    while true {
        position += 1
        if lua_rawgeti(L, nz_lua_upvalueindex(2), position) == LUA_TNIL { return 0 }
        lua_pushvalue(L, -1)
        if lua_rawget(L, nz_lua_upvalueindex(1)) != LUA_TNIL {
            lua_pushinteger(L, position)
            nz_lua_replace(L, nz_lua_upvalueindex(3))
            return 2
        }
        nz_lua_pop(L, 2)  // removed during the loop: skip
    }
}

/// Comparator for table.sort over keys: the order of `LuaValue.keyPrecedes`. Never raises.
private func sandboxKeyLess(_ L: OpaquePointer?) -> Int32 {
    guard let L else { return 0 }
    lua_pushboolean(L, keyLess(L, 1, 2) ? 1 : 0)
    return 1
}

private func keyRank(_ type: Int32) -> Int {
    switch type {
    case LUA_TNUMBER: return 0
    case LUA_TSTRING: return 1
    case LUA_TBOOLEAN: return 2
    default: return 3
    }
}

/// Key order on two stack slots, without metamethods.
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
        return false
    }
}

func numericKey(_ L: OpaquePointer, _ index: Int32) -> NumericKey {
    lua_isinteger(L, index) != 0 ? .integer(lua_tointegerx(L, index, nil)) : .float(lua_tonumberx(L, index, nil))
}
