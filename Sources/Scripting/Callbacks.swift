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
    /// The longest string a script may make, in bytes.
    var maximumStringBytes: Int
    /// Set when the allocator last refused a string for its length, not for the memory cap.
    var refusedLongString = false
    /// The file line of the script code that was running when the allocator last refused
    /// memory (Lua raises memory errors without a position); 0 when unknown.
    var refusalLine: Int32 = 0
    /// `Unmanaged<LongStringTracker>`, retained by the sandbox.
    var longStrings: UnsafeMutableRawPointer?
}

/// The sizes of the strings of at least `trackedStringBytes` that are alive. Comparing two
/// long strings (`==`, `<`) is one VM instruction but reads both strings in C; while long
/// strings are alive, the count hook charges each instruction in proportion to the longest.
///
/// It also numbers every table and closure in the order the state creates them: that order
/// is the same in every run, unlike addresses, so tables and functions print and sort by it.
final class LongStringTracker {
    static let trackedStringBytes = 8 << 10
    private var sizes: [UInt: Int] = [:]
    private var countBySizeClass = [Int](repeating: 0, count: 64)
    private var creationNumbers: [UInt: Int] = [:]
    private var created = 0

    /// A new table or closure at `block`.
    func objectCreated(_ block: UnsafeMutableRawPointer) {
        created += 1
        creationNumbers[UInt(bitPattern: block)] = created
    }

    func blockFreed(_ block: UnsafeMutableRawPointer) {
        if !creationNumbers.isEmpty { creationNumbers.removeValue(forKey: UInt(bitPattern: block)) }
    }

    /// The creation number of the table or closure at `pointer` (lua_topointer), or nil.
    func creationNumber(_ pointer: UnsafeRawPointer) -> Int? { creationNumbers[UInt(bitPattern: pointer)] }

    /// Numbers for values the allocator never saw (C functions of the libraries), from the same count.
    func nextNumber() -> Int {
        created += 1
        return created
    }

    func added(_ block: UnsafeMutableRawPointer, size: Int) {
        sizes[UInt(bitPattern: block)] = size
        countBySizeClass[Self.sizeClass(size)] += 1
    }

    func freed(_ block: UnsafeMutableRawPointer) {
        guard let size = sizes.removeValue(forKey: UInt(bitPattern: block)) else { return }
        countBySizeClass[Self.sizeClass(size)] -= 1
    }

    /// An upper bound of the longest tracked string alive (0 when none): 2^(size class).
    var longestBound: Int {
        for sizeClass in stride(from: 63, through: 0, by: -1) where countBySizeClass[sizeClass] > 0 {
            return 1 << sizeClass
        }
        return 0
    }

    private static func sizeClass(_ size: Int) -> Int { min(63, Int.bitWidth - size.leadingZeroBitCount) }
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
            if let tracker = counters.pointee.longStrings {
                let tracker = Unmanaged<LongStringTracker>.fromOpaque(tracker).takeUnretainedValue()
                if oldSize >= LongStringTracker.trackedStringBytes { tracker.freed(block) }
                tracker.blockFreed(block)
            }
            free(block)
            counters.pointee.memoryUsed -= oldSize
        }
        return nil
    }
    let growth = newSize - (block == nil ? 0 : oldSize)  // with no block, oldSize is a type tag
    // A new string (Lua passes the type tag as oldSize): 24 bytes of header, the bytes, a NUL.
    let isLongString = block == nil && oldSize == Int(LUA_TSTRING) && newSize >= LongStringTracker.trackedStringBytes
    if growth > 0, counters.pointee.capEnforced {
        let tooLong = isLongString && newSize - 25 > counters.pointee.maximumStringBytes
        if tooLong || counters.pointee.memoryUsed > counters.pointee.memoryLimit - growth {
            // Each refusal also costs 1/64 of the budget: a script that keeps catching
            // out-of-memory errors (each one a full collection) is stopped soon.
            counters.pointee.instructionsUsed &+= counters.pointee.instructionBudget / 64 + 1
            counters.pointee.refusedLongString = tooLong
            recordRefusalPosition(counters)
            return nil
        }
        counters.pointee.instructionsUsed &+= growth >> 6
    }
    if let block, oldSize >= LongStringTracker.trackedStringBytes, let tracker = counters.pointee.longStrings {
        Unmanaged<LongStringTracker>.fromOpaque(tracker).takeUnretainedValue().freed(block)
    }
    guard let newBlock = realloc(block, newSize) else { return nil }
    counters.pointee.memoryUsed += growth
    if block == nil, oldSize == Int(LUA_TTABLE) || oldSize == Int(LUA_TFUNCTION), let tracker = counters.pointee.longStrings {
        Unmanaged<LongStringTracker>.fromOpaque(tracker).takeUnretainedValue().objectCreated(newBlock)
    }
    if isLongString, let tracker = counters.pointee.longStrings {
        Unmanaged<LongStringTracker>.fromOpaque(tracker).takeUnretainedValue().added(newBlock, size: newSize)
    }
    return newBlock
}

/// Notes the file line of the innermost script frame (memory errors carry no position).
private func recordRefusalPosition(_ counters: UnsafeMutablePointer<SandboxCounters>) {
    counters.pointee.refusalLine = 0
    guard let owner = counters.pointee.owner else { return }
    let L = Unmanaged<LuaSandbox>.fromOpaque(owner).takeUnretainedValue().state
    var info = lua_Debug()
    var level: Int32 = 0
    while level < 64, lua_getstack(L, level, &info) != 0 {
        _ = lua_getinfo(L, "Sl", &info)
        if info.currentline > 0, let source = info.source, strcmp(source, "=[sandbox]") != 0 {
            counters.pointee.refusalLine = info.currentline
            return
        }
        level += 1
    }
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
    let counters = sandboxCounters(L)
    let interval = Int(counters.pointee.hookInterval)
    // While long strings are alive an instruction may compare them in C: one more
    // instruction per 8 KiB of the longest.
    var longest = 0
    if let tracker = counters.pointee.longStrings {
        longest = Unmanaged<LongStringTracker>.fromOpaque(tracker).takeUnretainedValue().longestBound
    }
    if chargeBudget(L, interval + interval * (longest >> 13)) {
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
    if chargeBudget(L, sandbox.hostFunctionCost(at: index)) {
        lua_pushstring(L, budgetExceededMessage)
        return -1
    }
    let argumentCount = lua_gettop(L)
    guard argumentCount <= maximumHostArgumentValues else {
        pushString(L, "too many arguments (\(argumentCount)) for a host function")
        return -1
    }
    var arguments: [LuaValue] = []
    arguments.reserveCapacity(Int(argumentCount))
    var conversion = ValueReader(limit: Int(maximumHostArgumentValues), byteLimit: maximumHostArgumentBytes)
    for argument in stride(from: Int32(1), through: argumentCount, by: 1) {
        arguments.append(conversion.read(L, argument))
    }
    if conversion.overflowed {
        pushString(L, "arguments too large for a host function (at most \(maximumHostArgumentValues) values and \(maximumHostArgumentBytes >> 10) KiB of text)")
        return -1
    }
    // Converting costs about one instruction per value and per 64 bytes.
    if chargeBudget(L, conversion.valuesRead + conversion.bytesRead >> 6) {
        lua_pushstring(L, budgetExceededMessage)
        return -1
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
