// SpeedAndSettingsTests — game time on the session's injected clock (no wall time, no window):
// speed 1 is a game year in 15 real minutes unless the level says otherwise, speeds 2 and 3 are 4
// and 16 times that, the top speed runs what a 30 fps frame leaves after drawing; each lesson's
// pace fits its class period. The player's name (asked once, kept in the XDG config directory)
// goes into the replays; autosaves are per level.
import CitySim
import Foundation
import Game
import Locale
import Render
import Testing

/// A level file as `netzero play` opens it, in a session with no window.
func windowlessSession(_ path: String, language: Language = .en) throws -> GameSession {
    let level = try #require(LevelFile.load(path: path, catalog: catalog).level)
    var levelCatalog = catalog
    if let overrides = level.catalogOverrides {
        levelCatalog = try Catalog.load(directory: repositoryRoot + "/Resources/catalog", overrideTables: [(overrides, level.file)])
    }
    let directory = NSTemporaryDirectory() + "nz-speed-\(UUID().uuidString)"
    return GameSession(city: City(level: level, catalog: levelCatalog), level: level, language: language,
                       savePath: directory + "/quick.nzsave", screenshotDirectory: directory)
}

/// A clock that moves by `step` seconds each time it is read: the frame loop's view of time.
final class SteppingClock {
    var now = 0.0
    let step: Double
    init(step: Double) { self.step = step }
    func read() -> Double {
        now += step
        return now
    }
}

let sandboxPath = repositoryRoot + "/Levels/sandbox.toml"
let lessonOnePath = repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"

@Suite("Game speed and player settings")
@MainActor
struct SpeedAndSettingsTests {
    /// Runs `seconds` of 30 fps frames at `speed` on a clock that never runs out of budget; returns the hours run.
    func hoursRun(_ session: GameSession, speed: Int, seconds: Double) -> Int64 {
        session.paused = false
        Briefing.close(session)
        session.speed = speed
        session.slicesTicks = false  // a made-up clock: ticks run whole (slices are timed on the real one)
        let start = session.view.clock.tick
        let clock = SteppingClock(step: 1e-7)
        for _ in 0..<Int((seconds * 30).rounded()) { session.advance(frameSeconds: 1.0 / 30, clock: clock.read) }
        return session.view.clock.tick - start
    }

    @Test func speedOneIsAGameYearInFifteenMinutesOnTheSandbox() throws {
        let session = try windowlessSession(sandboxPath)
        #expect(session.level.yearMinutes == nil, "the sandbox keeps the default pace")
        // One real minute: a year (8,765.8 hours) over 15 minutes is 584.4 hours a minute.
        let hours = hoursRun(session, speed: 1, seconds: 60)
        #expect(hours == 584, "\(hours) game hours in a real minute at speed 1")
        #expect(HUD.speedText(session).contains("15.0 min a year"), "\(HUD.speedText(session))")
    }

    @Test func speedsTwoAndThreeAreFourAndSixteenTimesSpeedOne() throws {
        let one = try windowlessSession(sandboxPath), two = try windowlessSession(sandboxPath), three = try windowlessSession(sandboxPath)
        let base = hoursRun(one, speed: 1, seconds: 10)
        let fast = hoursRun(two, speed: 2, seconds: 10)
        let faster = hoursRun(three, speed: 3, seconds: 10)
        #expect(base == 97, "10 s at speed 1: \(base) hours")  // 8,765.8 / 900 × 10 = 97.4
        #expect(fast == 389, "10 s at speed 2: \(fast) hours")  // × 4 = 389.6
        #expect(faster == 1558, "10 s at speed 3: \(faster) hours")  // × 16 = 1,558.4
    }

    @Test func aLessonSetsItsOwnPaceAndTheTopBarSaysIt() throws {
        let session = try windowlessSession(lessonOnePath, language: .zh)
        #expect(session.level.yearMinutes == 5)
        // A real minute at speed 1 is a fifth of a game year: 8,765.8 / 5 = 1,753.2 hours.
        #expect(hoursRun(session, speed: 1, seconds: 60) == 1753)
        session.paused = true
        let text = HUD.speedText(session)
        #expect(text.hasPrefix("已暂停") && text.contains("每年 5.0 分钟"), "\(text)")
    }

    @Test func theTopSpeedRunsWhatAThirtyFPSFrameLeavesAfterDrawing() throws {
        let session = try windowlessSession(sandboxPath)
        Briefing.close(session)
        session.paused = false
        session.speed = GameSpeed.top
        session.slicesTicks = false  // a made-up clock: ticks run whole (slices are timed on the real one)
        // Each reading of the injected clock moves it 0.8 ms. With 20 ms spent drawing the last
        // frame, 13.3 ms are left: 16 ticks fit (16 × 0.8 = 12.8 ms).
        session.renderSeconds = 0.020
        let slowFrame = session.advance(frameSeconds: 1.0 / 30, clock: SteppingClock(step: 0.0008).read)
        #expect(slowFrame == 16, "\(slowFrame) ticks with 20 ms of drawing")
        session.renderSeconds = 0.001
        let fastFrame = session.advance(frameSeconds: 1.0 / 30, clock: SteppingClock(step: 0.0008).read)
        #expect(fastFrame == 40, "\(fastFrame) ticks with 1 ms of drawing")
        // A frame that took longer than 1/30 s to draw still leaves the minimum, 2 ms: 2 ticks.
        session.renderSeconds = 0.1
        let starved = session.advance(frameSeconds: 1.0 / 30, clock: SteppingClock(step: 0.0008).read)
        #expect(starved == 2, "\(starved) ticks when drawing alone overran the frame")
        #expect(HUD.speedText(session).contains("max"), "\(HUD.speedText(session))")
    }

    @Test func speedOneKeepsItsPaceWhenTheWindowDrawsSlowly() throws {
        // Software GL on a busy machine: half a second a frame. The top speed's budget would leave
        // 2 ms; speed 1 still gets its 5 ms slice, enough for its 4.9 hours a frame (0.8 ms per clock reading).
        let session = try windowlessSession(sandboxPath)
        Briefing.close(session)
        session.paused = false
        session.speed = 1
        session.slicesTicks = false  // a made-up clock: ticks run whole (slices are timed on the real one)
        session.renderSeconds = 0.5
        var ticks = 0
        for _ in 0..<10 { ticks += session.advance(frameSeconds: 0.5, clock: SteppingClock(step: 0.0008).read) }
        #expect(ticks == 48, "\(ticks) hours in 5 s at speed 1 (8,765.8 / 900 × 5 = 48.7)")
    }

    /// Each lesson's game years at its pace, against the class time docs/teachers.md gives it:
    /// the simulated time at speed 1 leaves at least 5 minutes for the briefing and building.
    @Test func everyLessonsGameTimeAtSpeedOneFitsItsClassPeriod() throws {
        let classMinutes = ["01": 15.0, "02": 20, "03": 20, "04": 20, "05": 20, "06": 20, "07": 20, "08": 25, "09": 20, "10": 60]
        let directory = repositoryRoot + "/Levels/lessons"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(files.count == classMinutes.count)
        for file in files {
            let level = try #require(LevelFile.load(path: directory + "/" + file, catalog: catalog).level)
            let minutes = try #require(level.yearMinutes, "\(file) sets year_minutes")
            let years = Double((level.objectives.map(\.deadlineYear).max() ?? level.setup.info.startYear) - level.setup.info.startYear + 1)
            let period = try #require(classMinutes[String(file.prefix(2))])
            #expect(years * minutes <= period - 5, "\(file): \(years) years × \(minutes) min = \(years * minutes) min of a \(period)-minute period")
        }
    }

    @Test func theNameIsAskedOnceKeptInTheConfigDirectoryAndWrittenIntoReplays() throws {
        let home = NSTemporaryDirectory() + "nz-home-\(UUID().uuidString)"
        let environment = ["HOME": home, "XDG_CONFIG_HOME": home + "/cfg", "XDG_DATA_HOME": "relative/ignored"]
        #expect(GameSettings.defaultPath(environment: environment) == home + "/cfg/netzero/settings.toml")
        #expect(GameSettings.dataDirectory(environment: environment) == home + "/.local/share/netzero", "a relative XDG path is ignored")
        let path = GameSettings.defaultPath(environment: environment)
        let session = try windowlessSession(lessonOnePath)
        NamePrompt.openIfNeeded(session, settingsPath: path)
        #expect(session.namePrompt.isOpen)
        let size = (width: 960, height: 600)
        for event: InputEvent in [.text("Li \"W"), .key(code: KeyCode.backspace, down: true, ctrl: false, shift: false), .text("Wei 李伟"),
                                  .key(code: KeyCode.enter, down: true, ctrl: false, shift: false)] {
            session.handle(event, size: size, now: 0)
        }
        #expect(!session.namePrompt.isOpen)
        #expect(session.settings.player == "Li \"Wei 李伟")
        #expect(GameSettings.load(from: path).settings.player == "Li \"Wei 李伟", "the name survives a round trip through settings.toml")
        // A second game with these settings does not ask again.
        let next = try windowlessSession(lessonOnePath)
        next.settings = GameSettings.load(from: path).settings
        NamePrompt.openIfNeeded(next, settingsPath: path)
        #expect(!next.namePrompt.isOpen)
        let parsed = try #require(ReplayLog.parse(session.replay.text, file: "r").log)
        #expect(parsed.player == "Li \"Wei 李伟")
        // A hostile settings file: the defaults, and a message, never a crash.
        try FileSystem.writeAtomically("player = [1, 2", to: path)
        let broken = GameSettings.load(from: path)
        #expect(broken.settings.player.isEmpty && broken.problem?.contains("settings.toml") == true, "\(String(describing: broken.problem))")
    }

    @Test func autosavesArePerLevelSoALessonNeverOverwritesTheSandbox() throws {
        let data = NSTemporaryDirectory() + "nz-data-\(UUID().uuidString)"
        let lesson = try windowlessSession(lessonOnePath), sandbox = try windowlessSession(sandboxPath)
        lesson.dataDirectory = data
        sandbox.dataDirectory = data
        #expect(lesson.autosavePath(slot: 1) == data + "/autosaves/lesson01_sources_and_sinks.autosave-1.nzsave")
        #expect(sandbox.autosavePath(slot: 1) != lesson.autosavePath(slot: 1))
        // The sandbox's autosave exists first; then the lesson runs into a new year and autosaves.
        try FileSystem.makeDirectory(data + "/autosaves")
        try FileSystem.writeAtomically("the sandbox's autosave", to: sandbox.autosavePath(slot: 1))
        Briefing.close(lesson)
        lesson.paused = false
        lesson.speed = GameSpeed.top
        let clock = SteppingClock(step: 1e-6)
        while lesson.view.clock.year == 2020 { lesson.advance(frameSeconds: 1.0 / 30, clock: clock.read) }
        let saved = lesson.autosavePath(slot: 2021 % 3)
        #expect(FileSystem.exists(saved), "the lesson's autosave for 2021")
        #expect(try SaveGame.load(from: saved, catalog: lesson.catalog).city.view.level.id == "lesson01_sources_and_sinks")
        #expect(FileSystem.read(sandbox.autosavePath(slot: 1)).map { String(decoding: $0, as: UTF8.self) } == "the sandbox's autosave")
        #expect(FileSystem.list(data + "/autosaves").filter { $0.hasSuffix(".tmp") }.isEmpty, "no temporary file left behind")
    }
}
