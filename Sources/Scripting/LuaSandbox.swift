// LuaSandbox: one Lua 5.4 state for one level's scripts — memory cap, per-call instruction
// budget, text chunks only, base/string/table/math/utf8 only, deterministic random numbers —
// and the host API: load chunks, call global functions, register host functions, collect
// print output. Game-agnostic: the game's functions are registered by the host.

import CLua

/// A sandboxed Lua runtime. Scripts cannot crash the host, reach files or the clock, allocate
/// past `memoryLimit`, make a string longer than `maximumStringBytes`, or run a call past
/// `instructionBudget` instructions: a call that does is unwound, and the script is disabled
/// (later calls are refused) while the host keeps running. Not thread-safe: use one sandbox
/// from one thread.
///
/// Determinism: `math.random` depends on the seed only; `next` and `pairs` visit keys in one
/// order (numbers, strings bytewise, false, true, then tables and functions in the order they
/// were created), `tostring` of a table or function prints that creation number, `table.sort`
/// is stable where equal elements can be told apart; weak tables and `collectgarbage` (whose
/// results depend on when memory is collected) are refused.
///
/// The budget covers work done in C too: the count hook charges each instruction one more per
/// 8 KiB of the longest string alive (comparing long strings is one instruction), pattern
/// matching counts its steps (PatternMatching.swift), functions that read a whole string charge
/// one instruction per 16 bytes, `load` one per byte of source, table functions one per
/// element, allocation one per 64 bytes, and each host call a fixed cost plus one per value
/// and per 64 bytes of its arguments (at most 10,000 values and 1 MiB of text).
public final class LuaSandbox {
    public let seed: UInt64
    public let memoryLimit: Int
    public let instructionBudget: Int

    /// Set when a call ran past its instruction budget; every later load or call is refused.
    public private(set) var isDisabled = false
    /// The budget error that disabled the script.
    public private(set) var disabledReason: ScriptError?

    /// Lines printed by scripts (`print`), in order. At most `maximumOutputLines` lines and
    /// `maximumOutputBytes` bytes are kept, then one "[output truncated]" line; assigning
    /// (e.g. `output = []`) starts counting again.
    public var output: [String] {
        get { outputLines }
        set {
            outputLines = newValue
            outputBytes = newValue.reduce(0) { $0 + $1.utf8.count }
        }
    }
    /// The Lua release this sandbox is built on ("Lua 5.4.4"), from its headers: printing it opens no state.
    public static let luaRelease = String(cString: nz_LUA_RELEASE())

    public static let maximumOutputLines = 10_000
    public static let maximumOutputBytes = 1 << 20

    /// Bytes the Lua state holds now.
    public var memoryInUse: Int { counters.pointee.memoryUsed }
    /// Instructions charged to the last load/call (counted in steps of up to 1000).
    public private(set) var lastInstructionCount = 0

    /// The longest string a script may make by default: 256 KiB.
    public static let defaultMaximumStringBytes = 256 << 10
    /// What every host function call costs, in instructions, unless registered otherwise.
    public static let defaultHostCallCost = 100

    private let L: OpaquePointer
    private let counters: UnsafeMutablePointer<SandboxCounters>
    private let longStringTracker = LongStringTracker()
    private var hostFunctions: [([LuaValue]) throws -> [LuaValue]] = []
    private var hostFunctionCosts: [Int] = []
    private var knownChunks: [String] = []
    private var outputLines: [String] = []
    private var outputBytes = 0

    /// - Parameters:
    ///   - seed: the level seed; `math.random` sequences depend on it alone.
    ///   - memoryLimit: bytes the Lua state may hold (the runtime itself needs under 100 KB).
    ///   - instructionBudget: Lua VM instructions per load or call.
    ///   - maximumStringBytes: the longest string a script may make.
    public init(seed: UInt64, memoryLimit: Int = 64 << 20, instructionBudget: Int = 10_000_000,
                maximumStringBytes: Int = LuaSandbox.defaultMaximumStringBytes) throws(ScriptError) {
        guard memoryLimit > 0, instructionBudget > 0 else {
            throw ScriptError(chunkName: "[sandbox]", line: nil,
                              message: "memoryLimit and instructionBudget must be positive", kind: .usage)
        }
        let counters = UnsafeMutablePointer<SandboxCounters>.allocate(capacity: 1)
        counters.initialize(to: SandboxCounters(memoryLimit: memoryLimit, instructionBudget: instructionBudget,
                                                hookInterval: Int32(min(instructionBudget, 1000)),
                                                maximumStringBytes: max(64, maximumStringBytes)))
        counters.pointee.longStrings = Unmanaged.passUnretained(longStringTracker).toOpaque()
        guard let state = lua_newstate(sandboxAllocate, counters) else {
            counters.deinitialize(count: 1)
            counters.deallocate()
            throw ScriptError(chunkName: "[sandbox]", line: nil, message: "could not create a Lua state",
                              kind: .memory)
        }
        self.L = state
        self.counters = counters
        self.seed = seed
        self.memoryLimit = memoryLimit
        self.instructionBudget = instructionBudget
        counters.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        nz_lua_getextraspace(state)!.storeBytes(of: counters, as: UnsafeMutablePointer<SandboxCounters>.self)
        lua_atpanic(state, sandboxPanic)
        try installLibraries()
        if counters.pointee.memoryUsed > memoryLimit {
            throw ScriptError(chunkName: "[sandbox]", line: nil,
                              message: "memory limit of \(memoryLimit) bytes is below what the Lua runtime needs (\(counters.pointee.memoryUsed) bytes)",
                              kind: .memory)
        }
    }

    deinit {
        lua_close(L)
        counters.deinitialize(count: 1)
        counters.deallocate()
    }

    // MARK: - Running scripts

    /// Compiles `source` (text only) and runs it once, within the budget: this defines the
    /// script's functions. `chunkName` names it in errors (e.g. "levels/3.toml"); `lineOffset`
    /// is the file line of the chunk's first line, so errors report file lines
    /// (chunk line L is file line lineOffset + L - 1).
    public func load(_ source: String, chunkName: String, lineOffset: Int = 1) throws(ScriptError) {
        try checkUsable("load '\(chunkName)'")
        guard lineOffset <= 10_000_000 else {
            throw ScriptError(chunkName: chunkName, line: nil, message: "lineOffset \(lineOffset) is too large",
                              kind: .usage)
        }
        if !knownChunks.contains(chunkName) { knownChunks.append(chunkName) }
        // The mapping: lineOffset - 1 leading newlines make Lua itself count file lines, so
        // messages, tracebacks and errors caught inside Lua all agree.
        var text = [UInt8](repeating: UInt8(ascii: "\n"), count: max(lineOffset, 1) - 1)
        text.append(contentsOf: source.utf8)
        try compile(text, sourceName: chunkName)
        let results = try runProtected(argumentCount: 0, fallbackChunk: chunkName, disableOnBudget: true)
        nz_lua_pop(L, results)
    }

    /// Whether `name` (a global, or "table.field" path) is a Lua function.
    public func hasFunction(_ name: String) -> Bool {
        let type = pushPath(name)
        nz_lua_pop(L, 1)
        return type == LUA_TFUNCTION
    }

    /// Calls the global function `function` (or "table.field" path) with a fresh instruction
    /// budget and returns its results.
    @discardableResult
    public func call(_ function: String, _ arguments: [LuaValue] = []) throws(ScriptError) -> [LuaValue] {
        try checkUsable("call '\(function)'")
        guard arguments.count < 100_000, lua_checkstack(L, Int32(arguments.count) + 16) != 0 else {
            throw ScriptError(chunkName: "[host]", line: nil, message: "too many arguments for '\(function)'",
                              kind: .usage)
        }
        guard pushPath(function) == LUA_TFUNCTION else {
            nz_lua_pop(L, 1)
            throw ScriptError(chunkName: "[host]", line: nil, message: "no Lua function named '\(function)'",
                              kind: .usage)
        }
        let fallbackChunk = definingChunk(ofFunctionAt: -1)
        for argument in arguments { pushValue(L, argument) }
        let count = try runProtected(argumentCount: Int32(arguments.count), fallbackChunk: fallbackChunk,
                                     disableOnBudget: true)
        var reader = ValueReader()
        let results = (0..<count).map { reader.read(L, -count + $0) }
        nz_lua_pop(L, count)
        return results
    }

    /// Makes `function` callable from Lua as the global `name`, or as a field when `name` is a
    /// path like "city.build" (missing tables on the path are created; non-tables replaced).
    /// Arguments and results are converted as `LuaValue`s; an error the closure throws becomes
    /// a Lua error whose message is the error's description, which Lua code may catch with pcall.
    /// The closure must not call `load`, `call` or `restoreState` on this sandbox.
    /// Each call is charged `cost` instructions, plus one per value and per 64 bytes of text
    /// in its arguments (at most 10,000 values and 1 MiB of text).
    public func register(_ name: String, cost: Int = LuaSandbox.defaultHostCallCost,
                         _ function: @escaping ([LuaValue]) throws -> [LuaValue]) {
        hostFunctions.append(function)
        hostFunctionCosts.append(max(0, cost))
        var components = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let last = components.removeLast()
        nz_lua_pushglobaltable(L)
        for component in components {
            pushString(L, component)
            if lua_rawget(L, -2) != LUA_TTABLE {
                nz_lua_pop(L, 1)
                lua_createtable(L, 0, 4)
                pushString(L, component)
                lua_pushvalue(L, -2)
                lua_rawset(L, -4)
            }
            nz_lua_remove(L, -2)
        }
        pushString(L, last)
        lua_pushinteger(L, lua_Integer(hostFunctions.count - 1))
        lua_pushcclosure(L, sandboxHostTrampoline, 1)
        lua_rawset(L, -3)
        nz_lua_pop(L, 1)
    }

    // MARK: - Internals shared with the callbacks and the state serialiser

    func hostFunction(at index: Int) -> ([LuaValue]) throws -> [LuaValue] {
        hostFunctions[index]
    }

    func hostFunctionCost(at index: Int) -> Int { hostFunctionCosts[index] }

    func appendOutput(_ line: String) {
        guard outputLines.count < Self.maximumOutputLines,
              outputBytes + line.utf8.count <= Self.maximumOutputBytes
        else {
            if outputLines.last != "[output truncated]" {
                outputLines.append("[output truncated]")
            }
            return
        }
        outputLines.append(line)
        outputBytes += line.utf8.count
    }

    var state: OpaquePointer { L }

    /// Refuses work while a call runs (host functions re-entering) or once disabled.
    func checkUsable(_ action: String, allowDisabled: Bool = false) throws(ScriptError) {
        if counters.pointee.running {
            throw ScriptError(chunkName: "[host]", line: nil,
                              message: "cannot \(action) while a script is running", kind: .usage)
        }
        if isDisabled, !allowDisabled, let reason = disabledReason {
            throw ScriptError(chunkName: reason.chunkName, line: reason.line,
                              message: "script disabled (\(reason.message)); cannot \(action)", kind: .disabled)
        }
    }

    /// Compiles text with the memory cap on (lua_load is protected: a memory error is returned).
    /// Leaves the function on the stack, or throws.
    func compile(_ text: [UInt8], sourceName: String) throws(ScriptError) {
        counters.pointee.capEnforced = true
        let status = text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                nz_luaL_loadbufferx(L, $0.baseAddress, $0.count, "=" + sourceName, "t")
            }
        }
        counters.pointee.capEnforced = false
        guard status == LUA_OK else {
            let error = errorFromTop(status: status, fallbackChunk: sourceName)
            nz_lua_pop(L, 1)
            throw error
        }
    }

    /// Calls the function below `argumentCount` arguments on top of the stack, in protected
    /// mode, with the budget and the memory cap. Returns the number of results left on the
    /// stack, or throws (stack cleaned). A budget overrun disables the script if asked.
    func runProtected(argumentCount: Int32, fallbackChunk: String, disableOnBudget: Bool) throws(ScriptError) -> Int32 {
        let functionIndex = lua_gettop(L) - argumentCount
        nz_lua_pushcfunction(L, sandboxMessageHandler)
        nz_lua_insert(L, functionIndex)
        let handlerIndex = functionIndex
        counters.pointee.instructionsUsed = 0
        counters.pointee.budgetExceeded = false
        counters.pointee.refusalLine = 0
        counters.pointee.refusedLongString = false
        counters.pointee.running = true
        counters.pointee.capEnforced = true
        lua_sethook(L, sandboxCountHook, nz_LUA_MASKCOUNT(), counters.pointee.hookInterval)
        let status = nz_lua_pcall(L, argumentCount, nz_LUA_MULTRET(), handlerIndex)
        lua_sethook(L, nil, 0, 0)
        counters.pointee.running = false
        counters.pointee.capEnforced = false
        lastInstructionCount = counters.pointee.instructionsUsed
        if counters.pointee.budgetExceeded || status != LUA_OK {
            var error = errorFromTop(status: status, fallbackChunk: fallbackChunk)
            lua_settop(L, handlerIndex - 1)
            if counters.pointee.budgetExceeded {
                error.kind = .budget
                error.message = "\(budgetExceededMessage) (\(instructionBudget) instructions per call)"
                if disableOnBudget {
                    isDisabled = true
                    disabledReason = error
                }
            }
            throw error
        }
        nz_lua_remove(L, handlerIndex)
        return lua_gettop(L) - handlerIndex + 1
    }

    /// The error on top of the stack (left there) as a ScriptError.
    private func errorFromTop(status: Int32, fallbackChunk: String) -> ScriptError {
        let message: [UInt8]
        if lua_type(L, -1) == LUA_TSTRING {
            message = Array(stringBytes(L, -1))
        } else {
            message = Array("(error object is a \(String(cString: nz_luaL_typename(L, -1))) value)".utf8)
        }
        var (chunk, line, text) = LuaMessage.split(message, knownChunks: knownChunks, fallbackChunk: fallbackChunk)
        let kind: ScriptError.Kind
        switch status {
        case LUA_ERRSYNTAX: kind = .syntax
        case LUA_ERRMEM:
            kind = .memory
            // Lua raises memory errors without a position: the allocator noted the line.
            if line == nil, counters.pointee.refusalLine > 0 {
                line = Int(counters.pointee.refusalLine)
                chunk = fallbackChunk
            }
            text = counters.pointee.refusedLongString
                ? "not enough memory: a string longer than \(counters.pointee.maximumStringBytes >> 10) KiB (the sandbox's limit)"
                : "not enough memory (the script may hold \(memoryLimit >> 20) MB)"
        case LUA_ERRERR:
            kind = .runtime
            text += " (the error handler failed, usually after a stack overflow)"
        default: kind = .runtime
        }
        var traceback = ""
        if lua_getfield(L, nz_LUA_REGISTRYINDEX(), tracebackRegistryKey) == LUA_TSTRING {
            traceback = readString(L, -1)
        }
        nz_lua_pop(L, 1)
        lua_pushnil(L)
        lua_setfield(L, nz_LUA_REGISTRYINDEX(), tracebackRegistryKey)
        return ScriptError(chunkName: chunk, line: line, message: text, kind: kind, traceback: traceback)
    }

    /// Pushes the value at a global path ("name" or "a.b.c"), raw (no metamethods); returns its type.
    private func pushPath(_ path: String) -> Int32 {
        nz_lua_pushglobaltable(L)
        var type = LUA_TTABLE
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard type == LUA_TTABLE else {
                nz_lua_pop(L, 1)
                lua_pushnil(L)
                return LUA_TNIL
            }
            pushString(L, String(component))
            type = lua_rawget(L, -2)
            nz_lua_remove(L, -2)
        }
        return type
    }

    /// The chunk a Lua function was defined in (for errors that carry no position).
    private func definingChunk(ofFunctionAt index: Int32) -> String {
        var info = lua_Debug()
        lua_pushvalue(L, index)
        guard lua_getinfo(L, ">S", &info) != 0, let source = info.source else { return "[host]" }
        let name = String(cString: source)
        return name.hasPrefix("=") || name.hasPrefix("@") ? String(name.dropFirst()) : name
    }

    // MARK: - Set-up

    private func installLibraries() throws(ScriptError) {
        let libraries: [(String, lua_CFunction)] = [
            ("_G", luaopen_base), ("string", luaopen_string), ("table", luaopen_table),
            ("math", luaopen_math), ("utf8", luaopen_utf8),
        ]
        for (name, open) in libraries {
            luaL_requiref(L, name, open, 1)
            nz_lua_pop(L, 1)
        }
        // Error messages name a library function by finding it in the registry's loaded-module
        // table. The prelude replaces some functions with wrappers that tail-call the originals,
        // so the registry keeps copies of the original libraries (scripts cannot reach them).
        lua_getfield(L, nz_LUA_REGISTRYINDEX(), nz_LUA_LOADED_TABLE())
        for (name, _) in libraries {
            lua_getfield(L, -1, name)
            lua_createtable(L, 0, 32)
            lua_pushnil(L)
            while lua_next(L, -3) != 0 {
                if lua_type(L, -1) == LUA_TFUNCTION {
                    lua_pushvalue(L, -2)
                    nz_lua_insert(L, -2)
                    lua_rawset(L, -4)
                } else {
                    nz_lua_pop(L, 1)
                }
            }
            lua_setfield(L, -3, name)
            nz_lua_pop(L, 1)
        }
        nz_lua_pop(L, 1)
        // pairs in sorted key order (its upvalue is the original table.sort); pcall and
        // xpcall that place errors from wrapped library functions at the script's line.
        // next, pairs and tostring in a deterministic order (Determinism.swift); pattern
        // matching with a step count (PatternMatching.swift).
        installDeterminismTables(L)
        nz_lua_pushglobaltable(L)
        nz_lua_pushcfunction(L, sandboxPcall)
        lua_setfield(L, -2, "pcall")
        nz_lua_pushcfunction(L, sandboxXpcall)
        lua_setfield(L, -2, "xpcall")
        _ = lua_getglobal(L, "table")
        _ = lua_getfield(L, -1, "sort")
        nz_lua_remove(L, -2)
        lua_pushcclosure(L, sandboxNext, 1)
        lua_pushvalue(L, -1)
        lua_setfield(L, -3, "next")
        lua_pushcclosure(L, sandboxPairs, 1)
        lua_setfield(L, -2, "pairs")
        nz_lua_pushcfunction(L, sandboxToString)
        lua_setfield(L, -2, "tostring")
        _ = lua_getglobal(L, "string")
        for (name, mode) in [("find", PatternMode.find), ("match", PatternMode.match)] {
            lua_pushinteger(L, lua_Integer(mode.rawValue))
            lua_pushcclosure(L, sandboxPatternMatch, 1)
            lua_setfield(L, -2, name)
        }
        nz_lua_pop(L, 2)
        numberLibraryFunctions(L)
        // The prelude, with the seed and its C helpers.
        try compile(Array(sandboxPrelude.utf8), sourceName: "[sandbox]")
        lua_pushinteger(L, lua_Integer(Int64(bitPattern: seed)))
        nz_lua_pushcfunction(L, sandboxEmit)
        nz_lua_pushcfunction(L, sandboxCharge)
        lua_pushinteger(L, lua_Integer(PatternMode.iterate.rawValue))
        lua_pushcclosure(L, sandboxPatternMatch, 1)
        lua_pushinteger(L, lua_Integer(counters.pointee.maximumStringBytes))
        if nz_lua_pcall(L, 5, 0, 0) != LUA_OK {
            let message = lua_type(L, -1) == LUA_TSTRING ? readString(L, -1) : "unknown error"
            nz_lua_pop(L, 1)
            throw ScriptError(chunkName: "[sandbox]", line: nil, message: "prelude failed: \(message)")
        }
    }
}
