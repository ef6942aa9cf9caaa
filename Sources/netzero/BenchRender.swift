// BenchRender.swift — `netzero bench render`: frame times of the game view.
//
// Renders the reference city (and, for comparison, the sandbox) at 1280 × 720 in a hidden
// window, with the camera orbiting, and the simulation advancing one tick per frame as at
// normal speed. Each frame is timed until the GPU has finished it (glFinish).
// Figures: fps_p50, frame_ms_p50, frame_ms_p99, draw_calls, and the same for the sandbox, plus
// input_stall_ms_max: the longest gap between two input polls at top simulation speed.
import ArgumentParser
import CitySim
import Foundation
import Game
import Render

struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Time frames of the game view.")

    @Option(help: "Frames to time per level.") var frames = 90
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        let view = openWindowOrExplain(Window.Options(width: 1280, height: 720, hidden: true, highDPI: false))
        var figures: [(String, String)] = []
        for (name, prefix) in [("reference", ""), ("sandbox", "sandbox_")] {
            let (city, level) = try openGame(name)
            let session = GameSession(city: city, level: level, language: .en)
            city.run(hours: 36)  // a day of traffic for the vehicles
            var times: [Double] = []
            for frame in 0..<frames {
                session.camera.rotate(yaw: 0.01)
                let start = DispatchTime.now().uptimeNanoseconds
                city.step()
                try view.render(session, animationTime: Double(frame) / 30)
                waitForGPU()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            let p50 = times[times.count / 2], p99 = times[min(times.count - 1, times.count * 99 / 100)]
            figures += [("\(prefix)fps_p50", format(1000 / p50)), ("\(prefix)frame_ms_p50", format(p50)),
                        ("\(prefix)frame_ms_p99", format(p99)), ("\(prefix)draw_calls", String(view.drawCalls))]
            if name == "reference" {
                // Top speed: how long input waits between polls while the simulation runs flat out.
                session.speed = GameSpeed.top
                var last = view.now, worst = 0.0
                for _ in 0..<30 {
                    _ = view.window.pollEvents()
                    let now = view.now
                    worst = max(worst, now - last)
                    last = now
                    session.advance(frameSeconds: 1.0 / 30, clock: { view.now })
                    try view.render(session)
                    waitForGPU()
                }
                figures.append(("input_stall_ms_max", format(worst * 1000)))
            }
        }
        if json {
            print("{" + figures.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            print("Render benchmark, 1280x720, software GL if no GPU")
            for (name, value) in figures { print("  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(value)") }
        }
    }
}
