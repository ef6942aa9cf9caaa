// BenchPace.swift — `netzero bench pace LEVEL --speed S --seconds N`: the game's real pace,
// measured by driving the window as `netzero play` does (poll, advance on the wall clock, draw,
// present) for N seconds of wall time. Prints the game hours run, hours per second, frames per
// second and what a game year takes at that pace, beside what the speed table promises.
import ArgumentParser
import CitySim
import CSDL2
import Foundation
import Game
import Render

struct BenchPace: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pace", abstract: "Measure a speed's real pace in the game window.")

    @Argument(help: "A level (name or .toml file).") var level = "sandbox"
    @Option(help: "The game speed, 1–\(GameSpeed.top).") var speed = 1
    @Option(help: "Wall-clock seconds to run.") var seconds = 20.0
    @Flag(help: "Start the forecast to 2060 (F) first: the frames are measured while it runs on its own thread.") var forecast = false

    func validate() throws {
        guard (1...GameSpeed.top).contains(speed) else { throw ValidationError("--speed is 1 to \(GameSpeed.top)") }
        guard seconds > 0 && seconds <= 3600 else { throw ValidationError("--seconds is between 0 and 3600") }
    }

    func run() throws {
        let (city, definition) = try openGame(level)
        let view = openWindowOrExplain(Window.Options(width: 1280, height: 720, hidden: true, highDPI: false))
        let session = GameSession(city: city, level: definition, language: .en)
        Briefing.close(session)
        session.paused = false
        session.speed = speed
        if forecast { session.startForecast() }
        let startTick = city.view.clock.tick
        let start = view.now
        var last = start, frames = 0
        while view.now - start < seconds {
            for event in view.window.pollEvents() { session.handle(event, size: view.renderer.framebufferSize, now: view.now) }
            let now = view.now
            session.advance(frameSeconds: min(1, now - last), clock: { view.now })
            last = now
            let drawStart = view.now
            try view.render(session)
            view.present()
            session.renderSeconds = view.now - drawStart
            frames += 1
        }
        let elapsed = view.now - start
        if forecast { print("the forecast was \(session.forecastRunning ? "still running" : "finished") at the end") }
        let hours = Double(city.view.clock.tick - startTick)
        let perSecond = hours / elapsed
        let promised = GameSpeed.minutesPerYear(speed: speed, yearMinutes: GameSpeed.yearMinutes(definition))
        print("\(definition.setup.info.id) at speed \(speed): \(Int(hours)) game hours in \(String(format: "%.1f", elapsed)) s "
              + "(\(String(format: "%.2f", perSecond)) h/s, \(String(format: "%.1f", Double(frames) / elapsed)) fps); "
              + "a game year takes \(String(format: "%.2f", GameSpeed.hoursPerYear / perSecond / 60)) min at this pace"
              + (promised.map { " (the speed table: \(String(format: "%.2f", $0)) min)" } ?? " (top speed: as fast as 30 fps allows)"))
    }
}
