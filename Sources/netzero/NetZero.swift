// NetZero.swift — the `netzero` command: entry point and subcommands.
//
//   netzero play [LEVEL|SAVE] the game window (PlayCommand.swift)
//   netzero shot ... --out F  one rendered frame to PNG (PlayCommand.swift)
//   netzero edit [LEVEL]      the scenario editor in the game window (EditCommand.swift)
//   netzero run [LEVEL]       headless simulation (RunCommand.swift)
//   netzero levels            every level's name, for play and run (LevelsCommand.swift)
//   netzero check PATH...     validate level files and mods (CheckCommand.swift)
//   netzero new-level NAME    a commented level to start from (NewCommands.swift)
//   netzero new-mod NAME      a commented mod folder to start from (NewCommands.swift)
//   netzero validate [--json] the model against published statistics (ValidateCommand.swift)
//   netzero report INPUT --out DIR  the educator's report from a run or a save (ReportCommand.swift)
//   netzero lua-api           the Lua API reference, docs/lua-api.md (Scripts.swift)
//   netzero grade DIR --out results.csv  every student's replay or save in a folder, in parallel (GradeCommand.swift)
//   netzero version           versions of the game and of the linked system libraries
//   netzero bench ecs --json  ECS runtime benchmark (BenchECS.swift)
//   netzero bench sim --json  simulation benchmark on the reference city (BenchSim.swift)
//   netzero bench forecast --json  the forecast to 2060 timed (ForecastCommand.swift)
import ArgumentParser
import CitySim
import Foundation
import CSDL2
import Scripting

@main
struct NetZero: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netzero",
        abstract: "NetZero City (零碳城): build a city and make it carbon-neutral.",
        subcommands: [Play.self, Edit.self, Shot.self, Run.self, LevelsCommand.self, Check.self, NewLevel.self, NewMod.self, Validate.self, ReportCommand.self, Grade.self, ScheduleCommand.self, LuaAPICommand.self, Version.self, Bench.self, Fuzz.self],
        defaultSubcommand: Play.self)

    /// `netzero` alone plays; `netzero WORD` must name a command (a misspelt command would
    /// otherwise be taken as a level to play).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let first = arguments.first, !first.hasPrefix("-") {
            let names = configuration.subcommands.map { $0._commandName } + ["help"]
            if !names.contains(first) {
                FileHandle.standardError.write(Data("netzero: unknown command '\(first)'\n\n\(helpMessage())\n".utf8))
                Foundation.exit(64)  // EX_USAGE
            }
        }
        // The one place the environment chooses the Resources folder: CitySim reads no environment.
        if let resources = ProcessInfo.processInfo.environment["NETZERO_RESOURCES"], !resources.isEmpty {
            ResourceLocator.use(root: resources)
        }
        main(arguments)
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the versions of the game and its system libraries.")

    func run() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        nz_SDL_linked_version(&major, &minor, &patch)
        let sdl = "\(major).\(minor).\(patch)"
        nz_TTF_linked_version(&major, &minor, &patch)
        let ttf = "\(major).\(minor).\(patch)"
        print("netzero \(Simulation.version)")
        print("SDL2 \(sdl), SDL2_ttf \(ttf), \(LuaSandbox.luaRelease)")
    }
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (never run by the tests).",
        subcommands: [BenchECS.self, BenchSim.self, BenchRender.self, BenchPace.self, BenchForecast.self])
}
