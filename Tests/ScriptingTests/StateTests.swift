// Save files: the `state` table written as sorted, deterministic text and read back into a
// fresh sandbox, with awkward values (escapes, UTF-8, binary bytes, extreme numbers), skipped
// values noted, and anything but plain data refused on restore.

import Testing
import Scripting

@Suite struct StateTests {
    static let script = """
        state.level = 3
        state.name = "Green \\"Harbour\\"\\n零碳城"
        state.ratio = 0.1
        state.whole = 2.0
        state.flags = {solar = true, wind = false}
        state.history = {10, 20, 30}
        state[7] = "seven"
        state["not an identifier"] = -1
        state["end"] = "reserved"
        """

    @Test func saveIsSortedAndExact() throws {
        let box = try sandbox()
        try box.load(Self.script, chunkName: "level.toml")
        #expect(box.saveState() == """
            {
              [7] = "seven",
              ["end"] = "reserved",
              flags = {
                solar = true,
                wind = false,
              },
              history = {
                [1] = 10,
                [2] = 20,
                [3] = 30,
              },
              level = 3,
              name = "Green \\"Harbour\\"\\n零碳城",
              ["not an identifier"] = -1,
              ratio = 0.1,
              whole = 2.0,
            }

            """)
    }

    @Test func roundTrip() throws {
        let box = try sandbox()
        try box.load(Self.script, chunkName: "level.toml")
        try box.load("""
            state.edge = {
              big = math.maxinteger, small = math.mininteger, tiny = 5e-324, huge = 1e300,
              inf = 1/0, ninf = -1/0, negzero = -0.0, [0.5] = "half", [-3] = "neg",
              bytes = "\\0\\1\\255\\127tab\\tcr\\r", deep = {{{{"x"}}}},
            }
            """, chunkName: "level.toml")
        let text = box.saveState()
        let restored = try sandbox(seed: 99)
        try restored.restoreState(text)
        #expect(restored.saveState() == text)
        try restored.load("""
            function check()
              local e = state.edge
              return state.level, math.type(state.whole), state.name, e.big == math.maxinteger,
                     e.small == math.mininteger, e.tiny, e.inf, 1 / e.negzero, e[0.5], e[-3], e.bytes, e.deep[1][1][1][1]
            end
            """, chunkName: "check.lua")
        #expect(try restored.call("check", []) == [
            .integer(3), "float", "Green \"Harbour\"\n零碳城", true, true, .number(.leastNonzeroMagnitude), .number(.infinity),
            .number(-.infinity), "half", "neg", .string(String(decoding: [0, 1, 255, 127] + Array("tab\tcr\r".utf8), as: UTF8.self)), "x",
        ])
        // The raw bytes survive exactly (not only their lossy Swift form).
        #expect(try evaluate(restored, "state.edge.bytes == '\\0\\1\\255\\127tab\\tcr\\r'") == true)
    }

    @Test func restoreKeepsTheSameTable() throws {
        let box = try sandbox()
        try box.load("""
            local S = state
            S.old = 1
            function read() return S.new, S.old end
            """, chunkName: "t.lua")
        try box.restoreState("{ new = 'yes' }")
        #expect(try box.call("read", []) == ["yes", .nil])
    }

    @Test func unsavableValuesAreSkippedVisibly() throws {
        let box = try sandbox()
        try box.load("""
            state.f = print
            state.loop = {}
            state.loop.back = state.loop
            state[{}] = 1
            state.ok = 1
            """, chunkName: "t.lua")
        let text = box.saveState()
        #expect(text == """
            {
              -- skipped: f (function)
              loop = {
                -- skipped: back (cycle)
              },
              ok = 1,
              -- skipped: 1 keys that are not numbers, strings or booleans
            }

            """)
        let again = try sandbox()
        try again.restoreState(text)
        #expect(again.saveState() == "{\n  loop = {},\n  ok = 1,\n}\n")
        try box.load("state = 5", chunkName: "t.lua")
        #expect(box.saveState() == "-- skipped: global 'state' is a number, not a table\n{}\n")
    }

    @Test func restoreRefusesAnythingButData() throws {
        // The state is read by a parser of data, never evaluated: code is refused before it runs.
        let box = try sandbox(memory: 8 << 20)
        try box.restoreState("{ keep = 1 }")
        let function = try #require(scriptError { () throws(ScriptError) in try box.restoreState("{ f = function() end }") })
        #expect(function.kind == .usage)
        #expect(function.message == "saved state is not plain data: found 'function': saved state holds data only, never code")
        let syntax = try #require(scriptError { () throws(ScriptError) in try box.restoreState("{ x = }") })
        #expect(syntax.kind == .usage && syntax.chunkName == "state" && syntax.line == 1)
        let globals = try #require(scriptError { () throws(ScriptError) in try box.restoreState("{ x = os.exit() }") })
        #expect(globals.message.contains("found 'os'"))
        let loop = try #require(scriptError { () throws(ScriptError) in try box.restoreState("(function() while true do end end)()") })
        #expect(loop.message.contains("expected '{'"))
        #expect(!box.isDisabled)  // restoring is the host's doing: the script stays enabled
        let bomb = try #require(scriptError { () throws(ScriptError) in try box.restoreState("{ ('x'):rep(1e9) }") })
        #expect(bomb.message.contains("never code"))
        let huge = String(repeating: "\"x\",", count: 2_000_000)
        let tooBig = try #require(scriptError { () throws(ScriptError) in try box.restoreState("{" + huge + "}") })
        #expect(tooBig.message.contains("memory limit") || tooBig.message.contains("values"), "\(tooBig)")
        let notTable = try #require(scriptError { () throws(ScriptError) in try box.restoreState("42") })
        #expect(notTable.message == "saved state is not plain data: expected '{'")
        // After every refusal the state is unchanged.
        #expect(box.saveState() == "{\n  keep = 1,\n}\n")
    }

    @Test func saveIsTheSameAcrossSandboxesAndInsertionOrders() throws {
        let a = try sandbox(seed: 1)
        let b = try sandbox(seed: 2)
        try a.load("for i = 1, 50 do state['k' .. i] = i end", chunkName: "t.lua")
        try b.load("for i = 50, 1, -1 do state['k' .. i] = i end", chunkName: "t.lua")
        #expect(a.saveState() == b.saveState())
    }
}
