// LevelsCommand.swift — `netzero levels`: the name of every level `play` and `run` accept, with
// its title and file, grouped as the Levels menu groups them (LevelIndex.swift).
import ArgumentParser
import CitySim
import Foundation

struct LevelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "levels",
        abstract: "List the levels by the names `play` and `run` take: shipped, lessons, yours and the mods'.")

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let (levels, library) = LevelIndex.list(userLevels: UserDirectories.levels(environment: environment),
                                                userMods: UserDirectories.mods(environment: environment))
        let width = max(24, levels.map(\.qualifiedName.count).max() ?? 0)
        for name in BuiltinLevels.referenceSizes.map(BuiltinLevels.referenceName) {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  (generated)")
        }
        for level in levels {
            print(level.qualifiedName.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + level.path)
        }
        for problem in library.diagnostics { FileHandle.standardError.write(Data((problem.description + "\n").utf8)) }
    }
}
