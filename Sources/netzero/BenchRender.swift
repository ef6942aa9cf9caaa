// BenchRender.swift — `netzero bench render`: frame times of the game view.
//
// Renders the reference city and the sandbox in a hidden window at 1280 × 720 and 2560 × 1440,
// the camera orbiting, the game at speed 1 driven as the window drives it (`GameSession.advance`
// with a 30 fps frame, so a tick falls in about one frame in three). Each frame is timed from
// before the simulation's share to the GPU's end (glFinish): the simulation's tick IS inside the
// timed frame, and is also reported apart (sim_ms_max, frames_with_tick, render_ms_*). With
// --shown the window is shown and each frame is presented (its buffers swapped) inside the
// timed frame, as a player's is.
// Figures per level and size: fps_p50, frame_ms_p50/p99/max, render_ms_p50/p99 (the frame less
// its simulation), sim_ms_max, frames_with_tick, draw_calls, static_instances; plus
// input_stall_ms_max: the longest gap between two input polls at top simulation speed (reference,
// first size), and input_stall_parts, what filled it (the simulation's ms and ticks, the drawing's
// ms, of which the static scene's rebuild); cpu_ms_p50, the process's CPU time a frame (every thread: llvmpipe's too), which a
// busy machine inflates less than wall time. The machine (cores, CPU, GL renderer, LP_NUM_THREADS, load) is printed with them.
import ArgumentParser
import CitySim
import ECS
import Foundation
import Game
import Render

struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Time frames of the game view.")

    @Option(help: "Frames to time per level and size.") var frames = 600
    @Option(help: "Frame sizes, WIDTHxHEIGHT, comma-separated.") var sizes = "1280x720,2560x1440"
    @Option(help: "Levels, comma-separated.") var levels = "reference,sandbox"
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Draw the city without the interface (to measure the interface's share).") var noHud = false
    @Flag(help: "Keep the game paused: frames without the simulation, the same work each run (for instruction counts under callgrind; no input-stall run).") var paused = false
    @Option(help: "Write each timed frame's simulation share to this file, one line a frame (level, frame, wall ms, the thread's CPU ms, then each step as name=ms): to find what makes the longest shares.") var sliceLog: String?
    @Option(help: "Draw the scene at this fraction of the frame's resolution (0.25 to 1; default 1).") var renderScale: Float?
    @Flag(help: "Show the window and present each frame inside the timed frame, as the game does (the buffer swap); by default the window is hidden and frames end at the GPU's end.") var shown = false

    func parsedSizes() throws -> [(Int, Int)] {
        try sizes.split(separator: ",").map { text in
            let parts = text.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2, (64...8192).contains(parts[0]), (64...8192).contains(parts[1]) else {
                throw ValidationError("--sizes takes WIDTHxHEIGHT pairs (64 to 8192), e.g. 1280x720, not '\(text)'")
            }
            return (parts[0], parts[1])
        }
    }

    func validate() throws {
        _ = try parsedSizes()
        guard frames >= 10 else { throw ValidationError("--frames must be at least 10") }
        if let renderScale, !(0.25...1).contains(renderScale) { throw ValidationError("--render-scale takes 0.25 to 1, not \(renderScale)") }
    }

    func run() throws {
        var figures: [(String, String)] = machineFigures().map { ($0.0, "\"\($0.1)\"") }
        figures.append(("lp_num_threads", "\"\(ProcessInfo.processInfo.environment["LP_NUM_THREADS"] ?? "unset")\""))
        figures.append(("frames", String(frames)))
        figures.append(("sim_in_timed_frame", paused ? "false" : "true"))
        figures.append(("render_scale", renderScale.map { format(Double($0)) } ?? "1"))
        figures.append(("hud", noHud ? "false" : "true"))
        figures.append(("presented", shown ? "true" : "false"))
        var sliceLines: [String] = []
        for (index, (width, height)) in try parsedSizes().enumerated() {
            let view = openWindowOrExplain(Window.Options(width: width, height: height, hidden: !shown, highDPI: false))
            view.drawsHUD = !noHud
            view.renderScaleOverride = renderScale
            if index == 0 { figures.insert(("gl_renderer", "\"\(view.window.glRenderer)\""), at: 3) }
            for name in levels.split(separator: ",").map(String.init) {
                let prefix = "\(name)_\(width)x\(height)_"
                let (city, level) = try openGame(name)
                let session = GameSession(city: city, level: level, language: .en)
                Briefing.close(session)
                session.paused = paused
                session.speed = 1
                city.run(hours: 36)  // a day of traffic for the vehicles
                var frameTimes: [Double] = [], renderTimes: [Double] = [], cpuTimes: [Double] = [], simMax = 0.0, framesWithTick = 0
                var longestShare: [(step: String, nanoseconds: UInt64)] = [], simCPUMax = 0.0
                for frame in 0..<(frames + 10) {
                    session.camera.rotate(yaw: 0.01)
                    session.city.sliceLog = []
                    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds(), threadStart = threadCPUSeconds()
                    let ticks = session.advance(frameSeconds: 1.0 / 30, clock: { view.now })
                    let simulated = DispatchTime.now().uptimeNanoseconds, simCPU = (threadCPUSeconds() - threadStart) * 1000
                    let share = session.city.sliceLog ?? []
                    session.city.sliceLog = nil
                    try view.render(session, animationTime: Double(frame) / 30)
                    if shown { view.present() }
                    waitForGPU()
                    let end = DispatchTime.now().uptimeNanoseconds, cpuEnd = processCPUSeconds()
                    session.renderSeconds = Double(end - simulated) / 1e9
                    guard frame >= 10 else { continue }  // warm-up: the first uploads and shader compiles
                    frameTimes.append(Double(end - start) / 1e6)
                    renderTimes.append(Double(end - simulated) / 1e6)
                    cpuTimes.append((cpuEnd - cpuStart) * 1000)
                    simCPUMax = max(simCPUMax, simCPU)
                    if sliceLog != nil, !share.isEmpty {
                        sliceLines.append("\(name)\t\(frame)\t\(format(Double(simulated - start) / 1e6))\t\(format(simCPU))\t"
                                          + share.map { "\($0.step)=\(format(Double($0.nanoseconds) / 1e6))" }.joined(separator: " "))
                    }
                    if Double(simulated - start) / 1e6 > simMax {
                        simMax = Double(simulated - start) / 1e6
                        // What the schedule's slices do not account for is the session's own work.
                        let logged = share.reduce(0) { $0 + $1.nanoseconds }
                        longestShare = share + [("(session)", (simulated - start) - min(logged, simulated - start))]
                    }
                    if ticks > 0 { framesWithTick += 1 }
                }
                frameTimes.sort()
                renderTimes.sort()
                cpuTimes.sort()
                func percentile(_ values: [Double], _ p: Int) -> Double { values[min(values.count - 1, values.count * p / 100)] }
                let p50 = percentile(frameTimes, 50)
                figures += [("\(prefix)fps_p50", format(1000 / p50)), ("\(prefix)frame_ms_p50", format(p50)),
                            ("\(prefix)frame_ms_p99", format(percentile(frameTimes, 99))), ("\(prefix)frame_ms_max", format(frameTimes.last!)),
                            ("\(prefix)render_ms_p50", format(percentile(renderTimes, 50))),
                            ("\(prefix)render_ms_p99", format(percentile(renderTimes, 99))),
                            ("\(prefix)cpu_ms_p50", format(percentile(cpuTimes, 50))),
                            ("\(prefix)sim_ms_max", format(simMax)), ("\(prefix)frames_with_tick", String(framesWithTick)),
                            ("\(prefix)sim_cpu_ms_max", format(simCPUMax)),
                            ("\(prefix)sim_max_steps", "\"" + BenchRender.summary(longestShare) + "\""),
                            ("\(prefix)draw_calls", String(view.drawCalls)), ("\(prefix)static_instances", String(view.staticInstanceCount)),
                            ("\(prefix)dynamic_instances", String(view.dynamicInstanceCount))]
                if name == levels.split(separator: ",").first.map(String.init), index == 0, !paused {
                    // Top speed: how long input waits between polls while the simulation runs flat out.
                    session.speed = GameSpeed.top
                    var last = view.now, worst = 0.0, worstParts = ""
                    var parts = ""
                    for _ in 0..<60 {
                        _ = view.window.pollEvents()
                        let now = view.now
                        if now - last > worst { worst = now - last; worstParts = parts }
                        last = now
                        let drawStart = view.now
                        let ticks = session.advance(frameSeconds: 1.0 / 30, clock: { view.now })
                        let simulated = view.now
                        try view.render(session)
                        if shown { view.present() }
                        waitForGPU()
                        session.renderSeconds = view.now - drawStart
                        parts = "sim=\(format((simulated - drawStart) * 1000)) ticks=\(ticks) draw=\(format((view.now - simulated) * 1000))"
                            + " static_rebuild=\(format(view.lastStaticRebuildSeconds * 1000))"
                    }
                    figures.append(("input_stall_ms_max", format(worst * 1000)))
                    figures.append(("input_stall_parts", "\"" + worstParts + "\""))
                }
            }
        }
        if let sliceLog { try (sliceLines.joined(separator: "\n") + "\n").write(toFile: sliceLog, atomically: true, encoding: .utf8) }
        if json {
            print("{" + figures.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            print("Render benchmark, software GL if no GPU")
            for (name, value) in figures { print("  \(name.padding(toLength: 40, withPad: " ", startingAt: 0)) \(value)") }
        }
    }
}

extension BenchRender {
    /// The steps of the frame whose simulation share was longest: how many systems ran, each
    /// step of 0.2 ms or more as name=ms in order, and the rest summed.
    static func summary(_ steps: [(step: String, nanoseconds: UInt64)]) -> String {
        let systems = steps.filter { !$0.step.hasPrefix("(") }.count
        var parts = ["\(systems) systems"], rest: UInt64 = 0
        for step in steps {
            if step.nanoseconds >= 200_000 { parts.append("\(step.step)=\(format(Double(step.nanoseconds) / 1e6))") } else { rest += step.nanoseconds }
        }
        parts.append("rest=\(format(Double(rest) / 1e6))")
        return parts.joined(separator: " ")
    }
}

/// CPU time used by the calling thread so far, in seconds: unlike wall time, not stretched while
/// the thread waits for a core.
func threadCPUSeconds() -> Double { Double(Schedule.threadCPUNanoseconds()) / 1e9 }

/// CPU time used by the whole process so far (every thread), in seconds.
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
