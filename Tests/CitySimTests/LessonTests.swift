// LessonTests — the classroom campaign in Levels/lessons (docs/teachers.md).
//
// For each lesson, with the APIs `netzero run LEVEL --replay LOG` uses (LevelFile, Catalog with
// the level's overrides, City, ReplayLog, HeadlessRun):
//   (a) the level loads with no errors (what `netzero check` reports), has English and Chinese
//       texts, a restricted toolbar, advisor cards that cite their source, and a closing card;
//   (b) its recorded winning replay (Tests/CitySimTests/Lessons/NN-….replay) ends `won`, and
//       replaying it twice writes byte-identical yearly.csv, daily.csv, summary.json and firms.csv;
//   (c) a run with no player commands does not win: it ends `lost`, or with a required
//       objective failed.
// Each run lasts until the last objective's deadline (2 years for lessons 1–7 and 9, 3 for lesson 8,
// 41 for lesson 10). Lessons 7–9's own concept checks are in LessonTests+Markets.swift.
import CitySim
import Foundation
import Testing

/// A lesson with a recorded winning replay.
struct LessonCase: Sendable, CustomStringConvertible {
    let name: String
    var description: String { name }
    var levelPath: String { repositoryRoot + "/Levels/lessons/" + name + ".toml" }
    var replayPath: String { repositoryRoot + "/Tests/CitySimTests/Lessons/" + name + ".replay" }
}

let lessonCases = ["01-sources-and-sinks", "02-grid-emission-factor", "03-day-night-storage", "04-build-before-break",
                   "05-moving-people", "06-buildings", "07-data-centres", "08-cap-and-trade", "09-citizens-carbon-accounts",
                   "10-campaign-3060"].map(LessonCase.init)

/// Every level file in Levels/lessons, sorted.
func lessonFiles() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Levels/lessons")
        .filter { $0.hasSuffix(".toml") }.sorted().map { repositoryRoot + "/Levels/lessons/" + $0 }
}

/// The level as `netzero run` loads it: every diagnostic, and the catalog with the level's overrides.
func loadLesson(_ path: String) throws -> (level: LevelDefinition, catalog: Catalog, diagnostics: [LevelDiagnostic]) {
    let result = LevelFile.load(path: path, catalog: testCatalog)
    let level = try #require(result.level, "\(path): \(result.diagnostics.map(\.description))")
    guard let overrides = level.catalogOverrides else { return (level, testCatalog, result.diagnostics) }
    let catalog = try Catalog.load(directory: repositoryRoot + "/Resources/catalog", overrideTables: [(overrides, level.file)])
    return (level, catalog, result.diagnostics)
}

/// Years from the level's start to the end of its last objective's deadline year.
func lessonYears(_ level: LevelDefinition) -> Int {
    (level.objectives.map(\.deadlineYear).max() ?? level.setup.info.startYear) - level.setup.info.startYear + 1
}

struct LessonRun {
    var files: [String: String]
    var result: LevelResult
    var statuses: [(objective: Objective, status: ObjectiveStatus, value: Double)]
    /// What differs from the replay's recording (its year-end state hashes): empty when the
    /// model still plays the recorded game.
    var differences: [String] = []
}

/// `netzero run LEVEL --years N --replay LOG --out DIR`, in-process.
func runLesson(_ path: String, replay: ReplayLog?) throws -> LessonRun {
    let loaded = try loadLesson(path)
    var level = loaded.level
    // As `netzero run`: the replay's seed, unless --seed is given.
    if let replay { level.setup.info.seed = replay.seed }
    let city = City(level: level, catalog: loaded.catalog)
    let directory = NSTemporaryDirectory() + "lesson-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try HeadlessRun.run(city, options: RunOptions(years: lessonYears(level), outputDirectory: directory), replay: replay)
    var files: [String: String] = [:]
    for name in ["yearly.csv", "daily.csv", "summary.json", "firms.csv"] {
        files[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }
    let rules = try #require(city.view.rules)
    let statuses = rules.objectives.indices.map { (rules.objectives[$0], rules.statuses[$0], rules.values[$0]) }
    let differences = replay?.differences(levelHash: nil, catalog: city.catalog, journal: city.world.resource(StateJournal.self)!) ?? []
    return LessonRun(files: files, result: rules.result, statuses: statuses, differences: differences)
}

func readReplay(_ lesson: LessonCase) throws -> ReplayLog {
    let text = try String(contentsOfFile: lesson.replayPath, encoding: .utf8)
    let parsed = ReplayLog.parse(text, file: lesson.replayPath)
    #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.description))")
    return try #require(parsed.log)
}

/// "net_zero met (-51.7)", for failure messages.
func describe(_ run: LessonRun) -> String {
    run.result.rawValue + ": " + run.statuses.map { "\($0.objective.id) \($0.status.rawValue) (\($0.value))" }.joined(separator: ", ")
}

func hasChinese(_ text: String) -> Bool { text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }

@Suite("Lessons")
struct LessonTests {
    @Test func everyLessonFileChecksCleanlyAndIsBilingual() throws {
        let files = try lessonFiles()
        #expect(files.count >= lessonCases.count)
        for lesson in lessonCases { #expect(files.contains(lesson.levelPath), "\(lesson.name).toml is missing") }
        for path in files {
            let (level, _, diagnostics) = try loadLesson(path)
            let name = (path as NSString).lastPathComponent
            // (a) What `netzero check` prints: nothing at all, not even a warning.
            #expect(diagnostics.isEmpty, "\(name): \(diagnostics.map(\.description))")
            // Scripts need the Lua host, which `netzero run` attaches but this in-process run does not:
            // lessons use the level format only, so both run the same rules.
            #expect(level.script == nil, "\(name) has a script")
            #expect(!level.title.en.isEmpty && hasChinese(level.title.zh), "\(name): title in English and Chinese")
            #expect(!level.summary.en.isEmpty && hasChinese(level.summary.zh), "\(name): summary in English and Chinese")
            #expect(!level.objectives.isEmpty && level.objectives.contains(where: \.required), "\(name): a required objective")
            for objective in level.objectives {
                #expect(objective.title.en != objective.id && hasChinese(objective.title.zh), "\(name): objective \(objective.id) titles")
            }
            #expect(!level.hints.isEmpty, "\(name): hints")
            for hint in level.hints { #expect(!hint.en.isEmpty && hasChinese(hint.zh), "\(name): a hint in both languages") }
            // A toolbar restricted to what the lesson needs.
            let tools = try #require(level.allowedTools, "\(name): a [tools] list")
            #expect(!tools.isEmpty && tools.count < LevelDefinition.toolNames.count / 2, "\(name): \(tools.count) tools")
            // Advisor cards in both languages; at least one cites a commissioned work; a closing card
            // when a required objective is met.
            var advisors: [Names] = []
            var closing = false
            for trigger in level.triggers {
                for case .advisor(let text) in trigger.actions {
                    advisors.append(text)
                    if case .objective(let id, .met) = trigger.when,
                       level.objectives.contains(where: { $0.id == id && $0.required }) { closing = true }
                }
            }
            #expect(!advisors.isEmpty, "\(name): an advisor trigger")
            for text in advisors { #expect(!text.en.isEmpty && hasChinese(text.zh), "\(name): an advisor card in both languages") }
            // …citing one of the commissioned works by title (docs/sources.md), in both languages.
            let works = ["《元宇宙与碳中和》", "《中外法治下绿色元宇宙的双碳协同规制研究》", "《数字低碳与低碳数字》",
                         "《〈巴黎协定〉框架下全球碳市场多边合作的规则建构》", "《中国个人碳交易刍论》"]
            #expect(advisors.contains { card in works.contains { card.en.contains($0) } && works.contains { card.zh.contains($0) } },
                    "\(name): a card citing a commissioned work")
            #expect(closing, "\(name): a closing concept card when an objective is met")
        }
    }

    @Test(arguments: lessonCases) func winningReplayWinsTheSameWayTwice(_ lesson: LessonCase) throws {
        let replay = try readReplay(lesson)
        let (level, _, _) = try loadLesson(lesson.levelPath)
        #expect(replay.levelID == level.setup.info.id, "the replay names the lesson's level id")
        #expect(!replay.commands.isEmpty)
        let first = try runLesson(lesson.levelPath, replay: replay)
        #expect(first.result == .won, "\(describe(first))")
        #expect(first.statuses.filter { $0.objective.required }.allSatisfy { $0.status == .met }, "\(describe(first))")
        #expect(first.files["summary.json"]?.contains("\"result\": \"won\"") == true)
        // A model change on purpose re-records it: netzero run LEVEL --replay OLD --record NEW.
        #expect(first.differences.isEmpty, "\(lesson.name): \(first.differences)")
        let second = try runLesson(lesson.levelPath, replay: replay)
        for name in ["yearly.csv", "daily.csv", "summary.json", "firms.csv"] {
            #expect(first.files[name] == second.files[name], "\(name) differs between two replays of \(lesson.name)")
        }
    }

    @Test(arguments: lessonCases) func doingNothingDoesNotWin(_ lesson: LessonCase) throws {
        let run = try runLesson(lesson.levelPath, replay: nil)
        #expect(run.result != .won, "\(describe(run))")
        #expect(run.result == .lost || run.statuses.contains { $0.objective.required && $0.status == .failed }, "\(describe(run))")
    }

    /// Lesson 4's concept decides it: the same replacements, built after the coal unit is gone, lose.
    @Test func breakingCoalBeforeBuildingLosesLesson4() throws {
        let lesson = LessonCase(name: "04-build-before-break")
        let text = try String(contentsOfFile: repositoryRoot + "/Tests/CitySimTests/Lessons/04-build-before-break.break-first.replay",
                              encoding: .utf8)
        let replay = try #require(ReplayLog.parse(text, file: "break-first.replay").log)
        let run = try runLesson(lesson.levelPath, replay: replay)
        #expect(run.result == .lost, "\(describe(run))")
        let lights = try #require(run.statuses.first { $0.objective.id == "lights_2020" })
        #expect(lights.status == .failed && lights.value > 24, "\(describe(run))")
    }
}
