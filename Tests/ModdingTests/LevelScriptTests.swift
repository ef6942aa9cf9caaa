// LevelScriptTests — Lua in level files: hooks and API, errors at the level file's line,
// hostile scripts stopped while the game runs on, determinism and replays of scripted levels.
import CitySim
import ECS
import Foundation
import Modding
import Scripting
import Testing

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()

let catalog: Catalog = try! Catalog.load(directory: repositoryRoot + "/Resources/catalog")

/// A small level with `script` as its Lua (the script is the first key, as TOML requires).
func scriptedLevel(_ script: String, file: String = "scripted.toml") -> LevelDefinition {
    let text = "script = '''\n" + script + "\n'''\n" + """
    [level]
    id = "scripted"
    title_en = "Scripted"
    title_zh = "脚本"
    seed = 9

    [map]
    rows = \"\"\"
    ..c..........
    .............
    =============
    ..HHH.fff....
    \"\"\"
    """
    let result = LevelFile.parse(bytes: Array(text.utf8), file: file, catalog: catalog)
    guard let level = result.level else { fatalError("\(result.diagnostics)") }
    return level
}

func startCity(_ level: LevelDefinition) -> (City, LevelScripting?, [String]) {
    let city = City(level: level, catalog: catalog)
    let (host, problems) = LevelScripting.attach(level, to: city)
    return (city, host, problems)
}

@Suite("Level scripts")
struct LevelScriptTests {
    @Test func hooksAndAPIChangeTheCityThroughCommands() throws {
        let level = scriptedLevel("""
        function on_start() message("hello", "你好") end
        function on_day(date)
          if metric("population") > 0 and tile(6, 1).structure == "none" then build("solar_plant", 6, 1) end
        end
        function on_build(entity, structure, x, y) state.built = structure .. "@" .. x .. "," .. y end
        """)
        let (city, host, problems) = startCity(level)
        #expect(problems.isEmpty)
        city.run(hours: 50)
        let map = city.view.map
        #expect(map.structure[map.index(6, 1)] == .entity, "the script built a solar farm")
        #expect(city.view.commandLog.contains { $0.source == .script })
        #expect(city.view.rules?.messages.contains { $0.text.zh == "你好" } == true)
        #expect(try #require(host).saveState().contains("solar_plant@6,1"))
        #expect(ReplayLog(city: city).commands.isEmpty, "the replay log holds only the player's commands")
    }

    @Test func endlessLoopStopsTheScriptNotTheGame() throws {
        let level = scriptedLevel("""
        function on_tick(tick)
          if tick == 5 then
            while true do end
          end
        end
        """)
        let (city, host, _) = startCity(level)
        city.run(hours: 30)
        #expect(city.view.clock.tick == 30, "the game keeps running")
        let scripting = try #require(host)
        #expect(scripting.isStopped)
        #expect(scripting.problems.count == 1)
        #expect(scripting.problems.first?.hasPrefix("scripted.toml:4:1: error: script stopped:") == true, "\(scripting.problems)")
        #expect(city.view.rules?.messages.contains { $0.text.en.contains("script was stopped") } == true)
    }

    @Test func runtimeErrorsPointAtTheLevelFileLine() throws {
        let level = scriptedLevel("""
        -- line 2 of the level file
        function on_day(date)
          local t = nil
          return t.field
        end
        """)
        let (city, host, _) = startCity(level)
        city.run(hours: 25)
        #expect(host?.problems.first?.hasPrefix("scripted.toml:5:1: error:") == true, "\(host?.problems ?? [])")
    }

    @Test(arguments: ["io.open('/etc/passwd')", "os.execute('ls')", "require('socket')", "dofile('/etc/passwd')",
                      "load('\\27Lua')()", "local s = string.rep('x', 1 << 30)", "coroutine.create(print)",
                      "setmetatable({}, { __gc = function() end })", "debug.getinfo(1)"])
    func escapesAreRefusedAndTheGameContinues(code: String) throws {
        let level = scriptedLevel("function on_tick(tick)\n  if tick == 2 then \(code) end\nend")
        let (city, host, _) = startCity(level)
        city.run(hours: 10)
        #expect(city.view.clock.tick == 10)
        #expect(host?.isStopped == true, "\(code) must be refused")
        // Every refusal names the line that made it (memory errors included, issue 13).
        #expect(host?.problems.first?.hasPrefix("scripted.toml:3:1: error: script stopped:") == true, "\(host?.problems ?? [])")
    }

    @Test func syntaxErrorsAreCheckedAtTheLevelFileLine() {
        let level = scriptedLevel("function on_tick()\n  if then\nend")
        let diagnostics = LevelScripting.check(try! #require(level.script))
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.line == 3)
        #expect(diagnostics.first?.message.hasPrefix("Lua:") == true)
    }

    @Test func scriptedLevelsAreDeterministicAndReplayToTheSameBytes() throws {
        func run(replay: ReplayLog?) throws -> [String: String] {
            let level = try #require(LevelFile.load(path: repositoryRoot + "/Levels/mods/green-points/levels/green-points.toml", catalog: catalog).level)
            let city = City(level: level, catalog: catalog)
            _ = LevelScripting.attach(level, to: city)
            let directory = NSTemporaryDirectory() + "scripted-\(UUID().uuidString)"
            try HeadlessRun.run(city, options: RunOptions(years: 3, outputDirectory: directory), replay: replay)
            var files: [String: String] = [:]
            for name in ["yearly.csv", "daily.csv", "summary.json"] {
                files[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            }
            return files
        }
        let player = ReplayLog(levelID: "mod_green_points", seed: 2061,
                               commands: [(100, .build(.plant(.wind), x: 24, y: 6)), (900, .upgrade(.heatPump, x: 2, y: 3))])
        let first = try run(replay: player)
        let second = try run(replay: player)
        #expect(first == second)
        let plain = try run(replay: nil)
        #expect(plain["daily.csv"] != first["daily.csv"], "the player's commands make a difference")
    }

    @Test func scriptStateGoesIntoTheSaveAndComesBack() throws {
        let level = scriptedLevel("""
        function on_day(date) state.days = (state.days or 0) + 1; state.last = date end
        """)
        let (city, host, _) = startCity(level)
        city.run(hours: 24 * 5)
        let path = NSTemporaryDirectory() + "scripted-\(UUID().uuidString).nzsave"
        try city.save(to: path, metadata: SaveMetadata(levelFile: level.file, scriptState: city.script?.saveState()))
        let loaded = try SaveGame.load(from: path, catalog: catalog)
        let state = try #require(loaded.scriptState)
        #expect(state.contains("days = 5"), "\(state)")
        // A fresh script picks up where the saved one was, and both go on identically.
        let resumed = try LevelScripting(script: try #require(level.script), seed: 9)
        try resumed.restoreScriptState(state)
        loaded.city.attach(script: resumed, started: true)
        city.run(hours: 48)
        loaded.city.run(hours: 48)
        #expect(resumed.saveState() == host?.saveState())
        #expect(loaded.city.world.contentHash() == city.world.contentHash())
    }

    @Test func scriptChangesPoliciesCatalogAndDecidesTheLevel() throws {
        let level = scriptedLevel("""
        function on_start()
          set_policy("car_charge_per_km", 2)
          set_catalog("plant.solar.build_cost", 123456)
          add_objective{ id = "people", metric = "population", at_least = 1, by = 2020 }
        end
        function on_objective(id, status) if status == "met" then win() end end
        """)
        let (city, _, problems) = startCity(level)
        #expect(problems.isEmpty)
        city.run(hours: 24 * 367)
        #expect(city.view.policies.carChargePerKm == 2)
        #expect(city.catalog.plant(.solar).buildCost == 123456)
        #expect(city.catalog.factor(path: "plant.solar.build_cost")?.source.hasPrefix("level script") == true)
        #expect(city.view.rules?.statuses.last == .met)
        #expect(city.view.rules?.result == .won)
    }
}
