// Attempts to get out of the sandbox — files, processes, modules, bytecode, memory bombs,
// endless loops, deep recursion, coroutines, finalisers, the string metatable — each refused
// with a clear message, and the sandbox (or, once disabled, a fresh one) working afterwards.

import Testing
import Scripting

@Suite struct EscapeTests {
    /// After an error, the same sandbox still loads and runs code.
    private func expectStillWorks(_ box: LuaSandbox) throws {
        try box.load("function stillWorks(x) return x * 2 end", chunkName: "after.lua")
        #expect(try box.call("stillWorks", [21]) == [.integer(42)])
    }

    @Test func ioIsAbsent() throws {
        let box = try sandbox()
        let error = try #require(loadError(box, "local f = io.open('/etc/passwd')"))
        #expect(error.kind == .runtime)
        #expect(error.message == "attempt to index a nil value (global 'io')")
        #expect(error.chunkName == "test.lua" && error.line == 1)
        try expectStillWorks(box)
    }

    @Test func osIsAbsent() throws {
        let box = try sandbox()
        let error = try #require(loadError(box, "os.execute('touch /tmp/pwned')"))
        #expect(error.message == "attempt to index a nil value (global 'os')")
        let clock = try #require(loadError(box, "return os.time()"))
        #expect(clock.message.contains("global 'os'"))
        try expectStillWorks(box)
    }

    @Test func requireAndFileLoadersAreAbsent() throws {
        let box = try sandbox()
        let error = try #require(loadError(box, "require 'x'"))
        #expect(error.message == "attempt to call a nil value (global 'require')")
        #expect(try evaluate(box, "type(dofile), type(loadfile), type(package), type(debug), type(string.dump)") == "nil")
        #expect(try box.call("__eval", []) == ["nil", "nil", "nil", "nil", "nil"])
        try expectStillWorks(box)
    }

    @Test func onlyTheFiveLibrariesAreLoaded() throws {
        let box = try sandbox()
        try box.load("""
            function libs()
              local names = {}
              for name, value in pairs(_G) do
                if type(value) == "table" and name ~= "_G" then names[#names + 1] = name end
              end
              return table.concat(names, ' ')
            end
            """, chunkName: "test.lua")
        #expect(try box.call("libs", []) == ["math state string table utf8"])
    }

    /// "\27Lua" + version 5.4 + format + LUAC_DATA...: the start of a real precompiled chunk.
    static let binaryChunk = "\u{1B}Lua\u{54}\u{00}\u{19}\u{93}\r\n\u{1A}\n\u{04}\u{08}\u{08}xV\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}\u{00}(w@"

    @Test func binaryChunksAreRefusedByLoad() throws {
        let box = try sandbox()
        let escaped = Self.binaryChunk.unicodeScalars.map { "\\\($0.value)" }.joined()
        try box.load("""
            function tryBinary()
              local f, err = load("\(escaped)")
              local g, err2 = load("\(escaped)", "x", "b")
              return f == nil, err, g == nil, err2
            end
            """, chunkName: "test.lua")
        let results = try box.call("tryBinary", [])
        #expect(results[0] == true && results[2] == true)
        #expect(results[1] == "binary chunks are not allowed in the sandbox (text only)")
        #expect(results[3] == results[1])
        // load still compiles text, in the sandbox's own environment.
        try box.load("function viaLoad() return load('return math.max(2, 5)')() end", chunkName: "test.lua")
        #expect(try box.call("viaLoad", []) == [.integer(5)])
        // A reader function producing bytecode is refused by mode "t".
        try box.load("""
            function viaReader()
              local done = false
              local f, err = load(function() if done then return nil end done = true return "\(escaped)" end)
              return f, err
            end
            """, chunkName: "test.lua")
        let reader = try box.call("viaReader", [])
        #expect(reader[0] == .nil)
        #expect(reader[1].stringValue?.contains("binary chunks are not allowed in the sandbox") == true)
    }

    @Test func binaryChunksAreRefusedByTheHostLoader() throws {
        let box = try sandbox()
        let error = try #require(loadError(box, Self.binaryChunk))
        #expect(error.kind == .syntax)
        #expect(error.message.contains("attempt to load a binary chunk (mode is 't')"))
        try expectStillWorks(box)
    }

    @Test func stringRepMemoryBombHitsTheCap() throws {
        let box = try sandbox(memory: 16 << 20)
        let error = try #require(loadError(box, "local s = string.rep('x', 1e9)"))
        #expect(error.kind == .runtime)  // refused before C builds it: longer than the string limit
        #expect(error.message == "string.rep: the result would be 1000000000 bytes; strings are at most 262144")
        #expect(error.chunkName == "test.lua" && error.line == 1)
        let concatenated = try #require(loadError(box, "local s = ('x'):rep(100000)\nlocal t = {}\nfor i = 1, 1000 do t[i] = s .. i end"))
        #expect(concatenated.kind == .memory && concatenated.message.hasPrefix("not enough memory"))
        #expect(concatenated.line == 3)
        #expect(box.memoryInUse < 16 << 20)
        #expect(!box.isDisabled)
        try expectStillWorks(box)
    }

    @Test func concatenationBombHitsTheCap() throws {
        let box = try sandbox(memory: 16 << 20, budget: 10_000_000)
        let error = try #require(loadError(box, "local s = 'x' while true do s = s .. s end"))
        #expect(error.kind == .memory)
        try expectStillWorks(box)
    }

    @Test func tableBombStopsCleanly() throws {
        let box = try sandbox(memory: 8 << 20, budget: 10_000_000)
        let error = try #require(loadError(box, "local t = {} for i = 1, 1e9 do t[i] = {i} end"))
        #expect(error.kind == .memory)
        #expect(box.memoryInUse < 8 << 20)
    }

    @Test func pcallLoopOnMemoryErrorsIsStopped() throws {
        // Each refusal costs 1/64 of the budget, so catching out-of-memory forever is not possible.
        let box = try sandbox(memory: 8 << 20, budget: 1_000_000)
        let error = try #require(loadError(box, "while true do pcall(string.rep, 'x', 1e8) end"))
        #expect(error.kind == .budget)
    }

    @Test func endlessLoopExhaustsTheBudgetAndDisablesTheScript() throws {
        let box = try sandbox(budget: 100_000)
        try box.load("""
            function tick()
              while true do end
            end
            """, chunkName: "level.toml", lineOffset: 10)
        let error = try #require(scriptError { () throws(ScriptError) in _ = try box.call("tick", []) })
        #expect(error.kind == .budget)
        #expect(error.message == "instruction budget exceeded (100000 instructions per call)")
        #expect(error.chunkName == "level.toml")
        #expect(error.line == 11)
        #expect(box.isDisabled)
        #expect(box.disabledReason == error)
        let refused = try #require(scriptError { () throws(ScriptError) in _ = try box.call("tick", []) })
        #expect(refused.kind == .disabled)
        #expect(refused.message.contains("script disabled (instruction budget exceeded"))
        #expect(refused.message.contains("cannot call 'tick'"))
        #expect(loadError(box, "x = 1")?.kind == .disabled)
        // The host carries on: a new sandbox runs.
        let fresh = try sandbox()
        try expectStillWorks(fresh)
    }

    @Test func pcallCannotSwallowTheBudget() throws {
        let box = try sandbox(budget: 100_000)
        let error = try #require(loadError(box, """
            while true do
              pcall(function() while true do end end)
            end
            """))
        #expect(error.kind == .budget)
        #expect(box.isDisabled)
    }

    @Test func pcallInTailPositionCannotSwallowTheBudget() throws {
        let box = try sandbox(budget: 100_000)
        try box.load("function f() return pcall(function() while true do end end) end", chunkName: "test.lua")
        let error = try #require(scriptError { () throws(ScriptError) in _ = try box.call("f", []) })
        #expect(error.kind == .budget)
        #expect(box.isDisabled)
    }

    @Test func xpcallHandlerCannotSwallowTheBudget() throws {
        let box = try sandbox(budget: 100_000)
        let error = try #require(loadError(box, """
            while true do
              xpcall(function() while true do end end, function(m) while true do end end)
            end
            """))
        #expect(error.kind == .budget)
    }

    @Test func closeHandlersRunUnderTheBudget() throws {
        let box = try sandbox(budget: 100_000)
        let error = try #require(loadError(box, """
            local guard <close> = setmetatable({}, {__close = function() while true do end end})
            error("leave")
            """))
        #expect(error.kind == .budget)
    }

    @Test func pcallAndXpcallKeepTheirMeaning() throws {
        let box = try sandbox()
        try box.load("""
            function results()
              local a = {pcall(function(x) return x, 2 end, 1)}
              local b = {pcall(error, "plain", 0)}
              local c = {xpcall(error, function(m) return "handled: " .. m end, "x", 0)}
              local d = {xpcall(function(...) return select("#", ...) end, print, 1, nil, 3)}
              local e = {xpcall(error, function() error("again", 0) end, "x")}
              return a[1], a[2], a[3], b[1], b[2], c[1], c[2], d[1], d[2], e[1], e[2]
            end
            """, chunkName: "p.lua")
        #expect(try box.call("results", []) == [
            true, .integer(1), .integer(2), false, "plain", false, "handled: x", true, .integer(3), false, "again",
        ])
        #expect(loadError(box, "xpcall(print)")?.message == "bad argument #2 to 'xpcall' (function expected, got no value)")
    }

    @Test func budgetIsPerCall() throws {
        let box = try sandbox(budget: 100_000)
        try box.load("function work() local s = 0 for i = 1, 10000 do s = s + i end return s end", chunkName: "w.lua")
        for _ in 0..<50 {  // 50 calls of ~40k instructions each: far beyond one budget in total
            #expect(try box.call("work", []) == [.integer(50_005_000)])
        }
        #expect(box.lastInstructionCount > 0 && box.lastInstructionCount < 100_000)
    }

    @Test func cLoopsAreCharged() throws {
        // These loop in C without allocating; the prelude charges them to the budget.
        for source in [
            "table.move({}, 1, 1e12, 2)",
            "table.concat({}, '', 1, 1e12)",
            "local t = setmetatable({}, {__len = function() return 1e12 end}) table.insert(t, 1, 'x')",
            "local t = setmetatable({}, {__len = function() return 1e12 end}) table.remove(t, 1)",
        ] {
            let box = try sandbox(budget: 100_000)
            let error = loadError(box, source)
            #expect(error?.kind == .budget, "\(source)")
        }
        let box = try sandbox(budget: 100_000)
        #expect(try evaluate(box, "#string.rep('', 1e15), #string.rep('', 1e15, '')") == .integer(0))
    }

    @Test func deepRecursionIsAStackOverflow() throws {
        // Lua's stack limit (1M slots) takes about 91 MB with this function's small frames.
        let box = try LuaSandbox(seed: 1, memoryLimit: 128 << 20)
        let error = try #require(loadError(box, "local function f() return f() + 1 end\nf()"))
        #expect(error.kind == .runtime)
        #expect(error.message == "stack overflow")
        #expect(error.chunkName == "test.lua" && error.line == 1)
        #expect(!box.isDisabled)
        try expectStillWorks(box)
        // With the default 64 MB cap the same recursion runs out of memory first: also clean.
        let capped = try LuaSandbox(seed: 1)
        #expect(loadError(capped, "local function f() return f() + 1 end\nf()")?.kind == .memory)
        try expectStillWorks(capped)
        // Larger frames reach the stack limit within 64 MB.
        let wide = try #require(loadError(capped, """
            local function f(a, b, c, d, e, g, h, i, j, k, l, m, n, o, p, q)
              return f(a, b, c, d, e, g, h, i, j, k, l, m, n, o, p, q) + 1
            end
            f()
            """))
        #expect(wide.message == "stack overflow" && wide.line == 2)
        try expectStillWorks(capped)
    }

    @Test func cStackOverflowIsCaught() throws {
        let box = try LuaSandbox(seed: 1)
        let metamethod = try #require(loadError(box, """
            local t = setmetatable({}, {__index = function(t, k) return t[k] end})
            return t.x
            """))
        #expect(metamethod.message.contains("stack overflow"))
        let gsub = try #require(loadError(box, """
            local function f(s) return (string.gsub(s, ".", f)) end
            f("ab")
            """))
        #expect(gsub.message.contains("stack overflow"))
        let nestedPcall = try #require(loadError(box, """
            local function f() return select(2, pcall(f)) end
            error(f())
            """))
        #expect(nestedPcall.kind == .runtime)
        try expectStillWorks(box)
    }

    @Test func coroutinesAreAbsent() throws {
        let box = try sandbox()
        #expect(try evaluate(box, "type(coroutine)") == "nil")
        let error = try #require(loadError(box, "local co = coroutine.wrap(function() while true do coroutine.yield() end end) co()"))
        #expect(error.message == "attempt to index a nil value (global 'coroutine')")
        try expectStillWorks(box)
    }

    @Test func finalisersAreRefused() throws {
        let box = try sandbox()
        let error = try #require(loadError(box, "\n\nsetmetatable({}, {__gc = function() while true do end end})"))
        #expect(error.message == "__gc is not allowed in the sandbox")
        #expect(error.line == 3)
        #expect(loadError(box, "setmetatable({}, {__gc = true})")?.message == "__gc is not allowed in the sandbox")
        // Ordinary metatables still work, and setmetatable keeps its own checks and name.
        #expect(try evaluate(box, "setmetatable({}, {__index = function(_, k) return k .. '!' end}).hi") == "hi!")
        let bad = try #require(loadError(box, "setmetatable({}, 42)"))
        #expect(bad.message == "bad argument #2 to 'setmetatable' (nil or table expected, got number)")
        #expect(bad.chunkName == "test.lua" && bad.line == 1)
        // Caught inside Lua, errors of wrapped library functions also carry the script's line.
        try box.load("function insertNil() return select(2, pcall(function()\n  table.insert(nil, 1)\nend)) end",
                     chunkName: "test.lua", lineOffset: 10)
        #expect(try box.call("insertNil", []) == ["test.lua:11: bad argument #1 to 'insert' (table expected, got nil)"])
    }

    @Test func stringMetatableIsLocked() throws {
        let box = try sandbox()
        #expect(try evaluate(box, "getmetatable('')") == false)
        let error = try #require(loadError(box, "getmetatable('').__index = nil"))
        #expect(error.message.contains("attempt to index a boolean value"))
        #expect(try evaluate(box, "('x'):rep(3) .. ('abc'):upper() .. ('%d'):format(7)") == "xxxABC7")
        #expect(try evaluate(box, "('a,b'):find(',', 1, true)") == .integer(2))
        #expect(loadError(box, "setmetatable('', {})")?.message.contains("bad argument #1 to 'setmetatable' (table expected") == true)
    }

    @Test func collectGarbageIsNotAvailable() throws {
        // Even "count" depends on Lua's per-process hash seed, so it would break determinism.
        let box = try sandbox()
        let error = try #require(loadError(box, "collectgarbage('count')"))
        #expect(error.message == "collectgarbage is not available in the sandbox (memory use differs between runs)")
        #expect(loadError(box, "collectgarbage('stop')") != nil)
    }
}
