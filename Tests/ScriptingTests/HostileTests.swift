// HostileTests — the failures the hostile-input pass found (issue 13), each reproduced: work in
// C outside the instruction count (patterns, long-string comparison, utf8.len, load, host-call
// arguments), memory outside the cap, memory errors at the wrong line, non-deterministic
// iteration and tostring, and saved state evaluated as code.

import Scripting
import Testing

@Suite("Hostile scripts")
struct HostileTests {
    // MARK: - Work in C is counted

    @Test func backtrackingPatternStopsAtTheBudget() throws {
        let box = try sandbox(budget: 1_000_000)
        let error = try #require(loadError(box, "local s = ('a'):rep(3000)\nreturn s:find('.-.-.-x')"))
        #expect(error.kind == .budget)
        #expect(error.line == 2)
        #expect(box.isDisabled)
    }

    @Test func gsubAndGmatchBacktrackingStopAtTheBudget() throws {
        for call in ["s:gsub('.-.-.-x', '')", "for w in s:gmatch('.-.-.-x') do end", "s:match('(.-)(.-)(.-)x')"] {
            let box = try sandbox(budget: 1_000_000)
            let error = try #require(loadError(box, "local s = ('a'):rep(3000)\n\(call)"), "\(call)")
            #expect(error.kind == .budget, "\(call): \(error)")
            #expect(error.line == 2, "\(call): \(error)")
        }
    }

    @Test func patternsKeepLuaSemantics() throws {
        let box = try sandbox(budget: 5_000_000)
        let cases: [(String, LuaValue)] = [
            ("('hello world'):find('o w')", 5),
            ("select(2, ('hello world'):find('o w'))", 7),
            ("('hello world'):find('l+')", 3),
            ("('hello'):find('l', 1, true)", 3),
            ("('a.b'):find('.', 2, true)", 2),
            ("('hello'):find('xyz')", .nil),
            ("('hello'):find('')", 1),
            ("('hello'):find('', 10)", .nil),
            ("('hello'):match('^(h)(e)')", "h"),
            ("select(2, ('hello'):match('^(h)(e)'))", "e"),
            ("('  key = value '):match('^%s*(%w+)%s*=%s*(%w+)')", "key"),
            ("('x = 10'):match('()=()')", 3),
            ("('THE (quick) fox'):find('%((%a+)%)')", 5),
            ("('THE (quick) fox'):match('%b()')", "(quick)"),
            ("('THE (quick) fox'):gsub('%f[%a]%a+', 'w')", "w (w) w"),
            ("('hello world'):gsub('o', '0')", "hell0 w0rld"),
            ("select(2, ('hello world'):gsub('o', '0'))", 2),
            ("('hello world'):gsub('(%w+)', '<%1>')", "<hello> <world>"),
            ("('hello world'):gsub('%w+', '%0 %0', 1)", "hello hello world"),
            ("('abc'):gsub('', '-')", "-a-b-c-"),
            ("('abc'):gsub('b*', '-')", "-a-c-"),
            ("('hello'):gsub('^h', 'H')", "Hello"),
            ("('$name is $age'):gsub('%$(%w+)', {name = 'Li', age = 9})", "Li is 9"),
            ("('a,b,,c'):gsub(',', function() return ';' end)", "a;b;;c"),
            ("('abc'):gsub('%w', function(c) if c == 'b' then return false end return c:upper() end)", "AbC"),
            ("(function() local t = {} for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end return table.concat(t, ';') end)()", "a1;b2"),
            ("(function() local n = 0 for w in ('one two  three'):gmatch('%a+') do n = n + 1 end return n end)()", 3),
            ("(function() local t = {} for w in ('abc'):gmatch('') do t[#t + 1] = '.' end return #t end)()", 4),
            ("('aaa'):match('a-b')", .nil),
            ("('[x]'):match('[]]')", "]"),
            ("('a-z'):match('[%-]')", "-"),
            ("('f(a(b)c)'):match('%b()')", "(a(b)c)"),
            ("('abab'):match('(ab)%1')", "ab"),
            ("('HeLLo'):gsub('%u', '.')", ".e..o"),
            ("('x1 y22'):gsub('%d+', '#')", "x# y#"),
            ("('hello'):find('l', -2)", 4),
            ("('0x1F'):match('^0x(%x+)$')", "1F"),
        ]
        for (expression, expected) in cases {
            let value = try evaluate(box, expression)
            #expect(value == expected, "\(expression) gave \(value), Lua gives \(expected)")
        }
        for (pattern, message) in [("'%'", "malformed pattern (ends with '%')"), ("'[a'", "malformed pattern (missing ']')"),
                                   ("'(a'", "unfinished capture"), ("'a)'", "invalid pattern capture"),
                                   ("'%1'", "invalid capture index %1")] {
            let error = try #require(loadError(box, "return ('abc'):match(\(pattern))"), "\(pattern)")
            #expect(error.message.hasSuffix(message), "\(pattern): \(error.message)")
        }
    }

    @Test func comparingLongStringsIsCharged() throws {
        // Two distinct 200 KB strings with equal bytes: each == reads both in C.
        let box = try sandbox(budget: 10_000_000)
        let error = try #require(loadError(box, """
        local a = ('x'):rep(200000)
        local b = ('x'):rep(199999) .. 'x'
        local same = 0
        for i = 1, 10000000 do if a == b then same = same + 1 end end
        """))
        #expect(error.kind == .budget)
        #expect(error.line == 4)
    }

    @Test func linearStringFunctionsAreCharged() throws {
        // 1,000 calls are a few thousand instructions of Lua, but each reads 200 KB in C.
        for loop in ["utf8.len(s)", "tonumber(s)", "utf8.offset(s, 150000)", "string.unpack('z', s .. '\\0')"] {
            let box = try sandbox(budget: 2_000_000)
            let error = try #require(loadError(box, "local s = ('1'):rep(200000)\nfor i = 1, 1000 do local _ = \(loop) end"), "\(loop)")
            #expect(error.kind == .budget, "\(loop): \(error)")
            #expect(error.line == 2)
        }
        let cheap = try sandbox(budget: 2_000_000)
        #expect(loadError(cheap, "local s = ('1'):rep(200)\nfor i = 1, 1000 do local _ = utf8.len(s) end") == nil)
    }

    @Test func loadOfAHugeChunkIsRefusedOrCharged() throws {
        let box = try sandbox(budget: 5_000_000)
        // A reader that returns the same 100 KB comment forever would have the compiler scan gigabytes.
        let result = try evaluate(box, """
        (function() local piece = '--' .. ('x'):rep(100000) .. '\\n'
          local f, message = load(function() return piece end) return message end)()
        """)
        #expect(result.stringValue?.hasPrefix("chunk longer than") == true)
        let error = try #require(loadError(box, "local code = 'return 1 ' .. ('--x\\n'):rep(60000)\nfor i = 1, 100000 do load(code) end"))
        #expect(error.kind == .budget)
    }

    @Test func stringsHaveALengthLimitReportedAtTheirLine() throws {
        let box = try sandbox(memory: 64 << 20, budget: 5_000_000)
        let error = try #require(loadError(box, "local a = ('x'):rep(200000)\nlocal b = a .. a\n", lineOffset: 10))
        #expect(error.kind == .memory)
        #expect(error.line == 11, "\(error)")
        #expect(error.message.contains("256 KiB"), "\(error.message)")
        let rep = try #require(loadError(box, "local s = ('x'):rep(1 << 30)"))
        #expect(rep.message.contains("strings are at most"), "\(rep.message)")
    }

    @Test func notEnoughMemoryPointsAtTheLineThatAllocates() throws {
        let box = try sandbox(memory: 4 << 20, budget: 10_000_000)
        let error = try #require(loadError(box, """
        local t = {}
        local n = 0
        while true do
          n = n + 1
          t[n] = { n, n, n, n }
        end
        """, lineOffset: 20))
        #expect(error.kind == .memory)
        #expect(error.line == 24, "\(error)")
    }

    @Test func hostCallsAreChargedAndTheirArgumentsBounded() throws {
        let box = try sandbox(budget: 1_000_000)
        var calls = 0
        box.register("ping") { _ in calls += 1; return [] }
        let error = try #require(loadError(box, "for i = 1, 1000000 do ping() end"))
        #expect(error.kind == .budget)
        #expect(calls < 20_000, "\(calls) host calls within a budget of 1,000,000 instructions")

        let other = try sandbox(budget: 5_000_000)
        var received = 0
        other.register("take") { args in received += 1; return [] }
        let refused = try #require(loadError(other, "local t = {} for i = 1, 50000 do t[i] = i end\ntake(t)"))
        #expect(refused.message.contains("arguments too large"), "\(refused.message)")
        #expect(received == 0)
    }

    // MARK: - Determinism

    @Test func nextPairsAndTostringAreTheSameInEveryState() throws {
        let script = """
        local keys = {}
        local t = { "one", "two", x = 1, y = 2, [3.5] = 3, [true] = 4 }
        local a, b, f = {}, {}, function() end
        t[a] = "a"; t[b] = "b"; t[f] = "f"
        local out = {}
        for k, v in pairs(t) do out[#out + 1] = tostring(k) .. "=" .. tostring(v) end
        local k = next(t)
        out[#out + 1] = "first:" .. tostring(k)
        out[#out + 1] = string.format("%s %s", {}, print)
        print(table.concat(out, " "))
        """
        var outputs: [[String]] = []
        for seed in [1, 1, 2] as [UInt64] {
            let box = try sandbox(seed: seed)
            try box.load(script, chunkName: "t.lua")
            outputs.append(box.output)
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
        // Keys in order: numbers, strings, booleans, then tables and functions in the order created.
        let words = outputs[0].first?.split(separator: " ").map(String.init) ?? []
        #expect(words.prefix(6) == ["1=one", "2=two", "3.5=3", "x=1", "y=2", "true=4"])
        func id(_ word: String) -> Int? { word.split(separator: "#").last.flatMap { Int($0.split(separator: "=")[0]) } }
        #expect(words.count == 17 && words[6] == "table:" && words[8] == "table:" && words[10] == "function:", "\(words)")
        if words.count == 17, let a = id(words[7]), let b = id(words[9]), let f = id(words[11]) {
            #expect(a < b && b < f && words[7].hasSuffix("=a") && words[9].hasSuffix("=b") && words[11].hasSuffix("=f"))
        }
        #expect(words.last?.hasPrefix("#") == true && words[12] == "first:1")
    }

    @Test func nextSkipsClearedKeysAndRestartsCleanly() throws {
        let box = try sandbox()
        let value = try evaluate(box, """
        (function()
          local t = { a = 1, b = 2, c = 3, d = 4 }
          local seen = {}
          for k in pairs(t) do seen[#seen + 1] = k; t[k] = nil end
          t.z = 26
          for k in pairs(t) do seen[#seen + 1] = k end
          return table.concat(seen, ",") .. (next({}) == nil and ";empty" or "")
        end)()
        """)
        #expect(value == "a,b,c,d,z;empty")
    }

    @Test func weakTablesAndAddressesAreRefused() throws {
        let box = try sandbox()
        #expect(loadError(box, "setmetatable({}, { __mode = 'k' })")?.message.contains("weak tables") == true)
        #expect(loadError(box, "string.format('%p', {})")?.message.contains("%p") == true)
        #expect(loadError(box, "collectgarbage('count')") != nil)
    }

    // MARK: - Saved state is data

    @Test func savedStateIsReadAsDataNeverRun() throws {
        let box = try sandbox(budget: 100_000)
        try box.load("state.score = 5", chunkName: "s.lua")
        for hostile in ["(function() while true do end end)()", "{ x = (function() while true do end end)() }",
                        "{ x = string.rep('x', 1e9) }", "{ [{}] = 1 }", "{ a = 1 } os.exit()", "{ a = 1e }"] {
            let error = try #require(scriptError { () throws(ScriptError) in try box.restoreState(hostile) }, "\(hostile)")
            #expect(error.message.contains("not plain data") || error.kind == .budget, "\(hostile): \(error)")
        }
        #expect(try evaluate(box, "state.score") == 5)  // unchanged by the refusals
        let deep = String(repeating: "{", count: 40) + String(repeating: "}", count: 40)
        #expect(scriptError { () throws(ScriptError) in try box.restoreState(deep) } != nil)
        let saved = """
        -- skipped: 1 keys that are not numbers, strings or booleans
        {
          [1] = "one",
          [2.5] = (1/0),
          name = "Li \\"quoted\\"\\n\\226\\130\\172",
          nested = { flag = true, list = { 1, 2, 3 } },
          ["with space"] = -0.125,
          big = (-9223372036854775807-1),
        }
        """
        try box.restoreState(saved)
        #expect(try evaluate(box, "state[1]") == "one")
        #expect(try evaluate(box, "state[2.5]") == .number(.infinity))
        #expect(try evaluate(box, "state.name") == "Li \"quoted\"\n€")
        #expect(try evaluate(box, "state.nested.list[3]") == 3)
        #expect(try evaluate(box, "state['with space']") == -0.125)
        #expect(try evaluate(box, "state.big") == .integer(.min))
        // What saveState writes, restoreState reads back to the same text.
        let text = box.saveState()
        let other = try sandbox()
        try other.restoreState(text)
        #expect(other.saveState() == text)
    }
}
