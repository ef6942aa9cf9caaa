// Scripts.swift — attaching a level's Lua script to a city (filled in when scripting lands).
import CitySim

/// The script attached to a city, and the problems it reported (as file:line:col lines).
final class AttachedScript {
    var problems: [String] = []
}

/// Attaches the level's script, if it has one, to the city.
func attachScript(_ level: LevelDefinition, to city: City) throws -> AttachedScript? {
    guard level.script != nil else { return nil }
    return AttachedScript()
}

/// Syntax problems of a level's script, at the level file's lines.
func checkScriptSyntax(_ script: LevelScript) -> [LevelDiagnostic] { [] }
