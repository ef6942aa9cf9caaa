// Error reporting: syntax and runtime errors map to the level file's lines through lineOffset,
// error objects of any type become messages, tracebacks are kept, and the description reads
// "FILE:LINE:COL: error: message".

import Testing
import Scripting

@Suite struct ErrorTests {
    @Test func syntaxErrorMapsToTheFileLine() throws {
        let box = try sandbox()
        let source = "function onTick()\n  local x = 1\n  x = = 2\nend"
        let error = try #require(loadError(box, source, lineOffset: 20))
        #expect(error.kind == .syntax)
        #expect(error.chunkName == "test.lua")
        #expect(error.line == 22)
        #expect(error.message == "unexpected symbol near '='")
        #expect(error.description == "test.lua:22:1: error: unexpected symbol near '='")
    }

    @Test func runtimeErrorMapsToTheFileLine() throws {
        let box = try sandbox()
        try box.load("""
            function onTick(n)
              local city = nil
              return city.population + n
            end
            """, chunkName: "levels/3.toml", lineOffset: 20)
        let error = try #require(scriptError { () throws(ScriptError) in _ = try box.call("onTick", [1]) })
        #expect(error.kind == .runtime)
        #expect(error.chunkName == "levels/3.toml")
        #expect(error.line == 22)
        #expect(error.message == "attempt to index a nil value (local 'city')")
        #expect(error.description == "levels/3.toml:22:1: error: attempt to index a nil value (local 'city')")
        #expect(error.traceback.hasPrefix("stack traceback:"))
        #expect(error.traceback.contains("levels/3.toml:22: in function <levels/3.toml:20>"))
    }

    @Test func runtimeErrorWhileLoadingMapsToo() throws {
        let box = try sandbox()
        let error = try #require(loadError(box, "x = 1\ny = 2\nerror('boom')", lineOffset: 20))
        #expect(error.line == 22)
        #expect(error.message == "boom")
    }

    @Test func twoChunksOfOneFileKeepTheirOwnOffsets() throws {
        let box = try sandbox()
        try box.load("function a()\n  error('in a')\nend", chunkName: "level.toml", lineOffset: 5)
        try box.load("function b()\n\n  error('in b')\nend", chunkName: "level.toml", lineOffset: 40)
        #expect(scriptError { () throws(ScriptError) in _ = try box.call("a", []) }?.line == 6)
        #expect(scriptError { () throws(ScriptError) in _ = try box.call("b", []) }?.line == 42)
    }

    @Test func errorsCaughtInsideLuaSeeFileLinesToo() throws {
        let box = try sandbox()
        try box.load("function f()\n  local ok, err = pcall(error, 'x', 1)\n  return select(2, pcall(function() error('y') end))\nend",
                     chunkName: "level.toml", lineOffset: 100)
        #expect(try box.call("f", []) == ["level.toml:102: y"])
    }

    @Test func errorObjectsThatAreNotStrings() throws {
        let box = try sandbox()
        let table = try #require(loadError(box, "error({code = 1})"))
        #expect(table.message == "(error object is a table value)")
        #expect(table.line == nil)
        #expect(table.chunkName == "test.lua")
        #expect(table.description == "test.lua: error: (error object is a table value)")
        let number = try #require(loadError(box, "error(42)"))
        #expect(number.message == "42")
        let noPosition = try #require(loadError(box, "error('plain', 0)"))
        #expect(noPosition.message == "plain" && noPosition.line == nil)
        let nilError = try #require(loadError(box, "error()"))
        #expect(nilError.message == "(error object is a nil value)")
    }

    @Test func errorsWithoutPositionNameTheCalledFunctionsChunk() throws {
        let box = try sandbox(memory: 8 << 20)
        try box.load("function bomb() error('plain', 0) end", chunkName: "bombs.lua", lineOffset: 7)
        let error = try #require(scriptError { () throws(ScriptError) in _ = try box.call("bomb", []) })
        #expect(error.kind == .runtime)
        #expect(error.chunkName == "bombs.lua")
        #expect(error.line == nil)
    }

    @Test func longChunkNamesAreRecognised() throws {
        let name = "levels/" + String(repeating: "very-long-directory-name/", count: 4) + "level.toml"
        let box = try sandbox()
        let error = try #require(scriptError { () throws(ScriptError) in
            try box.load("\nerror('deep')", chunkName: name, lineOffset: 3)
        })
        #expect(error.chunkName == name)
        #expect(error.line == 4)
        #expect(error.message == "deep")
    }

    @Test func errorsFromLoadedSubchunks() throws {
        let box = try sandbox()
        let error = try #require(loadError(box, "load('\\n\\nerror(\"inner\")', '=generated')()"))
        #expect(error.chunkName == "generated")
        #expect(error.line == 3)
        #expect(error.message == "inner")
    }

    @Test func missingFunctionIsAUsageError() throws {
        let box = try sandbox()
        let error = try #require(scriptError { () throws(ScriptError) in _ = try box.call("nope", []) })
        #expect(error.kind == .usage)
        #expect(error.message == "no Lua function named 'nope'")
        #expect(!box.hasFunction("nope"))
        #expect(!box.hasFunction("math.nope.deeper"))
        #expect(box.hasFunction("math.max"))
    }

    @Test func messageSplitting() {
        let known = ["level.toml", "level.toml.bak"]
        let split = { (text: String) in LuaMessage.split(Array(text.utf8), knownChunks: known, fallbackChunk: "fb") }
        #expect(split("level.toml.bak:12: oops") == ("level.toml.bak", 12, "oops"))
        #expect(split("level.toml:3: a: b:4: c") == ("level.toml", 3, "a: b:4: c"))
        #expect(split("C:\\x.lua:9: win") == ("C:\\x.lua", 9, "win"))
        #expect(split("no position here") == ("fb", nil, "no position here"))
        #expect(split("weird: 12 not a line") == ("fb", nil, "weird: 12 not a line"))
    }
}
