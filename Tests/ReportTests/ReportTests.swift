// ReportTests — the educator's report (`netzero report`): from a headless run and from a save,
// charts that decode and show their bars where the numbers say, tables that match the run,
// the same bytes for the same input, and clear messages for bad inputs. No display needed.
import CitySim
import ECS
import Foundation
import Locale
import Raster
import Report
import Testing

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()

let catalog: Catalog = {
    do {
        return try Catalog.load(directory: repositoryRoot + "/Resources/catalog")
    } catch {
        fatalError("bundled catalog failed to load: \(error)")
    }
}()

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "report-\(name)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A small town on one road (row 1): homes, work, a farm, coal, gas, wind and solar power and
/// green zones; three objectives (met, failed, pending); and the player's first commands.
func reportTown(seed: UInt64 = 7, budget: Double = 60_000_000) -> City {
    var setup = LevelSetup(info: LevelInfo(id: "report_town", title: "Report town", seed: seed), width: 24, height: 5, budget: budget)
    for x in 0..<24 { setup.placements.append((.road, x, 1)) }
    let row0: [Structure] = [.building(.residential), .building(.residential), .building(.residential), .building(.commercial),
                             .building(.industrial), .building(.farm), .plant(.coal), .plant(.gas), .plant(.wind), .plant(.solar),
                             .zone(.forest), .zone(.park)]
    for (x, structure) in row0.enumerated() { setup.placements.append((structure, x, 0)) }
    let row2: [Structure] = [.building(.residential), .building(.residential), .building(.office), .building(.school)]
    for (x, structure) in row2.enumerated() { setup.placements.append((structure, x, 2)) }
    var level = LevelDefinition(setup: setup, file: "report-town")
    level.title = Names(en: "Report town", zh: "报告小镇")
    level.objectives = [
        Objective(id: "cap", title: Names(en: "Keep net emissions under a cap", zh: "净排放不超过上限"), metric: .netEmissions,
                  comparison: .atMost, target: 1e12, deadlineYear: 2020),
        Objective(id: "all_green", title: Names(en: "All electricity renewable", zh: "全部电力来自可再生能源"), metric: .renewableShare,
                  comparison: .atLeast, target: 0.99, deadlineYear: 2020, required: false),
        Objective(id: "zero_2030", title: Names(en: "Net zero by 2030", zh: "2030年实现净零"), metric: .netEmissions,
                  comparison: .atMost, target: 0, deadlineYear: 2030),
    ]
    let city = City(level: level, catalog: catalog)
    city.submit(.build(.plant(.solar), x: 14, y: 0))
    city.submit(.build(.plant(.solar), x: 15, y: 0))
    city.submit(.build(.plant(.wind), x: 16, y: 0))
    city.submit(.build(.zone(.forest), x: 10, y: 2))
    city.submit(.build(.plant(.coal), x: 0, y: 0))   // occupied: refused, and not counted
    return city
}

/// A headless run of the report town, as `netzero run` writes it.
func runDirectory(years: Int = 2) throws -> String {
    let directory = temporaryDirectory("run")
    try HeadlessRun.run(reportTown(), options: RunOptions(years: years, outputDirectory: directory))
    return directory
}

func read(_ path: String) -> [UInt8] { FileSystem.read(path) ?? [] }
func text(_ path: String) -> String { String(decoding: read(path), as: UTF8.self) }

/// The width and height in a PNG's IHDR, after checking the signature and the chunk's name.
func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    guard bytes.count > 33, Array(bytes[0..<8]) == PNG.signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
    func be(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
    return (be(16), be(20))
}

func csvRows(_ text: String) -> [[String]] {
    text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
}

@Suite("Educator's report", .serialized)
struct ReportTests {
    @Test func runRecordsGenerationByPlantKind() throws {
        let city = reportTown()
        city.run(hours: 24 * 366)
        let year = try #require(city.view.ledger.years.first)
        for kind in [PlantKind.coal, .wind, .solar] { #expect(year.generationKWh[kind] > 0, "\(kind.key) generated nothing") }
        for kind in [PlantKind.nuclear, .hydro, .biomass, .waste] { #expect(year.generationKWh[kind] == 0, "\(kind.key) is not built") }
        // What the plants sent out is what was delivered, plus what could not be used (there is
        // no storage and no rooftop PV in this town), minus renewable output that was curtailed
        // before dispatch (which `generationKWh` never counts).
        #expect(year.generationKWh.total <= year.electricityKWh + year.curtailedKWh + 1e-6 * year.electricityKWh)
        #expect(year.generationKWh.total >= year.electricityKWh * 0.999)
        // The days of a year add up to the year.
        var days = GenerationByKind()
        let daysCity = reportTown()
        var closedDays = EventReader<DayClosed>(after: daysCity.world)
        for _ in 0..<(24 * 366) {
            daysCity.step()
            for event in closedDays.read(daysCity.world) { days.add(event.day.generationKWh) }
        }
        for kind in PlantKind.allCases {
            let a = days[kind], b = year.generationKWh[kind]
            #expect(abs(a - b) <= 1e-9 * max(1, b), "\(kind.key): days \(a), year \(b)")
        }
    }

    @Test func reportOfARunDirectory() throws {
        let run = try runDirectory()
        let out = temporaryDirectory("out")
        let series = try RunSeries.load(runDirectory: run)
        #expect(series.levelID == "report_town" && series.seed == 7 && series.years.map(\.year) == [2020, 2021])
        #expect(series.hasGeneration && series.years.allSatisfy { !$0.partial })
        let written = try EducatorReport.write(series, to: out, options: ReportOptions(width: 960, height: 540))
        #expect(written.map { ($0 as NSString).lastPathComponent } == EducatorReport.chartFiles + EducatorReport.tableFiles)

        for name in EducatorReport.chartFiles {
            let size = pngSize(read(out + "/" + name))
            #expect(size?.width == 960 && size?.height == 540, "\(name): \(String(describing: size))")
        }
        // yearly.csv is the run's own file; its generation columns hold what the ledger booked.
        #expect(read(out + "/yearly.csv") == read(run + "/yearly.csv"))
        let yearly = csvRows(text(run + "/yearly.csv"))
        let header = yearly[0]
        #expect(PlantKind.allCases.allSatisfy { header.contains("generation_\($0.key)_kwh") })
        for (row, year) in zip(yearly.dropFirst(), series.years) {
            func cell(_ name: String) -> Double { Double(row[header.firstIndex(of: name)!])! }
            #expect(cell("net_t") == year.net && cell("removals_t") == year.removals && cell("power_t") == year.sectors[0])
            #expect(cell("generation_coal_kwh") == year.generationKWh?[Int(PlantKind.coal.rawValue)])
            #expect(cell("generation_coal_kwh") > 0 && cell("generation_solar_kwh") > 0)
        }
        // objectives.csv: one row per objective of summary.json, as judged.
        let objectives = csvRows(text(out + "/objectives.csv"))
        #expect(objectives[0].joined(separator: ",") == "id,title,metric,comparison,target,deadline,value,status")
        #expect(objectives.dropFirst().map { $0[0] } == ["cap", "all_green", "zero_2030"])
        #expect(objectives.dropFirst().map { $0[7] } == ["met", "failed", "pending"])
        #expect(objectives[1][1] == "Keep net emissions under a cap" && objectives[1][2] == "net_emissions" && objectives[1][5] == "2020")
        let summary = text(run + "/summary.json")
        #expect(summary.contains("\"value\": \(objectives[2][6])"), "the failed objective's value is summary.json's")
        // report.md: level, seed, years, result, objectives, what the player built.
        let markdown = text(out + "/report.md")
        for expected in ["Report town (`report_town`)", "| Seed | 7 |", "2020–2021 (2 years)", "**Undecided**",
                         "| Keep net emissions under a cap |", "| Solar (`solar_plant`) | 2 |", "| Wind (`wind_plant`) | 1 |",
                         "| Forest (`forest`) | 1 |", "![Emissions by sector](emissions_by_sector.png)"] {
            #expect(markdown.contains(expected), "report.md lacks \(expected)")
        }
        #expect(!markdown.contains("coal_plant"), "the refused command is not counted")
        #expect(summary.contains("\"player_commands_by_tool\": {\"forest\": 1, \"solar_plant\": 2, \"wind_plant\": 1}"))
    }

    @Test func chartsShowTheirBarsWhereTheNumbersSay() throws {
        let series = try RunSeries.load(runDirectory: try runDirectory())
        let painter = try TextPainter()
        let strings = Strings(language: .en)
        let out = temporaryDirectory("charts")
        try EducatorReport.write(series, to: out)
        let charts = EducatorReport.charts(series, strings: strings, painter: painter, width: 1280, height: 720)
        let white = ReportColors.background
        for (file, chart) in charts {
            // The file holds exactly the pixels checked here.
            #expect(PNG.encode(chart.image) == read(out + "/" + file), "\(file) is not the chart drawn")
            #expect(chart.image.distinctColors(limit: 64).count > 8, "\(file) is nearly blank")
            if let plot = chart.plot {
                let inked = chart.image.countPixels(differentFrom: white, x: plot.left + 2, y: plot.top, width: plot.width - 2, height: plot.height)
                #expect(inked > plot.width * plot.height / 20, "\(file): only \(inked) pixels drawn in the plot")
            }
        }
        // Emissions by sector: each year's stack reaches its total, in the sectors' colours.
        let emissions = charts[0].chart
        let plot = try #require(emissions.plot)
        let sectors = ReportCharts.stackedSectors(series)
        let colours = Set(sectors.map(ReportColors.sector))
        for (i, year) in series.years.enumerated() {
            let x = Int(((plot.bar(i).x0 + plot.bar(i).x1) / 2).rounded(.down))
            var base = 0.0
            for sector in sectors {
                let value = year.sectors[Int(sector.rawValue)]
                let (low, high) = (plot.y(base), plot.y(base + value))
                base += value
                guard low - high >= 4 else { continue }   // too thin to hit reliably
                let middle = Int(((low + high) / 2).rounded(.down))
                #expect(emissions.image[x, middle] == ReportColors.sector(sector), "\(year.year) \(sector.key) at row \(middle)")
            }
            // Scan up from the axis: the coloured stack ends where the total says.
            var row = plot.bottom - 1
            while row > plot.top, colours.contains(emissions.image[x, row]) { row -= 1 }
            let expectedTop = plot.y(year.emissions)
            #expect(abs(Double(row + 1) - expectedTop) <= 1.5, "\(year.year): stack top at \(row + 1), expected \(expectedTop)")
            #expect(year.emissions > 0 && Double(plot.bottom) - expectedTop > 20, "the bar is visible")
        }
        // Removals below the zero line, in green.
        let removals = charts[1].chart
        let removalsPlot = try #require(removals.plot)
        let first = try #require(series.years.first)
        #expect(first.removals > 0)
        let zero = removalsPlot.y(0), below = removalsPlot.y(-first.removals)
        if below - zero >= 6 {
            #expect(removals.image[Int(removalsPlot.bar(0).x0) + 2, Int(((zero + below) / 2).rounded())] == ReportColors.removals)
        }
        // Grid mix: the first year's coal band is at the bottom of its stack.
        let grid = charts[2].chart
        let upper = try #require(grid.plot)
        let x = Int(((upper.bar(0).x0 + upper.bar(0).x1) / 2).rounded(.down))
        #expect(grid.image[x, upper.bottom - 2] == ReportColors.plant(.coal))
        #expect(grid.lowerPlot != nil)
    }

    @Test func sameInputGivesTheSameBytes() throws {
        let run = try runDirectory(years: 1)
        let (a, b, zh) = (temporaryDirectory("a"), temporaryDirectory("b"), temporaryDirectory("zh"))
        try EducatorReport.write(try RunSeries.load(runDirectory: run), to: a)
        try EducatorReport.write(try RunSeries.load(runDirectory: run), to: b)
        try EducatorReport.write(try RunSeries.load(runDirectory: run), to: zh, options: ReportOptions(language: .zh))
        for name in EducatorReport.chartFiles + EducatorReport.tableFiles {
            #expect(!read(a + "/" + name).isEmpty)
            #expect(read(a + "/" + name) == read(b + "/" + name), "\(name) differs between two reports of the same run")
        }
        // Another run of the same level and seed gives the same report too (report.md names the
        // run directory it was made from, which differs).
        let again = temporaryDirectory("again")
        let otherRun = try runDirectory(years: 1)
        try EducatorReport.write(try RunSeries.load(runDirectory: otherRun), to: again)
        for name in EducatorReport.chartFiles + ["yearly.csv", "objectives.csv"] {
            #expect(read(a + "/" + name) == read(again + "/" + name), "\(name) differs between reports of two identical runs")
        }
        #expect(text(a + "/report.md").replacingOccurrences(of: run, with: "RUN") == text(again + "/report.md").replacingOccurrences(of: otherRun, with: "RUN"))
        // In Chinese: the words change, the numbers do not.
        #expect(read(zh + "/emissions_by_sector.png") != read(a + "/emissions_by_sector.png"))
        #expect(text(zh + "/report.md").contains("零碳城报告") && text(zh + "/report.md").contains("全部电力来自可再生能源"))
        #expect(read(zh + "/yearly.csv") == read(a + "/yearly.csv"))
    }

    @Test func reportOfASave() throws {
        let city = reportTown()
        city.run(hours: 24 * 366 + 24 * 200)   // all of 2020, then 200 days of 2021
        let directory = temporaryDirectory("save")
        let save = directory + "/student.nzsave"
        try city.save(to: save)
        let series = try RunSeries.load(save, catalog: { catalog })
        #expect(series.source == .save(save))
        #expect(series.years.map(\.year) == [2020, 2021] && series.years.map(\.partial) == [false, true])
        #expect(series.years[1].generationKWh.map { $0.reduce(0, +) > 0 } == true)
        #expect(series.objectives.map(\.status) == ["met", "failed", "pending"])
        #expect(series.commandsByTool?.map(\.tool) == ["forest", "solar_plant", "wind_plant"])
        let out = temporaryDirectory("save-out")
        try EducatorReport.write(series, to: out)
        for name in EducatorReport.chartFiles { #expect(pngSize(read(out + "/" + name)) != nil, "\(name)") }
        // yearly.csv, rebuilt from the ledger: the complete year matches a headless run of the
        // same town in every column the ledger keeps, and the year in progress is marked.
        let rebuilt = csvRows(text(out + "/yearly.csv"))
        let ran = csvRows(text(try runDirectory(years: 1) + "/yearly.csv"))
        // The rebuilt file has `netzero run`'s ledger columns (a run may append more after them).
        #expect(rebuilt[0].last == "partial" && Array(rebuilt[0].dropLast()) == HeadlessRun.yearlyHeader.split(separator: ",").map(String.init))
        let kept = ["population", "jobs", "employed", "happiness", "air_pm25_ug_m3", "budget_yuan", "partial"]
        for (c, name) in rebuilt[0].enumerated() where !kept.contains(name) {
            let r = try #require(ran[0].firstIndex(of: name), "the run has no column \(name)")
            #expect(rebuilt[1][c] == ran[1][r], "column \(name): \(rebuilt[1][c]) vs \(ran[1][r])")
        }
        #expect(rebuilt[1].last == "0" && rebuilt[2].last == "1" && rebuilt.count == 3)
        #expect(text(out + "/report.md").contains("then 2021 to 2021-07-20 00:00"))
        // The partial year is explained under the charts, and drawn paler.
        let painter = try TextPainter()
        let chart = ReportCharts.emissionsBySector(series, strings: Strings(language: .en), painter: painter, width: 1280, height: 720)
        let plot = try #require(chart.plot)
        let x = Int(((plot.bar(1).x0 + plot.bar(1).x1) / 2).rounded(.down))
        #expect(chart.image[x, plot.bottom - 2] != ReportColors.sector(.power) && chart.image[x, plot.bottom - 2] != ReportColors.background)
        // The same save twice: the same bytes.
        let again = temporaryDirectory("save-again")
        try EducatorReport.write(try RunSeries.load(save, catalog: { catalog }), to: again)
        for name in EducatorReport.chartFiles + EducatorReport.tableFiles {
            #expect(read(out + "/" + name) == read(again + "/" + name), "\(name) differs between two reports of one save")
        }
    }

    @Test func badInputsGiveClearMessages() throws {
        func error(_ path: String) -> ReportError? {
            do {
                _ = try RunSeries.load(path, catalog: { catalog })
                return nil
            } catch let error as ReportError {
                return error
            } catch {
                Issue.record("not a ReportError: \(error)")
                return nil
            }
        }
        let directory = temporaryDirectory("bad")
        #expect(error(directory + "/nothing-here") == .missingInput(directory + "/nothing-here"))
        #expect(error(directory)?.description.contains("yearly.csv: error: missing or unreadable") == true)

        let run = try runDirectory(years: 1)
        let yearly = text(run + "/yearly.csv")
        try (yearly + "2021,abc\n").write(toFile: run + "/yearly.csv", atomically: true, encoding: .utf8)
        #expect(error(run) == .malformed(file: run + "/yearly.csv", line: 3, problem: "2 values, but the header has \(csvRows(yearly)[0].count) columns"))
        let row = csvRows(yearly)[1]
        let broken = yearly + (["2021", "lots"] + row.dropFirst(2)).joined(separator: ",") + "\n"
        try broken.write(toFile: run + "/yearly.csv", atomically: true, encoding: .utf8)
        #expect(error(run)?.description == run + "/yearly.csv:3: error: 'lots' in column power_t is not a number")
        try "date,net\n".write(toFile: run + "/yearly.csv", atomically: true, encoding: .utf8)
        #expect(error(run)?.description.hasPrefix(run + "/yearly.csv:1: error: not a yearly.csv from `netzero run`") == true)
        try yearly.write(toFile: run + "/yearly.csv", atomically: true, encoding: .utf8)
        let summary = text(run + "/summary.json")
        try String(summary.prefix(summary.count / 2)).write(toFile: run + "/summary.json", atomically: true, encoding: .utf8)
        #expect(error(run)?.description.hasPrefix(run + "/summary.json: error: not valid JSON") == true)
        try FileManager.default.removeItem(atPath: run + "/summary.json")
        #expect(error(run)?.description.hasPrefix(run + "/summary.json: error: missing or unreadable") == true)

        // Saves: cut short, or not a save at all.
        let city = reportTown()
        city.run(hours: 48)
        let save = directory + "/cut.nzsave"
        let bytes = try city.saveData()
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: save))
        #expect(error(save)?.description.contains("This save file is damaged") == true)
        let notes = directory + "/notes.txt"
        try "hello".write(toFile: notes, atomically: true, encoding: .utf8)
        #expect(error(notes) == .unknownInput(notes))

        // The command: a message on stderr and a non-zero exit, never a crash.
        let netzero = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("netzero").path
        guard FileManager.default.isExecutableFile(atPath: netzero) else {
            Issue.record("netzero is not built beside the tests (\(netzero)); build with `swift build --build-tests`")
            return
        }
        for (input, message) in [(directory + "/nothing-here", "no such file or directory"), (save, "This save file is damaged"),
                                 (notes, "not a run directory")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: netzero)
            process.arguments = ["report", input, "--out", directory + "/out"]
            process.environment = ["NETZERO_RESOURCES": repositoryRoot + "/Resources", "PATH": "/usr/bin:/bin"]
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = Pipe()
            try process.run()
            let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(input): status \(process.terminationStatus)")
            #expect(output.contains(input) && output.contains(message), "\(input): \(output)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/out"), "nothing is written for a bad input")
    }
}

@Suite("Firms in the report")
struct FirmsReportTests {
    /// Lesson 8's winning replay, as `netzero run … --replay` and `netzero report` make it: firms.csv
    /// lists each of the three firms in each settled period (2022, 2023) with the market's own
    /// figures, and the report copies the file and tables it.
    @Test func lesson8ReplayWritesFirmsAndTheReportTablesThem() throws {
        let levelPath = repositoryRoot + "/Levels/lessons/08-cap-and-trade.toml"
        let loaded = try #require(LevelFile.load(path: levelPath, catalog: catalog).level)
        let overrides = try #require(loaded.catalogOverrides)
        let lessonCatalog = try Catalog.load(directory: repositoryRoot + "/Resources/catalog", overrideTables: [(overrides, loaded.file)])
        let replayText = try String(contentsOfFile: repositoryRoot + "/Tests/CitySimTests/Lessons/08-cap-and-trade.replay", encoding: .utf8)
        let replay = try #require(ReplayLog.parse(replayText, file: "08.replay").log)
        var level = loaded
        level.setup.info.seed = replay.seed
        let city = City(level: level, catalog: lessonCatalog)
        let run = temporaryDirectory("lesson8")
        try HeadlessRun.run(city, options: RunOptions(years: 3, outputDirectory: run), replay: replay)
        let rows = csvRowsQuoted(text(run + "/firms.csv"))
        #expect(rows.first == HeadlessRun.firmsHeader.split(separator: ",").map(String.init))
        let market = city.view.carbonMarket
        #expect(market.periods.map(\.year) == [2022, 2023])
        #expect(rows.count == 1 + 6, "three firms in two periods")
        let header = rows[0]
        func cell(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        for (row, (period, result)) in zip(rows.dropFirst(), market.periods.flatMap { p in p.results.map { (p, $0) } }) {
            let firm = try #require(market.firms.first { $0.account == result.account })
            #expect(cell(row, "year") == String(period.year) && cell(row, "firm") == firm.name.en && cell(row, "kind") == firm.kind.key)
            #expect(cell(row, "allocated") == String(result.allocated) && cell(row, "verified_t") == String(result.verified))
            #expect(cell(row, "bought") == String(result.bought) && cell(row, "sold") == String(result.sold))
            #expect(cell(row, "price_yuan_per_t") == Fixed.format(period.price, 2) && cell(row, "status") == result.status.key)
            #expect(cell(row, "fine_yuan") == Fixed.format(result.fine, 0) && cell(row, "abatement_yuan") == Fixed.format(result.abatementCost, 0))
            // Abated tonnes: verified × share ÷ (1 − share), e.g. 90,000 t after a 10% cut → 10,000 t.
            let share = result.abatement
            #expect(cell(row, "abatement_t") == Fixed.format(share > 0 ? Double(result.verified) * share / (1 - share) : 0, 3))
            let position = try #require(city.view.position(firm.entity))
            #expect(cell(row, "tile_x") == String(position.x) && cell(row, "tile_y") == String(position.y))
        }
        let out = temporaryDirectory("lesson8-report")
        let series = try RunSeries.load(runDirectory: run)
        let written = try EducatorReport.write(series, to: out, options: ReportOptions(width: 960, height: 540))
        #expect(written.map { ($0 as NSString).lastPathComponent }.contains("firms.csv"))
        #expect(read(out + "/firms.csv") == read(run + "/firms.csv"))
        let markdown = text(out + "/report.md")
        #expect(markdown.contains("## Cap and trade: each firm's result"))
        for firm in market.firms { #expect(markdown.contains("| \(firm.name.en) |"), "\(firm.name.en) in report.md") }
    }
}

/// CSV rows with RFC 4180 quoting (a quoted field may hold commas).
func csvRowsQuoted(_ text: String) -> [[String]] {
    text.split(separator: "\n").map { line in
        var fields: [String] = [], field = "", quoted = false
        for c in line {
            if c == "\"" { quoted.toggle() } else if c == "," && !quoted { fields.append(field); field = "" } else { field.append(c) }
        }
        fields.append(field)
        return fields
    }
}
