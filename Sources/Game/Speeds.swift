// Speeds.swift — how fast game time runs: one table of multipliers over a base rate.
//
// The base rate is the real time one game year lasts at speed 1: 15 minutes unless the level
// sets `year_minutes` in its `[level]` table (a lesson sets its own so that it fits a class
// period; docs/modding.md). Speeds 1–3 multiply that rate by `multipliers`; the top speed has no
// rate: it runs as many hours as fit in the frame's budget, which is what is left of a 30 fps
// frame once the last frame was drawn, so the window keeps 30 frames a second however slow or
// fast the city is to simulate.
import CitySim

public enum GameSpeed {
    /// Real minutes a game year lasts at speed 1 when the level does not say.
    public static let defaultYearMinutes = 15.0
    /// Speeds 1, 2, 3 as multiples of speed 1; speed `top` (4) is as fast as the frame budget allows.
    public static let multipliers: [Double] = [1, 4, 16]
    public static var top: Int { multipliers.count + 1 }
    /// The frame rate the top speed keeps: the simulation gets what a frame leaves of 1/30 s.
    public static let framesPerSecond = 30.0
    /// The least simulation time a frame gets at the top speed, so a slow renderer never stops the game.
    public static let minimumStepSeconds = 0.002
    /// Hours of game time in a year, for rates (a mean year: 365.2425 days).
    public static let hoursPerYear = 24 * 365.2425

    /// The level's real minutes per game year at speed 1.
    public static func yearMinutes(_ level: LevelDefinition) -> Double { level.yearMinutes ?? defaultYearMinutes }

    /// Game hours per real second at `speed` (1…top); infinity at the top speed.
    public static func hoursPerSecond(speed: Int, yearMinutes: Double) -> Double {
        guard speed < top else { return .infinity }
        let base = hoursPerYear / (yearMinutes * 60)
        return base * multipliers[max(1, speed) - 1]
    }

    /// Real minutes a game year lasts at `speed` (nil at the top speed, which depends on the machine).
    public static func minutesPerYear(speed: Int, yearMinutes: Double) -> Double? {
        guard speed < top else { return nil }
        return yearMinutes / multipliers[max(1, speed) - 1]
    }

    /// Seconds of wall time the simulation may use in a frame. At the top speed: what a 30 fps
    /// frame leaves after drawing (`renderSeconds`, the last frame's), at least the minimum. At
    /// speeds 2–3 the rate, not the budget, sets the pace: they get at least `paceSeconds`, so
    /// that on a machine that draws slowly (a few frames a second in software GL) the promised
    /// pace still holds, while a fast machine keeps its 30 fps.
    /// Speed 1 gets `sliceSeconds` a frame whatever the drawing took (a longer tick is sliced
    /// over frames), less `sessionSeconds` kept for what the session does around the tick.
    public static func stepBudget(renderSeconds: Double, speed: Int = top) -> Double {
        let left = max(minimumStepSeconds, 1 / framesPerSecond - max(0, renderSeconds))
        if speed >= top { return left }
        return speed <= 1 ? sliceSeconds - sessionSeconds : max(left, paceSeconds)
    }

    /// The most simulation time a frame gives speed 1 (about one system more, since a slice runs
    /// at least one): the simulation's share of a frame stays small, and a reference-city tick
    /// (≈ 10 ms) is spread over two or three frames.
    public static let sliceSeconds = 0.005

    /// Of `sliceSeconds`, what the tick's systems do not get: the session's own work in the same
    /// share of the frame (the refusals turned into notices, a new day's objective samples, the
    /// phases' deferred commands), up to 0.23 ms a frame on the reference city (`bench render
    /// --slice-log`), so that the whole share stays within the slice.
    public static let sessionSeconds = 0.0005

    /// The least simulation time a frame gets at speeds 1–3.
    public static let paceSeconds = 0.015
}
