// ForecastPanelTests.swift — the Forecast button's job (ForecastPanel.swift): F starts it on its
// own thread, the years come back, and a command makes it stale and stops it.
import CitySim
import Foundation
@testable import Game
import Locale
import Render
import Testing

@Suite struct ForecastPanelTests {
    @Test func aForecastThatFailsSaysSoInThePlayersLanguage() {
        let reason = "the save's checksum does not match"
        let chinese = ForecastPanel.failureStatus(reason, strings: Strings(language: .zh))
        let english = ForecastPanel.failureStatus(reason, strings: Strings(language: .en))
        #expect(chinese.hasPrefix("预测未能完成") && chinese.hasSuffix(reason), "\(chinese)")
        #expect(english.hasPrefix("The forecast could not finish") && english.hasSuffix(reason), "\(english)")
    }

    @Test func fStartsTheForecastAndACommandMakesItStale() throws {
        let level = try #require(LevelFile.load(path: repositoryRoot + "/Levels/sandbox.toml", catalog: catalog).level)
        let session = GameSession(city: City(level: level, catalog: catalog), level: level, language: .en,
                                  savePath: NSTemporaryDirectory() + "nz-\(UUID().uuidString)/quick.nzsave",
                                  screenshotDirectory: NSTemporaryDirectory())
        let before = session.city.world.contentHash()
        session.handleKey(KeyCode.letter("f"), ctrl: false, shift: false, now: 0)
        #expect(session.forecastRunning && session.forecast.isVisible)
        // The first projected year comes back from the forecast's thread.
        let deadline = Date().addingTimeInterval(120)
        while session.forecast.job?.state.years.isEmpty ?? true, Date() < deadline { usleep(20_000) }
        let first = try #require(session.forecast.job?.state.years.first)
        #expect(first.year == 2020 && first.netT > 0)
        #expect(session.city.world.contentHash() == before)
        // A build makes it stale: it stops, and F runs it again.
        session.city.submit(.build(.zone(.forest), x: 0, y: 0))
        session.city.applyPendingCommands()
        ForecastPanel.checkStale(session)
        #expect(session.forecast.isStale)
        session.handleKey(KeyCode.letter("f"), ctrl: false, shift: false, now: 0)
        #expect(!session.forecast.isStale && session.forecastRunning)
        // F again stops it.
        session.handleKey(KeyCode.letter("f"), ctrl: false, shift: false, now: 0)
        #expect(session.forecast.job == nil && !session.forecast.isVisible)
    }
}
