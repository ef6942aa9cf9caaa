// ValidationTests — `netzero validate`, and the yearly energy balance and GPC inventory of a run.
import CitySim
import ECS
import Foundation
import Testing

@Suite("Validation against published statistics", .serialized)
struct ValidationTests {
    /// Runs every calibration scenario. Each metric has a finite value and a published range with
    /// a unit and a source, and lies inside that range (`make test` also runs `netzero validate`,
    /// which exits 1 on any figure out of range).
    @Test func validateMeasuresEveryMetricAgainstItsSource() throws {
        let rows = Validation.run(catalog: testCatalog, sandbox: sandboxLevel())
        #expect(rows.map(\.id) == Validation.metricIDs)
        for row in rows {
            #expect(row.value.isFinite, "\(row.id) has no value")
            #expect(row.low <= row.high && !row.unit.isEmpty && row.source.count > 20, "\(row.id) needs a range, a unit and a source")
        }
        let failing = Set(rows.filter { !$0.passed }.map(\.id))
        #expect(failing.isEmpty, "out of range: \(failing.sorted()) — \(rows.filter { !$0.passed }.map { "\($0.id) \($0.value)" })")
        #expect(Validation.table(rows).contains("source: "))
        #expect(Validation.json(rows).hasPrefix("{\"metrics\": ["))
    }

    /// A year of a small town with coal, wind, solar and a battery, written by `netzero run`:
    /// Σ generation_*_kwh = electricity_kwh + storage_charge − storage_discharge + grid_losses
    /// (curtailed energy was never generated), curtailed_kwh is the sum of the per-source columns,
    /// and inventory.csv's territorial total is the year's net_t.
    @Test func yearlyBalanceClosesAndTheInventoryAddsUp() throws {
        var setup = LevelSetup(info: LevelInfo(id: "balance", title: "Balance town", seed: 5), width: 16, height: 5, budget: 1e12)
        for x in 0..<16 { setup.placements.append((.road, x, 1)) }
        for (structure, x, y) in [(Structure.plant(.coal), 0, 0), (.plant(.wind), 1, 0), (.plant(.wind), 2, 0), (.plant(.solar), 3, 0),
                                  (.storage(.battery), 4, 0), (.building(.residential, density: 1), 6, 0),
                                  (.building(.commercial, density: 1), 8, 0), (.building(.industrial, density: 0.5), 10, 0),
                                  (.zone(.forest), 12, 0)] {
            setup.placements.append((structure, x, y))
        }
        let city = City(level: setup, catalog: testCatalog)
        let directory = NSTemporaryDirectory() + "balance-\(UUID().uuidString)"
        try HeadlessRun.run(city, options: RunOptions(years: 1, outputDirectory: directory))
        let yearly = try String(contentsOfFile: directory + "/yearly.csv", encoding: .utf8).split(separator: "\n")
        let header = yearly[0].split(separator: ",").map(String.init)
        let row = yearly[1].split(separator: ",").map { Double($0) ?? .nan }
        func column(_ name: String) throws -> Double { row[try #require(header.firstIndex(of: name), "\(name)")] }
        let generation = header.indices.filter { header[$0].hasPrefix("generation_") }.reduce(0.0) { $0 + row[$1] }
        let balance = try column("electricity_kwh") + column("storage_charge_kwh") - column("storage_discharge_kwh") + column("grid_losses_kwh")
        #expect(generation > 0 && abs(generation - balance) <= 0.001 * generation, "generation \(generation) vs \(balance)")
        let perSource = try column("curtailed_wind_kwh") + column("curtailed_solar_kwh") + column("curtailed_hydro_kwh")
        #expect(abs(try column("curtailed_kwh") - perSource) <= 1.5, "rounded to whole kWh, three columns")
        #expect(try column("storage_charge_kwh") > 0 && column("captured_t") == 0)

        let inventory = try String(contentsOfFile: directory + "/inventory.csv", encoding: .utf8).split(separator: "\n")
        #expect(inventory[0] == "year,gpc_sector,sub_sector,scope,tco2e,notation_key")
        let territorial = try #require(inventory.first { $0.contains("Territorial") }).split(separator: ",", omittingEmptySubsequences: false)
        #expect(abs((Double(territorial[4]) ?? .nan) - (try column("net_t"))) < 0.002)
        // Scope-1 rows add up to the territorial total; the notation keys are there.
        var scope1 = 0.0
        for line in inventory.dropFirst() where !line.contains(",Total,") {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            if cells[3] == "1" && !cells[4].isEmpty { scope1 += Double(cells[4]) ?? .nan }
        }
        #expect(abs(scope1 - (try column("net_t"))) < 0.01, "scope 1 rows \(scope1)")
        #expect(inventory.contains { $0.hasSuffix(",NO") } && inventory.contains { $0.hasSuffix(",NE") })
        #expect(inventory.contains { $0.contains("V.2 Land,1,-") }, "the forest's removals are in V.2")
    }
}
