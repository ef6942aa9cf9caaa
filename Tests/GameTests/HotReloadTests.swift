// HotReloadTests — a level whose file is saved while it is open offers "Reload level"; the
// banner's button starts the level again from the new file; a file that no longer loads keeps
// the game and shows the problem with file:line:col; unchanged bytes offer nothing.
import CitySim
import Foundation
import Game
import Locale
import Render
import Testing

extension GameWindowTests {
    /// The small window-test level written to a file of its own, with `budget`.
    func smallLevelFile(budget: String) -> String {
        """
        [level]
        id = "reload-test"
        title_en = "Reload test"
        title_zh = "重新载入测试"
        seed = 5
        budget = \(budget)

        [map]
        rows = \"\"\"
        \(smallLevelRows.joined(separator: "\n"))
        \"\"\"

        [[objectives]]
        id = "net_zero"
        title_en = "Net zero by 2030"
        title_zh = "2030年前实现净零"
        metric = "net_emissions"
        at_most = 0
        by = 2030

        """
    }

    @Test func savingTheOpenLevelOffersAReloadThatStartsItFromTheNewFile() throws {
        let view = try #require(sharedView, "a display is required")
        let folder = NSTemporaryDirectory() + "nz-reload-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/island.toml"
        try smallLevelFile(budget: "5e9").write(toFile: path, atomically: true, encoding: .utf8)
        let level = try #require(LevelFile.load(path: path, catalog: catalog).level)
        let session = GameSession(city: City(level: level, catalog: catalog), level: level, language: .zh,
                                  savePath: folder + "/quick.nzsave", screenshotDirectory: folder)
        session.paused = true
        // A level with objectives opens on its briefing card; the offer must answer over it.
        #expect(session.briefing.isOpen)
        #expect(session.levelWatch?.files == [path])
        try view.render(session)

        // The same bytes written again offer nothing; new bytes do.
        try smallLevelFile(budget: "5e9").write(toFile: path, atomically: true, encoding: .utf8)
        session.checkLevelFiles(now: view.now + 10)
        #expect(session.reloadOffer == nil)
        try smallLevelFile(budget: "7e9").write(toFile: path, atomically: true, encoding: .utf8)
        session.checkLevelFiles(now: view.now + 20)
        #expect(session.reloadOffer?.files == [path])
        try view.render(session)
        #expect(session.reloadBanner != nil)
        #expect(session.overflowingText.isEmpty, "\(session.overflowingText)")

        // A file that no longer loads: the game goes on as it was and the banner says why.
        session.city.run(hours: 5)
        let tickBefore = session.view.clock.tick
        try smallLevelFile(budget: "\"lots\"").write(toFile: path, atomically: true, encoding: .utf8)
        session.checkLevelFiles(now: view.now + 30)
        try view.render(session)
        let button = try #require(session.reloadBanner?.reload)
        try deliver([.mouseDown(x: button.center.x, y: button.center.y, button: .left),
                     .mouseUp(x: button.center.x, y: button.center.y, button: .left)], to: session, view: view)
        #expect(session.view.clock.tick == tickBefore, "the running game is kept")
        #expect(session.briefing.isOpen, "the click went to the banner, not the card under it")
        let problem = try #require(session.reloadOffer?.problem)
        #expect(problem.hasPrefix(path + ":6:"), "\(problem)")

        // Fixed and saved again: the offer is renewed without the problem, and Ctrl+R reloads.
        try smallLevelFile(budget: "7e9").write(toFile: path, atomically: true, encoding: .utf8)
        session.checkLevelFiles(now: view.now + 40)
        #expect(session.reloadOffer?.problem == nil)
        try deliver([.key(code: KeyCode.letter("r"), down: true, ctrl: true, shift: false)], to: session, view: view)
        #expect(session.reloadOffer == nil)
        #expect(session.view.clock.tick == 0, "the level starts again")
        #expect(session.level.setup.budget == 7e9)
        #expect(session.view.budget.balance == 7e9)
    }
}
