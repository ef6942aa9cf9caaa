// Scripts.swift — attaching a level's Lua script to a city, and checking a script's syntax.
import ArgumentParser
import CitySim
import Modding

/// Attaches the level's script, if it has one; load problems are printed and the run goes on
/// without the script.
@discardableResult
func attachScript(_ level: LevelDefinition, to city: City) throws -> LevelScripting? {
    let (host, problems) = LevelScripting.attach(level, to: city)
    for problem in problems { fail(problem) }
    return host
}

/// Syntax problems of a level's script, at the level file's lines.
func checkScriptSyntax(_ script: LevelScript) -> [LevelDiagnostic] { LevelScripting.check(script) }

/// `netzero lua-api`: the Lua API reference, generated from the API's own table (docs/lua-api.md).
struct LuaAPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lua-api",
        abstract: "Print the Lua API reference (docs/lua-api.md is this output).")
    func run() { print(LevelScripting.apiReference(), terminator: "") }
}
