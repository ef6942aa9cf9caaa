// BenchSim.swift — `netzero bench sim`: the reference city for one simulated year.
//
// Figures: years_per_second (simulated years per wall-clock second), tick_ms_p50 and
// tick_ms_p99 (wall time of one tick), peak_rss_mb (the process's peak resident memory),
// plus the city's size so that the figures can be read against it.
// `--size 64|128|256|512` times the reference city on that side (content in proportion).
// `--scaling` times every size, each in a child process of its own (so that each peak RSS is its
// own), and fits the cost of a tick to a + b·N over the sizes' entity counts, beside the floor:
// one ECS pass (Position += Velocity) over the same number of entities.
import ArgumentParser
import CitySim
import ECS
import Foundation

struct BenchSim: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sim", abstract: "Time one simulated year of the reference city.")

    @Option(help: "Simulated hours to time (default: a year; 72 with --scaling).") var hours: Int?
    @Option(help: "Level to time (default: the reference city).") var level = "reference"
    @Option(help: "Side of the reference city: 64, 128, 256 (the default) or 512.") var size: Int?
    @Flag(help: "Time the reference city at every size and fit the cost per tick to a + b·N.") var scaling = false
    @Option(help: "With --scaling: runs of each size (min, median and max are printed).") var runs = 3
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Also print each system's share of the time, and its longest single run in CPU time with the hour it ran in.") var systems = false
    @Flag(help: .hidden) var floor = false

    func validate() throws {
        if let size, !BuiltinLevels.referenceSizes.contains(size) {
            throw ValidationError("--size takes \(BuiltinLevels.referenceSizes.map(String.init).joined(separator: ", ")), not \(size)")
        }
        if let hours, hours < 1 { throw ValidationError("--hours must be at least 1") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        if scaling { return try runScaling() }
        let hours = self.hours ?? 8760
        let level = size.map { BuiltinLevels.referenceName(size: $0) } ?? self.level
        let catalog = try loadCatalog()
        var city: City!
        guard let definition = findLevel(level, catalog: catalog).level else { throw ValidationError("cannot load level '\(level)'") }
        let setupMs = time { city = City(level: definition, catalog: catalog) }
        city.profiling = systems
        var ticks: [Double] = []
        ticks.reserveCapacity(hours)
        // Each system's longest single run in the thread's CPU time (a busy machine stretches
        // wall time): a tick's systems are what the window slices between frames, so the longest
        // run is the least share of a frame a system can take.
        var longest: [String: (nanoseconds: UInt64, date: SimDate)] = [:], before: [String: UInt64] = [:]
        let total = time {
            for _ in 0..<hours {
                let date = city.view.clock.date
                ticks.append(time { city.step() })
                guard systems else { continue }
                for (name, nanoseconds) in city.systemCPUNanoseconds {
                    let run = nanoseconds - (before[name] ?? 0)
                    if run > (longest[name]?.nanoseconds ?? 0) { longest[name] = (run, date) }
                    before[name] = nanoseconds
                }
            }
        }
        ticks.sort()
        let view = city.view
        var buildings = 0, plants = 0, zones = 0
        view.forEachBuilding { _, _, _ in buildings += 1 }
        view.forEachPlant { _, _, _ in plants += 1 }
        view.forEachZone { _, _, _ in zones += 1 }
        let figures: [(String, String)] = [
            ("years_per_second", format(Double(hours) / 8760 / (total / 1000))),
            ("tick_ms_p50", format(ticks[ticks.count / 2])),
            ("tick_ms_p99", format(ticks[min(ticks.count - 1, ticks.count * 99 / 100)])),
            ("tick_ms_max", format(ticks.last ?? 0)),
            ("peak_rss_mb", format(peakResidentMegabytes())),
            ("setup_ms", format(setupMs)),
            ("hours", String(hours)),
            ("buildings", String(buildings)),
            ("citizens", String(view.citizenCount)),
            ("plants", String(plants)),
            ("green_tiles", String(zones)),
        ] + cityFigures(view) + [
            ("entities", String(view.entityCount)),
            ("tick_ms_mean", format(total / Double(hours))),
        ] + (floor ? [("floor_ns_per_entity", format(ecsFloorNanosecondsPerEntity(view.entityCount)))] : [])
        if json {
            print("{" + figures.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            print("Simulation benchmark: \(level)")
            for (name, value) in figures { print("  \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(value)") }
        }
        if systems {
            for (phase, names) in city.systemOrder {
                for name in names {
                    let ms = Double(city.systemNanoseconds[name] ?? 0) / 1e6 / Double(hours)
                    let worst = longest[name].map { run in
                        ", longest \(format(Double(run.nanoseconds) / 1e6)) ms CPU (the hour from \(run.date))"
                    } ?? ""
                    print("  \(phase)/\(name): \(format(ms)) ms/tick\(worst)")
                }
            }
        }
    }
}

extension BenchSim {
    /// Each size in a child process (`bench sim --size N --json --floor`), `runs` times, sizes
    /// interleaved run by run so that a change in the machine's load touches every size alike.
    func runScaling() throws {
        let hours = self.hours ?? 72
        let sizes = BuiltinLevels.referenceSizes
        var results: [Int: [[String: Double]]] = [:]
        for run in 0..<runs {
            for size in sizes {
                FileHandle.standardError.write(Data("bench sim --scaling: size \(size), run \(run + 1) of \(runs)\n".utf8))
                var figures = try childFigures(size: size, hours: hours)
                // From the mean tick, at full precision (the child prints 3 decimals).
                figures["years_per_second"] = 1000 / (max(1e-9, figures["tick_ms_mean"] ?? 0) * 8760)
                results[size, default: []].append(figures)
            }
        }
        struct Row { var size: Int; var entities, tickMean, floorPerEntity: Double; var runs: [[String: Double]] }
        func median(_ values: [Double]) -> Double { let v = values.sorted(); return v[v.count / 2] }
        let rows = sizes.map { size -> Row in
            let r = results[size]!
            return Row(size: size, entities: r[0]["entities"] ?? 0, tickMean: median(r.map { $0["tick_ms_mean"] ?? 0 }),
                       floorPerEntity: median(r.map { $0["floor_ns_per_entity"] ?? 0 }), runs: r)
        }
        // Least squares over the sizes: tick (ns) = a + b·N, and the floor's pass = a' + b'·N.
        func fit(_ points: [(Double, Double)]) -> (a: Double, b: Double) {
            let n = Double(points.count)
            let mx = points.reduce(0) { $0 + $1.0 } / n, my = points.reduce(0) { $0 + $1.1 } / n
            let sxx = points.reduce(0) { $0 + ($1.0 - mx) * ($1.0 - mx) }, sxy = points.reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
            let b = sxx > 0 ? sxy / sxx : 0
            return (my - b * mx, b)
        }
        let cost = fit(rows.map { ($0.entities, $0.tickMean * 1e6) })
        let floorFit = fit(rows.map { ($0.entities, $0.floorPerEntity * $0.entities) })
        let tick256 = rows.first { $0.size == 256 }?.tickMean ?? 0, tick512 = rows.first { $0.size == 512 }?.tickMean ?? 0
        func spread(_ key: String, _ runs: [[String: Double]]) -> String {
            let v = runs.map { $0[key] ?? 0 }.sorted()
            func f(_ x: Double) -> String { String(format: x < 1 ? "%.5f" : "%.3f", x) }
            return "{\"min\": \(f(v[0])), \"median\": \(f(v[v.count / 2])), \"max\": \(f(v[v.count - 1]))}"
        }
        let machine = machineFigures()
        if json {
            let sizeObjects = rows.map { row -> String in
                let r = row.runs[0]
                let fields: [(String, String)] = [
                    ("size", String(row.size)), ("entities", String(Int(row.entities))),
                    ("residents", String(Int(r["residents"] ?? 0))), ("buildings", String(Int(r["buildings"] ?? 0))),
                    ("years_per_second", spread("years_per_second", row.runs)),
                    ("tick_ms_mean", spread("tick_ms_mean", row.runs)),
                    ("tick_ms_p50", spread("tick_ms_p50", row.runs)), ("tick_ms_p99", spread("tick_ms_p99", row.runs)),
                    ("peak_rss_mb", spread("peak_rss_mb", row.runs)), ("setup_ms", spread("setup_ms", row.runs)),
                    ("ns_per_entity_tick", format(row.tickMean * 1e6 / max(1, row.entities))),
                    ("floor_ns_per_entity", format(row.floorPerEntity)),
                ]
                return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
            }
            let top: [(String, String)] = machine.map { ($0.0, "\"\($0.1)\"") } + [
                ("hours_per_run", String(hours)),
                ("note", "\"each size is timed over \(hours) simulated hours from the level's start (not a whole year), \(runs) runs, each in its own process; figures are the median run's, spreads are min/median/max\""),
                ("sizes", "[" + sizeObjects.joined(separator: ", ") + "]"),
                ("fit_a_ms", format(cost.a / 1e6)), ("fit_b_ns_per_entity_tick", format(cost.b)),
                ("floor_b_ns_per_entity", format(floorFit.b)), ("b_over_floor", format(cost.b / max(1e-9, floorFit.b))),
                ("tick_512_over_256", format(tick512 / max(1e-9, tick256))),
            ]
            print("{" + top.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            print("Simulation scaling: reference city, \(hours) simulated hours per run, \(runs) runs per size")
            for (name, value) in machine { print("  \(name): \(value)") }
            print("  size  entities   years/s (min-max)           tick p50 ms  p99 ms   RSS MB   ns/entity-tick  floor ns/entity")
            for row in rows {
                let r = row.runs.sorted { ($0["tick_ms_mean"] ?? 0) < ($1["tick_ms_mean"] ?? 0) }
                let middle = r[r.count / 2], years = r.map { $0["years_per_second"] ?? 0 }.sorted()
                print(String(format: "  %4d  %8d   %.5f (%.5f-%.5f)   %9.3f  %7.3f  %7.1f   %14.1f  %15.3f", row.size, Int(row.entities),
                             middle["years_per_second"] ?? 0, years.first ?? 0, years.last ?? 0, middle["tick_ms_p50"] ?? 0,
                             middle["tick_ms_p99"] ?? 0, middle["peak_rss_mb"] ?? 0, row.tickMean * 1e6 / max(1, row.entities), row.floorPerEntity))
            }
            print("  fit: tick = \(format(cost.a / 1e6)) ms + \(format(cost.b)) ns × entities; floor \(format(floorFit.b)) ns/entity; b / floor = \(format(cost.b / max(1e-9, floorFit.b)))")
            print("  tick 512 / tick 256 = \(format(tick512 / max(1e-9, tick256)))")
        }
    }

    /// One size timed by a child `netzero bench sim`, its JSON figures as numbers.
    func childFigures(size: Int, hours: Int) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = ["bench", "sim", "--size", String(size), "--hours", String(hours), "--json", "--floor"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("bench sim --size \(size) failed (status \(process.terminationStatus))")
        }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }
}

/// Nanoseconds per entity of one ECS pass, Position += Velocity, over `count` entities: the
/// floor a system that touches every entity once cannot go under (the best of 7 passes).
func ecsFloorNanosecondsPerEntity(_ count: Int) -> Double {
    let world = World()
    _ = world.spawnBatch(count: max(1, count)) { i in
        (BenchPosition(x: Float(i), y: 0, z: 0), BenchVelocity(x: 1, y: 0.5, z: 0.25))
    }
    let ms = best(of: 7) {
        world.query(Write<BenchPosition>.self, Read<BenchVelocity>.self).forEach { position, velocity in
            position.value.x += velocity.x
            position.value.y += velocity.y
            position.value.z += velocity.z
        }
    }
    var checksum: Float = 0
    world.query(Read<BenchPosition>.self).forEach { checksum += $0.x * 0 }
    precondition(checksum.isFinite)
    return ms * 1e6 / Double(max(1, count))
}

/// The machine a bench ran on: cores, CPU model, and the load average when it started.
func machineFigures() -> [(String, String)] {
    var model = "unknown"
    if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
       let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
       let value = line.split(separator: ":", maxSplits: 1).last {
        model = value.trimmingCharacters(in: .whitespaces)
    }
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
    return [("cores", String(ProcessInfo.processInfo.activeProcessorCount)), ("cpu", model), ("load_average_at_start", load)]
}

/// What the timed city is, per resident, over the hours run (a whole year when --hours is 8760):
/// net CO2 (territorial, direct + embodied, less removals) and electricity delivered, jobs per
/// resident, and its power islands (street networks; 1 = one connected grid).
func cityFigures(_ view: CityView) -> [(String, String)] {
    let period = view.ledger.years.last ?? view.ledger.thisYear
    let residents = Double(max(1, view.stats.population))
    var nuclearKW = 0.0
    view.forEachPlant { _, plant, _ in if plant.kind == .nuclear { nuclearKW += view.catalog.plant(.nuclear).capacityKW } }
    let nuclearCF = nuclearKW > 0 ? period.generationKWh[.nuclear] / (nuclearKW * 8760) : 0
    return [
        ("residents", String(view.stats.population)),
        ("net_t_per_resident", format(period.net / residents)),
        ("kwh_per_resident", format(period.electricityKWh / residents)),
        ("jobs_per_resident", format(Double(view.stats.jobs) / residents)),
        ("power_islands", String(view.map.roadComponentCount)),
        ("nuclear_capacity_factor", format(nuclearCF)),
        ("transport_share_of_gross", format(period.emissions(.transport) / max(1e-9, Sector.allCases.reduce(0) { $0 + period.emissions($1) }))),
    ]
}

/// Peak resident set size of this process (VmHWM), in MB.
func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kB = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kB / 1024
    }
    return 0
}
