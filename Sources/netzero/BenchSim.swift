// BenchSim.swift — `netzero bench sim`: the reference city for one simulated year.
//
// Figures: years_per_second (simulated years per wall-clock second), tick_ms_p50 and
// tick_ms_p99 (wall time of one tick), peak_rss_mb (the process's peak resident memory),
// plus the city's size so that the figures can be read against it.
import ArgumentParser
import CitySim
import Foundation

struct BenchSim: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sim", abstract: "Time one simulated year of the reference city.")

    @Option(help: "Simulated hours to time.") var hours = 8760
    @Option(help: "Level to time (default: the reference city).") var level = "reference"
    @Flag(help: "Print one JSON object instead of a table.") var json = false
    @Flag(help: "Also print each system's share of the time.") var systems = false

    func run() throws {
        let catalog = try loadCatalog()
        var city: City!
        guard let definition = BuiltinLevels.load(level, catalog: catalog).level else { throw ValidationError("cannot load level '\(level)'") }
        let setupMs = time { city = City(level: definition, catalog: catalog) }
        city.profiling = systems
        var ticks: [Double] = []
        ticks.reserveCapacity(hours)
        let total = time {
            for _ in 0..<hours { ticks.append(time { city.step() }) }
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
        ] + cityFigures(view)
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
                    print("  \(phase)/\(name): \(format(ms)) ms/tick")
                }
            }
        }
    }
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
