// Scripts.swift — attaching a level's Lua script to a city, and checking a script's syntax.
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
