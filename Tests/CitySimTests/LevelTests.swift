// LevelTests — level files: reading, every class of error at its position, rules and replays.
import CitySim
import ECS
import Foundation
import Testing

func parseLevel(_ text: String, file: String = "lesson.toml") -> LevelLoadResult {
    LevelFile.parse(bytes: Array(text.utf8), file: file, catalog: testCatalog)
}

let minimalLevel = """
[level]
id = "mini"
title_en = "Mini"
title_zh = "迷你"
seed = 3

[map]
rows = \"\"\"
.....
=====
cHHfs
\"\"\"
"""

/// The first diagnostic as "LINE:COL: message".
func firstProblem(_ text: String) -> String? {
    parseLevel(text).diagnostics.first.map { "\($0.line):\($0.column): \($0.message)" }
}

@Suite("Level files")
struct LevelFileTests {
    @Test func sandboxFileLoadsCleanly() throws {
        let result = LevelFile.load(path: repositoryRoot + "/Levels/sandbox.toml", catalog: testCatalog)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let level = try #require(result.level)
        #expect(level.setup.width == 64 && level.setup.height == 64)
        #expect(level.title.zh == "沙盒小镇")
        #expect(level.setup.placements.contains { if case .plant(.coal) = $0.structure { return true }; return false })
    }

    @Test func minimalLevelReadsMapAndMetadata() throws {
        let level = try #require(parseLevel(minimalLevel).level)
        #expect(level.setup.info.id == "mini" && level.setup.info.seed == 3)
        #expect(level.setup.width == 5 && level.setup.height == 3)
        #expect(level.setup.placements.count == 5 + 5)
        #expect(level.setup.placements.contains { $0.x == 1 && $0.y == 2 && $0.structure == .building(.residential) })
    }

    @Test func unknownKeyPointsAtTheKey() {
        let text = minimalLevel.replacingOccurrences(of: "seed = 3", with: "seed = 3\nbugdet = 5")
        #expect(firstProblem(text) == "6:1: unknown key 'bugdet' in [level]; did you mean 'budget'?")
    }

    @Test func raggedRowPointsAtTheRow() {
        let text = minimalLevel.replacingOccurrences(of: "=====\n", with: "====\n")
        #expect(firstProblem(text) == "10:5: row 2 is 4 characters wide; the first row is 5")
    }

    @Test func unknownMapCharacterPointsAtItsColumn() {
        let text = minimalLevel.replacingOccurrences(of: "cHHfs", with: "cHQfs")
        #expect(firstProblem(text) == "11:3: unknown map character 'Q'; add it to [map.legend] (e.g. \"Q\" = \"park\")")
    }

    @Test func unknownNamesSuggestTheClosest() {
        let objective = minimalLevel + "\n[[objectives]]\nid = \"x\"\nmetric = \"renewable_shares\"\nat_least = 0.5\nby = 2030\n"
        #expect(firstProblem(objective) == "15:10: unknown metric 'renewable_shares'; did you mean 'renewable_share'?")
        let tool = minimalLevel + "\n[tools]\nallowed = [\"road\", \"solar_plnt\"]\n"
        #expect(firstProblem(tool) == "14:20: unknown tool 'solar_plnt'; did you mean 'solar_plant'?")
        let legend = minimalLevel.replacingOccurrences(of: "[map]\n", with: "[map]\nlegend = { \"R\" = \"residentail\" }\n")
        #expect(firstProblem(legend)?.hasPrefix("8:18: unknown map item 'residentail'; did you mean 'residential'?") == true)
    }

    @Test func impossibleObjectiveIsAnError() {
        let text = minimalLevel.replacingOccurrences(of: "seed = 3", with: "seed = 3\nstart_year = 2025")
            + "\n[[objectives]]\nid = \"late\"\nmetric = \"net_emissions\"\nat_most = 0\nby = 2021\n"
        #expect(firstProblem(text) == "18:6: objective 'late' is due by 2021, before the level starts in 2025: it can never be met")
    }

    @Test func tomlSyntaxErrorHasItsPosition() {
        let text = minimalLevel.replacingOccurrences(of: "seed = 3", with: "seed = = 3")
        let problem = parseLevel(text).diagnostics.first
        #expect(problem?.line == 5)
        #expect(problem?.severity == .error)
    }

    @Test func catalogOverrideInTheWrongUnitIsAnError() {
        let text = minimalLevel + "\n[catalog.plant.solar]\nbuild_cost = { value = 1.0, unit = \"EUR\", source = \"x\" }\n"
        let problem = parseLevel(text).diagnostics.first
        #expect(problem?.line == 14)
        #expect(problem?.message.contains("same unit") == true)
    }

    @Test func scriptStartsOnTheLineAfterItsQuotes() throws {
        // Top-level keys come before the first [table] in TOML: the script goes first.
        let text = "script = \"\"\"\nfunction on_tick() end\n\"\"\"\n" + minimalLevel
        let script = try #require(parseLevel(text).level?.script)
        #expect(script.firstLine == 2)
        #expect(script.source.hasPrefix("function on_tick"))
    }

    @Test func checkNeverCrashesOnHostileInput() throws {
        var random = SeededRandom(seed: 2024)
        let corpus = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Tests/CitySimTests/LevelCorpus")
            .filter { $0.hasSuffix(".toml") }.sorted()
            .map { Array(try String(contentsOfFile: repositoryRoot + "/Tests/CitySimTests/LevelCorpus/" + $0, encoding: .utf8).utf8) }
        #expect(corpus.count >= 2)
        var inputs: [[UInt8]] = [[], [0, 0, 0], Array("[".utf8), Array(String(repeating: "a = [", count: 50_000).utf8),
                                 Array(String(repeating: "[a]\n", count: 2).utf8), Array("[map]\nrows = 5".utf8)]
        inputs.append((0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        // Seeded mutations of the corpus: flips, deletions, duplications, insertions of TOML punctuation.
        let punctuation = Array("[]{}=\"'\n.,#:\\".utf8)
        for _ in 0..<1500 {
            var bytes = corpus[Int(random.next() % UInt64(corpus.count))]
            for _ in 0..<(1 + Int(random.next() % 8)) where !bytes.isEmpty {
                let at = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(punctuation[Int(random.next() % UInt64(punctuation.count))], at: at)
                default:
                    let end = min(bytes.count, at + Int(random.next() % 64))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                }
            }
            inputs.append(bytes)
        }
        var rejected = 0
        for input in inputs {
            let result = LevelFile.parse(bytes: input, file: "fuzz.toml", catalog: testCatalog)
            if result.level == nil {
                rejected += 1
                #expect(!result.diagnostics.isEmpty, "a rejected level always says why")
            }
            for diagnostic in result.diagnostics { #expect(diagnostic.line >= 1 && diagnostic.column >= 1) }
        }
        #expect(rejected > inputs.count / 2)
    }
}

@Suite("Level rules")
struct LevelRulesTests {
    func tinyCity() throws -> City {
        let level = try #require(LevelFile.load(path: repositoryRoot + "/Tests/CitySimTests/LevelCorpus/objectives.toml",
                                                catalog: testCatalog).level)
        return City(level: level, catalog: testCatalog)
    }

    @Test func objectivesAreJudgedAtTheDeadlineAndDecideTheResult() throws {
        let city = try tinyCity()
        city.run(hours: 24 * 30)
        #expect(city.view.rules?.statuses == [.pending])
        #expect(city.view.rules?.result == .undecided)
        city.run(hours: 24 * 366 - 24 * 30)
        #expect(city.view.clock.year == 2021)
        #expect(city.view.rules?.statuses == [.met])
        #expect(city.view.rules?.result == .won)
        #expect((city.view.rules?.values.first ?? 0) >= 1)
    }

    @Test func triggersFireOnDatesAndBuilds() throws {
        let city = try tinyCity()
        let budgetBefore = city.view.budget.balance
        city.run(hours: 24 * 31 - 1)
        #expect(city.view.rules?.fired == [false, false])
        city.run(hours: 1)
        #expect(city.view.clock.date == SimDate(year: 2020, month: 2, day: 1, hour: 0))
        #expect(city.view.rules?.fired == [true, false])
        #expect(city.view.rules?.messages.contains { $0.text.zh == "你好" } == true)
        #expect(city.view.budget.balance > budgetBefore - 1e7, "the grant arrived")
        city.submit(.build(.plant(.solar), x: 0, y: 0))
        city.run(hours: 1)
        #expect(city.view.rules?.fired == [true, true])
        #expect(city.view.weather.eventWarming == 10)
        city.run(hours: 49)
        #expect(city.view.weather.eventWarming == 0, "the heatwave is over after 2 days")
    }

    @Test func toolsOutsideTheLessonAreRefused() throws {
        let city = try tinyCity()
        city.submit(.build(.plant(.coal), x: 1, y: 0))
        city.submit(.build(.road, x: 2, y: 0))
        city.run(hours: 1)
        let outcomes = city.view.commandLog.map(\.outcome)
        #expect(outcomes.first == .refused(.toolUnavailable(tool: "coal_plant")))
        #expect(Refusal.toolUnavailable(tool: "coal_plant").description == "the tool 'coal_plant' is not available in this level")
        if case .done = outcomes.last {} else { Issue.record("the road should be built: \(String(describing: outcomes.last))") }
    }
}

@Suite("Replays", .serialized)
struct ReplayTests {
    @Test func replayLogRoundTripsAndReproducesTheRunByteForByte() throws {
        let commands: [(Int64, CityCommand)] = [
            (30, .build(.zone(.forest), x: 0, y: 0)), (30, .build(.building(.residential, density: 0.25), x: 1, y: 0)),
            (200, .demolish(x: 15, y: 5)), (400, .upgrade(.heatPump, x: 1, y: 0)), (500, .build(.plant(.solar), x: 2, y: 0)),
        ]
        let original = ReplayLog(levelID: "sandbox", seed: 2060, commands: commands)
        func run(_ log: ReplayLog) throws -> ([String: String], ReplayLog) {
            let directory = NSTemporaryDirectory() + "replay-\(UUID().uuidString)"
            let city = City(level: sandboxLevel(), catalog: testCatalog)
            try HeadlessRun.run(city, options: RunOptions(years: 1, outputDirectory: directory), replay: log)
            var files: [String: String] = [:]
            for name in ["yearly.csv", "daily.csv", "summary.json"] {
                files[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
            }
            return (files, ReplayLog(city: city))
        }
        let (first, recorded) = try run(original)
        #expect(recorded == original, "the city's own log is the commands it was given")
        let parsed = ReplayLog.parse(recorded.text, file: "run.replay")
        #expect(parsed.diagnostics.isEmpty)
        let reloaded = try #require(parsed.log)
        #expect(reloaded == original)
        let (second, _) = try run(reloaded)
        #expect(first == second, "a replayed run writes the same bytes")
        #expect(first["summary.json"]?.contains("\"commands_applied\": 5") == true)
    }

    @Test func badReplayLinesArePositioned() {
        let text = "# NetZero City replay\nformat 1\nlevel sandbox\nseed 1\n10 build solar_plnt 1 2\n5 demolish 1 1\n"
        let parsed = ReplayLog.parse(text, file: "bad.replay")
        #expect(parsed.log == nil)
        #expect(parsed.diagnostics.map(\.description) == [
            "bad.replay:5:4: error: unknown structure 'solar_plnt'; did you mean 'solar_plant'?",
            "bad.replay:6:1: error: ticks must not go backwards (5 after 10)",
        ])
    }
}
