// ForecastCommand.swift — the forecast headless: `netzero run LEVEL --forecast [--to YEAR] [--json]`
// prints the projection (Forecast.swift in CitySim), and `netzero bench forecast [--json]` times it.
import ArgumentParser
import CitySim
import Foundation

/// The projection as a table, or as JSON.
func forecastText(_ result: ForecastResult, level: String, json: Bool) -> String {
    func mark(_ year: Int?) -> String { year.map(String.init) ?? (json ? "null" : "none") }
    if json {
        let rows = result.years.map { y in
            "{\"year\": \(y.year), \"gross_t\": \(Fixed.format(y.grossT, 1)), \"removals_t\": \(Fixed.format(y.removalsT, 1)), "
                + "\"net_t\": \(Fixed.format(y.netT, 1)), \"grid_factor_g_per_kwh\": \(Fixed.format(y.gridFactor, 2)), "
                + "\"budget_yuan\": \(Fixed.format(y.budgetYuan, 0)), \"population\": \(y.population), "
                + "\"simulated_days\": \(y.simulatedDays), \"days\": \(y.days)}"
        }
        return "{\"level\": \(HeadlessRun.quote(level)), \"start\": \"\(result.start)\", \"method\": \"representative days\", "
            + "\"simulated_hours\": \(result.simulatedHours), \"complete\": \(result.isComplete), "
            + "\"peak_year\": \(mark(result.peakYear)), \"net_zero_year\": \(mark(result.netZeroYear)), "
            + "\"years\": [\n  " + rows.joined(separator: ",\n  ") + "\n]}\n"
    }
    var lines = ["Forecast of \(level) from \(result.start) under its current policies (representative days; \(result.simulatedHours) hours simulated)",
                 "year    gross tCO2e   removals t      net tCO2e   grid gCO2e/kWh       budget yuan   residents  days simulated"]
    for y in result.years {
        lines.append(String(format: "%4d  %13.1f  %11.1f  %13.1f  %15.2f  %16.0f  %10d  %3d of %3d", y.year, y.grossT, y.removalsT, y.netT,
                            y.gridFactor, y.budgetYuan, y.population, y.simulatedDays, y.days))
    }
    lines.append("peak year: \(mark(result.peakYear)); net-zero year: \(mark(result.netZeroYear))")
    return lines.joined(separator: "\n") + "\n"
}

/// `netzero bench forecast`: the sandbox (or LEVEL) to 2060, N times, each from a new city.
struct BenchForecast: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "forecast", abstract: "Time the forecast to 2060 headless.")

    @Argument(help: "A level (name or .toml file).") var level = "sandbox"
    @Option(help: "The forecast's last year.") var to = 2060
    @Option(help: "Runs (the spread is min/median/max).") var runs = 5
    @Option(help: "Days simulated per month.") var daysPerMonth = ForecastOptions().daysPerMonth
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard (1...100).contains(runs) else { throw ValidationError("--runs is 1 to 100") }
        guard (1...31).contains(daysPerMonth) else { throw ValidationError("--days-per-month is 1 to 31") }
    }

    func run() throws {
        let (definition, catalog) = try loadLevel(level, seed: nil)
        let machine = machineFigures()
        var seconds: [Double] = [], copySeconds: [Double] = [], cpuSeconds: [Double] = []
        // This process's CPU time (clock(3)): a loaded machine inflates it less than wall time.
        func cpuTime() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }
        var last: ForecastResult?
        for _ in 0..<runs {
            let city = City(level: definition, catalog: catalog)
            let started = Date(), cpuStarted = cpuTime()
            let seed = try ForecastSeed(of: city)
            copySeconds.append(Date().timeIntervalSince(started))
            last = try seed.run(ForecastOptions(toYear: to, daysPerMonth: daysPerMonth))
            seconds.append(Date().timeIntervalSince(started))
            cpuSeconds.append(cpuTime() - cpuStarted)
        }
        let sorted = seconds.sorted(), copies = copySeconds.sorted(), cpu = cpuSeconds.sorted()
        let result = last!
        let years = result.years.count
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        if json {
            let fields: [(String, String)] = machine.map { ($0.0, "\"\($0.1)\"") } + [
                ("level", HeadlessRun.quote(definition.setup.info.id)), ("to_year", String(to)), ("years", String(years)),
                ("days_per_month", String(daysPerMonth)), ("simulated_hours", String(result.simulatedHours)), ("runs", String(runs)),
                ("seconds", "{\"min\": \(f(sorted[0])), \"median\": \(f(sorted[runs / 2])), \"max\": \(f(sorted[runs - 1]))}"),
                ("cpu_seconds", "{\"min\": \(f(cpu[0])), \"median\": \(f(cpu[runs / 2])), \"max\": \(f(cpu[runs - 1]))}"),
                ("copy_seconds_median", f(copies[runs / 2])),
                ("peak_rss_mb", f(peakResidentMegabytes())),
                ("note", "\"each run builds the level, copies it through its save bytes and projects the copy; seconds (wall) and cpu_seconds (this process's CPU time, which a loaded machine inflates less) include the copy\""),
            ]
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        } else {
            print("Forecast of \(definition.setup.info.id) to \(to): \(years) years, \(result.simulatedHours) hours simulated, \(runs) runs")
            for (name, value) in machine { print("  \(name): \(value)") }
            print("  seconds: min \(f(sorted[0])), median \(f(sorted[runs / 2])), max \(f(sorted[runs - 1])) (copy \(f(copies[runs / 2])))")
            print("  CPU seconds: min \(f(cpu[0])), median \(f(cpu[runs / 2])), max \(f(cpu[runs - 1]))")
        }
    }
}
